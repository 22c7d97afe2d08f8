import { GoNum, GoObject, isMap, type GoValue } from './types.js';

/**
 * Go values from what the yaml package parses (with intAsBigInt): ints are bigint, floats
 * number, maps plain objects with string keys, as mark-devkit's yaml.v3 options map holds them.
 */
export function fromYamlValue(v: unknown): GoValue {
  if (v === undefined || v === null) return null;
  if (typeof v === 'bigint' || typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean') return v;
  if (v instanceof Date) return v;
  if (Array.isArray(v)) return v.map(fromYamlValue);
  if (v instanceof Map) return Object.fromEntries([...v.entries()].map(([k, x]) => [String(k), fromYamlValue(x)]));
  if (typeof v === 'object') return Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, fromYamlValue(x)]));
  return String(v);
}

/** The plain data the yaml package writes for a Go value (times as RFC 3339 strings, as JSON has them). */
export function toYamlValue(v: GoValue): unknown {
  if (v instanceof Date) return v.toISOString();
  if (v instanceof GoNum) return v.value;
  if (v instanceof GoObject) return v.format();
  if (Array.isArray(v)) return v.map(toYamlValue);
  if (isMap(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, toYamlValue(x)]));
  if (typeof v === 'function') return null;
  return v;
}

/** encoding/json's float64 format: shortest, exponent below 1e-6 and from 1e21, "e-07" style. */
function jsonFloat(f: number): string {
  if (!Number.isFinite(f)) throw new Error(`json: unsupported value: ${f}`);
  const abs = Math.abs(f);
  if (abs !== 0 && (abs < 1e-6 || abs >= 1e21)) return f.toExponential().replace(/e([+-])(\d)$/, 'e$10$2');
  return String(f);
}

const HTML_ESCAPES: Record<string, string> = { '<': '\\u003c', '>': '\\u003e', '&': '\\u0026', '\u2028': '\\u2028', '\u2029': '\\u2029' };

function jsonString(s: string, escapeHTML: boolean): string {
  const quoted = JSON.stringify(s);
  return escapeHTML ? quoted.replace(/[<>&\u2028\u2029]/g, (c) => HTML_ESCAPES[c]!) : quoted;
}

/** json.Marshal (Sprig's toJson, with HTML escaping) or MarshalIndent with two spaces (toPrettyJson). */
export function toJsonText(v: GoValue, pretty: boolean, escapeHTML = true, indent = ''): string {
  const inner = pretty ? `${indent}  ` : '';
  const nl = pretty ? '\n' : '';
  const colon = pretty ? ': ' : ':';
  if (v === null || v === undefined || typeof v === 'function') return 'null';
  if (typeof v === 'boolean') return String(v);
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'number') return jsonFloat(v);
  if (typeof v === 'string') return jsonString(v, escapeHTML);
  if (v instanceof Date) return jsonString(v.toISOString(), escapeHTML);
  if (v instanceof GoNum) return typeof v.value === 'bigint' ? v.value.toString() : jsonFloat(v.value);
  if (v instanceof GoObject) return jsonString(v.format(), escapeHTML);
  if (Array.isArray(v)) {
    if (v.length === 0) return '[]';
    return `[${nl}${v.map((x) => inner + toJsonText(x, pretty, escapeHTML, inner)).join(`,${nl}`)}${nl}${indent}]`;
  }
  const keys = Object.keys(v).sort();
  if (keys.length === 0) return '{}';
  return `{${nl}${keys.map((k) => `${inner}${jsonString(k, escapeHTML)}${colon}${toJsonText(v[k]!, pretty, escapeHTML, inner)}`).join(`,${nl}`)}${nl}${indent}}`;
}

/** Helm's --set typing: true/false, null, integers (int64), else the string. */
function typedSetValue(s: string): GoValue {
  if (s === 'true' || s === 'false') return s === 'true';
  if (s === 'null') return null;
  if (/^(0|-?[1-9]\d*)$/.test(s) && BigInt(s) >= -(2n ** 63n) && BigInt(s) < 2n ** 63n) return BigInt(s);
  return s;
}

/**
 * Applies one `--set` argument as Helm's strvals does: `a.b=c,d=e`, list items `a[0]=x`,
 * a backslash escaping `,`, `.` and `=`.
 */
export function applySet(values: { [key: string]: GoValue }, arg: string): void {
  for (const pair of splitUnescaped(arg, ',')) {
    const eq = indexUnescaped(pair, '=');
    if (eq < 0) throw new Error(`key "${unescape(pair)}" has no value`);
    const path = splitUnescaped(pair.slice(0, eq), '.').map(unescape);
    const value = typedSetValue(unescape(pair.slice(eq + 1)));
    let node: { [key: string]: GoValue } | GoValue[] = values;
    path.forEach((segment, i) => {
      const m = /^(.*?)\[(\d+)\]$/.exec(segment);
      const last = i === path.length - 1;
      if (m) {
        const key = m[1]!;
        const index = Number(m[2]);
        const obj = node as { [key: string]: GoValue };
        const arr = (Array.isArray(obj[key]) ? obj[key] : (obj[key] = [])) as GoValue[];
        while (arr.length <= index) arr.push(null);
        if (last) arr[index] = value;
        else node = (isMap(arr[index]!) ? arr[index] : (arr[index] = {})) as { [key: string]: GoValue };
        return;
      }
      const obj = node as { [key: string]: GoValue };
      if (last) obj[segment] = value;
      else node = (isMap(obj[segment]!) ? obj[segment] : (obj[segment] = {})) as { [key: string]: GoValue };
    });
  }
}

function indexUnescaped(s: string, c: string): number {
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '\\') i++;
    else if (s[i] === c) return i;
  }
  return -1;
}

function splitUnescaped(s: string, c: string): string[] {
  const out: string[] = [];
  let rest = s;
  for (let i = indexUnescaped(rest, c); i >= 0; i = indexUnescaped(rest, c)) {
    out.push(rest.slice(0, i));
    rest = rest.slice(i + 1);
  }
  out.push(rest);
  return out;
}

function unescape(s: string): string {
  return s.replace(/\\(.)/g, '$1');
}

/** Helm's values coalescing: maps merged key by key, anything else replaced. */
export function mergeValues(base: { [key: string]: GoValue }, over: { [key: string]: GoValue }): { [key: string]: GoValue } {
  const out = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const existing = out[k];
    out[k] = isMap(existing) && isMap(v) ? mergeValues(existing, v) : v;
  }
  return out;
}
