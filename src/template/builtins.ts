// src/template/: Go text/template with Sprig/Helm functions, for YAML jobs.
import { bytesOf, stringOfBytes } from './bytes.js';
import { timeEqual } from './date.js';
import { formatValue, sprint, sprintf, sprintln } from './format.js';
import { truth } from './exec.js';
import { goFunc, type FuncDef } from './gofunc.js';
import { isGoPrint } from './lexer.js';
import { basicKind, goKind, goTypeName, GoNum, isMap, typed, type GoValue } from './types.js';

export type { FuncDef } from './gofunc.js';

/*
 * text/template's predefined functions, as Go 1.19's funcs.go writes them. Their reflect.Value
 * parameters receive what the executor has: `undefined` for Go's invalid Value, `null` for an
 * interface {} holding nil.
 */

type Val = GoValue | undefined;

/** indirectInterface: an interface holding nil is no value. */
function indirect(v: Val): Val {
  return v === null ? undefined : v;
}

/** reflect's Kind of a value, as comparisons need it (undefined: Invalid). */
function kindOf(v: Val): string {
  if (v === undefined) return 'invalid';
  if (v === null) return 'interface';
  return goKind(v);
}

function isNilValue(v: Val): boolean {
  return v === undefined || v === null;
}

function comparable(v: GoValue): boolean {
  if (Array.isArray(v) || isMap(v) || typeof v === 'function') return false;
  return true;
}

function intOf(v: GoValue): bigint {
  return typeof v === 'bigint' ? v : ((v as GoNum).value as bigint);
}

function basicEqual(k: string, a: GoValue, b: GoValue): boolean {
  switch (k) {
    case 'bool':
    case 'string':
      return a === b;
    case 'float':
      return Number(a instanceof GoNum ? a.value : a) === Number(b instanceof GoNum ? b.value : b);
    default:
      return intOf(a) === intOf(b);
  }
}

/** Go's eq: arg1 == arg2 || arg1 == arg3 …; ints of any kind compare, ints and floats do not. */
function eq(arg1: Val, ...arg2: Val[]): boolean {
  arg1 = indirect(arg1);
  if (arg2.length === 0) throw new Error('missing argument for comparison');
  const k1 = basicKind(arg1);
  for (let arg of arg2) {
    arg = indirect(arg);
    const k2 = basicKind(arg);
    let t = false;
    const b1 = k1 === 'other' ? 'invalid' : k1;
    const b2 = k2 === 'other' ? 'invalid' : k2;
    if (b1 !== b2) {
      if (b1 === 'int' && b2 === 'uint') t = intOf(arg1!) >= 0n && intOf(arg1!) === intOf(arg!);
      else if (b1 === 'uint' && b2 === 'int') t = intOf(arg!) >= 0n && intOf(arg1!) === intOf(arg!);
      else if (arg1 !== undefined && arg !== undefined) throw new Error('incompatible types for comparison');
    } else if (b1 !== 'invalid') {
      t = basicEqual(b1, arg1!, arg!);
    } else {
      const kk1 = kindOf(arg1);
      const kk2 = kindOf(arg);
      if (kk1 !== kk2 && kk1 !== 'invalid' && kk2 !== 'invalid')
        throw new Error(`non-comparable types ${sprintf('%s', [arg1!])}: ${goTypeName(arg1)}, ${goTypeName(arg)}: ${formatValue(arg!)}`);
      if (isNilValue(arg1) || isNilValue(arg)) {
        t = isNilValue(arg) === isNilValue(arg1);
      } else {
        if (!comparable(arg!)) throw new Error(`non-comparable type ${sprintf('%s', [arg!])}: ${goTypeName(arg)}`);
        t = arg1 === arg || (arg1 instanceof Date && arg instanceof Date && timeEqual(arg1, arg));
      }
    }
    if (t) return true;
  }
  return false;
}

function ne(arg1: Val, arg2: Val): boolean {
  return !eq(arg1, arg2);
}

/** Go's lt: basic kinds only, ints of any sign compare. */
function lt(arg1: Val, arg2: Val): boolean {
  arg1 = indirect(arg1);
  const k1 = basicKind(arg1);
  if (k1 === 'invalid' || k1 === 'other') throw new Error('invalid type for comparison');
  arg2 = indirect(arg2);
  const k2 = basicKind(arg2);
  if (k2 === 'invalid' || k2 === 'other') throw new Error('invalid type for comparison');
  if (k1 !== k2) {
    if (k1 === 'int' && k2 === 'uint') return intOf(arg1!) < 0n || intOf(arg1!) < intOf(arg2!);
    if (k1 === 'uint' && k2 === 'int') return intOf(arg2!) >= 0n && intOf(arg1!) < intOf(arg2!);
    throw new Error('incompatible types for comparison');
  }
  switch (k1) {
    case 'bool':
      throw new Error('invalid type for comparison');
    case 'float':
      return Number(arg1 instanceof GoNum ? arg1.value : arg1) < Number(arg2 instanceof GoNum ? arg2.value : arg2);
    case 'string':
      return Buffer.compare(bytesOf(arg1 as string), bytesOf(arg2 as string)) < 0;
    default:
      return intOf(arg1!) < intOf(arg2!);
  }
}

function le(arg1: Val, arg2: Val): boolean {
  return lt(arg1, arg2) || eq(arg1, arg2);
}

function gt(arg1: Val, arg2: Val): boolean {
  return !le(arg1, arg2);
}

function ge(arg1: Val, arg2: Val): boolean {
  return !lt(arg1, arg2);
}

function length(item: Val): bigint {
  if (item === null) throw new Error('len of nil pointer');
  if (item === undefined) throw new Error('reflect: call of reflect.Value.Type on zero Value');
  if (typeof item === 'string') return BigInt(bytesOf(item).length);
  if (Array.isArray(item)) return BigInt(item.length);
  if (isMap(item)) return BigInt(Object.keys(item).length);
  throw new Error(`len of type ${goTypeName(item)}`);
}

function indexArg(index: Val, cap: number): number {
  let x: bigint;
  if (typeof index === 'bigint') x = index;
  else if (index instanceof GoNum && typeof index.value === 'bigint') x = index.value;
  else if (index === undefined) throw new Error('cannot index slice/array with nil');
  else throw new Error(`cannot index slice/array with type ${goTypeName(index)}`);
  if (x < 0n || x > BigInt(cap)) throw new Error(`index out of range: ${x}`);
  return Number(x);
}

function index(item: Val, ...indexes: Val[]): Val {
  let v = indirect(item);
  if (v === undefined) throw new Error('index of untyped nil');
  for (let idx of indexes) {
    idx = indirect(idx);
    if (v === null || v === undefined) throw new Error('index of nil pointer');
    if (typeof v === 'string') {
      const bytes = bytesOf(v);
      const x = indexArg(idx, bytes.length);
      if (x === bytes.length) throw new Error('reflect: string index out of range');
      v = new GoNum('uint8', BigInt(bytes[x]));
    } else if (Array.isArray(v)) {
      const x = indexArg(idx, v.length);
      if (x === v.length) throw new Error('reflect: slice index out of range');
      v = v[x];
    } else if (isMap(v)) {
      if (idx === undefined) throw new Error('value is nil; should be of type string');
      if (typeof idx !== 'string') throw new Error(`value has type ${goTypeName(idx)}; should be string`);
      v = Object.prototype.hasOwnProperty.call(v, idx) ? v[idx] : zeroElem(v);
    } else {
      throw new Error(`can't index item of type ${goTypeName(v)}`);
    }
  }
  return v;
}

/** The zero value of a map's element type. */
function zeroElem(m: { [key: string]: GoValue }): GoValue {
  const t = goTypeName(m);
  if (t === 'map[string]string') return '';
  if (t === 'map[string]int') return 0n;
  if (t === 'map[string]bool') return false;
  return null;
}

/** Go's slice builtin (Sprig's slice replaces it in Helm's function map). */
export function slice(item: Val, ...indexes: Val[]): Val {
  const v = indirect(item);
  if (v === undefined) throw new Error('slice of untyped nil');
  if (indexes.length > 3) throw new Error(`too many slice indexes: ${indexes.length}`);
  let cap: number;
  if (typeof v === 'string') {
    if (indexes.length === 3) throw new Error('cannot 3-index slice a string');
    cap = bytesOf(v).length;
  } else if (Array.isArray(v)) {
    cap = v.length;
  } else {
    throw new Error(`can't slice item of type ${goTypeName(v)}`);
  }
  const idx = [0, typeof v === 'string' ? cap : v.length, cap];
  indexes.forEach((x, i) => (idx[i] = indexArg(indirect(x), cap)));
  if (idx[0] > idx[1]) throw new Error(`invalid slice index: ${idx[0]} > ${idx[1]}`);
  if (indexes.length === 3 && idx[1] > idx[2]) throw new Error(`invalid slice index: ${idx[1]} > ${idx[2]}`);
  if (typeof v === 'string') return stringOfBytes(bytesOf(v).subarray(idx[0], idx[1]));
  const out = v.slice(idx[0], idx[1]);
  const type = goTypeName(v);
  return type === '[]interface {}' ? out : typed(out, type);
}

/** text/template's evalArgs: one string as is, else the operands as fmt.Sprint prints them (nil as "<no value>"). */
function evalArgs(args: Val[]): string {
  if (args.length === 1 && typeof args[0] === 'string') return args[0];
  return sprint(args.map((a) => (a === undefined || a === null ? '<no value>' : a)));
}

const HTML_ESCAPES: Record<string, string> = { '\0': '\uFFFD', '"': '&#34;', "'": '&#39;', '&': '&amp;', '<': '&lt;', '>': '&gt;' };

export function htmlEscapeString(s: string): string {
  return s.replace(/[\0"'&<>]/g, (c) => HTML_ESCAPES[c]);
}

const JS_ESCAPES: Record<string, string> = { '\\': '\\\\', "'": "\\'", '"': '\\"', '<': '\\u003C', '>': '\\u003E', '&': '\\u0026', '=': '\\u003D' };

export function jsEscapeString(s: string): string {
  let out = '';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    const special = JS_ESCAPES[ch];
    if (special) out += special;
    else if (c < 0x20) out += `\\u00${c.toString(16).toUpperCase().padStart(2, '0')}`;
    else if (c < 0x80 || isGoPrint(c)) out += ch;
    else out += `\\u${c.toString(16).toUpperCase().padStart(4, '0')}`;
  }
  return out;
}

/** url.QueryEscape: everything but letters, digits and -_.~ percent-encoded, space as +. */
export function queryEscape(s: string): string {
  let out = '';
  for (const b of Buffer.from(s)) {
    const c = String.fromCharCode(b);
    if (/[A-Za-z0-9\-_.~]/.test(c)) out += c;
    else if (c === ' ') out += '+';
    else out += `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** text/template's predefined functions. */
export const BUILTINS: Record<string, FuncDef> = {
  and: goFunc('func(arg0 reflect.Value, args ...reflect.Value) reflect.Value', () => {
    throw new Error('unreachable');
  }),
  or: goFunc('func(arg0 reflect.Value, args ...reflect.Value) reflect.Value', () => {
    throw new Error('unreachable');
  }),
  not: goFunc('func(arg reflect.Value) bool', (a: Val) => !truth(a)),
  len: goFunc('func(item reflect.Value) (int, error)', length),
  index: goFunc('func(item reflect.Value, indexes ...reflect.Value) (reflect.Value, error)', index),
  slice: goFunc('func(item reflect.Value, indexes ...reflect.Value) (reflect.Value, error)', slice),
  print: goFunc('func(a ...any) string', (...a: GoValue[]) => sprint(a)),
  printf: goFunc('func(format string, a ...any) string', (f: string, ...a: GoValue[]) => sprintf(f, a)),
  println: goFunc('func(a ...any) string', (...a: GoValue[]) => sprintln(a)),
  eq: goFunc('func(arg1 reflect.Value, arg2 ...reflect.Value) (bool, error)', eq),
  ne: goFunc('func(arg1, arg2 reflect.Value) (bool, error)', ne),
  lt: goFunc('func(arg1, arg2 reflect.Value) (bool, error)', lt),
  le: goFunc('func(arg1, arg2 reflect.Value) (bool, error)', le),
  gt: goFunc('func(arg1, arg2 reflect.Value) (bool, error)', gt),
  ge: goFunc('func(arg1, arg2 reflect.Value) (bool, error)', ge),
  html: goFunc('func(args ...interface{}) string', (...a: Val[]) => htmlEscapeString(evalArgs(a))),
  urlquery: goFunc('func(args ...interface{}) string', (...a: Val[]) => queryEscape(evalArgs(a))),
  js: goFunc('func(args ...interface{}) string', (...a: Val[]) => jsEscapeString(evalArgs(a))),
};
