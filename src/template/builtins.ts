import { formatValue, sprint, sprintf, sprintln } from './format.js';
import { truth } from './exec.js';
import { goFunc, type FuncDef, type TemplateFunc } from './gofunc.js';
import { basicKind, goTypeName, isMap, type GoValue } from './types.js';

export type { FuncDef } from './gofunc.js';

/**
 * A function taking `minArgs` to `maxArgs` arguments of any type (interface {}), returning
 * interface {}: for functions not yet declared by their Go signature with goFunc.
 */
export function def(fn: TemplateFunc, minArgs: number, maxArgs = minArgs): FuncDef {
  return { fn, params: [...Array<string>(maxArgs > minArgs ? minArgs + 1 : minArgs).fill('interface {}')], variadic: maxArgs > minArgs, result: 'interface {}', minArgs, maxArgs };
}

/** Go's eq: arg1 equals any of the others; basic kinds only, no mixing of ints and floats. */
function eq(arg1: GoValue, ...others: GoValue[]): boolean {
  if (others.length === 0) throw new Error('missing argument for comparison');
  const k1 = basicKind(arg1);
  for (const arg of others) {
    const k2 = basicKind(arg);
    if (k1 !== k2) {
      if (k1 !== 'invalid' && k2 !== 'invalid') throw new Error('incompatible types for comparison');
      continue;
    }
    if (k1 === 'other') {
      if (Array.isArray(arg1) || isMap(arg1)) throw new Error(`non-comparable type ${formatValue(arg1)}: ${goTypeName(arg1)}`);
      if (arg1 === arg) return true;
      continue;
    }
    if (k1 === 'invalid' || arg1 === arg) return true;
  }
  return false;
}

function lessThan(a: GoValue, b: GoValue): boolean {
  const ka = basicKind(a);
  const kb = basicKind(b);
  if (ka === 'invalid' || kb === 'invalid' || ka === 'other' || kb === 'other' || ka === 'bool') throw new Error('invalid type for comparison');
  if (ka !== kb) throw new Error('incompatible types for comparison');
  return (a as string | number | bigint) < (b as string | number | bigint);
}

function len(v: GoValue): bigint {
  if (v === null || v === undefined) throw new Error('len of nil pointer');
  if (typeof v === 'string') return BigInt(Buffer.byteLength(v));
  if (Array.isArray(v)) return BigInt(v.length);
  if (isMap(v)) return BigInt(Object.keys(v).length);
  throw new Error(`len of type ${goTypeName(v)}`);
}

function toIndex(i: GoValue): number {
  if (typeof i !== 'bigint') throw new Error(`cannot index slice/array with type ${goTypeName(i)}`);
  return Number(i);
}

function index(item: GoValue, ...indexes: GoValue[]): GoValue {
  let v = item;
  for (const i of indexes) {
    if (v === null || v === undefined) throw new Error('index of untyped nil');
    if (Array.isArray(v) || typeof v === 'string') {
      const n = toIndex(i);
      const length = typeof v === 'string' ? Buffer.byteLength(v) : v.length;
      if (n < 0 || n >= length) throw new Error(`index out of range: ${n}`);
      v = typeof v === 'string' ? BigInt(Buffer.from(v)[n]!) : v[n]!;
    } else if (isMap(v)) {
      if (typeof i !== 'string') throw new Error(`value has type ${goTypeName(i)}; should be string`);
      v = Object.prototype.hasOwnProperty.call(v, i) ? v[i]! : null;
    } else {
      throw new Error(`can't index item of type ${goTypeName(v)}`);
    }
  }
  return v;
}

/** Go's slice builtin (lists and strings), which Sprig's slice of lists extends. */
export function slice(item: GoValue, ...bounds: GoValue[]): GoValue {
  if (typeof item !== 'string' && !Array.isArray(item)) throw new Error(`can't slice item of type ${goTypeName(item)}`);
  if (bounds.length > 2 && typeof item === 'string') throw new Error('cannot 3-index slice a string');
  const length = typeof item === 'string' ? Buffer.byteLength(item) : item.length;
  const [from = 0, to = length] = bounds.slice(0, 2).map(toIndex);
  if (from < 0 || to > length || from > to) throw new Error(`index out of range: ${from > to ? from : to}`);
  return typeof item === 'string' ? Buffer.from(item).subarray(from, to).toString() : item.slice(from, to);
}

function htmlEscape(s: string): string {
  return s.replace(/[&'<>"\0]/g, (c) => ({ '&': '&amp;', "'": '&#39;', '<': '&lt;', '>': '&gt;', '"': '&#34;', '\0': '\uFFFD' })[c]!);
}

/** text/template's predefined functions. */
export const BUILTINS: Record<string, FuncDef> = {
  and: goFunc('func(arg0 reflect.Value, args ...reflect.Value) reflect.Value', (...a) => a[a.length - 1] ?? null),
  or: goFunc('func(arg0 reflect.Value, args ...reflect.Value) reflect.Value', (...a) => a[a.length - 1] ?? null),
  not: goFunc('func(arg reflect.Value) bool', (a) => !truth(a)),
  len: goFunc('func(item reflect.Value) (int, error)', len),
  index: goFunc('func(item reflect.Value, indexes ...reflect.Value) (reflect.Value, error)', index),
  slice: goFunc('func(item reflect.Value, indexes ...reflect.Value) (reflect.Value, error)', slice),
  print: goFunc('func(a ...any) string', (...a) => sprint(a)),
  printf: goFunc('func(format string, a ...any) string', (f, ...a) => sprintf(f, a)),
  println: goFunc('func(a ...any) string', (...a) => sprintln(a)),
  eq: goFunc('func(arg1 reflect.Value, arg2 ...reflect.Value) (bool, error)', eq),
  ne: goFunc('func(arg1, arg2 reflect.Value) (bool, error)', (a, b) => !eq(a, b)),
  lt: goFunc('func(arg1, arg2 reflect.Value) (bool, error)', lessThan),
  le: goFunc('func(arg1, arg2 reflect.Value) (bool, error)', (a, b) => lessThan(a, b) || eq(a, b)),
  gt: goFunc('func(arg1, arg2 reflect.Value) (bool, error)', (a, b) => !lessThan(a, b) && !eq(a, b)),
  ge: goFunc('func(arg1, arg2 reflect.Value) (bool, error)', (a, b) => !lessThan(a, b)),
  html: goFunc('func(args ...interface{}) string', (...a) => htmlEscape(sprint(a))),
  urlquery: goFunc('func(args ...interface{}) string', (...a) => encodeURIComponent(sprint(a)).replace(/%20/g, '+').replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)),
  js: goFunc('func(args ...interface{}) string', (...a) => JSON.stringify(sprint(a)).slice(1, -1).replace(/'/g, "\\'").replace(/</g, '\\u003C').replace(/>/g, '\\u003E')),
};
