import { def, slice, type FuncDef } from '../builtins.js';
import { goTypeName, type GoValue } from '../types.js';
import { toInt64 } from './convert.js';
import { empty } from './defaults.js';
import { deepEqual } from './reflect.js';

function list(v: GoValue, fn: string): GoValue[] {
  if (Array.isArray(v)) return v;
  throw new Error(`Cannot ${fn} on type ${goTypeName(v)}`);
}

function until(count: bigint): GoValue[] {
  return untilStep(0n, count, count >= 0n ? 1n : -1n);
}

/** The longest list until, untilStep and seq make: a typo'd count must fail, not fill the memory. */
export const MAX_SEQUENCE = 1_000_000;

function untilStep(start: bigint, stop: bigint, step: bigint): GoValue[] {
  const out: GoValue[] = [];
  if (step === 0n) return out;
  if ((stop - start) / step > BigInt(MAX_SEQUENCE)) throw new Error(`a sequence of more than ${MAX_SEQUENCE} numbers`);
  for (let i = start; step > 0n ? i < stop : i > stop; i += step) out.push(i);
  return out;
}

function seq(a: bigint[]): bigint[] {
  const [first, step, last] = a.length === 1 ? [1n, 1n, a[0]!] : a.length === 2 ? [a[0]!, a[0]! <= a[1]! ? 1n : -1n, a[1]!] : a.length === 3 ? [a[0]!, a[1]!, a[2]!] : [0n, 0n, 0n];
  if (a.length === 0 || step === 0n) return [];
  if ((last - first) / step >= BigInt(MAX_SEQUENCE)) throw new Error(`a sequence of more than ${MAX_SEQUENCE} numbers`);
  const out: bigint[] = [];
  for (let i = first; step > 0n ? i <= last : i >= last; i += step) out.push(i);
  return out;
}

/** Sprig's list functions. */
export const LISTS: Record<string, FuncDef> = {
  list: def((...a) => a, 0, Infinity),
  tuple: def((...a) => a, 0, Infinity),
  first: def((v) => list(v, 'first').at(0) ?? null, 1),
  last: def((v) => list(v, 'last').at(-1) ?? null, 1),
  rest: def((v) => list(v, 'rest').slice(1), 1),
  initial: def((v) => list(v, 'initial').slice(0, -1), 1),
  append: def((v, x) => [...list(v, 'append'), x], 2),
  push: def((v, x) => [...list(v, 'push'), x], 2),
  prepend: def((v, x) => [x, ...list(v, 'prepend')], 2),
  concat: def((...a) => a.flatMap((x) => (Array.isArray(x) ? x : [x])), 0, Infinity),
  reverse: def((v) => [...list(v, 'reverse')].reverse(), 1),
  uniq: def((v) => list(v, 'uniq').filter((x, i, all) => all.findIndex((y) => deepEqual(x, y)) === i), 1),
  without: def((v, ...drop) => list(v, 'without').filter((x) => !drop.some((d) => deepEqual(x, d))), 1, Infinity),
  has: def((needle, v) => (v === null || v === undefined ? false : list(v, 'has').some((x) => deepEqual(x, needle))), 2),
  compact: def((v) => list(v, 'compact').filter((x) => !empty(x)), 1),
  slice: def((v, ...bounds) => slice(v, ...bounds), 1, 3),
  until: def((n) => until(toInt64(n)), 1),
  untilStep: def((a, b, c) => untilStep(toInt64(a), toInt64(b), toInt64(c)), 3),
  seq: def((...a) => seq(a.map(toInt64)).join(' '), 0, 3),
};
