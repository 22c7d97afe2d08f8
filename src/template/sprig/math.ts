import { templateRandom } from './random.js';
import { goFunc, type FuncDef } from '../gofunc.js';
import type { GoValue } from '../types.js';
import { ldexp, splitFloat, toFloat64, toInt64, wrap64 } from './convert.js';

/*
 * Sprig's integer and float math (functions.go, numeric.go). Integer functions convert each
 * argument with cast's ToInt64 and compute in int64 (wrapping as Go does, dividing by zero as
 * Go panics); float functions other than maxf/minf/floor/ceil/round go through
 * shopspring/decimal (execDecimalOp), so `addf 0.1 0.2` is 0.3.
 */

/** math.Frexp: f = frac × 2^exp, frac in [0.5, 1). */
function frexp(f: number): [number, number] {
  if (f === 0 || !Number.isFinite(f)) return [f, 0];
  const [mant, e] = splitFloat(f);
  return [mant / 2, e + 1];
}

const isOddInt = (y: number): boolean => Number.isInteger(y) && Math.abs(y) < 2 ** 53 && Math.abs(y % 2) === 1;

/** math.Pow as Go computes it (pure Go on amd64), so Sprig's round matches to the last bit. */
export function goPow(x: number, y: number): number {
  if (y === 0 || x === 1) return 1;
  if (y === 1) return x;
  if (Number.isNaN(x) || Number.isNaN(y)) return NaN;
  if (x === 0) {
    if (y < 0) return isOddInt(y) ? Math.sign(1 / x) * Infinity : Infinity;
    if (y > 0) return isOddInt(y) ? x : 0;
  }
  if (!Number.isFinite(y)) {
    if (x === -1) return 1;
    return Math.abs(x) < 1 === y > 0 ? 0 : Infinity;
  }
  if (!Number.isFinite(x)) {
    if (x < 0) return goPow(1 / x, -y);
    return y < 0 ? 0 : Infinity;
  }
  if (y === 0.5) return Math.sqrt(x);
  if (y === -0.5) return 1 / Math.sqrt(x);
  let yi = Math.trunc(Math.abs(y));
  let yf = Math.abs(y) - yi;
  if (yf !== 0 && x < 0) return NaN;
  if (yi >= 2 ** 63) {
    if (x === -1) return 1;
    return Math.abs(x) < 1 === y > 0 ? 0 : Infinity;
  }
  let a1 = 1.0;
  let ae = 0;
  if (yf !== 0) {
    if (yf > 0.5) {
      yf--;
      yi++;
    }
    a1 = Math.exp(yf * Math.log(x));
  }
  let [x1, xe] = frexp(x);
  for (let i = BigInt(yi); i !== 0n; i >>= 1n) {
    if (xe < -(1 << 12) || 1 << 12 < xe) {
      ae += xe;
      break;
    }
    if ((i & 1n) === 1n) {
      a1 *= x1;
      ae += xe;
    }
    x1 *= x1;
    xe <<= 1;
    if (x1 < 0.5) {
      x1 += x1;
      xe--;
    }
  }
  if (y < 0) {
    a1 = 1 / a1;
    ae = -ae;
  }
  return ldexp(a1, ae);
}

/**
 * shopspring/decimal as Sprig's float functions use it: a value × 10^exp, made from a float64's
 * shortest round-trip digits (NewFromFloat), Div rounding half away from zero at 16 places
 * (DivisionPrecision), and back to the nearest float64.
 */
export class Decimal {
  constructor(
    readonly value: bigint,
    readonly exp: number,
  ) {}

  static fromFloat(f: number): Decimal {
    if (Number.isNaN(f) || !Number.isFinite(f)) throw new Error(`Cannot create a Decimal from ${goFloatText(f)}`);
    if (f === 0) return new Decimal(0n, 0);
    const m = /^(-?)(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(f.toExponential())!;
    const digits = m[2] + (m[3] ?? '');
    return new Decimal(BigInt(m[1] + digits), Number(m[4]) - (digits.length - 1));
  }

  private static rescale(a: Decimal, b: Decimal): [bigint, bigint, number] {
    const e = Math.min(a.exp, b.exp);
    return [a.value * 10n ** BigInt(a.exp - e), b.value * 10n ** BigInt(b.exp - e), e];
  }

  add(d: Decimal): Decimal {
    const [a, b, e] = Decimal.rescale(this, d);
    return new Decimal(a + b, e);
  }

  sub(d: Decimal): Decimal {
    const [a, b, e] = Decimal.rescale(this, d);
    return new Decimal(a - b, e);
  }

  mul(d: Decimal): Decimal {
    return new Decimal(this.value * d.value, this.exp + d.exp);
  }

  div(d: Decimal, precision = 16): Decimal {
    if (d.value === 0n) throw new Error('decimal division by 0');
    // QuoRem: q × 10^-precision, truncated; r the rest, at 10^scalerest.
    const scale = -precision;
    const e = this.exp - d.exp - scale;
    let aa: bigint;
    let bb: bigint;
    let scalerest: number;
    if (e < 0) {
      aa = this.value;
      bb = d.value * 10n ** BigInt(-e);
      scalerest = this.exp;
    } else {
      aa = this.value * 10n ** BigInt(e);
      bb = d.value;
      scalerest = scale + d.exp;
    }
    const q = aa / bb;
    const r = aa - q * bb;
    // Round: compare 2·|r|·10^precision with |d|.
    const r2 = new Decimal((r < 0n ? -r : r) * 2n, scalerest + precision);
    const [x, y] = Decimal.rescale(r2, new Decimal(d.value < 0n ? -d.value : d.value, d.exp));
    const quotient = new Decimal(q, scale);
    if (x < y) return quotient;
    const sign = (this.value < 0n ? -1 : this.value > 0n ? 1 : 0) * (d.value < 0n ? -1 : 1);
    return sign < 0 ? quotient.sub(new Decimal(1n, -precision)) : quotient.add(new Decimal(1n, -precision));
  }

  /** The nearest float64 (big.Rat's Float64). */
  toFloat64(): number {
    return Number(`${this.value}e${this.exp}`);
  }
}

function goFloatText(f: number): string {
  return Number.isNaN(f) ? 'NaN' : f > 0 ? '+Inf' : '-Inf';
}

/** Sprig's execDecimalOp: a and each of b through decimal.NewFromFloat, f applied in turn, back to the nearest float64. */
function execDecimalOp(a: GoValue, b: GoValue[], f: (d1: Decimal, d2: Decimal) => Decimal): number {
  let prt = Decimal.fromFloat(toFloat64(a));
  for (const x of b) prt = f(prt, Decimal.fromFloat(toFloat64(x)));
  return prt.toFloat64();
}

/** math.Modf's fractional part (with f's sign; NaN for infinities). */
function modfFrac(f: number): number {
  if (!Number.isFinite(f)) return NaN;
  return f - Math.trunc(f);
}

/** Sprig's round: math.Pow(10, places), then ceil when the fraction reaches roundOn, else floor. */
function round(a: GoValue, p: bigint, ...rOpt: number[]): number {
  const roundOn = rOpt.length > 0 ? rOpt[0] : 0.5;
  const val = toFloat64(a);
  const places = Number(p);
  const pow = goPow(10, places);
  const digit = pow * val;
  const div = modfFrac(digit);
  const r = div >= roundOn ? Math.ceil(digit) : Math.floor(digit);
  return r / pow;
}

/** Go's int64 division: a panic on zero, MinInt64 / -1 wrapping. */
function intDiv(a: bigint, b: bigint): bigint {
  if (b === 0n) throw new Error('runtime error: integer divide by zero');
  return wrap64(a / b);
}

function intMod(a: bigint, b: bigint): bigint {
  if (b === 0n) throw new Error('runtime error: integer divide by zero');
  return wrap64(a % b);
}

/** math/rand's Intn: a panic unless n > 0. */
function randInt(min: bigint, max: bigint): bigint {
  const n = wrap64(max - min);
  if (n <= 0n) throw new Error('invalid argument to Intn');
  return wrap64(templateRandom().bigintn(n) + min);
}

const add = (d1: Decimal, d2: Decimal): Decimal => d1.add(d2);

/** Sprig's math functions (functions.go, numeric.go). */
export const MATH: Record<string, FuncDef> = {
  add1: goFunc('func(i interface{}) int64', (i: GoValue) => wrap64(toInt64(i) + 1n)),
  add: goFunc('func(i ...interface{}) int64', (...i: GoValue[]) => i.reduce<bigint>((a, b) => wrap64(a + toInt64(b)), 0n)),
  sub: goFunc('func(a, b interface{}) int64', (a: GoValue, b: GoValue) => wrap64(toInt64(a) - toInt64(b))),
  div: goFunc('func(a, b interface{}) int64', (a: GoValue, b: GoValue) => intDiv(toInt64(a), toInt64(b))),
  mod: goFunc('func(a, b interface{}) int64', (a: GoValue, b: GoValue) => intMod(toInt64(a), toInt64(b))),
  mul: goFunc('func(a interface{}, v ...interface{}) int64', (a: GoValue, ...v: GoValue[]) =>
    v.reduce<bigint>((val, b) => wrap64(val * toInt64(b)), toInt64(a)),
  ),
  randInt: goFunc('func(min, max int) int', randInt),
  add1f: goFunc('func(i interface{}) float64', (i: GoValue) => execDecimalOp(i, [1n], add)),
  addf: goFunc('func(i ...interface{}) float64', (...i: GoValue[]) => execDecimalOp(0, i, add)),
  subf: goFunc('func(a interface{}, v ...interface{}) float64', (a: GoValue, ...v: GoValue[]) => execDecimalOp(a, v, (d1, d2) => d1.sub(d2))),
  divf: goFunc('func(a interface{}, v ...interface{}) float64', (a: GoValue, ...v: GoValue[]) => execDecimalOp(a, v, (d1, d2) => d1.div(d2))),
  mulf: goFunc('func(a interface{}, v ...interface{}) float64', (a: GoValue, ...v: GoValue[]) => execDecimalOp(a, v, (d1, d2) => d1.mul(d2))),
  biggest: goFunc('func(a interface{}, i ...interface{}) int64', (a: GoValue, ...i: GoValue[]) =>
    i.reduce<bigint>((m, b) => (toInt64(b) > m ? toInt64(b) : m), toInt64(a)),
  ),
  max: goFunc('func(a interface{}, i ...interface{}) int64', (a: GoValue, ...i: GoValue[]) =>
    i.reduce<bigint>((m, b) => (toInt64(b) > m ? toInt64(b) : m), toInt64(a)),
  ),
  min: goFunc('func(a interface{}, i ...interface{}) int64', (a: GoValue, ...i: GoValue[]) =>
    i.reduce<bigint>((m, b) => (toInt64(b) < m ? toInt64(b) : m), toInt64(a)),
  ),
  maxf: goFunc('func(a interface{}, i ...interface{}) float64', (a: GoValue, ...i: GoValue[]) =>
    i.reduce<number>((m, b) => Math.max(m, toFloat64(b)), toFloat64(a)),
  ),
  minf: goFunc('func(a interface{}, i ...interface{}) float64', (a: GoValue, ...i: GoValue[]) =>
    i.reduce<number>((m, b) => Math.min(m, toFloat64(b)), toFloat64(a)),
  ),
  ceil: goFunc('func(a interface{}) float64', (a: GoValue) => Math.ceil(toFloat64(a))),
  floor: goFunc('func(a interface{}) float64', (a: GoValue) => Math.floor(toFloat64(a))),
  round: goFunc('func(a interface{}, p int, rOpt ...float64) float64', round),
};
