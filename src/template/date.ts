/**
 * Go's time layouts (time/format.go): Time.Format and ParseInLocation for JS Dates, with the
 * zone given as "Local", "UTC" or an IANA name. JS Dates hold milliseconds, so nanoseconds
 * are always a multiple of 1e6.
 */

type ZoneKind =
  | 'Z0700'
  | 'Z070000'
  | 'Z07'
  | 'Z07:00'
  | 'Z07:00:00'
  | '-0700'
  | '-070000'
  | '-07'
  | '-07:00'
  | '-07:00:00';

/** A layout element, named by its canonical spelling in the reference time. */
type Std =
  | {
      kind:
        | 'January' | 'Jan' | '1' | '01' | 'Monday' | 'Mon' | '2' | '_2' | '02' | '__2' | '002'
        | '15' | '3' | '03' | '4' | '04' | '5' | '05' | '2006' | '06' | 'PM' | 'pm' | 'MST' | ZoneKind;
    }
  | FracSecond;

/** ".000" or ",999" and the like: a fraction of a second to `digits` places. */
interface FracSecond {
  /** frac9 drops trailing zeros. */
  kind: 'frac0' | 'frac9';
  digits: number;
  separator: string;
}

interface Chunk {
  prefix: string;
  std: Std | null;
  suffix: string;
}

interface ZoneState {
  /** Seconds east of UTC. */
  offset: number;
  name: string;
}

const LONG_DAY_NAMES = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const SHORT_DAY_NAMES = LONG_DAY_NAMES.map((name) => name.slice(0, 3));
const LONG_MONTH_NAMES = [
  'January', 'February', 'March', 'April', 'May', 'June',
  'July', 'August', 'September', 'October', 'November', 'December',
];
const SHORT_MONTH_NAMES = LONG_MONTH_NAMES.map((name) => name.slice(0, 3));

/** The elements "01" … "06". */
const STD_0X = ['01', '02', '03', '04', '05', '06'] as const;

/** Zone elements in the order nextStdChunk tries them: longer forms before their prefixes. */
const NUMERIC_ZONES: readonly ZoneKind[] = ['-070000', '-07:00:00', '-0700', '-07:00', '-07'];
const ISO_ZONES: readonly ZoneKind[] = ['Z070000', 'Z07:00:00', 'Z0700', 'Z07:00', 'Z07'];

function isDigit(s: string, i: number): boolean {
  return i < s.length && s[i] >= '0' && s[i] <= '9';
}

function startsWithLowerCase(s: string): boolean {
  return s.length > 0 && s[0] >= 'a' && s[0] <= 'z';
}

function chunk(layout: string, i: number, length: number, std: Std): Chunk {
  return { prefix: layout.slice(0, i), std, suffix: layout.slice(i + length) };
}

/** time.nextStdChunk: the text before the first layout element, the element, and the text after it. */
function nextStdChunk(layout: string): Chunk {
  for (let i = 0; i < layout.length; i++) {
    const found = stdChunkAt(layout, i);
    if (found) return found;
  }
  return { prefix: layout, std: null, suffix: '' };
}

function stdChunkAt(layout: string, i: number): Chunk | null {
  const rest = layout.slice(i);
  switch (layout[i]) {
    case 'J':
      if (rest.startsWith('January')) return chunk(layout, i, 7, { kind: 'January' });
      if (rest.startsWith('Jan') && !startsWithLowerCase(rest.slice(3))) return chunk(layout, i, 3, { kind: 'Jan' });
      return null;
    case 'M':
      if (rest.startsWith('Monday')) return chunk(layout, i, 6, { kind: 'Monday' });
      if (rest.startsWith('Mon') && !startsWithLowerCase(rest.slice(3))) return chunk(layout, i, 3, { kind: 'Mon' });
      if (rest.startsWith('MST')) return chunk(layout, i, 3, { kind: 'MST' });
      return null;
    case '0':
      if (rest.length >= 2 && rest[1] >= '1' && rest[1] <= '6') {
        return chunk(layout, i, 2, { kind: STD_0X[rest.charCodeAt(1) - 0x31] });
      }
      if (rest.startsWith('002')) return chunk(layout, i, 3, { kind: '002' });
      return null;
    case '1':
      if (rest.startsWith('15')) return chunk(layout, i, 2, { kind: '15' });
      return chunk(layout, i, 1, { kind: '1' });
    case '2':
      if (rest.startsWith('2006')) return chunk(layout, i, 4, { kind: '2006' });
      return chunk(layout, i, 1, { kind: '2' });
    case '_':
      if (rest.startsWith('_2')) {
        // "_2006" is a literal underscore followed by the year.
        if (rest.startsWith('_2006')) return chunk(layout, i + 1, 4, { kind: '2006' });
        return chunk(layout, i, 2, { kind: '_2' });
      }
      if (rest.startsWith('__2')) return chunk(layout, i, 3, { kind: '__2' });
      return null;
    case '3':
      return chunk(layout, i, 1, { kind: '3' });
    case '4':
      return chunk(layout, i, 1, { kind: '4' });
    case '5':
      return chunk(layout, i, 1, { kind: '5' });
    case 'P':
      return rest.startsWith('PM') ? chunk(layout, i, 2, { kind: 'PM' }) : null;
    case 'p':
      return rest.startsWith('pm') ? chunk(layout, i, 2, { kind: 'pm' }) : null;
    case '-':
      return zoneChunk(layout, i, NUMERIC_ZONES);
    case 'Z':
      return zoneChunk(layout, i, ISO_ZONES);
    case '.':
    case ',':
      return fracSecondChunk(layout, i);
    default:
      return null;
  }
}

function zoneChunk(layout: string, i: number, zones: readonly ZoneKind[]): Chunk | null {
  const match = zones.find((zone) => layout.startsWith(zone, i));
  return match ? chunk(layout, i, match.length, { kind: match }) : null;
}

/** ",000" / ".999" and longer: a run of 0s or 9s that no further digit follows. */
function fracSecondChunk(layout: string, i: number): Chunk | null {
  const digit = layout[i + 1];
  if (digit !== '0' && digit !== '9') return null;
  let j = i + 1;
  while (j < layout.length && layout[j] === digit) j++;
  if (isDigit(layout, j)) return null;
  const kind = digit === '0' ? 'frac0' : 'frac9';
  return chunk(layout, i, j - i, { kind, digits: j - (i + 1), separator: layout[i] });
}

// ---------------------------------------------------------------------------------------------
// Zones

const formatters = new Map<string, Intl.DateTimeFormat>();

function cachedFormatter(locale: string, timeZone: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `${locale}|${timeZone}|${options.timeZoneName ?? 'fields'}`;
  let formatter = formatters.get(key);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat(locale, { ...options, timeZone });
    formatters.set(key, formatter);
  }
  return formatter;
}

/** The IANA zone Intl should use for a zone name; unknown names fall back to UTC, as Sprig's dateInZone does. */
function resolveZone(zone: string): string {
  if (zone === '' || zone === 'UTC') return 'UTC';
  // An unusable TZ leaves Intl without a default zone name; Go's Local is UTC then.
  const timeZone = zone === 'Local' ? new Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC' : zone;
  return isKnownZone(timeZone) ? timeZone : 'UTC';
}

function isKnownZone(timeZone: string): boolean {
  try {
    cachedFormatter('en-US', timeZone, { timeZoneName: 'short' });
    return true;
  } catch {
    return false;
  }
}

const FIELD_OPTIONS: Intl.DateTimeFormatOptions = {
  era: 'short',
  year: 'numeric',
  month: 'numeric',
  day: 'numeric',
  hour: 'numeric',
  minute: 'numeric',
  second: 'numeric',
  hourCycle: 'h23',
};

/** Milliseconds since the epoch of a wall-clock time read as UTC (Date.UTC maps years 0–99 to 1900–1999). */
function utcMillis(year: number, month: number, day: number, hour: number, minute: number, second: number, ms: number): number {
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, ms);
  return date.getTime();
}

/** Seconds east of UTC that `timeZone` was at the instant `ms`. */
function zoneOffset(timeZone: string, ms: number): number {
  const fields: Record<string, string> = {};
  for (const part of cachedFormatter('en-US', timeZone, FIELD_OPTIONS).formatToParts(new Date(ms))) {
    fields[part.type] = part.value;
  }
  const year = fields.era === 'BC' ? 1 - Number(fields.year) : Number(fields.year);
  const wall = utcMillis(year, Number(fields.month), Number(fields.day), Number(fields.hour), Number(fields.minute), Number(fields.second), 0);
  return (wall - Math.floor(ms / 1000) * 1000) / 1000;
}

/** Locales whose short zone names are tzdata's abbreviations for the zones they know: US, European, Australian. */
const ABBREVIATION_LOCALES = ['en-US', 'en-GB', 'en-AU'];

/**
 * The zone abbreviation Go prints for MST. Intl names zones it has no abbreviation for "GMT+1";
 * tzdata names those by their offset, "+01" or "+0530".
 */
function zoneName(timeZone: string, ms: number, offset: number): string {
  for (const locale of ABBREVIATION_LOCALES) {
    const parts = cachedFormatter(locale, timeZone, { timeZoneName: 'short' }).formatToParts(new Date(ms));
    const name = parts.find((part) => part.type === 'timeZoneName')?.value ?? '';
    if (name !== '' && !/^GMT[+-]/.test(name)) return name;
  }
  return numericZoneName(offset);
}

function numericZoneName(offset: number): string {
  const minutes = Math.trunc(Math.abs(offset) / 60);
  const sign = offset < 0 ? '-' : '+';
  const hh = pad(Math.trunc(minutes / 60), 2);
  return minutes % 60 === 0 ? sign + hh : sign + hh + pad(minutes % 60, 2);
}

function zoneState(timeZone: string, ms: number): ZoneState {
  const offset = zoneOffset(timeZone, ms);
  return { offset, name: zoneName(timeZone, ms, offset) };
}

// ---------------------------------------------------------------------------------------------
// Format

/** time.appendInt: the decimal form of x, zero-padded to width digits after any sign. */
function pad(x: number, width: number): string {
  const digits = String(Math.abs(x)).padStart(width, '0');
  return x < 0 ? '-' + digits : digits;
}

interface WallClock {
  year: number;
  month: number;
  day: number;
  yday: number;
  weekday: number;
  hour: number;
  minute: number;
  second: number;
  nanosecond: number;
}

function wallClock(wallMs: number): WallClock {
  const date = new Date(wallMs);
  const year = date.getUTCFullYear();
  const startOfYear = utcMillis(year, 1, 1, 0, 0, 0, 0);
  const startOfDay = utcMillis(year, date.getUTCMonth() + 1, date.getUTCDate(), 0, 0, 0, 0);
  return {
    year,
    month: date.getUTCMonth() + 1,
    day: date.getUTCDate(),
    yday: Math.round((startOfDay - startOfYear) / 86_400_000) + 1,
    weekday: date.getUTCDay(),
    hour: date.getUTCHours(),
    minute: date.getUTCMinutes(),
    second: date.getUTCSeconds(),
    nanosecond: date.getUTCMilliseconds() * 1e6,
  };
}

function hour12(hour: number): number {
  return hour % 12 === 0 ? 12 : hour % 12;
}

function isZoneWithColon(kind: ZoneKind): boolean {
  return kind.includes(':');
}

function isShortZone(kind: ZoneKind): boolean {
  return kind === '-07' || kind === 'Z07';
}

function isZoneWithSeconds(kind: ZoneKind): boolean {
  return kind === '-070000' || kind === 'Z070000' || kind === '-07:00:00' || kind === 'Z07:00:00';
}

function formatZoneOffset(kind: ZoneKind, offset: number): string {
  if (offset === 0 && kind.startsWith('Z')) return 'Z';
  // Go truncates the offset to minutes first, so a sub-minute negative offset prints as "+00".
  let minutes = Math.trunc(offset / 60);
  let sign = '+';
  if (minutes < 0) {
    sign = '-';
    minutes = -minutes;
  }
  let out = sign + pad(Math.trunc(minutes / 60), 2);
  if (isZoneWithColon(kind)) out += ':';
  if (!isShortZone(kind)) out += pad(minutes % 60, 2);
  if (isZoneWithSeconds(kind)) {
    if (isZoneWithColon(kind)) out += ':';
    out += pad(Math.abs(offset) % 60, 2);
  }
  return out;
}

/** time.appendNano: the fraction of a second to `digits` places; the 9s form drops trailing zeros and a bare separator. */
function formatFraction(nanosecond: number, std: FracSecond): string {
  const trim = std.kind === 'frac9';
  if (trim && (std.digits === 0 || nanosecond === 0)) return '';
  let out = std.separator + pad(nanosecond, 9).slice(0, Math.min(std.digits, 9));
  if (trim) {
    out = out.replace(/0+$/, '');
    if (out === std.separator) out = '';
  }
  return out;
}

function formatElement(std: Std, wall: WallClock, zone: () => ZoneState): string {
  switch (std.kind) {
    case '06': return pad(Math.abs(wall.year) % 100, 2);
    case '2006': return pad(wall.year, 4);
    case 'Jan': return SHORT_MONTH_NAMES[wall.month - 1];
    case 'January': return LONG_MONTH_NAMES[wall.month - 1];
    case '1': return String(wall.month);
    case '01': return pad(wall.month, 2);
    case 'Mon': return SHORT_DAY_NAMES[wall.weekday];
    case 'Monday': return LONG_DAY_NAMES[wall.weekday];
    case '2': return String(wall.day);
    case '_2': return String(wall.day).padStart(2, ' ');
    case '02': return pad(wall.day, 2);
    case '__2': return String(wall.yday).padStart(3, ' ');
    case '002': return pad(wall.yday, 3);
    case '15': return pad(wall.hour, 2);
    case '3': return String(hour12(wall.hour));
    case '03': return pad(hour12(wall.hour), 2);
    case '4': return String(wall.minute);
    case '04': return pad(wall.minute, 2);
    case '5': return String(wall.second);
    case '05': return pad(wall.second, 2);
    case 'PM': return wall.hour >= 12 ? 'PM' : 'AM';
    case 'pm': return wall.hour >= 12 ? 'pm' : 'am';
    case 'MST': return zone().name;
    case 'frac0':
    case 'frac9': return formatFraction(wall.nanosecond, std);
    default: return formatZoneOffset(std.kind, zone().offset);
  }
}

/** Go's time.Format(layout) for `date` shown in `zone` ("Local", "UTC" or an IANA name). */
export function formatGoDate(layout: string, date: Date, zone: string): string {
  const timeZone = resolveZone(zone);
  const ms = date.getTime();
  const offset = zoneOffset(timeZone, ms);
  const wall = wallClock(ms + offset * 1000);
  let state: ZoneState | undefined;
  const zoneAtDate = (): ZoneState => (state ??= { offset, name: zoneName(timeZone, ms, offset) });

  let out = '';
  let rest = layout;
  while (rest !== '') {
    const { prefix, std, suffix } = nextStdChunk(rest);
    out += prefix;
    if (!std) break;
    out += formatElement(std, wall, zoneAtDate);
    rest = suffix;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Parse

/** time.quote, used in parse errors: ASCII kept, quotes and backslashes escaped, anything else as \x bytes. */
function timeQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (c >= 0x80 || c < 0x20) {
      for (const byte of Buffer.from(ch, 'utf8')) out += '\\x' + byte.toString(16).padStart(2, '0');
    } else {
      out += ch === '"' || ch === '\\' ? '\\' + ch : ch;
    }
  }
  return out + '"';
}

function cannotParse(layout: string, value: string, valueElem: string, layoutElem: string): Error {
  return new Error(
    `parsing time ${timeQuote(value)} as ${timeQuote(layout)}: cannot parse ${timeQuote(valueElem)} as ${timeQuote(layoutElem)}`,
  );
}

function parseFailure(value: string, message: string): Error {
  return new Error(`parsing time ${timeQuote(value)}${message}`);
}

interface Fields {
  year: number;
  month: number;
  day: number;
  yday: number;
  hour: number;
  minute: number;
  second: number;
  nanosecond: number;
  pm: boolean;
  am: boolean;
  utc: boolean;
  zoneOffset: number | null;
  zoneName: string;
  rangeError: string;
}

/** What a layout element consumed: the rest of the value, or null when the value does not match it. */
type Remaining = string | null;

/**
 * time.skip: removes the literal `prefix` from value, a run of spaces matching a run of spaces.
 * On a mismatch, `rest` is where it happened, which Go's error quotes.
 */
function skip(value: string, prefix: string): { rest: string; ok: boolean } {
  let v = value;
  let p = prefix;
  while (p.length > 0) {
    if (p[0] === ' ') {
      if (v.length > 0 && v[0] !== ' ') return { rest: v, ok: false };
      p = p.replace(/^ +/, '');
      v = v.replace(/^ +/, '');
      continue;
    }
    if (v.length === 0 || v[0] !== p[0]) return { rest: v, ok: false };
    p = p.slice(1);
    v = v.slice(1);
  }
  return { rest: v, ok: true };
}

/** time.atoi: an optionally signed run of digits that must fill s. */
function atoi(s: string): number | null {
  const match = /^([+-]?)(\d+)$/.exec(s);
  if (!match) return null;
  const n = Number(match[2]);
  return match[1] === '-' ? -n : n;
}

/** time.getnum: one or two digits (exactly two when fixed). */
function getnum(s: string, fixed: boolean): { n: number; rest: string } | null {
  if (!isDigit(s, 0)) return null;
  if (!isDigit(s, 1)) return fixed ? null : { n: Number(s[0]), rest: s.slice(1) };
  return { n: Number(s.slice(0, 2)), rest: s.slice(2) };
}

/** time.getnum3: one to three digits (exactly three when fixed). */
function getnum3(s: string, fixed: boolean): { n: number; rest: string } | null {
  let i = 0;
  while (i < 3 && isDigit(s, i)) i++;
  if (i === 0 || (fixed && i !== 3)) return null;
  return { n: Number(s.slice(0, i)), rest: s.slice(i) };
}

/** time.lookup: the index of the name that starts value, ignoring ASCII case. */
function lookup(names: string[], value: string): { index: number; rest: string } | null {
  const index = names.findIndex((name) => value.length >= name.length && sameIgnoringAsciiCase(value.slice(0, name.length), name));
  return index < 0 ? null : { index, rest: value.slice(names[index].length) };
}

function sameIgnoringAsciiCase(a: string, b: string): boolean {
  return a.replace(/[A-Z]/g, (c) => c.toLowerCase()) === b.replace(/[A-Z]/g, (c) => c.toLowerCase());
}

function isCommaOrPeriod(c: string | undefined): boolean {
  return c === '.' || c === ',';
}

/** time.parseNanoseconds: value[0] is the separator, value[1:length] the digits. */
function parseNanoseconds(value: string, length: number, fields: Fields): boolean {
  if (!isCommaOrPeriod(value[0])) return false;
  const n = Math.min(length, 10);
  const ns = atoi(value.slice(1, n));
  if (ns === null) return false;
  if (ns < 0) {
    fields.rangeError = 'fractional second';
    return true;
  }
  fields.nanosecond = ns * 10 ** (10 - n);
  return true;
}

function parseNumber(
  value: string,
  fixed: boolean,
  set: (n: number) => void,
  inRange: (n: number) => boolean,
  rangeName: string,
  fields: Fields,
): Remaining {
  const got = getnum(value, fixed);
  if (!got) return null;
  set(got.n);
  if (!inRange(got.n)) fields.rangeError = rangeName;
  return got.rest;
}

/** A fractional second in the value right after the seconds, when the layout has none there. */
function parseUnannouncedFraction(value: string, layoutRest: string, fields: Fields): Remaining {
  if (value.length < 2 || !isCommaOrPeriod(value[0]) || !isDigit(value, 1)) return value;
  const next = nextStdChunk(layoutRest).std;
  if (next && (next.kind === 'frac0' || next.kind === 'frac9')) return value;
  let n = 2;
  while (isDigit(value, n)) n++;
  return parseNanoseconds(value, n, fields) ? value.slice(n) : null;
}

function parseZoneOffset(kind: ZoneKind, value: string, fields: Fields): Remaining {
  if (kind.startsWith('Z') && value[0] === 'Z') {
    fields.utc = true;
    return value.slice(1);
  }
  let parts: { sign: string; hh: string; mm: string; ss: string; rest: string };
  if (kind === 'Z07:00' || kind === '-07:00') {
    if (value.length < 6 || value[3] !== ':') return null;
    parts = { sign: value[0], hh: value.slice(1, 3), mm: value.slice(4, 6), ss: '00', rest: value.slice(6) };
  } else if (isShortZone(kind)) {
    if (value.length < 3) return null;
    parts = { sign: value[0], hh: value.slice(1, 3), mm: '00', ss: '00', rest: value.slice(3) };
  } else if (kind === 'Z07:00:00' || kind === '-07:00:00') {
    if (value.length < 9 || value[3] !== ':' || value[6] !== ':') return null;
    parts = { sign: value[0], hh: value.slice(1, 3), mm: value.slice(4, 6), ss: value.slice(7, 9), rest: value.slice(9) };
  } else if (isZoneWithSeconds(kind)) {
    if (value.length < 7) return null;
    parts = { sign: value[0], hh: value.slice(1, 3), mm: value.slice(3, 5), ss: value.slice(5, 7), rest: value.slice(7) };
  } else {
    if (value.length < 5) return null;
    parts = { sign: value[0], hh: value.slice(1, 3), mm: value.slice(3, 5), ss: '00', rest: value.slice(5) };
  }
  const hh = getnum(parts.hh, true);
  const mm = getnum(parts.mm, true);
  const ss = getnum(parts.ss, true);
  if (!hh || !mm || !ss) return null;
  // Go tests with > rather than >=: offsets of 24 hours or 60 minutes are written in the wild.
  if (hh.n > 24) fields.rangeError = 'time zone offset hour';
  if (mm.n > 60) fields.rangeError = 'time zone offset minute';
  if (ss.n > 60) fields.rangeError = 'time zone offset second';
  const offset = (hh.n * 60 + mm.n) * 60 + ss.n;
  if (parts.sign === '+') fields.zoneOffset = offset;
  else if (parts.sign === '-') fields.zoneOffset = -offset;
  else return null;
  return parts.rest;
}

/** time.parseSignedOffset: "+03" or "-4", at most 23 hours; the length taken, 0 when there is none. */
function signedOffsetLength(value: string): number {
  const match = /^[+-](\d+)/.exec(value);
  if (!match || Number(match[1]) > 23) return 0;
  return match[0].length;
}

/** time.parseTimeZone: the length of the zone abbreviation that starts value, 0 when none does. */
function timeZoneLength(value: string): number {
  if (value.length < 3) return 0;
  if (value.startsWith('ChST') || value.startsWith('MeST')) return 4;
  if (value.startsWith('GMT')) return 3 + (value.length > 3 ? signedOffsetLength(value.slice(3)) : 0);
  if (value[0] === '+' || value[0] === '-') return signedOffsetLength(value);
  const upper = /^[A-Z]{0,6}/.exec(value)![0].length;
  if (upper === 3) return 3;
  if (upper === 4 && (value[3] === 'T' || value.startsWith('WITA'))) return 4;
  if (upper === 5 && value[4] === 'T') return 5;
  return 0;
}

function parseZoneName(value: string, fields: Fields): Remaining {
  if (value.startsWith('UTC')) {
    fields.utc = true;
    return value.slice(3);
  }
  const length = timeZoneLength(value);
  if (length === 0) return null;
  fields.zoneName = value.slice(0, length);
  return value.slice(length);
}

function parseElement(std: Std, value: string, layoutRest: string, fields: Fields): Remaining {
  switch (std.kind) {
    case '06': {
      const year = value.length < 2 ? null : atoi(value.slice(0, 2));
      if (year === null) return null;
      fields.year = year >= 69 ? year + 1900 : year + 2000;
      return value.slice(2);
    }
    case '2006': {
      const year = value.length < 4 || !isDigit(value, 0) ? null : atoi(value.slice(0, 4));
      if (year === null) return null;
      fields.year = year;
      return value.slice(4);
    }
    case 'Jan':
    case 'January': {
      const found = lookup(std.kind === 'Jan' ? SHORT_MONTH_NAMES : LONG_MONTH_NAMES, value);
      if (!found) return null;
      fields.month = found.index + 1;
      return found.rest;
    }
    case '1':
    case '01':
      return parseNumber(value, std.kind === '01', (n) => (fields.month = n), (n) => n >= 1 && n <= 12, 'month', fields);
    case 'Mon':
    case 'Monday':
      return lookup(std.kind === 'Mon' ? SHORT_DAY_NAMES : LONG_DAY_NAMES, value)?.rest ?? null;
    case '2':
    case '_2':
    case '02': {
      const digits = std.kind === '_2' && value[0] === ' ' ? value.slice(1) : value;
      const got = getnum(digits, std.kind === '02');
      if (!got) return null;
      fields.day = got.n;
      return got.rest;
    }
    case '__2':
    case '002': {
      const digits = std.kind === '__2' ? value.replace(/^ {1,2}/, '') : value;
      const got = getnum3(digits, std.kind === '002');
      if (!got) return null;
      fields.yday = got.n;
      return got.rest;
    }
    case '15':
      return parseNumber(value, false, (n) => (fields.hour = n), (n) => n < 24, 'hour', fields);
    case '3':
    case '03':
      return parseNumber(value, std.kind === '03', (n) => (fields.hour = n), (n) => n <= 12, 'hour', fields);
    case '4':
    case '04':
      return parseNumber(value, std.kind === '04', (n) => (fields.minute = n), (n) => n < 60, 'minute', fields);
    case '5':
    case '05': {
      const rest = parseNumber(value, std.kind === '05', (n) => (fields.second = n), (n) => n < 60, 'second', fields);
      if (rest === null || fields.rangeError) return rest;
      return parseUnannouncedFraction(rest, layoutRest, fields);
    }
    case 'PM':
    case 'pm': {
      const mark = value.slice(0, 2);
      if (mark === (std.kind === 'PM' ? 'PM' : 'pm')) fields.pm = true;
      else if (mark === (std.kind === 'PM' ? 'AM' : 'am')) fields.am = true;
      else return null;
      return value.slice(2);
    }
    case 'MST':
      return parseZoneName(value, fields);
    case 'frac0': {
      const length = 1 + std.digits;
      if (value.length < length) return null;
      return parseNanoseconds(value, length, fields) ? value.slice(length) : null;
    }
    case 'frac9': {
      if (value.length < 2 || !isCommaOrPeriod(value[0]) || !isDigit(value, 1)) return value;
      let i = 0;
      while (isDigit(value, i + 1)) i++;
      return parseNanoseconds(value, 1 + i, fields) ? value.slice(1 + i) : null;
    }
    default:
      return parseZoneOffset(std.kind, value, fields);
  }
}

function isLeap(year: number): boolean {
  return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
}

function daysIn(month: number, year: number): number {
  if (month === 2) return isLeap(year) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** Days before the first of `month` in a non-leap year. */
function daysBefore(month: number): number {
  let days = 0;
  for (let m = 1; m < month; m++) days += daysIn(m, 2001);
  return days;
}

/** Turns a day of the year into month and day, checking them against any parsed month and day. */
function applyYearDay(fields: Fields, value: string): void {
  let yday = fields.yday;
  let month = 0;
  let day = 0;
  if (isLeap(fields.year)) {
    if (yday === 31 + 29) {
      month = 2;
      day = 29;
    } else if (yday > 31 + 29) {
      yday--;
    }
  }
  if (yday < 1 || yday > 365) throw parseFailure(value, ': day-of-year out of range');
  if (month === 0) {
    month = Math.floor((yday - 1) / 31) + 1;
    if (daysBefore(month + 1) < yday) month++;
    day = yday - daysBefore(month);
  }
  if (fields.month >= 0 && fields.month !== month) throw parseFailure(value, ': day-of-year does not match month');
  if (fields.day >= 0 && fields.day !== day) throw parseFailure(value, ': day-of-year does not match day');
  fields.month = month;
  fields.day = day;
}

/**
 * time.Location.lookupName: the offset of the zone abbreviated `name` around `wallMs`, preferring the
 * one in effect then. Intl lists no zone's abbreviations, so the candidates are the zone at that time
 * and at the year's midwinter and midsummer.
 */
function offsetOfZoneName(timeZone: string, name: string, wallMs: number, year: number): number | null {
  const candidates = [wallMs, utcMillis(year, 1, 1, 0, 0, 0, 0), utcMillis(year, 7, 1, 0, 0, 0, 0)]
    .map((ms) => zoneState(timeZone, ms))
    .filter((state) => state.name === name);
  for (const candidate of candidates) {
    const actual = zoneState(timeZone, wallMs - candidate.offset * 1000);
    if (actual.name === name) return actual.offset;
  }
  return candidates.length > 0 ? candidates[0].offset : null;
}

/** time.Date: the instant a wall-clock time names in `timeZone`. */
function wallToInstant(timeZone: string, wallMs: number): number {
  const guess = zoneOffset(timeZone, wallMs);
  if (guess === 0) return wallMs;
  return wallMs - zoneOffset(timeZone, wallMs - guess * 1000) * 1000;
}

function instantOf(fields: Fields, timeZone: string): number {
  const wallMs = utcMillis(
    fields.year, fields.month, fields.day, fields.hour, fields.minute, fields.second, Math.floor(fields.nanosecond / 1e6),
  );
  if (fields.utc) return wallMs;
  if (fields.zoneOffset !== null) return wallMs - fields.zoneOffset * 1000;
  if (fields.zoneName !== '') {
    // Go reads the wall clock as UTC when the abbreviation is not one of the zone's; the offset
    // of "GMT+3" then only shows in the made-up zone the time is displayed in.
    const offset = offsetOfZoneName(timeZone, fields.zoneName, wallMs, fields.year);
    return offset === null ? wallMs : wallMs - offset * 1000;
  }
  return wallToInstant(timeZone, wallMs);
}

/**
 * Go's time.ParseInLocation(layout, value, zone): zone ("Local", "UTC" or an IANA name) applies when the
 * value names no zone, and resolves zone abbreviations. Errors carry Go's messages.
 */
export function parseGoDate(layout: string, value: string, zone: string): Date {
  const timeZone = resolveZone(zone);
  const fields: Fields = {
    year: 0, month: -1, day: -1, yday: -1, hour: 0, minute: 0, second: 0, nanosecond: 0,
    pm: false, am: false, utc: false, zoneOffset: null, zoneName: '', rangeError: '',
  };
  let layoutRest = layout;
  let rest = value;
  for (;;) {
    const { prefix, std, suffix } = nextStdChunk(layoutRest);
    const stdText = layoutRest.slice(prefix.length, layoutRest.length - suffix.length);
    const skipped = skip(rest, prefix);
    if (!skipped.ok) throw cannotParse(layout, value, skipped.rest, prefix);
    rest = skipped.rest;
    if (!std) {
      if (rest.length !== 0) throw parseFailure(value, `: extra text: ${timeQuote(rest)}`);
      break;
    }
    layoutRest = suffix;
    const afterElement = parseElement(std, rest, layoutRest, fields);
    if (fields.rangeError) throw parseFailure(value, `: ${fields.rangeError} out of range`);
    if (afterElement === null) throw cannotParse(layout, value, rest, stdText);
    rest = afterElement;
  }

  if (fields.pm && fields.hour < 12) fields.hour += 12;
  else if (fields.am && fields.hour === 12) fields.hour = 0;

  if (fields.yday >= 0) {
    applyYearDay(fields, value);
  } else {
    if (fields.month < 0) fields.month = 1;
    if (fields.day < 0) fields.day = 1;
  }
  if (fields.day < 1 || fields.day > daysIn(fields.month, fields.year)) throw parseFailure(value, ': day out of range');
  return new Date(instantOf(fields, timeZone));
}
