import { def, type FuncDef } from '../builtins.js';
import { isMap, type GoValue } from '../types.js';
import { GoNum } from '../types.js';
import { strval } from './convert.js';

/** Sprig's empty: nil, false, 0, "" and empty lists and maps. */
export function empty(v: GoValue): boolean {
  if (v === null || v === undefined) return true;
  if (typeof v === 'boolean') return !v;
  if (typeof v === 'bigint') return v === 0n;
  if (typeof v === 'number') return v === 0;
  if (v instanceof GoNum) return v.value === 0n || v.value === 0;
  if (typeof v === 'string') return v.length === 0;
  if (Array.isArray(v)) return v.length === 0;
  if (isMap(v)) return Object.keys(v).length === 0;
  return false;
}

/** Sprig's defaults and flow control. */
export const DEFAULTS: Record<string, FuncDef> = {
  default: def((d, ...given) => (given.length === 0 || empty(given[0]!) ? d : given[0]!), 1, 2),
  empty: def((v) => empty(v), 1),
  coalesce: def((...a) => a.find((x) => !empty(x)) ?? null, 0, Infinity),
  all: def((...a) => a.every((x) => !empty(x)), 0, Infinity),
  any: def((...a) => a.some((x) => !empty(x)), 0, Infinity),
  ternary: def((yes, no, cond) => (cond === true ? yes : no), 3),
  fail: def((msg) => {
    throw new Error(strval(msg));
  }, 1),
};
