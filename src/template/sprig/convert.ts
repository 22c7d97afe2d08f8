import { def, type FuncDef } from '../builtins.js';
import { formatValue, type GoValue } from '../format.js';
import { floatValue, intValue } from '../types.js';

/** Sprig's strval: strings as they are, anything else as %v prints it. */
export function strval(v: GoValue): string {
  return typeof v === 'string' ? v : v === null || v === undefined ? '' : formatValue(v);
}

/** Sprig's toInt64 (spf13/cast): numbers truncated, numeric strings parsed, anything else 0. */
export function toInt64(v: GoValue): bigint {
  const i = intValue(v);
  if (i !== undefined) return i;
  if (typeof v === 'number') return Number.isFinite(v) ? BigInt(Math.trunc(v)) : 0n;
  if (typeof v === 'boolean') return v ? 1n : 0n;
  if (typeof v === 'string') {
    const s = v.trim();
    if (/^[+-]?\d+$/.test(s)) return BigInt(s);
    if (/^[+-]?0[xX][0-9a-fA-F]+$/.test(s)) return BigInt(s.replace(/^([+-]?)0[xX]/, '$10x').replace(/^-0x/, '-0x'));
    const f = Number(s);
    return s !== '' && Number.isFinite(f) ? BigInt(Math.trunc(f)) : 0n;
  }
  return 0n;
}

export function toFloat64(v: GoValue): number {
  const f = floatValue(v);
  if (f !== undefined) return f;
  const i = intValue(v);
  if (i !== undefined) return Number(i);
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'string') {
    const f = Number(v.trim());
    return v.trim() !== '' && Number.isFinite(f) ? f : 0;
  }
  return 0;
}

/** A function of one argument taken as a string (Sprig's strval). */
export function stringFunc(f: (s: string) => GoValue): FuncDef {
  return def((s) => f(strval(s)), 1);
}

/** Sprig's type conversions. */
export const CONVERT: Record<string, FuncDef> = {
  atoi: def((s) => (/^[+-]?\d+$/.test(strval(s).trim()) ? BigInt(strval(s).trim()) : 0n), 1),
  int: def(toInt64, 1),
  int64: def(toInt64, 1),
  float64: def(toFloat64, 1),
  toDecimal: def((s) => (/^[0-7]+$/.test(strval(s)) ? BigInt(`0o${strval(s)}`) : 0n), 1),
};
