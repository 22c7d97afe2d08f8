import { goFunc, type FuncDef } from '../gofunc.js';
import { goKind, goTypeName, GoNum, GoObject, isMap, isNilCollection, type GoValue } from '../types.js';

/*
 * Sprig's reflection functions (reflect.go) and Go's reflect.DeepEqual, which Sprig's uniq,
 * without and has compare with.
 */

const hasOwn = (o: object, k: string): boolean => Object.prototype.hasOwnProperty.call(o, k);

/** reflect.DeepEqual: same Go type, then equal values, slices and maps element by element (a nil one equals only a nil one). */
export function deepEqual(a: GoValue, b: GoValue): boolean {
  if (a === undefined) a = null;
  if (b === undefined) b = null;
  if (a === null || b === null) return a === b;
  if (goTypeName(a) !== goTypeName(b)) return false;
  if (typeof a === 'number') return a === b;
  if (typeof a !== 'object') return a === b;
  if (a instanceof GoNum) return a.value === (b as GoNum).value;
  if (a instanceof Date) return a.getTime() === (b as Date).getTime();
  if (a instanceof GoObject) return a === b || a.format() === (b as GoObject).format();
  if (Array.isArray(a)) {
    const bl = b as GoValue[];
    if (isNilCollection(a) !== isNilCollection(bl)) return false;
    return a === bl || (a.length === bl.length && a.every((x, i) => deepEqual(x, bl[i])));
  }
  if (isMap(a) && isMap(b)) {
    if (isNilCollection(a) !== isNilCollection(b)) return false;
    if (a === b) return true;
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => hasOwn(b, k) && deepEqual(a[k], b[k]));
  }
  return a === b;
}

/** Sprig's reflection functions (functions.go). */
export const REFLECT: Record<string, FuncDef> = {
  typeOf: goFunc('func(src interface{}) string', (src: GoValue) => goTypeName(src)),
  typeIs: goFunc('func(target string, src interface{}) bool', (target: string, src: GoValue) => target === goTypeName(src)),
  typeIsLike: goFunc('func(target string, src interface{}) bool', (target: string, src: GoValue) => {
    const t = goTypeName(src);
    return target === t || `*${target}` === t;
  }),
  kindOf: goFunc('func(src interface{}) string', (src: GoValue) => goKind(src)),
  kindIs: goFunc('func(target string, src interface{}) bool', (target: string, src: GoValue) => target === goKind(src)),
  deepEqual: goFunc('func(x, y interface{}) bool', deepEqual),
};
