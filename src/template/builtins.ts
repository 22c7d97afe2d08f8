import { formatValue, goKind, goTypeName, sprint, sprintf, sprintln, type GoValue } from './format.js';
import { isMap, truth, type TemplateFunc } from './exec.js';

/** A function with the argument counts Go would accept for it. */
export interface FuncDef {
  fn: TemplateFunc;
  minArgs: number;
  maxArgs: number;
}

export function def(fn: TemplateFunc, minArgs: number, maxArgs = minArgs): FuncDef {
  return { fn, minArgs, maxArgs };
}

type Kind = 'bool' | 'int' | 'float' | 'string' | 'invalid' | 'other';

function basicKind(v: GoValue): Kind {
  const kind = goKind(v);
  if (kind === 'float64') return 'float';
  return kind === 'bool' || kind === 'int' || kind === 'string' || kind === 'invalid' ? kind : 'other';
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
  and: def((...a) => a[a.length - 1] ?? null, 1, Infinity),
  or: def((...a) => a[a.length - 1] ?? null, 1, Infinity),
  not: def((a) => !truth(a), 1),
  len: def(len, 1),
  index: def(index, 1, Infinity),
  slice: def(slice, 1, 4),
  print: def((...a) => sprint(a), 0, Infinity),
  printf: def((f, ...a) => sprintf(String(f), a), 1, Infinity),
  println: def((...a) => sprintln(a), 0, Infinity),
  eq: def(eq, 1, Infinity),
  ne: def((a, b) => !eq(a, b), 2),
  lt: def(lessThan, 2),
  le: def((a, b) => lessThan(a, b) || eq(a, b), 2),
  gt: def((a, b) => !lessThan(a, b) && !eq(a, b), 2),
  ge: def((a, b) => !lessThan(a, b), 2),
  html: def((...a) => htmlEscape(sprint(a)), 0, Infinity),
  urlquery: def((...a) => encodeURIComponent(sprint(a)).replace(/%20/g, '+').replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`), 0, Infinity),
  js: def((...a) => JSON.stringify(sprint(a)).slice(1, -1).replace(/'/g, "\\'").replace(/</g, '\\u003C').replace(/>/g, '\\u003E'), 0, Infinity),
};
