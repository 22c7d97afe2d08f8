import { def, type FuncDef } from '../builtins.js';
import { goKind, goTypeName, isMap, type GoValue } from '../types.js';
import { strval } from './convert.js';

export function deepEqual(a: GoValue, b: GoValue): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => deepEqual(x, b[i]!));
  if (isMap(a) && isMap(b)) {
    const ka = Object.keys(a).sort();
    return deepEqual(ka, Object.keys(b).sort()) && ka.every((k) => deepEqual(a[k]!, b[k]!));
  }
  if (a instanceof Date && b instanceof Date) return a.getTime() === b.getTime();
  return false;
}

/** Sprig's reflection functions. */
export const REFLECT: Record<string, FuncDef> = {
  typeOf: def((v) => goTypeName(v), 1),
  kindOf: def((v) => goKind(v), 1),
  kindIs: def((k, v) => strval(k) === goKind(v), 2),
  typeIs: def((t, v) => strval(t) === goTypeName(v), 2),
  deepEqual: def((a, b) => deepEqual(a, b), 2),
};
