import { def, type FuncDef } from '../builtins.js';
import { goTypeName, isMap, type GoValue } from '../types.js';
import { strval } from './convert.js';
import { empty } from './defaults.js';

function dict(v: GoValue, fn: string): { [key: string]: GoValue } {
  if (isMap(v)) return v;
  throw new Error(`${fn}: expected a dict, got ${goTypeName(v)}`);
}

export function deepCopy(v: GoValue): GoValue {
  if (Array.isArray(v)) return v.map(deepCopy);
  if (isMap(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, deepCopy(x)]));
  return v;
}

/** mergo.Merge as Sprig's merge uses it: keys missing in dst are copied from src, maps recursively. */
function mergeInto(dst: { [key: string]: GoValue }, src: { [key: string]: GoValue }, overwrite: boolean): void {
  for (const [k, v] of Object.entries(src)) {
    const existing = dst[k];
    if (isMap(existing) && isMap(v)) mergeInto(existing, v, overwrite);
    else if (!(k in dst) || overwrite || empty(existing ?? null)) dst[k] = deepCopy(v);
  }
}

/** Sprig's dict functions. */
export const DICTS: Record<string, FuncDef> = {
  dict: def((...a) => {
    const out: { [key: string]: GoValue } = {};
    for (let i = 0; i < a.length; i += 2) out[strval(a[i]!)] = i + 1 < a.length ? a[i + 1]! : '';
    return out;
  }, 0, Infinity),
  get: def((d, k) => dict(d, 'get')[strval(k)] ?? '', 2),
  set: def((d, k, v) => {
    dict(d, 'set')[strval(k)] = v;
    return d;
  }, 3),
  unset: def((d, k) => {
    delete dict(d, 'unset')[strval(k)];
    return d;
  }, 2),
  hasKey: def((d, k) => Object.prototype.hasOwnProperty.call(dict(d, 'hasKey'), strval(k)), 2),
  pluck: def((k, ...ds) => ds.filter(isMap).filter((d) => strval(k) in d).map((d) => d[strval(k)]!), 1, Infinity),
  keys: def((...ds) => ds.flatMap((d) => Object.keys(dict(d, 'keys'))), 1, Infinity),
  values: def((d) => Object.values(dict(d, 'values')), 1),
  pick: def((d, ...ks) => Object.fromEntries(Object.entries(dict(d, 'pick')).filter(([k]) => ks.map(strval).includes(k))), 1, Infinity),
  omit: def((d, ...ks) => Object.fromEntries(Object.entries(dict(d, 'omit')).filter(([k]) => !ks.map(strval).includes(k))), 1, Infinity),
  merge: def((dst, ...srcs) => {
    for (const s of srcs) mergeInto(dict(dst, 'merge'), dict(s, 'merge'), false);
    return dst;
  }, 1, Infinity),
  mergeOverwrite: def((dst, ...srcs) => {
    for (const s of srcs) mergeInto(dict(dst, 'mergeOverwrite'), dict(s, 'mergeOverwrite'), true);
    return dst;
  }, 1, Infinity),
  deepCopy: def(deepCopy, 1),
};
