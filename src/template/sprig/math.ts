import { def, type FuncDef } from '../builtins.js';
import { toFloat64, toInt64 } from './convert.js';

/** Sprig's integer and float math (Sprig converts to int64 or float64 first). */
export const MATH: Record<string, FuncDef> = {
  add: def((...a) => a.reduce<bigint>((sum, x) => sum + toInt64(x), 0n), 0, Infinity),
  add1: def((a) => toInt64(a) + 1n, 1),
  sub: def((a, b) => toInt64(a) - toInt64(b), 2),
  mul: def((...a) => a.reduce<bigint>((p, x) => p * toInt64(x), 1n), 1, Infinity),
  div: def((a, b) => {
    if (toInt64(b) === 0n) throw new Error('runtime error: integer divide by zero');
    return toInt64(a) / toInt64(b);
  }, 2),
  mod: def((a, b) => {
    if (toInt64(b) === 0n) throw new Error('runtime error: integer divide by zero');
    return toInt64(a) % toInt64(b);
  }, 2),
  max: def((a, ...r) => r.reduce<bigint>((m, x) => (toInt64(x) > m ? toInt64(x) : m), toInt64(a)), 1, Infinity),
  min: def((a, ...r) => r.reduce<bigint>((m, x) => (toInt64(x) < m ? toInt64(x) : m), toInt64(a)), 1, Infinity),
  addf: def((...a) => a.reduce<number>((s, x) => s + toFloat64(x), 0), 0, Infinity),
  subf: def((a, ...r) => r.reduce<number>((s, x) => s - toFloat64(x), toFloat64(a)), 1, Infinity),
  mulf: def((a, ...r) => r.reduce<number>((s, x) => s * toFloat64(x), toFloat64(a)), 1, Infinity),
  divf: def((a, ...r) => r.reduce<number>((s, x) => s / toFloat64(x), toFloat64(a)), 1, Infinity),
  floor: def((a) => Math.floor(toFloat64(a)), 1),
  ceil: def((a) => Math.ceil(toFloat64(a)), 1),
  round: def((a, p) => {
    const m = 10 ** Number(toInt64(p));
    return Math.round(toFloat64(a) * m) / m;
  }, 2),
};
