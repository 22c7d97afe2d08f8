import { asResultType, goFunc, type FuncDef, type TemplateFunc } from '../gofunc.js';
import { goKind, goTypeName, isMap, lazyElements, lazyList, nilCollection, typed, type GoValue } from '../types.js';
import { floatToInt64, toInt64 } from './convert.js';
import { empty } from './defaults.js';
import { deepEqual } from './reflect.js';

/*
 * Sprig's list functions (list.go, and until/untilStep/seq of numeric.go) as Go runs them:
 * any slice is taken (a []string as well as a []interface {}), anything else is refused with
 * Sprig's message naming its reflect.Kind, and nil fails as reflect.TypeOf(nil).Kind() does.
 */

const NIL_DEREFERENCE = 'runtime error: invalid memory address or nil pointer dereference';

/** reflect.TypeOf(v).Kind() for a list argument: the kind, or Go's nil-pointer panic for nil. */
function kindOf(v: GoValue): string {
  if (v === null || v === undefined) throw new Error(NIL_DEREFERENCE);
  return goKind(v);
}

/** The elements of a slice as []interface {} holds them: a []int64's elements are int64 values. */
function elements(v: GoValue[]): GoValue[] {
  const type = goTypeName(v);
  if (type === '[]interface {}') return v;
  const elem = type.slice(2);
  const lazy = lazyElements(v);
  if (lazy) return lazyList(v.length, (i) => asResultType(lazy(i), elem));
  return v.map((x) => asResultType(x, elem));
}

/** The list, or Sprig's error (`Cannot push on type string`) for anything that is not a slice. */
function listOf(v: GoValue, message: (kind: string) => string): GoValue[] {
  const kind = kindOf(v);
  if (kind !== 'slice' && kind !== 'array') throw new Error(message(kind));
  return elements(v as GoValue[]);
}

/** Sprig's panicking form of a must* function: the same error (Go's template recovers the panic). */
const mustPair = (signature: string, mustSignature: string, fn: TemplateFunc): [FuncDef, FuncDef] => [goFunc(signature, fn), goFunc(mustSignature, fn)];

function push(list: GoValue, v: GoValue): GoValue[] {
  return [...listOf(list, (k) => `Cannot push on type ${k}`), v];
}

function prepend(list: GoValue, v: GoValue): GoValue[] {
  return [v, ...listOf(list, (k) => `Cannot prepend on type ${k}`)];
}

/** Go's make([]T, n): a negative length panics. */
function makeLength(n: bigint): number {
  if (n < 0n || n > 2n ** 48n) throw new Error('runtime error: makeslice: len out of range');
  return Number(n);
}

/** Sprig's chunk, float arithmetic included: a size of 0 or below fails as Go's make does, or yields nothing. */
function chunk(size: bigint, list: GoValue): GoValue[][] {
  const l = listOf(list, (k) => `Cannot chunk type ${k}`);
  const s = Number(size);
  const cs = makeLength(floatToInt64(Math.floor((l.length - 1) / s) + 1));
  const out: GoValue[][] = [];
  for (let i = 0; i < cs; i++) {
    let clen = size;
    if (i === cs - 1) {
      clen = floatToInt64(Math.floor(l.length % s));
      if (clen === 0n) clen = size;
    }
    const n = makeLength(clen);
    const c: GoValue[] = [];
    for (let j = 0; j < n; j++) {
      const ix = i * s + j;
      if (ix >= l.length) throw new Error(`reflect: slice index out of range`);
      c.push(l[ix]);
    }
    out.push(c);
  }
  return out;
}

function first(list: GoValue): GoValue {
  const l = listOf(list, (k) => `Cannot find first on type ${k}`);
  return l.length === 0 ? null : l[0]!;
}

function last(list: GoValue): GoValue {
  const l = listOf(list, (k) => `Cannot find last on type ${k}`);
  return l.length === 0 ? null : l[l.length - 1]!;
}

function rest(list: GoValue): GoValue[] {
  const l = listOf(list, (k) => `Cannot find rest on type ${k}`);
  return l.length === 0 ? nilCollection([]) : l.slice(1);
}

function initial(list: GoValue): GoValue[] {
  const l = listOf(list, (k) => `Cannot find initial on type ${k}`);
  return l.length === 0 ? nilCollection([]) : l.slice(0, -1);
}

function reverse(v: GoValue): GoValue[] {
  return [...listOf(v, (k) => `Cannot find reverse on type ${k}`)].reverse();
}

function compact(list: GoValue): GoValue[] {
  return listOf(list, (k) => `Cannot compact on type ${k}`).filter((x) => !empty(x));
}

function uniq(list: GoValue): GoValue[] {
  const dest: GoValue[] = [];
  for (const item of listOf(list, (k) => `Cannot find uniq on type ${k}`)) if (!dest.some((h) => deepEqual(item, h))) dest.push(item);
  return dest;
}

function without(list: GoValue, ...omit: GoValue[]): GoValue[] {
  return listOf(list, (k) => `Cannot find without on type ${k}`).filter((item) => !omit.some((h) => deepEqual(item, h)));
}

function has(needle: GoValue, haystack: GoValue): boolean {
  if (haystack === null || haystack === undefined) return false;
  return listOf(haystack, (k) => `Cannot find has on type ${k}`).some((item) => deepEqual(needle, item));
}

/** Sprig's slice: reflect's Slice(start, end) of the list, keeping its type; nil for an empty list. */
function slice(list: GoValue, ...indices: GoValue[]): GoValue {
  const kind = kindOf(list);
  if (kind !== 'slice' && kind !== 'array') throw new Error(`list should be type of slice or array but ${kind}`);
  const l = list as GoValue[];
  if (l.length === 0) return null;
  const start = indices.length > 0 ? toInt64(indices[0]) : 0n;
  const end = indices.length < 2 ? BigInt(l.length) : toInt64(indices[1]);
  if (start < 0n || end < start || end > BigInt(l.length)) throw new Error('reflect.Value.Slice: slice index out of bounds');
  const out = l.slice(Number(start), Number(end));
  const type = goTypeName(l);
  return type === '[]interface {}' ? out : typed(out, type);
}

function concat(...lists: GoValue[]): GoValue {
  const res: GoValue[] = [];
  for (const list of lists) {
    const kind = kindOf(list);
    if (kind !== 'slice' && kind !== 'array') throw new Error(`Cannot concat type ${kind} as list`);
    res.push(...elements(list as GoValue[]));
  }
  return res.length === 0 ? nilCollection(res) : res;
}

/** The type assertion v.(T) of Go: its panic names the dynamic type, `nil` for nil. */
function assertType<T>(v: GoValue, type: string, ok: (v: GoValue) => boolean): T {
  if (ok(v)) return v as T;
  const actual = v === null || v === undefined ? 'nil' : goTypeName(v);
  throw new Error(`interface conversion: interface {} is ${actual}, not ${type}`);
}

const isPlainMap = (v: GoValue): boolean => isMap(v) && goTypeName(v) === 'map[string]interface {}';

function dig(...ps: GoValue[]): GoValue {
  if (ps.length < 3) throw new Error('dig needs at least three arguments');
  let dict = assertType<{ [key: string]: GoValue }>(ps[ps.length - 1], 'map[string]interface {}', isPlainMap);
  const def = ps[ps.length - 2]!;
  const ks = ps.slice(0, -2).map((k) => assertType<string>(k, 'string', (x) => typeof x === 'string'));
  for (let i = 0; ; i++) {
    const k = ks[i];
    if (!Object.prototype.hasOwnProperty.call(dict, k)) return def;
    const step = dict[k]!;
    if (i === ks.length - 1) return step;
    dict = assertType(step, 'map[string]interface {}', isPlainMap);
  }
}

/** The longest list until and untilStep make: JavaScript's longest array. */
const MAX_SEQUENCE = 2 ** 32 - 1;

/**
 * Sprig's untilStep: start, start+step… short of stop; nothing when step goes the wrong way or
 * is 0. The numbers are made as they are read (lazyList), so ranging over a huge one prints as
 * it goes; reading one whole is bounded (LAZY_READ_LIMIT).
 */
function untilStep(start: bigint, stop: bigint, step: bigint): GoValue[] {
  let count: bigint;
  if (stop < start) {
    if (step >= 0n) return [];
    count = (start - stop + -step - 1n) / -step;
  } else {
    if (step <= 0n) return [];
    count = (stop - start + step - 1n) / step;
  }
  if (count > BigInt(MAX_SEQUENCE)) throw new Error(`a sequence of more than ${MAX_SEQUENCE} numbers`);
  return lazyList(Number(count), (i) => start + BigInt(i) * step);
}

function until(count: bigint): GoValue[] {
  return untilStep(0n, count, count < 0n ? -1n : 1n);
}

/** Sprig's seq: like the seq command, 1 to end, start to end, or start, step, end; numbers joined by spaces. */
function seq(...params: bigint[]): string {
  let increment = 1n;
  let list: GoValue[];
  switch (params.length) {
    case 1: {
      const [start, end] = [1n, params[0]];
      if (end < start) increment = -1n;
      list = untilStep(start, end + increment, increment);
      break;
    }
    case 3: {
      const [start, step, end] = params as [bigint, bigint, bigint];
      if (end < start) {
        increment = -1n;
        if (step > 0n) return '';
      }
      list = untilStep(start, end + increment, step);
      break;
    }
    case 2: {
      const [start, end] = params as [bigint, bigint];
      const step = end < start ? -1n : 1n;
      list = untilStep(start, end + step, step);
      break;
    }
    default:
      return '';
  }
  // eslint-disable-next-line @typescript-eslint/no-base-to-string -- untilStep's list holds bigints
  return list.join(' ');
}

const [pushFn, mustPushFn] = mustPair(
  'func(list interface{}, v interface{}) []interface{}',
  'func(list interface{}, v interface{}) ([]interface{}, error)',
  push,
);
const [prependFn, mustPrependFn] = mustPair(
  'func(list interface{}, v interface{}) []interface{}',
  'func(list interface{}, v interface{}) ([]interface{}, error)',
  prepend,
);
const [chunkFn, mustChunkFn] = mustPair('func(size int, list interface{}) [][]interface{}', 'func(size int, list interface{}) ([][]interface{}, error)', chunk);
const [firstFn, mustFirstFn] = mustPair('func(list interface{}) interface{}', 'func(list interface{}) (interface{}, error)', first);
const [lastFn, mustLastFn] = mustPair('func(list interface{}) interface{}', 'func(list interface{}) (interface{}, error)', last);
const [restFn, mustRestFn] = mustPair('func(list interface{}) []interface{}', 'func(list interface{}) ([]interface{}, error)', rest);
const [initialFn, mustInitialFn] = mustPair('func(list interface{}) []interface{}', 'func(list interface{}) ([]interface{}, error)', initial);
const [reverseFn, mustReverseFn] = mustPair('func(v interface{}) []interface{}', 'func(v interface{}) ([]interface{}, error)', reverse);
const [compactFn, mustCompactFn] = mustPair('func(list interface{}) []interface{}', 'func(list interface{}) ([]interface{}, error)', compact);
const [uniqFn, mustUniqFn] = mustPair('func(list interface{}) []interface{}', 'func(list interface{}) ([]interface{}, error)', uniq);
const [withoutFn, mustWithoutFn] = mustPair(
  'func(list interface{}, omit ...interface{}) []interface{}',
  'func(list interface{}, omit ...interface{}) ([]interface{}, error)',
  without,
);
const [hasFn, mustHasFn] = mustPair('func(needle interface{}, haystack interface{}) bool', 'func(needle interface{}, haystack interface{}) (bool, error)', has);
const [sliceFn, mustSliceFn] = mustPair(
  'func(list interface{}, indices ...interface{}) interface{}',
  'func(list interface{}, indices ...interface{}) (interface{}, error)',
  slice,
);

/** Sprig's list functions (functions.go). */
export const LISTS: Record<string, FuncDef> = {
  list: goFunc('func(v ...interface{}) []interface{}', (...v: GoValue[]) => v),
  tuple: goFunc('func(v ...interface{}) []interface{}', (...v: GoValue[]) => v),
  append: pushFn,
  push: pushFn,
  mustAppend: mustPushFn,
  mustPush: mustPushFn,
  prepend: prependFn,
  mustPrepend: mustPrependFn,
  first: firstFn,
  mustFirst: mustFirstFn,
  rest: restFn,
  mustRest: mustRestFn,
  last: lastFn,
  mustLast: mustLastFn,
  initial: initialFn,
  mustInitial: mustInitialFn,
  reverse: reverseFn,
  mustReverse: mustReverseFn,
  uniq: uniqFn,
  mustUniq: mustUniqFn,
  without: withoutFn,
  mustWithout: mustWithoutFn,
  has: hasFn,
  mustHas: mustHasFn,
  slice: sliceFn,
  mustSlice: mustSliceFn,
  concat: goFunc('func(lists ...interface{}) interface{}', concat),
  dig: goFunc('func(ps ...interface{}) (interface{}, error)', dig),
  chunk: chunkFn,
  mustChunk: mustChunkFn,
  compact: compactFn,
  mustCompact: mustCompactFn,
  until: goFunc('func(count int) []int', until),
  untilStep: goFunc('func(start, stop, step int) []int', untilStep),
  seq: goFunc('func(params ...int) string', seq),
};
