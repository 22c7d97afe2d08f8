import { createHash, randomUUID } from 'node:crypto';
import { stringify as yamlStringify, parse as yamlParse } from 'yaml';
import { formatGoDate, parseGoDate } from './date.js';
import { formatValue, goKind, goTypeName, quoteGo, type GoValue } from './format.js';
import { def, slice, type FuncDef } from './builtins.js';
import { EXEC_LIMITS, isMap } from './exec.js';
import { fromYamlValue, toJsonText, toYamlValue } from './values.js';

/** Sprig's strval: strings as they are, anything else as %v prints it. */
export function strval(v: GoValue): string {
  return typeof v === 'string' ? v : v === null || v === undefined ? '' : formatValue(v);
}

/** Sprig's toInt64 (spf13/cast): numbers truncated, numeric strings parsed, anything else 0. */
export function toInt64(v: GoValue): bigint {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number') return Number.isFinite(v) ? BigInt(Math.trunc(v)) : 0n;
  if (typeof v === 'boolean') return v ? 1n : 0n;
  if (typeof v === 'string') {
    const s = v.trim();
    if (/^[+-]?\d+$/.test(s)) return BigInt(s);
    if (/^[+-]?0[xX][0-9a-fA-F]+$/.test(s)) return BigInt(s.replace(/^([+-]?)0[xX]/, '$10x').replace(/^-0x/, '-0x'));
    const f = Number(s);
    return s !== '' && Number.isFinite(f) ? BigInt(Math.trunc(f)) : 0n;
  }
  return 0n;
}

export function toFloat64(v: GoValue): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'string') {
    const f = Number(v.trim());
    return v.trim() !== '' && Number.isFinite(f) ? f : 0;
  }
  return 0;
}

/** Sprig's empty: nil, false, 0, "" and empty lists and maps. */
export function empty(v: GoValue): boolean {
  if (v === null || v === undefined) return true;
  if (typeof v === 'boolean') return !v;
  if (typeof v === 'bigint') return v === 0n;
  if (typeof v === 'number') return v === 0;
  if (typeof v === 'string') return v.length === 0;
  if (Array.isArray(v)) return v.length === 0;
  if (isMap(v)) return Object.keys(v).length === 0;
  return false;
}

function list(v: GoValue, fn: string): GoValue[] {
  if (Array.isArray(v)) return v;
  throw new Error(`Cannot ${fn} on type ${goTypeName(v)}`);
}

function dict(v: GoValue, fn: string): { [key: string]: GoValue } {
  if (isMap(v)) return v;
  throw new Error(`${fn}: expected a dict, got ${goTypeName(v)}`);
}

function words(s: string): string[] {
  return s
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean);
}

function title(s: string): string {
  return s.replace(/(^|[^\p{L}\p{N}_'])(\p{L})/gu, (_, sep: string, c: string) => sep + c.toUpperCase());
}

function deepEqual(a: GoValue, b: GoValue): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => deepEqual(x, b[i]!));
  if (isMap(a) && isMap(b)) {
    const ka = Object.keys(a).sort();
    return deepEqual(ka, Object.keys(b).sort()) && ka.every((k) => deepEqual(a[k]!, b[k]!));
  }
  if (a instanceof Date && b instanceof Date) return a.getTime() === b.getTime();
  return false;
}

function deepCopy(v: GoValue): GoValue {
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

/** A time from what Sprig's date functions accept: a time, or Unix seconds. */
function toTime(v: GoValue): Date {
  if (v instanceof Date) return v;
  if (typeof v === 'bigint') return new Date(Number(v) * 1000);
  if (typeof v === 'number') return new Date(Math.trunc(v) * 1000);
  return new Date();
}

/** Go regexps (RE2) in JavaScript: the syntax templates use is shared; (?i) flags are moved. */
function regex(pattern: string, global = false): RegExp {
  let flags = global ? 'gu' : 'u';
  const m = /^\(\?([imsU]+)\)/.exec(pattern);
  if (m) {
    pattern = pattern.slice(m[0].length);
    flags += m[1]!.replace(/U/g, '');
  }
  try {
    return new RegExp(pattern, flags);
  } catch (err) {
    throw new Error(`error parsing regexp: ${(err as Error).message}`);
  }
}

/** Go's regexp Expand for ReplaceAllString: $1, ${1}, ${name}. */
function goReplacement(repl: string): string {
  return repl.replace(/\$\{(\w+)\}|\$(\w+)|\$\$/g, (all, braced: string | undefined, bare: string | undefined) => {
    if (all === '$$') return '$$';
    const name = braced ?? bare!;
    return /^\d+$/.test(name) ? `$${name}` : `$<${name}>`;
  });
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

function repeat(s: string, n: bigint): string {
  if (n > 0n && BigInt(s.length) * n > BigInt(EXEC_LIMITS.outputChars)) throw new Error(`the result would be larger than ${EXEC_LIMITS.outputChars >> 20} Mi characters`);
  return s.repeat(n > 0n ? Number(n) : 0);
}

function sortAlpha(v: GoValue): GoValue[] {
  const items = Array.isArray(v) ? v.map(strval) : [strval(v)];
  return items.sort();
}

/** The Sprig functions (github.com/Masterminds/sprig/v3) that templates of job files use, with Sprig's semantics. */
export function sprigFunctions(now: () => Date): Record<string, FuncDef> {
  const str = (f: (s: string) => GoValue) => def((s) => f(strval(s)), 1);
  return {
    // strings
    trim: str((s) => s.trim()),
    trimAll: def((cut, s) => strval(s).replace(new RegExp(`^[${escapeClass(strval(cut))}]+|[${escapeClass(strval(cut))}]+$`, 'gu'), ''), 2),
    trimPrefix: def((p, s) => (strval(s).startsWith(strval(p)) ? strval(s).slice(strval(p).length) : strval(s)), 2),
    trimSuffix: def((p, s) => (strval(p) && strval(s).endsWith(strval(p)) ? strval(s).slice(0, -strval(p).length) : strval(s)), 2),
    upper: str((s) => s.toUpperCase()),
    lower: str((s) => s.toLowerCase()),
    title: str(title),
    untitle: str((s) => s.replace(/(^|\s)(\p{L})/gu, (_, sep: string, c: string) => sep + c.toLowerCase())),
    repeat: def((n, s) => repeat(strval(s), toInt64(n)), 2),
    substr: def((start, end, s) => {
      const text = strval(s);
      const a = Number(toInt64(start));
      const b = Number(toInt64(end));
      if (a < 0) return text.slice(0, b < 0 ? undefined : b);
      if (b < 0 || b > text.length) return text.slice(a);
      return a > b ? '' : text.slice(a, b);
    }, 3),
    nospace: str((s) => s.replace(/\s/g, '')),
    trunc: def((n, s) => {
      const c = Number(toInt64(n));
      const text = strval(s);
      if (c < 0 && text.length + c > 0) return text.slice(text.length + c);
      if (c >= 0 && text.length > c) return text.slice(0, c);
      return text;
    }, 2),
    abbrev: def((width, s) => {
      const w = Number(toInt64(width));
      const text = strval(s);
      return w < 4 || text.length <= w ? text : `${text.slice(0, w - 3)}...`;
    }, 2),
    initials: str((s) => s.split(/\s+/).filter(Boolean).map((w) => [...w][0]).join('')),
    contains: def((sub, s) => strval(s).includes(strval(sub)), 2),
    hasPrefix: def((p, s) => strval(s).startsWith(strval(p)), 2),
    hasSuffix: def((p, s) => strval(s).endsWith(strval(p)), 2),
    quote: def((...a) => a.filter((x) => x !== null && x !== undefined).map((x) => quoteGo(strval(x))).join(' '), 0, Infinity),
    squote: def((...a) => a.filter((x) => x !== null && x !== undefined).map((x) => `'${strval(x)}'`).join(' '), 0, Infinity),
    cat: def((...a) => a.filter((x) => x !== null && x !== undefined).map(strval).join(' '), 0, Infinity),
    indent: def((n, s) => {
      const pad = ' '.repeat(Number(toInt64(n)));
      return pad + strval(s).replace(/\n/g, `\n${pad}`);
    }, 2),
    nindent: def((n, s) => {
      const pad = ' '.repeat(Number(toInt64(n)));
      return `\n${pad}${strval(s).replace(/\n/g, `\n${pad}`)}`;
    }, 2),
    replace: def((old, repl, s) => strval(s).split(strval(old)).join(strval(repl)), 3),
    plural: def((one, many, n) => (toInt64(n) === 1n ? strval(one) : strval(many)), 3),
    snakecase: str((s) => words(s).map((w) => w.toLowerCase()).join('_')),
    camelcase: str((s) => s.split('_').filter(Boolean).map((w) => w[0]!.toUpperCase() + w.slice(1)).join('')),
    kebabcase: str((s) => words(s).map((w) => w.toLowerCase()).join('-')),
    swapcase: str((s) => [...s].map((c) => (c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase())).join('')),
    wrap: def((n, s) => wrapText(strval(s), Number(toInt64(n))), 2),
    split: def((sep, s) => Object.fromEntries(strval(s).split(strval(sep)).map((p, i) => [`_${i}`, p])), 2),
    splitList: def((sep, s) => strval(s).split(strval(sep)), 2),
    splitn: def((sep, n, s) => {
      const parts = splitN(strval(s), strval(sep), Number(toInt64(n)));
      return Object.fromEntries(parts.map((p, i) => [`_${i}`, p]));
    }, 3),
    join: def((sep, v) => (Array.isArray(v) ? v.map(strval) : v === null || v === undefined ? [] : [strval(v)]).join(strval(sep)), 2),
    toString: def(strval, 1),
    toStrings: def((v) => (Array.isArray(v) ? v.map(strval) : [strval(v)]), 1),
    toJson: def((v) => toJsonText(v, false), 1),
    toPrettyJson: def((v) => toJsonText(v, true), 1),
    toRawJson: def((v) => toJsonText(v, false, false), 1),
    fromJson: def((s) => {
      try {
        return fromYamlValue(JSON.parse(strval(s)) as unknown);
      } catch (err) {
        return { Error: (err as Error).message };
      }
    }, 1),
    // conversion
    atoi: def((s) => (/^[+-]?\d+$/.test(strval(s).trim()) ? BigInt(strval(s).trim()) : 0n), 1),
    int: def(toInt64, 1),
    int64: def(toInt64, 1),
    float64: def(toFloat64, 1),
    toDecimal: def((s) => (/^[0-7]+$/.test(strval(s)) ? BigInt(`0o${strval(s)}`) : 0n), 1),
    // defaults and flow
    default: def((d, ...given) => (given.length === 0 || empty(given[0]!) ? d : given[0]!), 1, 2),
    empty: def((v) => empty(v), 1),
    coalesce: def((...a) => a.find((x) => !empty(x)) ?? null, 0, Infinity),
    all: def((...a) => a.every((x) => !empty(x)), 0, Infinity),
    any: def((...a) => a.some((x) => !empty(x)), 0, Infinity),
    ternary: def((yes, no, cond) => (cond === true ? yes : no), 3),
    fail: def((msg) => {
      throw new Error(strval(msg));
    }, 1),
    // lists
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
    sortAlpha: def(sortAlpha, 1),
    until: def((n) => until(toInt64(n)), 1),
    untilStep: def((a, b, c) => untilStep(toInt64(a), toInt64(b), toInt64(c)), 3),
    seq: def((...a) => seq(a.map(toInt64)).join(' '), 0, 3),
    // dicts
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
    // dates
    now: def(() => now(), 0),
    date: def((fmt, t) => formatGoDate(strval(fmt), toTime(t), 'Local'), 2),
    dateInZone: def((fmt, t, zone) => formatGoDate(strval(fmt), toTime(t), strval(zone)), 3),
    htmlDate: def((t) => formatGoDate('2006-01-02', toTime(t), 'Local'), 1),
    htmlDateInZone: def((t, zone) => formatGoDate('2006-01-02', toTime(t), strval(zone)), 2),
    unixEpoch: def((t) => String(Math.floor(toTime(t).getTime() / 1000)), 1),
    toDate: def((layout, s) => parseGoDate(strval(layout), strval(s), 'Local'), 2),
    dateModify: def((d, t) => new Date(toTime(t).getTime() + parseGoDuration(strval(d))), 2),
    duration: def((secs) => formatGoDuration(Number(toInt64(secs)) * 1000), 1),
    // regular expressions
    regexMatch: def((re, s) => regex(strval(re)).test(strval(s)), 2),
    regexFind: def((re, s) => regex(strval(re)).exec(strval(s))?.[0] ?? '', 2),
    regexFindAll: def((re, s, n) => {
      const all = [...strval(s).matchAll(regex(strval(re), true))].map((m) => m[0]);
      const limit = Number(toInt64(n));
      return limit < 0 ? all : all.slice(0, limit);
    }, 3),
    regexReplaceAll: def((re, s, repl) => strval(s).replace(regex(strval(re), true), goReplacement(strval(repl))), 3),
    regexReplaceAllLiteral: def((re, s, repl) => strval(s).replace(regex(strval(re), true), () => strval(repl)), 3),
    regexSplit: def((re, s, n) => splitRegex(strval(s), regex(strval(re), true), Number(toInt64(n))), 3),
    regexQuoteMeta: str((s) => s.replace(/[\\.+*?()|[\]{}^$]/g, '\\$&')),
    // encodings and hashes
    b64enc: str((s) => Buffer.from(s).toString('base64')),
    b64dec: str((s) => {
      const bytes = Buffer.from(s, 'base64');
      return bytes.toString('base64').replace(/=+$/, '') === s.replace(/=+$/, '') ? bytes.toString() : `illegal base64 data at input byte ${firstBadBase64(s)}`;
    }),
    sha256sum: str((s) => createHash('sha256').update(s).digest('hex')),
    sha1sum: str((s) => createHash('sha1').update(s).digest('hex')),
    adler32sum: str((s) => String(adler32(Buffer.from(s)))),
    uuidv4: def(() => randomUUID(), 0),
    // math (Sprig converts to int64 first)
    add: def((...a) => a.reduce<bigint>((sum, x) => sum + toInt64(x), 0n), 0, Infinity),
    add1: def((a) => toInt64(a) + 1n, 1),
    sub: def((a, b) => toInt64(a) - toInt64(b), 2),
    mul: def((...a) => a.reduce<bigint>((p, x) => p * toInt64(x), 1n), 1, Infinity),
    div: def((a, b) => {
      if (toInt64(b) === 0n) throw new Error('runtime error: integer divide by zero');
      return toInt64(a) / toInt64(b);
    }, 2),
    mod: def((a, b) => {
      if (toInt64(b) === 0n) throw new Error('runtime error: integer divide by zero');
      return toInt64(a) % toInt64(b);
    }, 2),
    max: def((a, ...r) => r.reduce<bigint>((m, x) => (toInt64(x) > m ? toInt64(x) : m), toInt64(a)), 1, Infinity),
    min: def((a, ...r) => r.reduce<bigint>((m, x) => (toInt64(x) < m ? toInt64(x) : m), toInt64(a)), 1, Infinity),
    addf: def((...a) => a.reduce<number>((s, x) => s + toFloat64(x), 0), 0, Infinity),
    subf: def((a, ...r) => r.reduce<number>((s, x) => s - toFloat64(x), toFloat64(a)), 1, Infinity),
    mulf: def((a, ...r) => r.reduce<number>((s, x) => s * toFloat64(x), toFloat64(a)), 1, Infinity),
    divf: def((a, ...r) => r.reduce<number>((s, x) => s / toFloat64(x), toFloat64(a)), 1, Infinity),
    floor: def((a) => Math.floor(toFloat64(a)), 1),
    ceil: def((a) => Math.ceil(toFloat64(a)), 1),
    round: def((a, p) => {
      const m = 10 ** Number(toInt64(p));
      return Math.round(toFloat64(a) * m) / m;
    }, 2),
    // environment, types, YAML (the YAML ones are Helm's)
    env: str((s) => process.env[s] ?? ''),
    expandenv: str((s) => s.replace(/\$\{(\w+)\}|\$(\w+)/g, (_, a: string | undefined, b: string | undefined) => process.env[a ?? b!] ?? '')),
    typeOf: def((v) => goTypeName(v), 1),
    kindOf: def((v) => goKind(v), 1),
    kindIs: def((k, v) => strval(k) === goKind(v), 2),
    typeIs: def((t, v) => strval(t) === goTypeName(v), 2),
    deepEqual: def((a, b) => deepEqual(a, b), 2),
    toYaml: def((v) => yamlStringify(toYamlValue(v), YAML_OUT).replace(/\n$/, ''), 1),
    fromYaml: def((s) => {
      try {
        return fromYamlValue(yamlParse(strval(s), { intAsBigInt: true }) as unknown) ?? {};
      } catch (err) {
        return { Error: (err as Error).message };
      }
    }, 1),
    fromYamlArray: def((s) => {
      const v = fromYamlValue(yamlParse(strval(s), { intAsBigInt: true }) as unknown);
      return Array.isArray(v) ? v : [];
    }, 1),
  };
}

/** How Helm's toYaml writes (sigs.k8s.io/yaml over yaml.v2): sorted keys, unindented lists, no folding. */
const YAML_OUT = { sortMapEntries: true, indentSeq: false, lineWidth: 0, minContentWidth: 0 } as const;

function escapeClass(s: string): string {
  return s.replace(/[\\\]^-]/g, '\\$&');
}

function splitN(s: string, sep: string, n: number): string[] {
  if (n === 0) return [];
  const parts = s.split(sep);
  if (n < 0 || parts.length <= n) return parts;
  return [...parts.slice(0, n - 1), parts.slice(n - 1).join(sep)];
}

function splitRegex(s: string, re: RegExp, n: number): string[] {
  if (n === 0) return [];
  const out: string[] = [];
  let last = 0;
  for (const m of s.matchAll(re)) {
    if (n > 0 && out.length === n - 1) break;
    if (m[0] === '' && m.index === 0) continue;
    out.push(s.slice(last, m.index));
    last = m.index! + m[0].length;
  }
  out.push(s.slice(last));
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

function wrapText(s: string, width: number): string {
  const out: string[] = [];
  for (const line of s.split('\n')) {
    let current = '';
    for (const word of line.split(' ')) {
      if (current && current.length + 1 + word.length > width) {
        out.push(current);
        current = word;
      } else current = current ? `${current} ${word}` : word;
    }
    out.push(current);
  }
  return out.join('\n');
}

function firstBadBase64(s: string): number {
  const i = s.search(/[^A-Za-z0-9+/=]/);
  return i < 0 ? s.length : i;
}

function adler32(bytes: Buffer): number {
  let a = 1;
  let b = 0;
  for (const byte of bytes) {
    a = (a + byte) % 65521;
    b = (b + a) % 65521;
  }
  return ((b << 16) | a) >>> 0;
}

const DURATION_UNITS: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** time.ParseDuration, in milliseconds. */
function parseGoDuration(s: string): number {
  const m = /^([+-])?((\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+)$/.exec(s);
  if (!m) throw new Error(`time: invalid duration "${s}"`);
  let total = 0;
  for (const part of m[2]!.matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g)) total += Number(part[1]) * DURATION_UNITS[part[2]!]!;
  return m[1] === '-' ? -total : total;
}

/** time.Duration's String, from milliseconds (whole seconds here). */
function formatGoDuration(ms: number): string {
  if (ms === 0) return '0s';
  const sign = ms < 0 ? '-' : '';
  let s = Math.abs(ms) / 1000;
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  return `${sign}${h ? `${h}h` : ''}${h || m ? `${m}m` : ''}${s}s`;
}
