import { goFunc, type FuncDef } from '../gofunc.js';
import { goKind, goTypeName, GoNum, GoObject, isMap, isNilCollection, typed, type GoValue } from '../types.js';
import { strval } from './convert.js';

/*
 * Sprig's dict functions (dict.go). A dict is a Go map[string]interface {}; its keys are read
 * and written as own properties only, so `__proto__` or `toString` are keys like any other.
 * merge and mergeOverwrite follow mergo 0.3.12 (Merge, MergeWithOverwrite) as it treats
 * map[string]interface {}, deepCopy copystructure 1.2.0.
 */

type Dict = { [key: string]: GoValue };

const hasOwn = (d: Dict, k: string): boolean => Object.prototype.hasOwnProperty.call(d, k);

const getKey = (d: Dict, k: string): GoValue | undefined => (hasOwn(d, k) ? d[k] : undefined);

/** d[k] = v, as an own property even for `__proto__`. */
function setKey(d: Dict, k: string, v: GoValue): void {
  if (k === '__proto__') Object.defineProperty(d, k, { value: v, enumerable: true, writable: true, configurable: true });
  else d[k] = v;
}

/** A map argument: a nil map (Go's zero value) reads as an empty one. */
const mapOf = (d: Dict | null | undefined): Dict => d ?? {};

function get(d: Dict, key: string): GoValue {
  const v = getKey(mapOf(d), key);
  return v === undefined ? '' : v;
}

function set(d: Dict, key: string, value: GoValue): Dict {
  if (d === null || d === undefined || isNilCollection(d)) throw new Error('assignment to entry in nil map');
  setKey(d, key, value);
  return d;
}

function unset(d: Dict, key: string): Dict {
  if (d && hasOwn(d, key)) delete d[key];
  return d;
}

function pluck(key: string, ...d: Dict[]): GoValue[] {
  const res: GoValue[] = [];
  for (const dict of d) {
    const v = getKey(mapOf(dict), key);
    if (v !== undefined) res.push(v);
  }
  return res;
}

function keys(...dicts: Dict[]): string[] {
  return dicts.flatMap((d) => Object.keys(mapOf(d)));
}

function pick(dict: Dict, ...ks: string[]): Dict {
  const res: Dict = {};
  for (const k of ks) {
    const v = getKey(mapOf(dict), k);
    if (v !== undefined) setKey(res, k, v);
  }
  return res;
}

function omit(dict: Dict, ...ks: string[]): Dict {
  const drop = new Set(ks);
  const res: Dict = {};
  for (const [k, v] of Object.entries(mapOf(dict))) if (!drop.has(k)) setKey(res, k, v);
  return res;
}

function dict(...v: GoValue[]): Dict {
  const d: Dict = {};
  for (let i = 0; i < v.length; i += 2) setKey(d, strval(v[i]), i + 1 >= v.length ? '' : v[i + 1]!);
  return d;
}

function values(dict: Dict): GoValue[] {
  return Object.values(mapOf(dict));
}

/** mergo's isEmptyValue, through the interface: nil, zero numbers, false, and strings, slices and maps of length 0. */
function isEmptyValue(v: GoValue | undefined): boolean {
  if (v === null || v === undefined) return true;
  if (typeof v === 'string' || Array.isArray(v)) return v.length === 0;
  if (isMap(v)) return Object.keys(v).length === 0;
  if (typeof v === 'boolean') return !v;
  if (typeof v === 'bigint') return v === 0n;
  if (typeof v === 'number') return v === 0;
  if (v instanceof GoNum) return v.value === 0n || v.value === 0;
  return false;
}

/**
 * mergo's deepMerge of a map into a map, key by key of src:
 * - a nil src value replaces only when overwriting;
 * - a src map merges into a dst map (in place), and never replaces a dst value that is not
 *   empty, even when overwriting (`mergeOverwrite (dict "a" "x") (dict "a" (dict))` keeps "x");
 * - a src slice replaces a dst value that is not empty only when overwriting;
 * - anything else replaces when overwriting (empty values too: 0, "" and false do), or when the
 *   dst value is missing or empty.
 * The src values are put in dst as they are (not copied), as mergo does.
 */
function deepMerge(dst: Dict, src: Dict, overwrite: boolean): void {
  for (const key of Object.keys(src)) {
    const s = src[key]!;
    if (s === null) {
      if (overwrite) setKey(dst, key, null);
      continue;
    }
    const has = hasOwn(dst, key);
    const d = has ? dst[key]! : undefined;
    const kind = goKind(s);
    if (kind === 'map' && has && isMap(d)) deepMerge(d, s as Dict, overwrite);
    if (has && !isEmptyValue(d) && (kind === 'map' || kind === 'slice')) {
      if (kind === 'slice' && overwrite) setKey(dst, key, s);
      continue;
    }
    if (overwrite || !has || isEmptyValue(d)) setKey(dst, key, s);
  }
}

function merge(overwrite: boolean) {
  return (dst: Dict, ...srcs: Dict[]): Dict => {
    let out = dst;
    for (const src of srcs) {
      // mergo gives a nil dst a new map to merge into.
      if ((out === null || out === undefined || isNilCollection(out)) && src && Object.keys(src).length > 0) out = {};
      if (src) deepMerge(out, src, overwrite);
    }
    return out ?? {};
  };
}

/** copystructure's Copy: maps and slices copied all the way down, types kept; nil is refused as reflect refuses it. */
function deepCopy(i: GoValue): GoValue {
  if (i === null || i === undefined) throw new Error('reflect: call of reflect.Value.Type on zero Value');
  return copyValue(i);
}

function copyValue(v: GoValue): GoValue {
  if (Array.isArray(v)) {
    const out = v.map(copyValue);
    const type = goTypeName(v);
    return type === '[]interface {}' ? out : typed(out, type);
  }
  if (isMap(v)) {
    const out: Dict = {};
    for (const [k, x] of Object.entries(v)) setKey(out, k, copyValue(x));
    const type = goTypeName(v);
    return type === 'map[string]interface {}' ? out : typed(out, type);
  }
  if (v instanceof Date) return new Date(v.getTime());
  if (v instanceof GoObject || v instanceof GoNum) return v;
  return v;
}

const MAP = 'map[string]interface{}';

/** Sprig's dict functions (functions.go). */
export const DICTS: Record<string, FuncDef> = {
  dict: goFunc(`func(v ...interface{}) ${MAP}`, dict),
  get: goFunc(`func(d ${MAP}, key string) interface{}`, get),
  set: goFunc(`func(d ${MAP}, key string, value interface{}) ${MAP}`, set),
  unset: goFunc(`func(d ${MAP}, key string) ${MAP}`, unset),
  hasKey: goFunc(`func(d ${MAP}, key string) bool`, (d: Dict, key: string) => hasOwn(mapOf(d), key)),
  pluck: goFunc(`func(key string, d ...${MAP}) []interface{}`, pluck),
  keys: goFunc(`func(dicts ...${MAP}) []string`, keys),
  pick: goFunc(`func(dict ${MAP}, keys ...string) ${MAP}`, pick),
  omit: goFunc(`func(dict ${MAP}, keys ...string) ${MAP}`, omit),
  merge: goFunc(`func(dst ${MAP}, srcs ...${MAP}) interface{}`, merge(false)),
  mergeOverwrite: goFunc(`func(dst ${MAP}, srcs ...${MAP}) interface{}`, merge(true)),
  mustMerge: goFunc(`func(dst ${MAP}, srcs ...${MAP}) (interface{}, error)`, merge(false)),
  mustMergeOverwrite: goFunc(`func(dst ${MAP}, srcs ...${MAP}) (interface{}, error)`, merge(true)),
  values: goFunc(`func(dict ${MAP}) []interface{}`, values),
  deepCopy: goFunc('func(i interface{}) interface{}', deepCopy),
  mustDeepCopy: goFunc('func(i interface{}) (interface{}, error)', deepCopy),
};
