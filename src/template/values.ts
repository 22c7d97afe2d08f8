import { timeJSON } from './date.js';
import { quoteGo } from './format.js';
import { GoNum, GoObject, goTypeName, intValue, isMap, type GoValue } from './types.js';

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
  // eslint-disable-next-line @typescript-eslint/no-base-to-string -- no object is left here: a symbol or function the yaml package never makes
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

/** strconv.FormatFloat(f, 'g', -1, 64) of a non-finite float: "+Inf", "-Inf", "NaN". */
function goSpecialFloat(f: number): string {
  return Number.isNaN(f) ? 'NaN' : f > 0 ? '+Inf' : '-Inf';
}

/** encoding/json's float64 format: shortest digits, 'e' form below 1e-6 and from 1e21 ("1e-7", "1e+21"). */
export function jsonFloat(f: number): string {
  if (!Number.isFinite(f)) throw new Error(`json: unsupported value: ${goSpecialFloat(f)}`);
  if (f === 0) return Object.is(f, -0) ? '-0' : '0';
  const abs = Math.abs(f);
  // JavaScript's shortest digits are Go's; its exponent needs no cleaning ("e-7", "e+21").
  if (abs < 1e-6 || abs >= 1e21) return f.toExponential();
  return String(f);
}

/** encoding/json's float32 format (float32 shortest digits, thresholds taken on the float32). */
function jsonFloat32(f: number): string {
  if (!Number.isFinite(f)) throw new Error(`json: unsupported value: ${goSpecialFloat(f)}`);
  if (f === 0) return Object.is(f, -0) ? '-0' : '0';
  let digits = String(f);
  for (let p = 1; p <= 9; p++) {
    const s = f.toPrecision(p);
    if (Math.fround(Number(s)) === f) {
      digits = String(Number(s));
      break;
    }
  }
  const abs = Math.abs(f);
  if (abs < 1e-6 || abs >= 1e21) return Number(digits).toExponential();
  return digits;
}

const HEX = '0123456789abcdef';

/**
 * encoding/json's string encoding (Go 1.19): `"` and `\` escaped, \n \r \t, other control
 * characters as \u00XX (\b and \f too), U+2028 and U+2029 as \u2028/\u2029, and with
 * escapeHTML `<`, `>` and `&` as \u003c, \u003e, \u0026.
 */
export function jsonString(s: string, escapeHTML: boolean): string {
  let out = '"';
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    let esc: string | undefined;
    if (c < 0x20) {
      esc = c === 0x0a ? '\\n' : c === 0x0d ? '\\r' : c === 0x09 ? '\\t' : `\\u00${HEX[c >> 4]}${HEX[c & 15]}`;
    } else if (c === 0x22) esc = '\\"';
    else if (c === 0x5c) esc = '\\\\';
    else if (escapeHTML && (c === 0x3c || c === 0x3e || c === 0x26)) esc = `\\u00${HEX[c >> 4]}${HEX[c & 15]}`;
    else if (c === 0x2028 || c === 0x2029) esc = `\\u202${HEX[c & 15]}`;
    else if (c >= 0xd800 && c <= 0xdfff) {
      // A lone surrogate is a byte that is not UTF-8 (bytes.ts): Go writes the escape \ufffd for it.
      const pair = c <= 0xdbff && i + 1 < s.length && s.charCodeAt(i + 1) >= 0xdc00 && s.charCodeAt(i + 1) <= 0xdfff;
      if (pair) {
        i++;
        continue;
      }
      esc = '\\ufffd';
    }
    if (esc !== undefined) {
      out += s.slice(start, i) + esc;
      start = i + 1;
    }
  }
  return `${out}${s.slice(start)}"`;
}

/** Go's string order (bytes of UTF-8 = code points), for map keys. */
export function goStringCompare(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    // Surrogates (astral code points) sort after everything in the BMP, as their UTF-8 does.
    const xs = x >= 0xd800 && x <= 0xdfff;
    const ys = y >= 0xd800 && y <= 0xdfff;
    if (xs !== ys) return xs ? 1 : -1;
    return x - y;
  }
  return a.length - b.length;
}

export function sortedKeys(m: object): string[] {
  return Object.keys(m).sort(goStringCompare);
}

/** What encoding/json makes of a Go struct or pointer: its jsonValue() (MarshalJSON, or its exported fields), when it says. */
export function goObjectJson(v: GoObject): GoValue | undefined {
  const f = (v as { jsonValue?: () => GoValue }).jsonValue;
  return typeof f === 'function' ? f.call(v) : undefined;
}

function marshal(v: GoValue, escapeHTML: boolean, indent: string | undefined, prefix: string): string {
  if (v === null || v === undefined) return 'null';
  switch (typeof v) {
    case 'boolean':
      return String(v);
    case 'bigint':
      return v.toString();
    case 'number':
      return jsonFloat(v);
    case 'string':
      return jsonString(v, escapeHTML);
    case 'function':
      throw new Error('json: unsupported type: func()');
  }
  if (v instanceof Date) return jsonString(timeJSON(v), escapeHTML);
  if (v instanceof GoNum) return typeof v.value === 'bigint' ? v.value.toString() : v.type === 'float32' ? jsonFloat32(v.value) : jsonFloat(v.value);
  if (v instanceof GoObject) {
    const json = goObjectJson(v);
    return json === undefined ? jsonString(v.format(), escapeHTML) : marshal(json, escapeHTML, indent, prefix);
  }
  const inner = indent === undefined ? '' : prefix + indent;
  const nl = indent === undefined ? '' : '\n';
  if (Array.isArray(v)) {
    if (goTypeName(v) === '[]uint8') return jsonString(Buffer.from(v.map((b) => Number(intValue(b) ?? 0n))).toString('base64'), escapeHTML);
    if (v.length === 0) return '[]';
    let out = '[';
    for (let i = 0; i < v.length; i++) out += `${i ? ',' : ''}${nl}${inner}${marshal(v[i], escapeHTML, indent, inner)}`;
    return `${out}${nl}${indent === undefined ? '' : prefix}]`;
  }
  const keys = sortedKeys(v);
  if (keys.length === 0) return '{}';
  const colon = indent === undefined ? ':' : ': ';
  let out = '{';
  keys.forEach((k, i) => {
    out += `${i ? ',' : ''}${nl}${inner}${jsonString(k, escapeHTML)}${colon}${marshal(v[k], escapeHTML, indent, inner)}`;
  });
  return `${out}${nl}${indent === undefined ? '' : prefix}}`;
}

/**
 * json.Marshal (escapeHTML, no indent), json.MarshalIndent(v, "", "  ") (pretty) or an
 * Encoder with SetEscapeHTML(false) (Sprig's toRawJson). Throws Go's error ("json:
 * unsupported value: +Inf") where Go's returns one.
 */
export function marshalJson(v: GoValue, opts: { pretty?: boolean; escapeHTML?: boolean } = {}): string {
  return marshal(v, opts.escapeHTML ?? true, opts.pretty ? '  ' : undefined, '');
}

/** json.Marshal (Sprig's toJson, with HTML escaping) or MarshalIndent with two spaces (toPrettyJson). */
export function toJsonText(v: GoValue, pretty: boolean, escapeHTML = true): string {
  return marshalJson(v, { pretty, escapeHTML });
}

// ---------------------------------------------------------------------------------------------
// json.Unmarshal: Go's scanner (checkValid first, so syntax errors come before type errors),
// then the decoding into the target: numbers become float64.

class JsonSyntaxError extends Error {}

/** encoding/json's quoteChar: 'x', '\'' and '"' as Go's scanner errors print them. */
function quoteChar(c: string): string {
  if (c === "'") return `'\\''`;
  if (c === '"') return `'"'`;
  const q = quoteGo(c);
  return `'${q.slice(1, -1)}'`;
}

/** encoding/json's maxNestingDepth. */
const JSON_MAX_DEPTH = 10000;

type JsonKind = 'null' | 'bool' | 'number' | 'string' | 'array' | 'object';

interface JsonFrame {
  arr?: GoValue[];
  obj?: { [k: string]: GoValue };
  key?: string;
}

/**
 * Go's JSON scanner and decoder in one pass, without recursion (Go allows 10000 levels, more
 * than Node's stack would): syntax errors in Go's words, numbers through `num`.
 */
class JsonScanner {
  private i = 0;
  constructor(private readonly s: string) {}

  private fail(context: string): never {
    if (this.i >= this.s.length) throw new JsonSyntaxError('unexpected end of JSON input');
    const cp = this.s.codePointAt(this.i)!;
    throw new JsonSyntaxError(`invalid character ${quoteChar(String.fromCodePoint(cp))} ${context}`);
  }

  private ws(): void {
    const s = this.s;
    while (this.i < s.length) {
      const c = s.charCodeAt(this.i);
      if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) this.i++;
      else break;
    }
  }

  /** The whole text as one value; its JSON kind tells what a typed target would refuse. */
  parseTop(num: (text: string) => GoValue): { value: GoValue; kind: JsonKind } {
    const s = this.s;
    const stack: JsonFrame[] = [];
    let kind: JsonKind = 'null';
    let value: GoValue = null;
    for (;;) {
      // A value starts here.
      this.ws();
      const c = s[this.i];
      let done = true;
      if (c === '{' || c === '[') {
        if (stack.length + 1 > JSON_MAX_DEPTH) this.fail('exceeded max depth');
        this.i++;
        this.ws();
        if (c === '[') {
          if (s[this.i] === ']') {
            this.i++;
            value = [];
          } else {
            stack.push({ arr: [] });
            done = false;
          }
        } else if (s[this.i] === '}') {
          this.i++;
          value = {};
        } else {
          stack.push({ obj: {}, key: this.key() });
          done = false;
        }
        if (done) kind = c === '[' ? 'array' : 'object';
      } else if (c === '"') {
        value = this.string();
        kind = 'string';
      } else if (c === 't') {
        this.literal('true');
        value = true;
        kind = 'bool';
      } else if (c === 'f') {
        this.literal('false');
        value = false;
        kind = 'bool';
      } else if (c === 'n') {
        this.literal('null');
        value = null;
        kind = 'null';
      } else if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) {
        value = num(this.number());
        kind = 'number';
      } else {
        this.fail('looking for beginning of value');
      }
      if (!done) continue;
      // A value ended: it goes into its container, which may end too.
      for (;;) {
        const top = stack[stack.length - 1];
        if (!top) {
          this.ws();
          if (this.i < s.length) this.fail('after top-level value');
          return { value, kind };
        }
        if (top.arr) {
          top.arr.push(value);
          this.ws();
          if (s[this.i] === ',') {
            this.i++;
            break;
          }
          if (s[this.i] !== ']') this.fail('after array element');
          this.i++;
          stack.pop();
          value = top.arr;
          kind = 'array';
          continue;
        }
        top.obj![top.key!] = value;
        this.ws();
        if (s[this.i] === ',') {
          this.i++;
          this.ws();
          top.key = this.key();
          break;
        }
        if (s[this.i] !== '}') this.fail('after object key:value pair');
        this.i++;
        stack.pop();
        value = top.obj!;
        kind = 'object';
      }
    }
  }

  /** An object key and its colon. */
  private key(): string {
    this.ws();
    if (this.s[this.i] !== '"') this.fail('looking for beginning of object key string');
    const key = this.string();
    this.ws();
    if (this.s[this.i] !== ':') this.fail('after object key');
    this.i++;
    return key;
  }

  private literal(word: string): void {
    for (let k = 1; k < word.length; k++) {
      this.i++;
      if (this.s[this.i] !== word[k]) this.fail(`in literal ${word} (expecting ${quoteChar(word[k])})`);
    }
    this.i++;
  }

  private number(): string {
    const s = this.s;
    const start = this.i;
    const digit = () => this.i < s.length && s[this.i] >= '0' && s[this.i] <= '9';
    if (s[this.i] === '-') {
      this.i++;
      if (!digit()) this.fail('in numeric literal');
    }
    if (s[this.i] === '0') this.i++;
    else while (digit()) this.i++;
    if (s[this.i] === '.') {
      this.i++;
      if (!digit()) this.fail('after decimal point in numeric literal');
      while (digit()) this.i++;
    }
    if (s[this.i] === 'e' || s[this.i] === 'E') {
      this.i++;
      if (s[this.i] === '+' || s[this.i] === '-') this.i++;
      if (!digit()) this.fail('in exponent of numeric literal');
      while (digit()) this.i++;
    }
    return s.slice(start, this.i);
  }

  private string(): string {
    const s = this.s;
    this.i++;
    let out = '';
    let start = this.i;
    for (;;) {
      if (this.i >= s.length) this.fail('');
      const c = s.charCodeAt(this.i);
      if (c === 0x22) {
        out += s.slice(start, this.i);
        this.i++;
        return LONE_SURROGATE.test(out) ? out.replace(LONE_SURROGATE_G, '\ufffd') : out;
      }
      if (c < 0x20) this.fail('in string literal');
      if (c !== 0x5c) {
        this.i++;
        continue;
      }
      out += s.slice(start, this.i);
      this.i++;
      const e = s[this.i];
      const simple = e === undefined ? undefined : JSON_ESCAPES[e];
      if (simple !== undefined) {
        out += simple;
        this.i++;
      } else if (e === 'u') {
        this.i++;
        let r = this.hex4();
        if (r >= 0xd800 && r <= 0xdbff) {
          // A pair makes one code point; a lone half is U+FFFD, as Go's unquote does.
          if (s[this.i] === '\\' && s[this.i + 1] === 'u') {
            const save = this.i;
            this.i += 2;
            const lo = this.hex4();
            if (lo >= 0xdc00 && lo <= 0xdfff) {
              out += String.fromCharCode(r, lo);
              start = this.i;
              continue;
            }
            this.i = save;
          }
          r = 0xfffd;
        } else if (r >= 0xdc00 && r <= 0xdfff) {
          r = 0xfffd;
        }
        out += String.fromCharCode(r);
      } else {
        this.fail('in string escape code');
      }
      start = this.i;
    }
  }

  private hex4(): number {
    let r = 0;
    for (let k = 0; k < 4; k++) {
      const c = this.s[this.i];
      if (c === undefined || !/[0-9a-fA-F]/.test(c)) this.fail('in \\u hexadecimal character escape');
      r = r * 16 + parseInt(c, 16);
      this.i++;
    }
    return r;
  }
}

/** A byte that is not UTF-8, as bytes.ts keeps it in a string (or any unpaired surrogate). */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const LONE_SURROGATE_G = new RegExp(LONE_SURROGATE.source, 'g');

const JSON_ESCAPES: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };

/**
 * json.Unmarshal of `text` into a Go `interface {}`, `map[string]interface {}` or
 * `[]interface {}`: numbers are float64. Returns the value and Go's error, if any (a number
 * out of float64's range leaves a nil and the rest decoded, as Go's decoder does).
 */
export function unmarshalJson(text: string, target: 'any' | 'map' | 'slice'): { value: GoValue; error?: string } {
  let error: string | undefined;
  const num = (s: string): GoValue => {
    const f = Number(s);
    if (Number.isFinite(f)) return f;
    error ??= `json: cannot unmarshal number ${s} into Go value of type float64`;
    return null;
  };
  let parsed: { value: GoValue; kind: JsonKind };
  try {
    parsed = new JsonScanner(text).parseTop(num);
  } catch (err) {
    if (err instanceof JsonSyntaxError) return { value: target === 'map' ? {} : target === 'slice' ? [] : null, error: err.message };
    throw err;
  }
  if (target === 'any') return { value: parsed.value, error };
  const want = target === 'map' ? 'object' : 'array';
  if (parsed.kind === 'null') return { value: target === 'map' ? {} : [], error };
  if (parsed.kind !== want)
    return {
      value: target === 'map' ? {} : [],
      error: `json: cannot unmarshal ${parsed.kind} into Go value of type ${target === 'map' ? 'map[string]interface {}' : '[]interface {}'}`,
    };
  return { value: parsed.value, error };
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
        const key = m[1];
        const index = Number(m[2]);
        const obj = node as { [key: string]: GoValue };
        const arr = (Array.isArray(obj[key]) ? obj[key] : (obj[key] = [])) as GoValue[];
        while (arr.length <= index) arr.push(null);
        if (last) arr[index] = value;
        else node = isMap(arr[index]) ? arr[index] : (arr[index] = {});
        return;
      }
      const obj = node as { [key: string]: GoValue };
      if (last) obj[segment] = value;
      else node = isMap(obj[segment]) ? obj[segment] : (obj[segment] = {});
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

/**
 * JSON text as Go values the way the golden generator decodes values (json.Number: an integer
 * literal in int64's range is an int, any other number a float64); objects become maps.
 */
export function goValuesFromJson(text: string): GoValue {
  return new JsonScanner(text).parseTop((n) => {
    if (/^-?\d+$/.test(n)) {
      const i = BigInt(n);
      if (i >= -(2n ** 63n) && i < 2n ** 63n) return i;
    }
    return Number(n);
  }).value;
}
