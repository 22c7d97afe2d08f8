import type { FuncDef } from './gofunc.js';

/*
 * Go's types for the values templates handle. Most values are plain JavaScript values whose Go
 * type is implied (below); the few others say their type: boxed numbers (GoNum), tagged slices
 * and maps, and objects with fields and methods (GoObject).
 */

/**
 * A Go value: `int` is a bigint, `float64` a number, `string`, `bool`, nil is null,
 * `[]interface {}` an array, `map[string]interface {}` a plain object, `time.Time` a Date.
 * Other numeric types are GoNum; slices and maps of other element types are tagged (`typed`).
 */
export type GoValue =
  | null
  | boolean
  | bigint
  | number
  | string
  | GoValue[]
  | { [key: string]: GoValue }
  | Date
  | GoNum
  | GoObject
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- a template function's Go signature is checked at run time (FuncDef), not by TypeScript
  | ((...args: any[]) => any);

export type IntType = 'int64' | 'int32' | 'int16' | 'int8' | 'uint' | 'uint64' | 'uint32' | 'uint16' | 'uint8' | 'uintptr';
export type NumType = IntType | 'float32';

/** A number of a Go type other than `int` (a bare bigint) and `float64` (a bare number). */
export class GoNum {
  constructor(
    readonly type: NumType,
    readonly value: bigint | number,
  ) {}
}

/**
 * A Go struct or pointer value with fields and methods, as templates reach them (`.Major`,
 * `.Cert`). `field` answers a field or a method's value; methods taking arguments are
 * declared with `method`.
 */
export abstract class GoObject {
  /** reflect.Type.String(): `*semver.Version`, `sprig.certificate`. */
  abstract readonly goType: string;
  /** reflect.Kind: `ptr`, `struct`. */
  abstract readonly goKind: string;
  /** The field (or niladic method) `name`, undefined when the type has none. */
  abstract field(name: string): GoValue | undefined;
  /** What fmt prints for %v and %s: the String method's result, or the struct's fields `{a b}`. */
  abstract format(): string;
  /** The method `name` with its Go signature, called as Go's evalCall calls methods; undefined when none. */
  method(_name: string): FuncDef | undefined {
    return undefined;
  }
}

/** A complex128 (`{{ 1i }}`, a constant only), printed as fmt prints one: `(0+1i)`. */
export class Complex128 extends GoObject {
  readonly goType = 'complex128';
  readonly goKind = 'complex128';
  constructor(
    readonly re: number,
    readonly im: number,
  ) {
    super();
  }
  field(): undefined {
    return undefined;
  }
  format(): string {
    const f = (x: number) => (Object.is(x, -0) ? '-0' : Number.isInteger(x) && Math.abs(x) < 1e21 ? String(x) : String(x).replace(/e([+-])(\d)$/, 'e$10$2'));
    return `(${f(this.re)}${this.im >= 0 || Number.isNaN(this.im) ? '+' : ''}${f(this.im)}i)`;
  }
}

const GO_TYPE = Symbol('goType');

/** Tags a slice or map with its Go type: `typed(['a'], '[]string')`. */
export function typed<T extends GoValue[] | { [key: string]: GoValue }>(v: T, type: string): T {
  Object.defineProperty(v, GO_TYPE, { value: type, enumerable: false, configurable: true });
  return v;
}

const NIL_COLLECTIONS = new WeakSet<object>();

/**
 * A nil slice or map of Go: reads as an empty one, but `%#v` prints it as `[]string(nil)`,
 * DeepEqual tells it from an empty one, and writing to a nil map fails.
 */
export function nilCollection<T extends GoValue[] | { [key: string]: GoValue }>(v: T): T {
  NIL_COLLECTIONS.add(v);
  return v;
}

export function isNilCollection(v: GoValue | undefined): boolean {
  return typeof v === 'object' && v !== null && NIL_COLLECTIONS.has(v);
}

/** A plain object standing for a Go map (not a Date, GoNum or GoObject). */
export function isMap(v: GoValue | undefined): v is { [key: string]: GoValue } {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  const proto: unknown = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/** reflect.TypeOf(v).String() for the Go value v stands for (`<nil>` for nil, as %T prints it). */
export function goTypeName(v: GoValue | undefined): string {
  if (v === null || v === undefined) return '<nil>';
  switch (typeof v) {
    case 'boolean':
      return 'bool';
    case 'bigint':
      return 'int';
    case 'number':
      return 'float64';
    case 'string':
      return 'string';
    case 'function':
      return 'func()';
  }
  if (v instanceof GoNum) return v.type;
  if (v instanceof GoObject) return v.goType;
  if (v instanceof Date) return 'time.Time';
  const tag = (v as { [GO_TYPE]?: string })[GO_TYPE];
  if (tag) return tag;
  return Array.isArray(v) ? '[]interface {}' : 'map[string]interface {}';
}

/** The reflect.Kind name of a value, as Sprig's kindOf says it (`invalid` for nil). */
export function goKind(v: GoValue | undefined): string {
  if (v === null || v === undefined) return 'invalid';
  switch (typeof v) {
    case 'boolean':
      return 'bool';
    case 'bigint':
      return 'int';
    case 'number':
      return 'float64';
    case 'string':
      return 'string';
    case 'function':
      return 'func';
  }
  if (v instanceof GoNum) return v.type;
  if (v instanceof GoObject) return v.goKind;
  if (v instanceof Date) return 'struct';
  return Array.isArray(v) ? 'slice' : 'map';
}

const SIGNED = new Set(['int', 'int64', 'int32', 'int16', 'int8']);
const UNSIGNED = new Set(['uint', 'uint64', 'uint32', 'uint16', 'uint8', 'uintptr']);

/** The integer of any Go int kind, signed or unsigned; undefined for anything else. */
export function intValue(v: GoValue | undefined): bigint | undefined {
  if (typeof v === 'bigint') return v;
  if (v instanceof GoNum && typeof v.value === 'bigint') return v.value;
  return undefined;
}

/** Go's basic kinds as comparisons group them (text/template's basicKind). */
export type BasicKind = 'bool' | 'int' | 'uint' | 'float' | 'string' | 'invalid' | 'other';

export function basicKind(v: GoValue | undefined): BasicKind {
  if (v === null || v === undefined) return 'invalid';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'bigint') return 'int';
  if (typeof v === 'number') return 'float';
  if (typeof v === 'string') return 'string';
  if (v instanceof GoNum) return SIGNED.has(v.type) ? 'int' : UNSIGNED.has(v.type) ? 'uint' : 'float';
  return 'other';
}

/** The Kind of a Go type written as text (`int64`, `[]string`, `map[string]interface {}`, `*semver.Version`). */
export function kindOfType(type: string): string {
  if (type === 'interface {}' || type === 'error') return 'interface';
  if (type === 'reflect.Value' || type === 'time.Time') return 'struct';
  if (type.startsWith('[]')) return 'slice';
  if (type.startsWith('map[')) return 'map';
  if (type.startsWith('*')) return 'ptr';
  if (type.startsWith('func(')) return 'func';
  if (SIGNED.has(type) || UNSIGNED.has(type) || type === 'float64' || type === 'float32' || type === 'string' || type === 'bool') return type;
  return 'struct';
}

/** reflect's canBeNil: whether an untyped nil can be assigned to the type. */
export function canBeNil(type: string): boolean {
  return ['interface', 'slice', 'map', 'ptr', 'func'].includes(kindOfType(type)) || type === 'reflect.Value';
}

export function isSignedIntType(type: string): boolean {
  return SIGNED.has(type);
}

export function isUnsignedIntType(type: string): boolean {
  return UNSIGNED.has(type);
}

/**
 * How many elements of a lazy list may be read one by one outside `range` (by functions that
 * copy or walk it: join, toJson, append…): a list that exists only to be ranged over must not
 * be built in memory by the back door.
 */
export const LAZY_READ_LIMIT = 4_000_000;

const LAZY_AT = Symbol('lazyAt');

/**
 * A list whose elements are made when read: `lazyList(n, (i) => BigInt(i), '[]int')` is Go's
 * []int of n elements without n elements in memory, so `range until 100000000` prints as it
 * goes (and stops at the output or time bound) instead of building the list first. It is a
 * real array to every reader (Array.isArray, length, indexes, iteration); whatever reads it
 * element by element outside range may read LAZY_READ_LIMIT elements in all, then fails.
 */
export function lazyList(length: number, at: (i: number) => GoValue, type = '[]interface {}'): GoValue[] {
  const target: GoValue[] = [];
  let reads = 0;
  const counted = (i: number): GoValue => {
    if (++reads > LAZY_READ_LIMIT) throw new Error(`a list of ${length} elements read whole: more than ${LAZY_READ_LIMIT} elements`);
    return at(i);
  };
  const list = new Proxy(target, {
    get(t, key, receiver) {
      if (key === 'length') return length;
      if (key === LAZY_AT) return at;
      if (typeof key === 'string') {
        const c = key.charCodeAt(0);
        if (c >= 48 && c <= 57) {
          const i = Number(key);
          if (Number.isInteger(i) && i >= 0 && i < length) return counted(i);
          return undefined;
        }
      }
      if (key === Symbol.iterator) {
        return function* () {
          for (let i = 0; i < length; i++) yield counted(i);
        };
      }
      return Reflect.get(t, key, receiver) as unknown;
    },
    has(t, key) {
      if (typeof key === 'string' && /^\d+$/.test(key)) return Number(key) < length;
      return Reflect.has(t, key);
    },
    ownKeys(t) {
      if (length > LAZY_READ_LIMIT) throw new Error(`a list of ${length} elements read whole: more than ${LAZY_READ_LIMIT} elements`);
      return [...Array.from({ length }, (_, i) => String(i)), 'length', ...Reflect.ownKeys(t).filter((k) => k !== 'length')];
    },
    getOwnPropertyDescriptor(t, key) {
      if (typeof key === 'string' && /^\d+$/.test(key) && Number(key) < length)
        return { value: counted(Number(key)), writable: false, enumerable: true, configurable: true };
      if (key === 'length') return { value: length, writable: true, enumerable: false, configurable: false };
      return Reflect.getOwnPropertyDescriptor(t, key);
    },
  });
  return type === '[]interface {}' ? list : typed(list, type);
}

/** The element reader of a lazy list, which `range` uses without counting; undefined for any other list. */
export function lazyElements(list: GoValue[]): ((i: number) => GoValue) | undefined {
  return (list as unknown as { [LAZY_AT]?: (i: number) => GoValue })[LAZY_AT];
}
