import { underscoreOK } from '../parser.js';
import { goFunc, type FuncDef } from '../gofunc.js';
import { formatValue } from '../format.js';
import { GoNum, isUnsignedIntType, type GoValue } from '../types.js';

/*
 * Sprig's type conversions, and what they stand on: spf13/cast 1.5.0 (ToInt64, ToInt, ToFloat64)
 * and Go's strconv (ParseInt with base 0, Atoi, ParseFloat), so `int "0x1F"`, `int "1.0"`,
 * `float64 "1_000"` and `atoi "4.5"` come out as in Go.
 */

/** Sprig's strval: strings as they are, anything else as %v prints it (nil is `<nil>`, a Stringer its String()). */
export function strval(v: GoValue): string {
  return typeof v === 'string' ? v : formatValue(v ?? null);
}

const MAX_UINT64 = (1n << 64n) - 1n;
const MIN_INT64 = -(1n << 63n);
const MAX_INT64 = (1n << 63n) - 1n;

/** A strconv result: the value and whether it failed (syntax) or was clamped (range). */
export interface Parsed<T> {
  value: T;
  err: null | 'syntax' | 'range';
}

const lower = (c: string): string => c.toLowerCase();

/** strconv.ParseUint(s, base, 64): base 0 reads 0x/0o/0b/0 prefixes and `_` separators. */
export function parseUint(s: string, base: number): Parsed<bigint> {
  if (s === '') return { value: 0n, err: 'syntax' };
  const base0 = base === 0;
  const s0 = s;
  if (base0) {
    base = 10;
    if (s[0] === '0') {
      const p = s.length >= 3 ? lower(s[1]) : '';
      if (p === 'b') [base, s] = [2, s.slice(2)];
      else if (p === 'o') [base, s] = [8, s.slice(2)];
      else if (p === 'x') [base, s] = [16, s.slice(2)];
      else [base, s] = [8, s.slice(1)];
    }
  }
  const b = BigInt(base);
  let n = 0n;
  let underscores = false;
  for (const c of s) {
    let d: number;
    if (c === '_' && base0) {
      underscores = true;
      continue;
    } else if (c >= '0' && c <= '9') d = c.charCodeAt(0) - 48;
    else if (lower(c) >= 'a' && lower(c) <= 'z' && lower(c).length === 1) d = lower(c).charCodeAt(0) - 87;
    else return { value: 0n, err: 'syntax' };
    if (d >= base) return { value: 0n, err: 'syntax' };
    n = n * b + BigInt(d);
    if (n > MAX_UINT64) return { value: MAX_UINT64, err: 'range' };
  }
  if (underscores && !underscoreOK(s0)) return { value: 0n, err: 'syntax' };
  return { value: n, err: null };
}

/** strconv.ParseInt(s, base, 64). */
export function parseInt64(s: string, base: number): Parsed<bigint> {
  if (s === '') return { value: 0n, err: 'syntax' };
  let neg = false;
  let rest = s;
  if (s[0] === '+') rest = s.slice(1);
  else if (s[0] === '-') [neg, rest] = [true, s.slice(1)];
  const u = parseUint(rest, base);
  if (u.err === 'syntax') return u;
  if (!neg && u.value > MAX_INT64) return { value: MAX_INT64, err: 'range' };
  if (neg && u.value > -MIN_INT64) return { value: MIN_INT64, err: 'range' };
  return { value: neg ? -u.value : u.value, err: u.err };
}

/** strconv.Atoi as Sprig's atoi uses it: the error dropped, so an overflow gives the clamped value. */
export function atoi(s: string): bigint {
  if (s.length > 0 && s.length < 19) {
    let body = s;
    if (s[0] === '-' || s[0] === '+') {
      body = s.slice(1);
      if (body.length < 1) return 0n;
    }
    if (!/^[0-9]*$/.test(body)) return 0n;
    const n = BigInt(body);
    return s[0] === '-' ? -n : n;
  }
  return parseInt64(s, 10).value;
}

/** cast's trimZeroDecimal: "1.0" and "1.00" lose their zero decimals ("1.50" does not). */
export function trimZeroDecimal(s: string): string {
  let foundZero = false;
  for (let i = s.length; i > 0; i--) {
    const c = s[i - 1];
    if (c === '.') {
      if (foundZero) return s.slice(0, i - 1);
    } else if (c === '0') foundZero = true;
    else return s;
  }
  return s;
}

function commonPrefixLenIgnoreCase(s: string, prefix: string): number {
  let n = 0;
  while (n < prefix.length && n < s.length && lower(s[n]) === prefix[n]) n++;
  return n;
}

/** strconv's special: inf, infinity (signed), nan. */
function special(s: string): number | undefined {
  let sign = 1;
  let nsign = 0;
  let t = s;
  if (t[0] === '+' || t[0] === '-') {
    sign = t[0] === '-' ? -1 : 1;
    nsign = 1;
    t = t.slice(1);
  } else if (t[0] === 'n' || t[0] === 'N') {
    return commonPrefixLenIgnoreCase(t, 'nan') === 3 && s.length === 3 ? NaN : undefined;
  }
  if (nsign === 1 || t[0] === 'i' || t[0] === 'I') {
    let n = commonPrefixLenIgnoreCase(t, 'infinity');
    if (n > 3 && n < 8) n = 3;
    if ((n === 3 || n === 8) && nsign + n === s.length) return sign * Infinity;
  }
  return undefined;
}

/** f = mant × 2^e with mant in [1, 2) (f finite, non-zero), read from its bits. */
export function splitFloat(f: number): [number, number] {
  let adjust = 0;
  if (Math.abs(f) < 2 ** -1022) {
    f *= 2 ** 52;
    adjust = -52;
  }
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, f);
  const e = ((view.getUint16(0) >> 4) & 0x7ff) - 1023;
  return [f * 2 ** -e, e + adjust];
}

/** math.Ldexp: frac × 2^exp, rounded once when the result is subnormal, as Go does. */
export function ldexp(frac: number, exp: number): number {
  if (frac === 0 || !Number.isFinite(frac)) return frac;
  const [mant, e] = splitFloat(frac);
  exp += e;
  if (exp < -1075) return frac < 0 ? -0 : 0;
  if (exp > 1023) return frac < 0 ? -Infinity : Infinity;
  if (exp < -1022) return mant * 2 ** (exp + 53) * 2 ** -53;
  return mant * 2 ** exp;
}

/** m·2^e (m > 0) as the nearest float64, ties to even; Infinity past the range. */
function scaleToDouble(m: bigint, e: number): number {
  const bits = m.toString(2).length;
  const top = bits - 1 + e; // the value is in [2^top, 2^(top+1))
  if (top > 1023) return Infinity;
  const keep = top >= -1022 ? 53 : top + 1075; // mantissa bits a float64 has there
  if (keep < 0) return 0;
  const shift = bits - keep;
  if (shift <= 0) return ldexp(Number(m), e);
  const q = m >> BigInt(shift);
  const r = m - (q << BigInt(shift));
  const half = 1n << BigInt(shift - 1);
  const rounded = r > half || (r === half && (q & 1n) === 1n) ? q + 1n : q;
  return ldexp(Number(rounded), e + shift);
}

/** strconv.ParseFloat(s, 64): Go's syntax (underscores, hex floats, inf/nan), ErrRange past float64. */
export function parseFloat64(s: string): Parsed<number> {
  const sp = special(s);
  if (sp !== undefined) return { value: sp, err: null };
  let i = 0;
  let neg = false;
  if (s[i] === '+') i++;
  else if (s[i] === '-') [neg, i] = [true, i + 1];
  let hex = false;
  if (i + 2 < s.length && s[i] === '0' && lower(s[i + 1]) === 'x') {
    hex = true;
    i += 2;
  }
  let digits = '';
  let sawdot = false;
  let sawdigits = false;
  let fracDigits = 0;
  for (; i < s.length; i++) {
    const c = s[i];
    if (c === '_') continue;
    if (c === '.') {
      if (sawdot) break;
      sawdot = true;
      continue;
    }
    if ((c >= '0' && c <= '9') || (hex && lower(c) >= 'a' && lower(c) <= 'f')) {
      sawdigits = true;
      digits += c;
      if (sawdot) fracDigits++;
      continue;
    }
    break;
  }
  if (!sawdigits) return { value: 0, err: 'syntax' };
  let exp = 0;
  const expChar = hex ? 'p' : 'e';
  if (i < s.length && lower(s[i]) === expChar) {
    i++;
    if (i >= s.length) return { value: 0, err: 'syntax' };
    let esign = 1;
    if (s[i] === '+') i++;
    else if (s[i] === '-') [esign, i] = [-1, i + 1];
    if (i >= s.length || s[i] < '0' || s[i] > '9') return { value: 0, err: 'syntax' };
    let e = 0;
    for (; i < s.length && ((s[i] >= '0' && s[i] <= '9') || s[i] === '_'); i++) {
      if (s[i] === '_') continue;
      if (e < 10000) e = e * 10 + (s.charCodeAt(i) - 48);
    }
    exp = e * esign;
  } else if (hex) return { value: 0, err: 'syntax' };
  if (s.slice(0, i).includes('_') && !underscoreOK(s.slice(0, i))) return { value: 0, err: 'syntax' };
  if (i !== s.length) return { value: 0, err: 'syntax' };
  let value: number;
  if (hex) {
    value = scaleToDouble(BigInt(`0x${digits}`), exp - 4 * fracDigits);
  } else {
    const intPart = digits.slice(0, digits.length - fracDigits) || '0';
    const frac = digits.slice(digits.length - fracDigits);
    value = Number(`${intPart}${frac ? `.${frac}` : ''}e${exp}`);
  }
  if (neg) value = -value;
  if (!Number.isFinite(value)) return { value, err: 'range' };
  return { value, err: null };
}

/** Go's int64(f) on amd64: truncation, and 0x8000000000000000 for NaN and anything out of range. */
export function floatToInt64(f: number): bigint {
  if (Number.isNaN(f) || f >= 2 ** 63 || f < -(2 ** 63)) return MIN_INT64;
  return BigInt(Math.trunc(f));
}

/** Go's int64 arithmetic wraps. */
export const wrap64 = (n: bigint): bigint => BigInt.asIntN(64, n);

/** The value cast reaches through pointers (indirect): a GoObject pointer is a struct to it, never a number. */
function castNumber(v: GoValue): { int?: bigint; float?: number } | undefined {
  if (typeof v === 'bigint') return { int: v };
  if (typeof v === 'number') return { float: v };
  if (v instanceof GoNum) {
    if (typeof v.value === 'number') return { float: v.value };
    return { int: v.value };
  }
  return undefined;
}

/** spf13/cast's ToInt64 (ToInt is the same on 64 bits): ints as they are, floats truncated as Go's int64(f), strings parsed by strconv.ParseInt(s, 0, 0) after trimZeroDecimal, booleans 1 and 0, anything else (nil, lists, maps, errors) 0. */
export function toInt64(v: GoValue): bigint {
  const n = castNumber(v);
  if (n?.int !== undefined) return wrap64(n.int);
  if (n?.float !== undefined) return floatToInt64(n.float);
  if (typeof v === 'string') {
    const p = parseInt64(trimZeroDecimal(v), 0);
    return p.err ? 0n : p.value;
  }
  if (typeof v === 'boolean') return v ? 1n : 0n;
  return 0n;
}

/** spf13/cast's ToFloat64: numbers as float64, strings by strconv.ParseFloat (0 on any error, ErrRange included), booleans 1 and 0, anything else 0. */
export function toFloat64(v: GoValue): number {
  const n = castNumber(v);
  if (n?.float !== undefined) return n.float;
  if (n?.int !== undefined) return Number(v instanceof GoNum && isUnsignedIntType(v.type) ? BigInt.asUintN(64, n.int) : n.int);
  if (typeof v === 'string') {
    const p = parseFloat64(v);
    return p.err ? 0 : p.value;
  }
  if (typeof v === 'boolean') return v ? 1 : 0;
  return 0;
}

/** Sprig's toDecimal: fmt.Sprint(v) read as octal by strconv.ParseInt(s, 8, 64), 0 when it is not. */
export function toDecimal(v: GoValue): bigint {
  const s = formatValue(v ?? null);
  const p = parseInt64(s, 8);
  return p.err ? 0n : p.value;
}

/** Sprig's type conversions (functions.go). */
export const CONVERT: Record<string, FuncDef> = {
  // Wrap Atoi to stop errors.
  atoi: goFunc('func(a string) int', (a: string) => atoi(a)),
  int64: goFunc('func(v interface{}) int64', toInt64),
  int: goFunc('func(v interface{}) int', toInt64),
  float64: goFunc('func(v interface{}) float64', toFloat64),
  toDecimal: goFunc('func(v interface{}) int64', toDecimal),
};
