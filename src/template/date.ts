import { readFileSync } from 'node:fs';
import { goFunc, type FuncDef } from './gofunc.js';
import { GoObject, type GoValue } from './types.js';

/**
 * Go's time layouts (time/format.go): Time.Format and ParseInLocation for JS Dates, with the
 * zone given as "Local", "UTC" or an IANA name. JS Dates hold milliseconds, so nanoseconds
 * are always a multiple of 1e6.
 */

type ZoneKind = 'Z0700' | 'Z070000' | 'Z07' | 'Z07:00' | 'Z07:00:00' | '-0700' | '-070000' | '-07' | '-07:00' | '-07:00:00';

/** A layout element, named by its canonical spelling in the reference time. */
type Std =
  | {
      kind:
        | 'January'
        | 'Jan'
        | '1'
        | '01'
        | 'Monday'
        | 'Mon'
        | '2'
        | '_2'
        | '02'
        | '__2'
        | '002'
        | '15'
        | '3'
        | '03'
        | '4'
        | '04'
        | '5'
        | '05'
        | '2006'
        | '06'
        | 'PM'
        | 'pm'
        | 'MST'
        | ZoneKind;
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
const LONG_MONTH_NAMES = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
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
  return tzifZone(timeZone, ms)?.offset ?? intlZoneOffset(timeZone, ms);
}

function intlZoneOffset(timeZone: string, ms: number): number {
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
  const fromFile = tzifZone(timeZone, ms);
  if (fromFile) return fromFile;
  const offset = intlZoneOffset(timeZone, ms);
  return { offset, name: zoneName(timeZone, ms, offset) };
}

// The system's tzdata, which Go's LoadLocation reads: offsets and abbreviations exactly as Go
// prints them ("IST", "+0545", "LMT"). Without it, Intl's offsets and names stand in.

interface Tzif {
  /** Transition times (Unix seconds) and the zone each starts. */
  when: number[];
  index: number[];
  zones: { offset: number; isDst: boolean; name: string }[];
  /** The POSIX TZ string for times after the last transition. */
  extend: string;
}

const ZONEINFO_DIRS = ['/usr/share/zoneinfo/', '/usr/share/lib/zoneinfo/', '/usr/lib/locale/TZ/'];
const tzifCache = new Map<string, Tzif | null>();

function readTzif(name: string): Tzif | null {
  if (tzifCache.has(name)) return tzifCache.get(name)!;
  let result: Tzif | null = null;
  const dirs = process.env.ZONEINFO ? [process.env.ZONEINFO.replace(/\/?$/, '/'), ...ZONEINFO_DIRS] : ZONEINFO_DIRS;
  for (const dir of dirs) {
    let data: Buffer;
    try {
      data = readFileSync(dir + name);
    } catch {
      continue;
    }
    result = parseTzif(data);
    if (result) break;
  }
  tzifCache.set(name, result);
  return result;
}

function parseTzif(d: Buffer): Tzif | null {
  if (d.length < 44 || d.toString('latin1', 0, 4) !== 'TZif') return null;
  const version = d[4];
  const counts = (at: number) => [0, 1, 2, 3, 4, 5].map((i) => d.readUInt32BE(at + 20 + i * 4));
  let at = 0;
  let [isut, isstd, leap, timecnt, typecnt, charcnt] = counts(0) as [number, number, number, number, number, number];
  let wide = false;
  if (version >= 0x32) {
    at = 44 + timecnt * 5 + typecnt * 6 + charcnt + leap * 8 + isstd + isut;
    if (d.length < at + 44 || d.toString('latin1', at, at + 4) !== 'TZif') return null;
    [isut, isstd, leap, timecnt, typecnt, charcnt] = counts(at) as [number, number, number, number, number, number];
    wide = true;
  }
  let p = at + 44;
  const size = wide ? 8 : 4;
  const when: number[] = [];
  for (let i = 0; i < timecnt; i++) when.push(wide ? Number(d.readBigInt64BE(p + i * 8)) : d.readInt32BE(p + i * 4));
  p += timecnt * size;
  const index = [...d.subarray(p, p + timecnt)];
  p += timecnt;
  const types: { offset: number; isDst: boolean; abbr: number }[] = [];
  for (let i = 0; i < typecnt; i++) types.push({ offset: d.readInt32BE(p + i * 6), isDst: d[p + i * 6 + 4] !== 0, abbr: d[p + i * 6 + 5] });
  p += typecnt * 6;
  const chars = d.subarray(p, p + charcnt);
  p += charcnt + leap * (size + 4) + isstd + isut;
  const zones = types.map((t) => {
    const end = chars.indexOf(0, t.abbr);
    return { offset: t.offset, isDst: t.isDst, name: chars.toString('latin1', t.abbr, end < 0 ? chars.length : end) };
  });
  let extend = '';
  if (wide && d[p] === 0x0a) {
    const end = d.indexOf(0x0a, p + 1);
    if (end > p) extend = d.toString('latin1', p + 1, end);
  }
  if (zones.length === 0) return null;
  return { when, index, zones, extend };
}

/** Go's lookupFirstZone: the zone before the first transition. */
function firstZone(tz: Tzif): number {
  const used = new Set(tz.index);
  if (!used.has(0)) return 0;
  if (tz.when.length > 0 && tz.zones[tz.index[0]].isDst) {
    for (let zi = tz.index[0] - 1; zi >= 0; zi--) if (!tz.zones[zi].isDst) return zi;
  }
  for (let zi = 0; zi < tz.zones.length; zi++) if (!tz.zones[zi].isDst) return zi;
  return 0;
}

/** The standard and daylight names and offsets of a POSIX TZ string ("CET-1CEST,M3.5.0,M10.5.0/3"). */
function parseExtend(s: string): { std: ZoneState; dst?: ZoneState } | null {
  const name = (str: string): [string, string] | null => {
    if (str.startsWith('<')) {
      const end = str.indexOf('>');
      return end < 0 ? null : [str.slice(1, end), str.slice(end + 1)];
    }
    const m = /^[A-Za-z]{3,}/.exec(str);
    return m ? [m[0], str.slice(m[0].length)] : null;
  };
  const offset = (str: string): [number, string] | null => {
    const m = /^([+-]?)(\d{1,3})(?::(\d{1,2}))?(?::(\d{1,2}))?/.exec(str);
    if (!m) return null;
    const secs = Number(m[2]) * 3600 + Number(m[3] ?? 0) * 60 + Number(m[4] ?? 0);
    return [m[1] === '-' ? secs : -secs, str.slice(m[0].length)];
  };
  const std = name(s);
  if (!std) return null;
  const stdOff = offset(std[1]);
  if (!stdOff) return null;
  const result: { std: ZoneState; dst?: ZoneState } = { std: { name: std[0], offset: stdOff[0] } };
  if (stdOff[1] === '' || stdOff[1].startsWith(',')) return result;
  const dst = name(stdOff[1]);
  if (!dst) return result;
  const dstOff = dst[1] !== '' && !dst[1].startsWith(',') ? offset(dst[1]) : null;
  result.dst = { name: dst[0], offset: dstOff ? dstOff[0] : stdOff[0] + 3600 };
  return result;
}

/** Go's Location.lookup over the zone's TZif data; null when the system has no such file. */
function tzifZone(timeZone: string, ms: number): ZoneState | null {
  if (timeZone === 'UTC') return { offset: 0, name: 'UTC' };
  const tz = readTzif(timeZone);
  if (!tz) return null;
  const sec = Math.floor(ms / 1000);
  if (tz.when.length === 0 || sec < tz.when[0]) {
    const zone = tz.zones[firstZone(tz)];
    if (tz.when.length === 0 && tz.extend) return extendZone(tz, timeZone, ms) ?? zone;
    return { offset: zone.offset, name: zone.name };
  }
  let lo = 0;
  let hi = tz.when.length;
  while (hi - lo > 1) {
    const m = lo + Math.floor((hi - lo) / 2);
    if (sec < tz.when[m]) hi = m;
    else lo = m;
  }
  const zone = tz.zones[tz.index[lo]];
  if (lo === tz.when.length - 1 && tz.extend) return extendZone(tz, timeZone, ms) ?? { offset: zone.offset, name: zone.name };
  return { offset: zone.offset, name: zone.name };
}

/** After the last transition: the TZ string's names, the daylight one when Intl says its offset applies. */
function extendZone(tz: Tzif, timeZone: string, ms: number): ZoneState | null {
  const rule = parseExtend(tz.extend);
  if (!rule) return null;
  if (!rule.dst) return rule.std;
  const offset = intlZoneOffset(timeZone, ms);
  return offset === rule.dst.offset ? rule.dst : rule.std;
}

/** Whether Go's LoadLocation finds the zone: its TZif file, or (without tzdata) Intl's knowledge of it. */
function zoneExists(name: string): boolean {
  if (readTzif(name)) return true;
  return !hasZoneinfo() && isKnownZone(name);
}

let zoneinfoPresent: boolean | undefined;
function hasZoneinfo(): boolean {
  return (zoneinfoPresent ??= readTzif('UTC') !== null || readTzif('Etc/UTC') !== null);
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
    case '06':
      return pad(Math.abs(wall.year) % 100, 2);
    case '2006':
      return pad(wall.year, 4);
    case 'Jan':
      return SHORT_MONTH_NAMES[wall.month - 1];
    case 'January':
      return LONG_MONTH_NAMES[wall.month - 1];
    case '1':
      return String(wall.month);
    case '01':
      return pad(wall.month, 2);
    case 'Mon':
      return SHORT_DAY_NAMES[wall.weekday];
    case 'Monday':
      return LONG_DAY_NAMES[wall.weekday];
    case '2':
      return String(wall.day);
    case '_2':
      return String(wall.day).padStart(2, ' ');
    case '02':
      return pad(wall.day, 2);
    case '__2':
      return String(wall.yday).padStart(3, ' ');
    case '002':
      return pad(wall.yday, 3);
    case '15':
      return pad(wall.hour, 2);
    case '3':
      return String(hour12(wall.hour));
    case '03':
      return pad(hour12(wall.hour), 2);
    case '4':
      return String(wall.minute);
    case '04':
      return pad(wall.minute, 2);
    case '5':
      return String(wall.second);
    case '05':
      return pad(wall.second, 2);
    case 'PM':
      return wall.hour >= 12 ? 'PM' : 'AM';
    case 'pm':
      return wall.hour >= 12 ? 'pm' : 'am';
    case 'MST':
      return zone().name;
    case 'frac0':
    case 'frac9':
      return formatFraction(wall.nanosecond, std);
    default:
      return formatZoneOffset(std.kind, zone().offset);
  }
}

/** Go's time.Format(layout) for `date` shown in `zone` ("Local", "UTC" or an IANA name). */
export function formatGoDate(layout: string, date: Date, zone: string): string {
  const loc = loadLocation(zone) ?? UTC;
  return formatTime(layout, date, loc);
}

/** Go's t.In(loc).Format(layout); `loc` defaults to the time's own location (Local for a plain Date). */
export function formatTime(layout: string, date: Date, loc: GoLocation = locationOf(date)): string {
  const ms = date.getTime();
  const zone = zoneAt(loc, ms);
  const wall = wallClock(ms + zone.offset * 1000);
  wall.nanosecond += nsecOf(date);
  let out = '';
  let rest = layout;
  while (rest !== '') {
    const { prefix, std, suffix } = nextStdChunk(rest);
    out += prefix;
    if (!std) break;
    if (std.kind === 'MST' && zone.name === '') {
      // No zone name: Go prints the offset as -0700.
      out += formatZoneOffset('-0700', zone.offset);
    } else {
      out += formatElement(std, wall, () => zone);
    }
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
  return new Error(`parsing time ${timeQuote(value)} as ${timeQuote(layout)}: cannot parse ${timeQuote(valueElem)} as ${timeQuote(layoutElem)}`);
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
  /** Where Go's error says parsing stopped, when not at the element's start. */
  failRest?: string;
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

function parseNumber(value: string, fixed: boolean, set: (n: number) => void, inRange: (n: number) => boolean, rangeName: string, fields: Fields): Remaining {
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
      if (year === null) {
        // Go has already taken the four characters when atoi fails: its error quotes what follows.
        if (value.length >= 4 && isDigit(value, 0)) fields.failRest = value.slice(4);
        return null;
      }
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
      return parseNumber(
        value,
        std.kind === '01',
        (n) => (fields.month = n),
        (n) => n >= 1 && n <= 12,
        'month',
        fields,
      );
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
      return parseNumber(
        value,
        false,
        (n) => (fields.hour = n),
        (n) => n < 24,
        'hour',
        fields,
      );
    case '3':
    case '03':
      return parseNumber(
        value,
        std.kind === '03',
        (n) => (fields.hour = n),
        (n) => n <= 12,
        'hour',
        fields,
      );
    case '4':
    case '04':
      return parseNumber(
        value,
        std.kind === '04',
        (n) => (fields.minute = n),
        (n) => n < 60,
        'minute',
        fields,
      );
    case '5':
    case '05': {
      const rest = parseNumber(
        value,
        std.kind === '05',
        (n) => (fields.second = n),
        (n) => n < 60,
        'second',
        fields,
      );
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

function instantOf(fields: Fields, loc: GoLocation): { ms: number; loc: GoLocation } {
  const wallMs = utcMillis(fields.year, fields.month, fields.day, fields.hour, fields.minute, fields.second, Math.floor(fields.nanosecond / 1e6));
  if (fields.utc) return { ms: wallMs, loc: UTC };
  if (fields.zoneOffset !== null) {
    const ms = wallMs - fields.zoneOffset * 1000;
    // The location's own zone when it has this offset then, else a made-up zone recording it.
    const local = zoneAt(loc, ms);
    if (local.offset === fields.zoneOffset && (fields.zoneName === '' || local.name === fields.zoneName)) return { ms, loc };
    return { ms, loc: fixedZone(fields.zoneName, fields.zoneOffset) };
  }
  if (fields.zoneName !== '') {
    const offset = 'tz' in loc ? offsetOfZoneName(loc.tz, fields.zoneName, wallMs, fields.year) : loc.name === fields.zoneName ? loc.fixed : null;
    if (offset !== null) return { ms: wallMs - offset * 1000, loc };
    // Go reads the wall clock as UTC when the abbreviation is not one of the zone's, in a
    // made-up zone of that name ("GMT+3" records its offset).
    let fake = 0;
    if (fields.zoneName.length > 3 && fields.zoneName.startsWith('GMT')) fake = Number(fields.zoneName.slice(3)) * 3600;
    return { ms: wallMs, loc: fixedZone(fields.zoneName, fake) };
  }
  return { ms: 'tz' in loc ? wallToInstant(loc.tz, wallMs) : wallMs - loc.fixed * 1000, loc };
}

/**
 * Go's time.ParseInLocation(layout, value, zone): zone ("Local", "UTC" or an IANA name) applies when the
 * value names no zone, and resolves zone abbreviations. Errors carry Go's messages.
 */
export function parseGoDate(layout: string, value: string, zone: string): GoTime {
  return parseInLocation(layout, value, loadLocation(zone) ?? UTC);
}

/** time.ParseInLocation with a location. */
export function parseInLocation(layout: string, value: string, loc: GoLocation): GoTime {
  const fields: Fields = {
    year: 0,
    month: -1,
    day: -1,
    yday: -1,
    hour: 0,
    minute: 0,
    second: 0,
    nanosecond: 0,
    pm: false,
    am: false,
    utc: false,
    zoneOffset: null,
    zoneName: '',
    rangeError: '',
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
    if (afterElement === null) throw cannotParse(layout, value, fields.failRest ?? rest, stdText);
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
  const { ms, loc: where } = instantOf(fields, loc);
  return new GoTime(ms, fields.nanosecond % 1e6, where);
}

// ---------------------------------------------------------------------------------------------
// time.Time values, locations and durations

/** A time.Location: an IANA zone Intl knows (`tz`), or a fixed offset (FixedZone, seconds east). */
export type GoLocation = { name: string; tz: string } | { name: string; fixed: number };

export const UTC: GoLocation = { name: 'UTC', tz: 'UTC' };

/** Go's time.Local: TZ (UTC when unset or unusable), named "Local". */
export function localLocation(): GoLocation {
  const tz = resolveZone('Local');
  if (!localLoc || localLoc.tz !== tz) localLoc = { name: 'Local', tz };
  return localLoc;
}

let localLoc: { name: string; tz: string } | undefined;

/**
 * Go's == on two time.Time values: the same instant in the same *Location (UTC is one
 * location, Local another; every FixedZone and LoadLocation result is its own).
 */
export function timeEqual(a: Date, b: Date): boolean {
  return unixNano(a) === unixNano(b) && locationOf(a) === locationOf(b);
}

export function fixedZone(name: string, offset: number): GoLocation {
  return { name, fixed: offset };
}

/** time.LoadLocation: "" and "UTC" are UTC, "Local" the local zone, else an IANA name (null when unknown). */
export function loadLocation(name: string): GoLocation | null {
  if (name === '' || name === 'UTC') return UTC;
  if (name === 'Local') return localLocation();
  if (name.includes('..') || name.startsWith('/') || name.startsWith('\\') || !zoneExists(name)) return null;
  if (!hasZoneinfo()) {
    const resolved = new Intl.DateTimeFormat('en-US', { timeZone: name }).resolvedOptions().timeZone;
    // Go opens the zone file by its name: case matters.
    if (resolved !== name && resolved.toLowerCase() === name.toLowerCase()) return null;
  }
  return { name, tz: name };
}

/**
 * A time.Time: a Date (milliseconds) with the nanoseconds below the millisecond and its
 * location, which String and Format show. A plain Date stands for a time in Local.
 */
export class GoTime extends Date {
  constructor(
    ms: number,
    /** Nanoseconds past the millisecond, 0–999999. */
    readonly nsec: number = 0,
    readonly loc: GoLocation = localLocation(),
  ) {
    super(ms);
  }
}

export function nsecOf(t: Date): number {
  return t instanceof GoTime ? t.nsec : 0;
}

export function locationOf(t: Date): GoLocation {
  return t instanceof GoTime ? t.loc : localLocation();
}

/** The zone (offset and abbreviation) of `loc` at the instant `ms`. */
function zoneAt(loc: GoLocation, ms: number): ZoneState {
  if ('fixed' in loc) return { offset: loc.fixed, name: loc.name };
  if (loc.tz === 'UTC') return { offset: 0, name: 'UTC' };
  return zoneState(loc.tz, ms);
}

/** Nanoseconds since the Unix epoch. */
export function unixNano(t: Date): bigint {
  return BigInt(t.getTime()) * 1_000_000n + BigInt(nsecOf(t));
}

/** The time `ns` nanoseconds after the Unix epoch, in `loc`. */
export function timeFromUnixNano(ns: bigint, loc: GoLocation): GoTime {
  let ms = ns / 1_000_000n;
  let rest = ns % 1_000_000n;
  if (rest < 0n) {
    rest += 1_000_000n;
    ms -= 1n;
  }
  return new GoTime(Number(ms), Number(rest), loc);
}

/** time.Unix(sec, 0) in Local. */
export function unixTime(sec: bigint): GoTime {
  return timeFromUnixNano(sec * 1_000_000_000n, localLocation());
}

/** The zero time.Time (January 1, year 1, 00:00:00 UTC). */
export function zeroTime(): GoTime {
  return new GoTime(-62135596800000, 0, UTC);
}

/** Fields of the wall clock of `t` in its location. */
export function timeFields(t: Date): WallClock & { offset: number; zoneName: string } {
  const ms = t.getTime();
  const zone = zoneAt(locationOf(t), ms);
  const wall = wallClock(ms + zone.offset * 1000);
  wall.nanosecond += nsecOf(t);
  return { ...wall, offset: zone.offset, zoneName: zone.name };
}

/** time.Time.String (no monotonic reading). */
export function timeString(t: Date): string {
  return formatTime('2006-01-02 15:04:05.999999999 -0700 MST', t);
}

/** time.Time.GoString. */
export function timeGoString(t: Date): string {
  const f = timeFields(t);
  const loc = locationOf(t);
  let where: string;
  if ('tz' in loc && loc.name === 'UTC') where = 'time.UTC';
  else if ('tz' in loc && loc.name === 'Local') where = 'time.Local';
  else where = `time.Location(${JSON.stringify(loc.name)})`;
  return `time.Date(${f.year}, time.${LONG_MONTH_NAMES[f.month - 1]}, ${f.day}, ${f.hour}, ${f.minute}, ${f.second}, ${f.nanosecond}, ${where})`;
}

/** time.Date(year, month, day, hour, min, sec, nsec, loc), normalizing overflowing fields. */
export function goDate(year: number, month: number, day: number, hour: number, minute: number, second: number, nsec: number, loc: GoLocation): GoTime {
  const extraMs = Math.floor(nsec / 1e6);
  const wallMs = utcMillis(year, month, day, hour, minute, second, extraMs);
  const ms = 'tz' in loc ? (loc.tz === 'UTC' ? wallMs : wallToInstant(loc.tz, wallMs)) : wallMs - loc.fixed * 1000;
  return new GoTime(ms, ((nsec % 1e6) + 1e6) % 1e6, loc);
}

// Durations (time.Duration, int64 nanoseconds)

const INT64_MAX = (1n << 63n) - 1n;
const INT64_MIN = -(1n << 63n);

function fmtFrac(v: bigint, prec: number): { text: string; v: bigint } {
  let text = '';
  let print = false;
  for (let i = 0; i < prec; i++) {
    const digit = v % 10n;
    print = print || digit !== 0n;
    if (print) text = String(digit) + text;
    v /= 10n;
  }
  if (print) text = '.' + text;
  return { text, v };
}

/** time.Duration.String. */
export function durationString(d: bigint): string {
  if (d === 0n) return '0s';
  const neg = d < 0n;
  let u = neg ? -d : d;
  let out: string;
  if (u < 1_000_000_000n) {
    let prec: number;
    let unit: string;
    if (u < 1000n) {
      prec = 0;
      unit = 'ns';
    } else if (u < 1_000_000n) {
      prec = 3;
      unit = 'µs';
    } else {
      prec = 6;
      unit = 'ms';
    }
    const frac = fmtFrac(u, prec);
    out = String(frac.v) + frac.text + unit;
  } else {
    const frac = fmtFrac(u, 9);
    u = frac.v;
    out = String(u % 60n) + frac.text + 's';
    u /= 60n;
    if (u > 0n) {
      out = String(u % 60n) + 'm' + out;
      u /= 60n;
      if (u > 0n) out = String(u) + 'h' + out;
    }
  }
  return neg ? '-' + out : out;
}

const UNITS: Record<string, bigint> = {
  ns: 1n,
  us: 1000n,
  µs: 1000n,
  μs: 1000n,
  ms: 1_000_000n,
  s: 1_000_000_000n,
  m: 60_000_000_000n,
  h: 3_600_000_000_000n,
};

/** time.ParseDuration, with Go's errors. */
export function parseDuration(orig: string): bigint {
  const invalid = () => new Error('time: invalid duration ' + timeQuote(orig));
  let s = orig;
  let d = 0n;
  let neg = false;
  if (s !== '' && (s[0] === '-' || s[0] === '+')) {
    neg = s[0] === '-';
    s = s.slice(1);
  }
  if (s === '0') return 0n;
  if (s === '') throw invalid();
  while (s !== '') {
    let v = 0n;
    let f = 0n;
    let scale = 1;
    if (!(s[0] === '.' || (s[0] >= '0' && s[0] <= '9'))) throw invalid();
    let i = 0;
    while (i < s.length && s[i] >= '0' && s[i] <= '9') {
      if (v > INT64_MAX / 10n) throw invalid();
      v = v * 10n + BigInt(s.charCodeAt(i) - 48);
      if (v > 1n << 63n) throw invalid();
      i++;
    }
    const pre = i > 0;
    s = s.slice(i);
    let post = false;
    if (s !== '' && s[0] === '.') {
      s = s.slice(1);
      let j = 0;
      let overflow = false;
      while (j < s.length && s[j] >= '0' && s[j] <= '9') {
        if (!overflow) {
          if (f > INT64_MAX / 10n) overflow = true;
          else {
            const y = f * 10n + BigInt(s.charCodeAt(j) - 48);
            if (y > 1n << 63n) overflow = true;
            else {
              f = y;
              scale *= 10;
            }
          }
        }
        j++;
      }
      post = j > 0;
      s = s.slice(j);
    }
    if (!pre && !post) throw invalid();
    let k = 0;
    while (k < s.length && s[k] !== '.' && !(s[k] >= '0' && s[k] <= '9')) k++;
    if (k === 0) throw new Error('time: missing unit in duration ' + timeQuote(orig));
    const u = s.slice(0, k);
    s = s.slice(k);
    const unit = UNITS[u];
    if (unit === undefined) throw new Error('time: unknown unit ' + timeQuote(u) + ' in duration ' + timeQuote(orig));
    if (v > (1n << 63n) / unit) throw invalid();
    v *= unit;
    if (f > 0n) {
      v += BigInt(Math.trunc(Number(f) * (Number(unit) / scale)));
      if (v > 1n << 63n) throw invalid();
    }
    d += v;
    if (d > 1n << 63n) throw invalid();
  }
  if (neg) return BigInt.asIntN(64, -d);
  if (d > INT64_MAX) throw invalid();
  return d;
}

/** Go's saturating t.Sub(u). */
export function subTimes(t: Date, u: Date): bigint {
  const d = unixNano(t) - unixNano(u);
  return d > INT64_MAX ? INT64_MAX : d < INT64_MIN ? INT64_MIN : d;
}

/** t.Add(d). */
export function addDuration(t: Date, d: bigint): GoTime {
  return timeFromUnixNano(unixNano(t) + d, locationOf(t));
}

/** Seconds between year 1 and 1970, for Truncate and Round (which count from the zero time). */
const ZERO_TO_UNIX_NS = 62135596800n * 1_000_000_000n;

function remainder(t: Date, d: bigint): bigint {
  const abs = unixNano(t) + ZERO_TO_UNIX_NS;
  const r = abs % d;
  return r < 0n ? r + d : r;
}

export function truncateTime(t: Date, d: bigint): GoTime {
  if (d <= 0n) return addDuration(t, 0n);
  return addDuration(t, -remainder(t, d));
}

export function roundTime(t: Date, d: bigint): GoTime {
  if (d <= 0n) return addDuration(t, 0n);
  const r = remainder(t, d);
  return r + r < d ? addDuration(t, -r) : addDuration(t, d - r);
}

// ---------------------------------------------------------------------------------------------
// Named integer types of package time with a String method: Month, Weekday, Duration

/** A value of a named integer type whose fmt form is its String method (time.Month, time.Duration). */
export class GoNamedInt extends GoObject {
  constructor(
    readonly goType: string,
    readonly goKind: string,
    readonly value: bigint,
    private readonly str: (v: bigint) => string,
  ) {
    super();
  }
  field(name: string): GoValue | undefined {
    if (name === 'String') return this.str(this.value);
    return undefined;
  }
  method(name: string): FuncDef | undefined {
    if (this.goType === 'time.Duration') {
      const d = this.value;
      switch (name) {
        case 'Hours':
          return goFunc('func() float64', () => Number(d / 3_600_000_000_000n) + Number(d % 3_600_000_000_000n) / 3.6e12);
        case 'Minutes':
          return goFunc('func() float64', () => Number(d / 60_000_000_000n) + Number(d % 60_000_000_000n) / 6e10);
        case 'Seconds':
          return goFunc('func() float64', () => Number(d / 1_000_000_000n) + Number(d % 1_000_000_000n) / 1e9);
        case 'Milliseconds':
          return goFunc('func() int64', () => d / 1_000_000n);
        case 'Microseconds':
          return goFunc('func() int64', () => d / 1000n);
        case 'Nanoseconds':
          return goFunc('func() int64', () => d);
        case 'Round':
          return goFunc('func(m int64) time.Duration', (m: bigint) => duration(roundDuration(d, m)));
        case 'Truncate':
          return goFunc('func(m int64) time.Duration', (m: bigint) => duration(m <= 0n ? d : d - (d % m)));
        case 'Abs':
          return goFunc('func() time.Duration', () => duration(d >= 0n ? d : d === INT64_MIN ? INT64_MAX : -d));
      }
    }
    return undefined;
  }
  format(): string {
    return this.str(this.value);
  }
  /** The integer fmt prints for verbs other than %v %s %x %X %q. */
  get intValue(): bigint {
    return this.value;
  }
  /** What encoding/json writes for it: the integer (none of these types has MarshalJSON). */
  jsonValue(): GoValue {
    return this.value;
  }
}

/** Duration.Round(m). */
export function roundDuration(d: bigint, m: bigint): bigint {
  if (m <= 0n) return d;
  let r = d % m;
  if (d < 0n) {
    r = -r;
    if (r + r < m) return d + r;
    const d1 = d - m + r;
    return d1 < d ? d1 : INT64_MIN;
  }
  if (r + r < m) return d - r;
  const d1 = d + m - r;
  return d1 > d ? d1 : INT64_MAX;
}

export function duration(d: bigint): GoNamedInt {
  return new GoNamedInt('time.Duration', 'int64', BigInt.asIntN(64, d), durationString);
}

function month(m: number): GoNamedInt {
  return new GoNamedInt('time.Month', 'int', BigInt(m), (v) => (v >= 1n && v <= 12n ? LONG_MONTH_NAMES[Number(v) - 1] : `%!Month(${v})`));
}

function weekday(d: number): GoNamedInt {
  return new GoNamedInt('time.Weekday', 'int', BigInt(d), (v) => (v >= 0n && v <= 6n ? LONG_DAY_NAMES[Number(v)] : `%!Weekday(${v})`));
}

/** A time.Location value as templates see it (`.Location`): prints its name. */
class GoLocationValue extends GoObject {
  readonly goType = '*time.Location';
  readonly goKind = 'ptr';
  constructor(readonly loc: GoLocation) {
    super();
  }
  field(name: string): GoValue | undefined {
    return name === 'String' ? this.loc.name : undefined;
  }
  format(): string {
    return this.loc.name;
  }
}

/** The methods of time.Time templates can call, by Go signature, bound to `t`; undefined for none. */
export function timeMethod(t: Date, name: string): FuncDef | undefined {
  const f = () => timeFields(t);
  const loc = locationOf(t);
  switch (name) {
    case 'Year':
      return goFunc('func() int', () => BigInt(f().year));
    case 'Month':
      return goFunc('func() time.Month', () => month(f().month));
    case 'Day':
      return goFunc('func() int', () => BigInt(f().day));
    case 'Hour':
      return goFunc('func() int', () => BigInt(f().hour));
    case 'Minute':
      return goFunc('func() int', () => BigInt(f().minute));
    case 'Second':
      return goFunc('func() int', () => BigInt(f().second));
    case 'Nanosecond':
      return goFunc('func() int', () => BigInt(f().nanosecond));
    case 'YearDay':
      return goFunc('func() int', () => BigInt(f().yday));
    case 'Weekday':
      return goFunc('func() time.Weekday', () => weekday(f().weekday));
    case 'Unix':
      return goFunc('func() int64', () => floorDiv(unixNano(t), 1_000_000_000n));
    case 'UnixMilli':
      return goFunc('func() int64', () => floorDiv(unixNano(t), 1_000_000n));
    case 'UnixMicro':
      return goFunc('func() int64', () => floorDiv(unixNano(t), 1000n));
    case 'UnixNano':
      return goFunc('func() int64', () => BigInt.asIntN(64, unixNano(t)));
    case 'Format':
      return goFunc('func(layout string) string', (layout: string) => formatTime(layout, t));
    case 'String':
      return goFunc('func() string', () => timeString(t));
    case 'GoString':
      return goFunc('func() string', () => timeGoString(t));
    case 'UTC':
      return goFunc('func() time.Time', () => new GoTime(t.getTime(), nsecOf(t), UTC));
    case 'Local':
      return goFunc('func() time.Time', () => new GoTime(t.getTime(), nsecOf(t), localLocation()));
    case 'Location':
      return goFunc('func() *time.Location', () => new GoLocationValue(loc));
    case 'In':
      return goFunc('func(loc *time.Location) time.Time', (l: GoLocationValue | null) => {
        if (l === null) throw new Error('time: missing Location in call to Time.In');
        return new GoTime(t.getTime(), nsecOf(t), l.loc);
      });
    case 'Add':
      return goFunc('func(d int64) time.Time', (d: bigint) => addDuration(t, d));
    case 'AddDate':
      return goFunc('func(years int, months int, days int) time.Time', (y: bigint, m: bigint, d: bigint) => {
        const w = f();
        return goDate(w.year + Number(y), w.month + Number(m), w.day + Number(d), w.hour, w.minute, w.second, w.nanosecond, loc);
      });
    case 'Sub':
      return goFunc('func(u time.Time) time.Duration', (u: Date) => duration(subTimes(t, u)));
    case 'After':
      return goFunc('func(u time.Time) bool', (u: Date) => unixNano(t) > unixNano(u));
    case 'Before':
      return goFunc('func(u time.Time) bool', (u: Date) => unixNano(t) < unixNano(u));
    case 'Equal':
      return goFunc('func(u time.Time) bool', (u: Date) => unixNano(t) === unixNano(u));
    case 'Compare':
      return undefined;
    case 'IsZero':
      return goFunc('func() bool', () => unixNano(t) === -62135596800n * 1_000_000_000n);
    case 'IsDST':
      return goFunc('func() bool', () => {
        if (!('tz' in loc) || loc.tz === 'UTC') return false;
        const year = f().year;
        const jan = zoneAt(loc, utcMillis(year, 1, 1, 0, 0, 0, 0)).offset;
        const jul = zoneAt(loc, utcMillis(year, 7, 1, 0, 0, 0, 0)).offset;
        return jan !== jul && f().offset === Math.max(jan, jul);
      });
    case 'Truncate':
      return goFunc('func(d int64) time.Time', (d: bigint) => truncateTime(t, d));
    case 'Round':
      return goFunc('func(d int64) time.Time', (d: bigint) => roundTime(t, d));
    case 'YearWeek':
      return undefined;
    case 'ISOWeek':
      return undefined;
  }
  return undefined;
}

/** Methods of time.Time with more than one result, which templates cannot call. */
export const TIME_MULTI_RESULT_METHODS: Record<string, number> = {
  Zone: 2,
  Date: 3,
  Clock: 3,
  ISOWeek: 2,
  ZoneBounds: 2,
  MarshalJSON: 2,
  MarshalText: 2,
  MarshalBinary: 2,
  GobEncode: 2,
};

function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && a < 0n !== b < 0n ? q - 1n : q;
}

/**
 * time.Time.MarshalJSON's string (without its quotes): RFC 3339 with nanoseconds, as toJson
 * and toYaml write a time; Go's error outside years 0–9999.
 */
export function timeJSON(t: Date): string {
  const year = timeFields(t).year;
  if (year < 0 || year > 9999) throw new Error('Time.MarshalJSON: year outside of range [0,9999]');
  return formatTime('2006-01-02T15:04:05.999999999Z07:00', t);
}
