import { goFunc, type FuncDef } from '../gofunc.js';
import { Complex128, GoNum, isMap, type GoValue } from '../types.js';

/*
 * Sprig's defaults and flow control (defaults.go, and fail of functions.go). Its JSON
 * functions live with Helm's (helm.ts).
 */

/**
 * Sprig's empty: the zero value of its type. nil, false, 0 of any number type, and a string,
 * slice or map of length 0; a struct (a time) never; a pointer when nil.
 */
export function empty(v: GoValue | undefined): boolean {
  if (v === null || v === undefined) return true;
  if (typeof v === 'boolean') return !v;
  if (typeof v === 'bigint') return v === 0n;
  if (typeof v === 'number') return v === 0;
  if (v instanceof GoNum) return v.value === 0n || v.value === 0;
  if (typeof v === 'string') return v.length === 0;
  if (Array.isArray(v)) return v.length === 0;
  if (isMap(v)) return Object.keys(v).length === 0;
  if (v instanceof Complex128) return v.re === 0 && v.im === 0;
  return false;
}

/** Sprig's defaults and flow control (functions.go). */
export const DEFAULTS: Record<string, FuncDef> = {
  default: goFunc('func(d interface{}, given ...interface{}) interface{}', (d: GoValue, ...given: GoValue[]) =>
    given.length === 0 || empty(given[0]) ? d : given[0]!,
  ),
  empty: goFunc('func(given interface{}) bool', (given: GoValue) => empty(given)),
  coalesce: goFunc('func(v ...interface{}) interface{}', (...v: GoValue[]) => v.find((x) => !empty(x)) ?? null),
  all: goFunc('func(v ...interface{}) bool', (...v: GoValue[]) => v.every((x) => !empty(x))),
  any: goFunc('func(v ...interface{}) bool', (...v: GoValue[]) => v.some((x) => !empty(x))),
  ternary: goFunc('func(vt interface{}, vf interface{}, v bool) interface{}', (vt: GoValue, vf: GoValue, v: boolean) => (v ? vt : vf)),
  fail: goFunc('func(msg string) (string, error)', (msg: string) => {
    throw new Error(msg);
  }),
};
