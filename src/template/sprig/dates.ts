import {
  addDuration,
  durationString,
  formatTime,
  GoTime,
  loadLocation,
  localLocation,
  parseDuration,
  parseInLocation,
  roundDuration,
  subTimes,
  unixNano,
  unixTime,
  UTC,
  zeroTime,
} from '../date.js';
import { goFunc, type FuncDef } from '../gofunc.js';
import { GoNum, type GoValue } from '../types.js';

/*
 * Sprig's date functions (date.go). Where Sprig reads the real clock (time.Now: `date` of a
 * value that is not a time, `ago`, `durationRound` of a time) jetpack reads the rendering's
 * clock, `now`: SOURCE_DATE_EPOCH when it is set, so the output is reproducible.
 */

const INT64_MAX = (1n << 63n) - 1n;
const INT64_MIN = -(1n << 63n);

/** A GoTime of any time value (a plain Date is a time in Local). */
function asTime(t: Date): GoTime {
  return t instanceof GoTime ? t : new GoTime(t.getTime(), 0, localLocation());
}

/** dateInZone's switch: a time, or Unix seconds as int, int64 or int32; anything else is now. */
function dateArg(v: GoValue, now: () => Date): Date {
  if (v instanceof Date) return v;
  if (typeof v === 'bigint') return unixTime(v);
  if (v instanceof GoNum && (v.type === 'int64' || v.type === 'int32') && typeof v.value === 'bigint') return unixTime(v.value);
  return asTime(now());
}

function dateInZone(layout: string, date: GoValue, zone: string, now: () => Date): string {
  const t = dateArg(date, now);
  return formatTime(layout, t, loadLocation(zone) ?? UTC);
}

/** strconv.ParseInt(s, 10, 64) as Sprig uses it, errors ignored: 0 for bad syntax, the bound when out of range. */
function parseInt64(s: string): bigint {
  const m = /^([+-]?)(\d+)$/.exec(s);
  if (!m) return 0n;
  const v = BigInt(s);
  return v > INT64_MAX ? INT64_MAX : v < INT64_MIN ? INT64_MIN : v;
}

function since(t: Date, now: () => Date): bigint {
  return subTimes(now(), t);
}

/** Duration.Round(time.Second). */
function roundSecond(d: bigint): bigint {
  return roundDuration(d, 1_000_000_000n);
}

function durationRound(v: GoValue, now: () => Date): string {
  let d = 0n;
  if (typeof v === 'string') {
    try {
      d = parseDuration(v);
    } catch {
      d = 0n;
    }
  } else if (v instanceof GoNum && v.type === 'int64' && typeof v.value === 'bigint') {
    d = v.value;
  } else if (v instanceof Date) {
    d = since(v, now);
  }
  let u = BigInt.asUintN(64, d);
  if (d < 0n) u = BigInt.asUintN(64, -u);
  const hour = 3_600_000_000_000n;
  const year = hour * 24n * 365n;
  const month = hour * 24n * 30n;
  const day = hour * 24n;
  const minute = 60_000_000_000n;
  const second = 1_000_000_000n;
  if (u > year) return `${u / year}y`;
  if (u > month) return `${u / month}mo`;
  if (u > day) return `${u / day}d`;
  if (u > hour) return `${u / hour}h`;
  if (u > minute) return `${u / minute}m`;
  if (u > second) return `${u / second}s`;
  return '0s';
}

/** Sprig's date functions; `now` is the rendering's clock (SOURCE_DATE_EPOCH when it is set). */
export function dateFunctions(now: () => Date): Record<string, FuncDef> {
  const dateModify = goFunc('func(fmt string, date time.Time) time.Time', (fmt: string, date: Date) => {
    let d: bigint;
    try {
      d = parseDuration(fmt);
    } catch {
      return date;
    }
    return addDuration(date, d);
  });
  const mustDateModify = goFunc('func(fmt string, date time.Time) (time.Time, error)', (fmt: string, date: Date) => addDuration(date, parseDuration(fmt)));
  const inZone = goFunc('func(fmt string, date interface{}, zone string) string', (fmt: string, date: GoValue, zone: string) =>
    dateInZone(fmt, date, zone, now),
  );
  return {
    ago: goFunc('func(date interface{}) string', (date: GoValue) => {
      let t: Date;
      if (date instanceof Date) t = date;
      else if (typeof date === 'bigint') t = unixTime(date);
      else if (date instanceof GoNum && date.type === 'int64' && typeof date.value === 'bigint') t = unixTime(date.value);
      else t = now();
      return durationString(roundSecond(since(t, now)));
    }),
    date: goFunc('func(fmt string, date interface{}) string', (fmt: string, date: GoValue) => dateInZone(fmt, date, 'Local', now)),
    date_in_zone: inZone,
    dateInZone: inZone,
    date_modify: dateModify,
    dateModify,
    duration: goFunc('func(sec interface{}) string', (sec: GoValue) => {
      let n = 0n;
      if (typeof sec === 'string') n = parseInt64(sec);
      else if (sec instanceof GoNum && sec.type === 'int64' && typeof sec.value === 'bigint') n = sec.value;
      return durationString(BigInt.asIntN(64, n * 1_000_000_000n));
    }),
    durationRound: goFunc('func(duration interface{}) string', (d: GoValue) => durationRound(d, now)),
    htmlDate: goFunc('func(date interface{}) string', (date: GoValue) => dateInZone('2006-01-02', date, 'Local', now)),
    htmlDateInZone: goFunc('func(date interface{}, zone string) string', (date: GoValue, zone: string) => dateInZone('2006-01-02', date, zone, now)),
    must_date_modify: mustDateModify,
    mustDateModify,
    mustToDate: goFunc('func(fmt, str string) (time.Time, error)', (fmt: string, str: string) => parseInLocation(fmt, str, localLocation())),
    now: goFunc('func() time.Time', () => now()),
    toDate: goFunc('func(fmt, str string) time.Time', (fmt: string, str: string) => {
      try {
        return parseInLocation(fmt, str, localLocation());
      } catch {
        return zeroTime();
      }
    }),
    unixEpoch: goFunc('func(date time.Time) string', (date: Date) => String(floorDiv(unixNano(date), 1_000_000_000n))),
  };
}

function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && a < 0n !== b < 0n ? q - 1n : q;
}
