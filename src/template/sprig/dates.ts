import { def, type FuncDef } from '../builtins.js';
import { formatGoDate, parseGoDate } from '../date.js';
import type { GoValue } from '../types.js';
import { strval, toInt64 } from './convert.js';

/** A time from what Sprig's date functions accept: a time, or Unix seconds. */
function toTime(v: GoValue): Date {
  if (v instanceof Date) return v;
  if (typeof v === 'bigint') return new Date(Number(v) * 1000);
  if (typeof v === 'number') return new Date(Math.trunc(v) * 1000);
  return new Date();
}

const DURATION_UNITS: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** time.ParseDuration, in milliseconds. */
function parseGoDuration(s: string): number {
  const m = /^([+-])?((\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+)$/.exec(s);
  if (!m) throw new Error(`time: invalid duration "${s}"`);
  let total = 0;
  for (const part of m[2]!.matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g)) total += Number(part[1]) * DURATION_UNITS[part[2]!]!;
  return m[1] === '-' ? -total : total;
}

/** time.Duration's String, from milliseconds (whole seconds here). */
function formatGoDuration(ms: number): string {
  if (ms === 0) return '0s';
  const sign = ms < 0 ? '-' : '';
  let s = Math.abs(ms) / 1000;
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  return `${sign}${h ? `${h}h` : ''}${h || m ? `${m}m` : ''}${s}s`;
}

/** Sprig's date functions; `now` is the clock (SOURCE_DATE_EPOCH when it is set). */
export function dateFunctions(now: () => Date): Record<string, FuncDef> {
  return {
    now: def(() => now(), 0),
    date: def((fmt, t) => formatGoDate(strval(fmt), toTime(t), 'Local'), 2),
    dateInZone: def((fmt, t, zone) => formatGoDate(strval(fmt), toTime(t), strval(zone)), 3),
    htmlDate: def((t) => formatGoDate('2006-01-02', toTime(t), 'Local'), 1),
    htmlDateInZone: def((t, zone) => formatGoDate('2006-01-02', toTime(t), strval(zone)), 2),
    unixEpoch: def((t) => String(Math.floor(toTime(t).getTime() / 1000)), 1),
    toDate: def((layout, s) => parseGoDate(strval(layout), strval(s), 'Local'), 2),
    dateModify: def((d, t) => new Date(toTime(t).getTime() + parseGoDuration(strval(d))), 2),
    duration: def((secs) => formatGoDuration(Number(toInt64(secs)) * 1000), 1),
  };
}
