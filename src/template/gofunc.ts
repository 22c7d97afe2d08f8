import { GoNum, isSignedIntType, isUnsignedIntType, kindOfType, nilCollection, typed, type GoValue } from './types.js';

/** A template function: Go values in, a Go value out; throwing is Go's returned error (or a panic). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the Go signature beside it (FuncDef) is what the executor checks calls against
export type TemplateFunc = (...args: any[]) => any;

/** A template function with its Go signature, which the executor checks calls against as Go's evalCall does. */
export interface FuncDef {
  fn: TemplateFunc;
  /** Parameter types; when variadic, the last is the element type of the `...` parameter. */
  params: string[];
  variadic: boolean;
  /** The first result's type. */
  result: string;
}

/** Splits a Go parameter or result list at its top-level commas. */
function splitTopLevel(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') depth--;
    else if (c === ',' && depth === 0) {
      out.push(s.slice(start, i).trim());
      start = i + 1;
    }
  }
  if (s.slice(start).trim()) out.push(s.slice(start).trim());
  return out;
}

/** `interface{}` → `interface {}`, as reflect prints it. */
function normalType(t: string): string {
  return t
    .trim()
    .replace(/interface\s*\{\s*\}/g, 'interface {}')
    .replace(/(?<![\w.])any\b|(?<=\.\.\.)any\b/g, 'interface {}');
}

const NAMED_PARAM = /^[A-Za-z_][A-Za-z0-9_]*\s+(\S.*)$/;

/**
 * Parses a Go func signature as Sprig's source writes it: `func(count int, str string) string`,
 * `func(a, b string) string`, `func(...interface{}) int64`, `func(string) (string, error)`.
 */
export function parseSignature(signature: string): { params: string[]; variadic: boolean; result: string } {
  let parsed = SIGNATURES.get(signature);
  if (!parsed) SIGNATURES.set(signature, (parsed = parseSignatureText(signature)));
  return parsed;
}

/** Signatures parsed once: function maps are built for every rendering. */
const SIGNATURES = new Map<string, { params: string[]; variadic: boolean; result: string }>();

function parseSignatureText(signature: string): { params: string[]; variadic: boolean; result: string } {
  const m = /^func\s*\((.*?)\)\s*(.*)$/s.exec(signature.trim());
  if (!m) throw new Error(`not a Go func signature: ${signature}`);
  // Grouped names (`a, b string`) take the type of the last name in their group.
  const raw = splitTopLevel(normalType(m[1]).replace(/interface \{\}/g, 'interface{}'));
  const types: string[] = [];
  let pendingNames = 0;
  for (const part of raw) {
    const named = NAMED_PARAM.exec(part);
    if (named && !part.startsWith('...') && !part.startsWith('[]') && !part.startsWith('map[') && !part.startsWith('func(')) {
      for (let i = 0; i <= pendingNames; i++) types.push(named[1]);
      pendingNames = 0;
    } else if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(part) && raw.some((p) => NAMED_PARAM.test(p))) {
      pendingNames++;
    } else {
      types.push(part);
    }
  }
  const params = types.map(normalType);
  const last = params[params.length - 1];
  const variadic = last !== undefined && last.startsWith('...');
  if (variadic) params[params.length - 1] = last.slice(3);
  let results = normalType(m[2]);
  if (results.startsWith('(')) results = results.slice(1, -1);
  const result = splitTopLevel(results)[0] ?? '';
  return { params, variadic, result: result === 'error' ? '' : result };
}

/** Declares a template function by its Go signature: `goFunc('func(s string) string', (s) => …)`. */
export function goFunc(signature: string, fn: TemplateFunc): FuncDef {
  const { params, variadic, result } = parseSignature(signature);
  return { fn, params, variadic, result };
}

/** A function's JavaScript result as the Go value of its declared result type. */
export function asResultType(v: GoValue, type: string): GoValue {
  if (type === '' || type === 'interface {}' || type === 'reflect.Value' || type === 'int' || type === 'float64' || type === 'string' || type === 'bool')
    return v;
  if (isSignedIntType(type) || isUnsignedIntType(type))
    return typeof v === 'bigint' ? new GoNum(type as never, v) : typeof v === 'number' ? new GoNum(type as never, BigInt(Math.trunc(v))) : v;
  if (type === 'float32') return typeof v === 'number' ? new GoNum('float32', Math.fround(v)) : v;
  const kind = kindOfType(type);
  if (kind === 'slice' && type !== '[]interface {}') return typed((v ?? nilCollection([])) as GoValue[], type);
  if (kind === 'slice') return v ?? nilCollection([]);
  if (kind === 'map' && type !== 'map[string]interface {}') return typed((v ?? nilCollection({})) as { [k: string]: GoValue }, type);
  if (kind === 'map') return v ?? nilCollection({});
  return v;
}
