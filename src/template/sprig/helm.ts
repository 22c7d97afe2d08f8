import { isAlias, isMap as isYamlMap, isScalar, isSeq, parseAllDocuments, type Document, type Node as YamlNode } from 'yaml';
import { formatTime } from '../date.js';
import { formatValue } from '../format.js';
import { goFunc, type FuncDef } from '../gofunc.js';
import { GoNum, GoObject, goTypeName, intValue, isMap, type GoValue } from '../types.js';
import { goObjectJson, goStringCompare, jsonString, marshalJson, unmarshalJson } from '../values.js';

/*
 * Helm's JSON, YAML and TOML functions (helm.sh/helm/v3 pkg/engine/funcs.go) and Sprig's JSON
 * ones. toYaml is sigs.k8s.io/yaml: json.Marshal, then the JSON read by gopkg.in/yaml.v2 and
 * written by its emitter (ported below: keys sorted yaml.v2's way, its quoting rules, lines
 * folded at 80 columns). fromYaml reads YAML with yaml.v2's YAML 1.1 resolution, goes through
 * JSON and lands in a map[string]interface {}: every number is a float64. toToml is
 * BurntSushi/toml 1.2's encoder. include, tpl, required and lookup live in engine.ts, which
 * knows the templates.
 */

// ---------------------------------------------------------------------------------------------
// yaml.v2's scalar resolution (resolve.go)

type YamlTag = 'str' | 'bool' | 'int' | 'float' | 'null' | 'timestamp' | 'merge';

const RESOLVE_MAP = new Map<string, [YamlTag, GoValue]>();
for (const s of ['y', 'Y', 'yes', 'Yes', 'YES', 'true', 'True', 'TRUE', 'on', 'On', 'ON']) RESOLVE_MAP.set(s, ['bool', true]);
for (const s of ['n', 'N', 'no', 'No', 'NO', 'false', 'False', 'FALSE', 'off', 'Off', 'OFF']) RESOLVE_MAP.set(s, ['bool', false]);
for (const s of ['', '~', 'null', 'Null', 'NULL']) RESOLVE_MAP.set(s, ['null', null]);
for (const s of ['.nan', '.NaN', '.NAN']) RESOLVE_MAP.set(s, ['float', NaN]);
for (const s of ['.inf', '.Inf', '.INF', '+.inf', '+.Inf', '+.INF']) RESOLVE_MAP.set(s, ['float', Infinity]);
for (const s of ['-.inf', '-.Inf', '-.INF']) RESOLVE_MAP.set(s, ['float', -Infinity]);
RESOLVE_MAP.set('<<', ['merge', '<<']);

const YAML_STYLE_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const UINT64_MAX = 2n ** 64n - 1n;

/** A resolved integer: int (bigint in int64's range) or uint64 (a GoNum). */
type YamlInt = bigint | GoNum;

/** strconv.ParseInt(s, 0, 64) then ParseUint(s, 0, 64); undefined when neither takes it. */
function parseGoInt(s: string): YamlInt | undefined {
  const m = /^([+-]?)(0[xX][0-9a-fA-F]+|0[bB][01]+|0[oO][0-7]+|0[0-7]*|[1-9][0-9]*)$/.exec(s);
  if (!m) return undefined;
  const body = m[2];
  let n: bigint;
  if (/^0[oO]/.test(body)) n = BigInt(`0o${body.slice(2)}`);
  else if (/^0[0-7]+$/.test(body)) n = BigInt(`0o${body.slice(1)}`);
  else n = BigInt(body);
  if (m[1] === '-') n = -n;
  if (n >= INT64_MIN && n <= INT64_MAX) return n;
  if (m[1] === '' && n <= UINT64_MAX) return new GoNum('uint64', n);
  return undefined;
}

const MONTH_DAYS = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** yaml.v2's parseTimestamp: the layouts it tries, for deciding a string would read as a time. */
function isTimestamp(s: string): boolean {
  const m = /^(\d{4})-(\d{1,2})-(\d{1,2})(?:([Tt ])(\d{1,2}):(\d{1,2}):(\d{1,2})(\.\d+)?(Z|[+-]\d{2}:\d{2})?)?$/.exec(s);
  if (!m) return false;
  const month = Number(m[2]);
  const day = Number(m[3]);
  if (month < 1 || month > 12 || day < 1 || day > MONTH_DAYS[month - 1]) return false;
  if (month === 2 && day === 29) {
    const y = Number(m[1]);
    if (!(y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0))) return false;
  }
  if (m[4] === undefined) return true;
  if (Number(m[5]) > 23 || Number(m[6]) > 59 || Number(m[7]) > 59) return false;
  // "2006-1-2 15:4:5" has no zone; the T forms require one.
  return m[4] === ' ' ? m[9] === undefined : m[9] !== undefined;
}

/** yaml.v2's resolve("", s): the tag a plain scalar gets, and its value. */
function resolvePlain(s: string): [YamlTag, GoValue] {
  // Only strings starting with a sign, a digit, one of yYnNtTfFoO~ or a dot (or empty) can be anything but a string.
  const c = s[0];
  if (c !== undefined && !'+-0123456789yYnNtTfFoO~.'.includes(c)) return ['str', s];
  const known = RESOLVE_MAP.get(s);
  if (known) return known;
  if (c === undefined) return ['str', s];
  if (c === '.') {
    if (/^\.[0-9]+([eE][-+]?[0-9]+)?$/.test(s)) {
      const f = Number(s);
      if (Number.isFinite(f)) return ['float', f];
    }
    return ['str', s];
  }
  if (c === '+' || c === '-' || (c >= '0' && c <= '9')) {
    if (isTimestamp(s)) return ['timestamp', s];
    const plain = s.replaceAll('_', '');
    const i = parseGoInt(plain);
    if (i !== undefined) return ['int', i];
    if (YAML_STYLE_FLOAT.test(plain)) {
      const f = Number(plain);
      if (Number.isFinite(f)) return ['float', f];
    }
  }
  return ['str', s];
}

const BASE60_FLOAT = /^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$/;

/** yaml.v2's stringv: whether the string may be written plain (it would read back as this string). */
function canUsePlain(s: string): boolean {
  if (s === '') return false;
  if (resolvePlain(s)[0] !== 'str') return false;
  const c = s[0];
  return !((c === '+' || c === '-' || (c >= '0' && c <= '9')) && s.includes(':') && BASE60_FLOAT.test(s));
}

// ---------------------------------------------------------------------------------------------
// toYaml: sigs.k8s.io/yaml.Marshal = json.Marshal, the JSON read by yaml.v2, yaml.v2's emitter

/** What yaml.v2 holds after reading the JSON: a scalar already as its text, or a collection. */
type YNode = { kind: 'scalar'; text: string; isString: boolean } | { kind: 'seq'; items: YNode[] } | { kind: 'map'; entries: Array<[string, YNode]> };

const LETTER = /\p{L}/u;
const DIGIT = /\p{Nd}/u;

/** yaml.v2's keyList.Less for string keys: runs of digits compare as numbers, letters after the rest. */
function yamlKeyLess(a: string, b: string): boolean {
  const ar = [...a];
  const br = [...b];
  for (let i = 0; i < ar.length && i < br.length; i++) {
    if (ar[i] === br[i]) continue;
    const al = LETTER.test(ar[i]);
    const bl = LETTER.test(br[i]);
    if (al && bl) return ar[i].codePointAt(0)! < br[i].codePointAt(0)!;
    if (al || bl) return bl;
    let an = 0n;
    let bn = 0n;
    if (ar[i] === '0' || br[i] === '0') {
      for (let j = i - 1; j >= 0 && DIGIT.test(ar[j]); j--) {
        if (ar[j] !== '0') {
          an = 1n;
          bn = 1n;
          break;
        }
      }
    }
    let ai = i;
    for (; ai < ar.length && DIGIT.test(ar[ai]); ai++) an = an * 10n + BigInt(ar[ai].charCodeAt(0) - 48);
    let bi = i;
    for (; bi < br.length && DIGIT.test(br[bi]); bi++) bn = bn * 10n + BigInt(br[bi].charCodeAt(0) - 48);
    if (an !== bn) return an < bn;
    if (ai !== bi) return ai < bi;
    return ar[i].codePointAt(0)! < br[i].codePointAt(0)!;
  }
  return ar.length < br.length;
}

/**
 * Go 1.19's sort.Sort (pdqsort, sort/zsortinterface.go), step for step: yaml.v2 sorts keys
 * with keyList.Less, which is not transitive ("1a" < "2" < "10a" < "1a"), so the order it
 * gives depends on the algorithm.
 */
export function goSort<T>(data: T[], less: (a: T, b: T) => boolean): T[] {
  const n = data.length;
  if (n <= 1) return data;
  const lessAt = (i: number, j: number) => less(data[i], data[j]);
  const swap = (i: number, j: number) => {
    const t = data[i];
    data[i] = data[j]!;
    data[j] = t;
  };
  const bitsLen = (x: number) => (x === 0 ? 0 : 32 - Math.clz32(x));
  const insertionSort = (a: number, b: number) => {
    for (let i = a + 1; i < b; i++) for (let j = i; j > a && lessAt(j, j - 1); j--) swap(j, j - 1);
  };
  const siftDown = (lo: number, hi: number, first: number) => {
    let root = lo;
    for (;;) {
      let child = 2 * root + 1;
      if (child >= hi) return;
      if (child + 1 < hi && lessAt(first + child, first + child + 1)) child++;
      if (!lessAt(first + root, first + child)) return;
      swap(first + root, first + child);
      root = child;
    }
  };
  const heapSort = (a: number, b: number) => {
    const hi = b - a;
    for (let i = Math.floor((hi - 1) / 2); i >= 0; i--) siftDown(i, hi, a);
    for (let i = hi - 1; i >= 0; i--) {
      swap(a, a + i);
      siftDown(0, i, a);
    }
  };
  const order2 = (a: number, b: number, swaps: { n: number }): [number, number] => {
    if (lessAt(b, a)) {
      swaps.n++;
      return [b, a];
    }
    return [a, b];
  };
  const median = (a: number, b: number, c: number, swaps: { n: number }) => {
    [a, b] = order2(a, b, swaps);
    [b] = order2(b, c, swaps);
    [, b] = order2(a, b, swaps);
    return b;
  };
  const choosePivot = (a: number, b: number): [number, 'inc' | 'dec' | 'unknown'] => {
    const l = b - a;
    const swaps = { n: 0 };
    let i = a + Math.floor(l / 4) * 1;
    let j = a + Math.floor(l / 4) * 2;
    let k = a + Math.floor(l / 4) * 3;
    if (l >= 8) {
      if (l >= 50) {
        i = median(i - 1, i, i + 1, swaps);
        j = median(j - 1, j, j + 1, swaps);
        k = median(k - 1, k, k + 1, swaps);
      }
      j = median(i, j, k, swaps);
    }
    return [j, swaps.n === 0 ? 'inc' : swaps.n === 12 ? 'dec' : 'unknown'];
  };
  const reverseRange = (a: number, b: number) => {
    for (let i = a, j = b - 1; i < j; i++, j--) swap(i, j);
  };
  const partialInsertionSort = (a: number, b: number): boolean => {
    let i = a + 1;
    for (let step = 0; step < 5; step++) {
      while (i < b && !lessAt(i, i - 1)) i++;
      if (i === b) return true;
      if (b - a < 50) return false;
      swap(i, i - 1);
      if (i - a >= 2)
        for (let j = i - 1; j >= 1; j--) {
          if (!lessAt(j, j - 1)) break;
          swap(j, j - 1);
        }
      if (b - i >= 2)
        for (let j = i + 1; j < b; j++) {
          if (!lessAt(j, j - 1)) break;
          swap(j, j - 1);
        }
    }
    return false;
  };
  const breakPatterns = (a: number, b: number) => {
    const length = b - a;
    if (length < 8) return;
    let r = BigInt(length);
    const mask = (1n << 64n) - 1n;
    const next = () => {
      r ^= (r << 13n) & mask;
      r ^= r >> 17n;
      r ^= (r << 5n) & mask;
      return r;
    };
    const modulus = 2 ** bitsLen(length);
    const base = a + Math.floor(length / 4) * 2;
    for (let idx = base - 1; idx <= base + 1; idx++) {
      let other = Number(next() & BigInt(modulus - 1));
      if (other >= length) other -= length;
      swap(idx, a + other);
    }
  };
  const partitionEqual = (a: number, b: number, pivot: number): number => {
    swap(a, pivot);
    let i = a + 1;
    let j = b - 1;
    for (;;) {
      while (i <= j && !lessAt(a, i)) i++;
      while (i <= j && lessAt(a, j)) j--;
      if (i > j) break;
      swap(i, j);
      i++;
      j--;
    }
    return i;
  };
  const partition = (a: number, b: number, pivot: number): [number, boolean] => {
    swap(a, pivot);
    let i = a + 1;
    let j = b - 1;
    while (i <= j && lessAt(i, a)) i++;
    while (i <= j && !lessAt(j, a)) j--;
    if (i > j) {
      swap(j, a);
      return [j, true];
    }
    swap(i, j);
    i++;
    j--;
    for (;;) {
      while (i <= j && lessAt(i, a)) i++;
      while (i <= j && !lessAt(j, a)) j--;
      if (i > j) break;
      swap(i, j);
      i++;
      j--;
    }
    swap(j, a);
    return [j, false];
  };
  const pdqsort = (a: number, b: number, limit: number): void => {
    let wasBalanced = true;
    let wasPartitioned = true;
    for (;;) {
      const length = b - a;
      if (length <= 12) return insertionSort(a, b);
      if (limit === 0) return heapSort(a, b);
      if (!wasBalanced) {
        breakPatterns(a, b);
        limit--;
      }
      let [pivot, hint] = choosePivot(a, b);
      if (hint === 'dec') {
        reverseRange(a, b);
        pivot = b - 1 - (pivot - a);
        hint = 'inc';
      }
      if (wasBalanced && wasPartitioned && hint === 'inc' && partialInsertionSort(a, b)) return;
      if (a > 0 && !lessAt(a - 1, pivot)) {
        a = partitionEqual(a, b, pivot);
        continue;
      }
      const [mid, already] = partition(a, b, pivot);
      wasPartitioned = already;
      const leftLen = mid - a;
      const rightLen = b - mid;
      const balanceThreshold = Math.floor(length / 8);
      if (leftLen < rightLen) {
        wasBalanced = leftLen >= balanceThreshold;
        pdqsort(a, mid, limit);
        a = mid + 1;
      } else {
        wasBalanced = rightLen >= balanceThreshold;
        pdqsort(mid + 1, b, limit);
        b = mid;
      }
    }
  };
  pdqsort(0, n, bitsLen(n));
  return data;
}

class UnreadableJson extends Error {}

/**
 * A string as it comes back from the JSON that yaml.v2 reads: libyaml's reader refuses the
 * characters json.Marshal leaves raw that YAML does not allow (DEL, C1 controls, U+FFFE,
 * U+FFFF), and then toYaml gives "".
 */
function readable(s: string): string {
  if (/[\u007f-\u0084\u0086-\u009f\ufffe\uffff]/.test(s)) throw new UnreadableJson();
  // A byte that is not UTF-8 (bytes.ts keeps it as a lone surrogate) comes back as U+FFFD: json.Marshal wrote \ufffd.
  s = s.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd');
  // NEL, which json.Marshal leaves raw, is a line break that the double-quoted scalar folds:
  // one becomes a space, n of them n-1 newlines, with the spaces around them.
  if (s.includes('\u0085'))
    s = s.replace(/ *\u0085[ \u0085]*/g, (m) => {
      const n = m.split('\u0085').length - 1;
      return n === 1 ? ' ' : '\n'.repeat(n - 1);
    });
  return s;
}

/** A JSON number's text as yaml.v2 resolves and re-prints it: an int as is, a float in 'g' form. */
function yamlNumber(text: string): string {
  const [tag, v] = resolvePlain(text);
  if (tag === 'int') return text.replace(/^-0$/, '0').replace(/^\+/, '');
  if (tag === 'float') return yamlFloat(v as number);
  return text;
}

/** yaml.v2's float: strconv.FormatFloat(f, 'g', -1, 64), with .inf and .nan. */
function yamlFloat(f: number): string {
  if (Number.isNaN(f)) return '.nan';
  if (!Number.isFinite(f)) return f > 0 ? '.inf' : '-.inf';
  return formatValue(f);
}

/** The Go value as json.Marshal writes it, read back as yaml.v2 reads JSON. */
function toYNode(v: GoValue): YNode {
  if (v === null || v === undefined) return { kind: 'scalar', text: 'null', isString: false };
  switch (typeof v) {
    case 'boolean':
      return { kind: 'scalar', text: String(v), isString: false };
    case 'bigint':
      return { kind: 'scalar', text: v.toString(), isString: false };
    case 'number':
      return { kind: 'scalar', text: yamlNumber(marshalJson(v)), isString: false };
    case 'string':
      return { kind: 'scalar', text: readable(v), isString: true };
  }
  if (v instanceof GoNum) return { kind: 'scalar', text: yamlNumber(marshalJson(v)), isString: false };
  if (v instanceof GoObject) {
    const json = goObjectJson(v);
    if (json !== undefined) return toYNode(json);
  }
  if (v instanceof Date || v instanceof GoObject || typeof v === 'function')
    return { kind: 'scalar', text: readable(JSON.parse(marshalJson(v)) as string), isString: true };
  if (Array.isArray(v)) {
    if (goTypeName(v) === '[]uint8') return toYNode(JSON.parse(marshalJson(v)) as string);
    return { kind: 'seq', items: v.map(toYNode) };
  }
  const keys = Object.keys(v).map((k) => [readable(k), k] as const);
  return { kind: 'map', entries: goSort(keys, (a, b) => yamlKeyLess(a[0], b[0])).map(([key, k]) => [key, toYNode(v[k])]) };
}

interface ScalarAnalysis {
  multiline: boolean;
  flowPlain: boolean;
  blockPlain: boolean;
  singleQuoted: boolean;
  block: boolean;
}

/** libyaml's is_printable, on a code point. */
function isPrintable(c: number): boolean {
  return c === 0x0a || (c >= 0x20 && c <= 0x7e) || (c >= 0xa0 && c <= 0xd7ff) || (c >= 0xe000 && c <= 0xfffd && c !== 0xfeff);
}

function isBreak(c: number): boolean {
  return c === 0x0d || c === 0x0a || c === 0x85 || c === 0x2028 || c === 0x2029;
}

function isBlankz(c: number | undefined): boolean {
  return c === undefined || c === 0x20 || c === 0x09 || isBreak(c) || c === 0;
}

/** yaml_emitter_analyze_scalar. */
function analyzeScalar(cps: number[]): ScalarAnalysis {
  if (cps.length === 0) return { multiline: false, flowPlain: false, blockPlain: true, singleQuoted: true, block: false };
  let blockIndicators = false;
  let flowIndicators = false;
  let lineBreaks = false;
  let special = false;
  let leadingSpace = false;
  let leadingBreak = false;
  let trailingSpace = false;
  let trailingBreak = false;
  let breakSpace = false;
  let spaceBreak = false;
  let previousSpace = false;
  let previousBreak = false;
  const n = cps.length;
  if (n >= 3 && ((cps[0] === 0x2d && cps[1] === 0x2d && cps[2] === 0x2d) || (cps[0] === 0x2e && cps[1] === 0x2e && cps[2] === 0x2e))) {
    blockIndicators = true;
    flowIndicators = true;
  }
  let precededByWhitespace = true;
  for (let i = 0; i < n; i++) {
    const c = cps[i];
    const next = cps[i + 1];
    const followedByWhitespace = next === undefined || next === 0x20 || next === 0x09;
    const ch = String.fromCodePoint(c);
    if (i === 0) {
      if ('#,[]{}&*!|>\'"%@`'.includes(ch)) {
        flowIndicators = true;
        blockIndicators = true;
      } else if (ch === '?' || ch === ':') {
        flowIndicators = true;
        if (followedByWhitespace) blockIndicators = true;
      } else if (ch === '-' && followedByWhitespace) {
        flowIndicators = true;
        blockIndicators = true;
      }
    } else if (',?[]{}'.includes(ch)) {
      flowIndicators = true;
    } else if (ch === ':') {
      flowIndicators = true;
      if (followedByWhitespace) blockIndicators = true;
    } else if (ch === '#' && precededByWhitespace) {
      flowIndicators = true;
      blockIndicators = true;
    }
    if (!isPrintable(c)) special = true;
    if (c === 0x20) {
      if (i === 0) leadingSpace = true;
      if (i === n - 1) trailingSpace = true;
      if (previousBreak) breakSpace = true;
      previousSpace = true;
      previousBreak = false;
    } else if (isBreak(c)) {
      lineBreaks = true;
      if (i === 0) leadingBreak = true;
      if (i === n - 1) trailingBreak = true;
      if (previousSpace) spaceBreak = true;
      previousSpace = false;
      previousBreak = true;
    } else {
      previousSpace = false;
      previousBreak = false;
    }
    precededByWhitespace = isBlankz(c);
  }
  const a: ScalarAnalysis = { multiline: lineBreaks, flowPlain: true, blockPlain: true, singleQuoted: true, block: true };
  if (leadingSpace || leadingBreak || trailingSpace || trailingBreak) a.flowPlain = a.blockPlain = false;
  if (trailingSpace) a.block = false;
  if (breakSpace) a.flowPlain = a.blockPlain = a.singleQuoted = false;
  if (spaceBreak || special) a.flowPlain = a.blockPlain = a.singleQuoted = a.block = false;
  if (lineBreaks) a.flowPlain = a.blockPlain = false;
  if (flowIndicators) a.flowPlain = false;
  if (blockIndicators) a.blockPlain = false;
  return a;
}

type Style = 'plain' | 'single' | 'double' | 'literal';

const BEST_INDENT = 2;
const BEST_WIDTH = 80;

/** gopkg.in/yaml.v2's emitter (emitterc.go), for the documents yaml.Marshal makes of JSON data. */
class YamlEmitter {
  out = '';
  private column = 0;
  private whitespace = true;
  private indention = true;
  private indent = -1;
  private readonly indents: number[] = [];
  /** Always 0: yaml.Marshal of JSON data writes only empty collections in flow style. */
  private readonly flowLevel = 0;
  // The context of the node being emitted.
  private mappingContext = false;
  private simpleKeyContext = false;

  private put(s: string): void {
    this.out += s;
    this.column++;
  }

  private putBreak(): void {
    this.out += '\n';
    this.column = 0;
  }

  private writeIndent(): void {
    const indent = Math.max(this.indent, 0);
    if (!this.indention || this.column > indent || (this.column === indent && !this.whitespace)) this.putBreak();
    while (this.column < indent) this.put(' ');
    this.whitespace = true;
    this.indention = true;
  }

  private writeIndicator(indicator: string, needWhitespace: boolean, isWhitespace: boolean, isIndention: boolean): void {
    if (needWhitespace && !this.whitespace) this.put(' ');
    this.out += indicator;
    this.column += [...indicator].length;
    this.whitespace = isWhitespace;
    this.indention = this.indention && isIndention;
  }

  private increaseIndent(flow: boolean, indentless: boolean): void {
    this.indents.push(this.indent);
    if (this.indent < 0) this.indent = flow ? BEST_INDENT : 0;
    else if (!indentless) this.indent += BEST_INDENT;
  }

  private popIndent(): void {
    this.indent = this.indents.pop()!;
  }

  document(node: YNode): string {
    this.node(node, false, false);
    // Document end (implicit): a line break unless one was just written.
    this.writeIndent();
    return this.out;
  }

  private node(n: YNode, mapping: boolean, simpleKey: boolean): void {
    this.mappingContext = mapping;
    this.simpleKeyContext = simpleKey;
    if (n.kind === 'scalar') return this.scalar(n);
    if (n.kind === 'seq') {
      if (n.items.length === 0) return this.flowCollection('[', ']');
      this.increaseIndent(false, this.mappingContext && !this.indention);
      for (const item of n.items) {
        this.writeIndent();
        this.writeIndicator('-', true, false, true);
        this.node(item, false, false);
      }
      this.popIndent();
      return;
    }
    if (n.entries.length === 0) return this.flowCollection('{', '}');
    this.increaseIndent(false, false);
    for (const [k, v] of n.entries) {
      this.writeIndent();
      const key: YNode = { kind: 'scalar', text: k, isString: true };
      const cps = [...k].map((c) => c.codePointAt(0)!);
      const simple = !cps.some(isBreak) && Buffer.byteLength(k) <= 128;
      if (simple) {
        this.node(key, true, true);
        this.writeIndicator(':', false, false, false);
      } else {
        this.writeIndicator('?', true, false, true);
        this.node(key, true, false);
        this.writeIndent();
        this.writeIndicator(':', true, false, true);
      }
      this.node(v, true, false);
    }
    this.popIndent();
  }

  /** Only empty collections are written in flow style here: "[]" and "{}". */
  private flowCollection(open: string, close: string): void {
    this.writeIndicator(open, true, true, false);
    this.writeIndicator(close, false, false, false);
  }

  private scalar(n: Extract<YNode, { kind: 'scalar' }>): void {
    const value = n.text;
    const cps = [...value].map((c) => c.codePointAt(0)!);
    const a = analyzeScalar(cps);
    // yaml.v2's stringv picks literal for text with a newline, plain when it reads back as the string.
    let style: Style = n.isString ? (value.includes('\n') ? 'literal' : canUsePlain(value) ? 'plain' : 'double') : 'plain';
    if (this.simpleKeyContext && a.multiline) style = 'double';
    if (style === 'plain') {
      if ((this.flowLevel > 0 && !a.flowPlain) || (this.flowLevel === 0 && !a.blockPlain)) style = 'single';
      if (cps.length === 0 && (this.flowLevel > 0 || this.simpleKeyContext)) style = 'single';
    }
    if (style === 'single' && !a.singleQuoted) style = 'double';
    if (style === 'literal' && (!a.block || this.flowLevel > 0 || this.simpleKeyContext)) style = 'double';
    this.increaseIndent(true, false);
    const allowBreaks = !this.simpleKeyContext;
    if (style === 'plain') this.writePlain(cps, allowBreaks);
    else if (style === 'single') this.writeSingle(cps, allowBreaks);
    else if (style === 'double') this.writeDouble(cps, allowBreaks);
    else this.writeLiteral(cps);
    this.popIndent();
  }

  private writeChar(c: number): void {
    this.out += String.fromCodePoint(c);
    this.column++;
  }

  /** write_break: a \n as the emitter's line break, another break character as itself. */
  private writeBreak(c: number): void {
    if (c === 0x0a) this.putBreak();
    else {
      this.out += String.fromCodePoint(c);
      this.column = 0;
    }
  }

  private writePlain(cps: number[], allowBreaks: boolean): void {
    if (!this.whitespace) this.put(' ');
    let spaces = false;
    let breaks = false;
    for (let i = 0; i < cps.length; i++) {
      const c = cps[i];
      if (c === 0x20) {
        if (allowBreaks && !spaces && this.column > BEST_WIDTH && cps[i + 1] !== 0x20) this.writeIndent();
        else this.writeChar(c);
        spaces = true;
      } else if (isBreak(c)) {
        if (!breaks && c === 0x0a) this.putBreak();
        this.writeBreak(c);
        this.indention = true;
        breaks = true;
      } else {
        if (breaks) this.writeIndent();
        this.writeChar(c);
        this.indention = false;
        spaces = false;
        breaks = false;
      }
    }
    this.whitespace = false;
    this.indention = false;
  }

  private writeSingle(cps: number[], allowBreaks: boolean): void {
    this.writeIndicator("'", true, false, false);
    let spaces = false;
    let breaks = false;
    for (let i = 0; i < cps.length; i++) {
      const c = cps[i];
      if (c === 0x20) {
        if (allowBreaks && !spaces && this.column > BEST_WIDTH && i > 0 && i < cps.length - 1 && cps[i + 1] !== 0x20) this.writeIndent();
        else this.writeChar(c);
        spaces = true;
      } else if (isBreak(c)) {
        if (!breaks && c === 0x0a) this.putBreak();
        this.writeBreak(c);
        this.indention = true;
        breaks = true;
      } else {
        if (breaks) this.writeIndent();
        if (c === 0x27) this.put("'");
        this.writeChar(c);
        this.indention = false;
        spaces = false;
        breaks = false;
      }
    }
    this.writeIndicator("'", false, false, false);
    this.whitespace = false;
    this.indention = false;
  }

  private writeDouble(cps: number[], allowBreaks: boolean): void {
    this.writeIndicator('"', true, false, false);
    let spaces = false;
    const bom = cps[0] === 0xfeff;
    for (let i = 0; i < cps.length; i++) {
      const c = cps[i];
      if (!isPrintable(c) || bom || isBreak(c) || c === 0x22 || c === 0x5c) {
        this.put('\\');
        const short: Record<number, string> = {
          0x00: '0',
          0x07: 'a',
          0x08: 'b',
          0x09: 't',
          0x0a: 'n',
          0x0b: 'v',
          0x0c: 'f',
          0x0d: 'r',
          0x1b: 'e',
          0x22: '"',
          0x5c: '\\',
          0x85: 'N',
          0xa0: '_',
          0x2028: 'L',
          0x2029: 'P',
        };
        const s = short[c];
        if (s !== undefined) this.put(s);
        else {
          const [letter, width] = c <= 0xff ? ['x', 2] : c <= 0xffff ? ['u', 4] : ['U', 8];
          this.put(letter);
          for (const d of c.toString(16).toUpperCase().padStart(width, '0')) this.put(d);
        }
        spaces = false;
      } else if (c === 0x20) {
        if (allowBreaks && !spaces && this.column > BEST_WIDTH && i > 0 && i < cps.length - 1) {
          this.writeIndent();
          if (cps[i + 1] === 0x20) this.put('\\');
        } else {
          this.writeChar(c);
        }
        spaces = true;
      } else {
        this.writeChar(c);
        spaces = false;
      }
    }
    this.writeIndicator('"', false, false, false);
    this.whitespace = false;
    this.indention = false;
  }

  private writeLiteral(cps: number[]): void {
    this.writeIndicator('|', true, false, false);
    // Block scalar hints: an indentation indicator when the text starts with a space or a
    // break; the chomping indicator from how it ends.
    if (cps[0] === 0x20 || isBreak(cps[0])) this.writeIndicator(String(BEST_INDENT), false, false, false);
    const n = cps.length;
    let chomp = '';
    if (!isBreak(cps[n - 1])) chomp = '-';
    else if (n === 1) chomp = '+';
    else if (isBreak(cps[n - 2])) chomp = '+';
    if (chomp) this.writeIndicator(chomp, false, false, false);
    this.putBreak();
    this.indention = true;
    this.whitespace = true;
    let breaks = true;
    for (const c of cps) {
      if (isBreak(c)) {
        this.writeBreak(c);
        this.indention = true;
        breaks = true;
      } else {
        if (breaks) this.writeIndent();
        this.writeChar(c);
        this.indention = false;
        breaks = false;
      }
    }
  }
}

/** Helm's toYaml: sigs.k8s.io/yaml.Marshal, the final newline trimmed; "" when json.Marshal fails. */
export function toYaml(v: GoValue): string {
  let node: YNode;
  try {
    node = toYNode(v);
  } catch (e) {
    if (e instanceof UnreadableJson || /^json: /.test((e as Error).message)) return '';
    throw e;
  }
  return new YamlEmitter().document(node).replace(/\n$/, '');
}

// ---------------------------------------------------------------------------------------------
// fromYaml: yaml.v2 Unmarshal into interface {}, convertToJSONableObject, JSON, map[string]interface {}

class YamlToJsonError extends Error {}

/** Go's %+#v of the few values a map key error shows. */
function goSharpV(v: GoValue): string {
  if (v === null) return '<nil>';
  if (typeof v === 'string') return jsonString(v, false);
  if (typeof v === 'bigint' || typeof v === 'boolean') return String(v);
  if (v instanceof GoNum) return `0x${(v.value as bigint).toString(16)}`;
  return formatValue(v);
}

/** strconv.FormatFloat(f, 'g', -1, 32), as sigs.k8s.io/yaml writes a float map key. */
function formatFloat32G(f: number): string {
  if (Number.isNaN(f)) return '.nan';
  if (!Number.isFinite(f)) return f > 0 ? '.inf' : '-.inf';
  const x = Math.fround(f);
  let digits = String(x);
  for (let p = 1; p <= 9; p++) {
    const s = x.toPrecision(p);
    if (Math.fround(Number(s)) === x) {
      digits = s;
      break;
    }
  }
  return formatValue(Number(digits));
}

/** yaml.v2's decoder counts, against alias bombs (decode.go: allowedAliasRatio). */
interface DecodeState {
  doc: Document;
  /** Each alias's node, found in one walk (the yaml package's Alias.resolve walks the document each time). */
  aliases: Map<unknown, YamlNode | undefined>;
  decodeCount: number;
  aliasCount: number;
  aliasDepth: number;
  active: Set<unknown>;
}

function allowedAliasRatio(decodeCount: number): number {
  if (decodeCount <= 400_000) return 0.99;
  if (decodeCount >= 4_000_000) return 0.1;
  return 0.99 - 0.89 * ((decodeCount - 400_000) / 3_600_000);
}

function countDecode(st: DecodeState): void {
  st.decodeCount++;
  if (st.aliasDepth > 0) st.aliasCount++;
  if (st.aliasCount > 100 && st.decodeCount > 1000 && st.aliasCount / st.decodeCount > allowedAliasRatio(st.decodeCount)) {
    throw new YamlToJsonError('yaml: document contains excessive aliasing');
  }
}

/** Every alias of a document with the node of the last anchor of its name before it, in document order. */
function resolveAliases(root: YamlNode | null): Map<unknown, YamlNode | undefined> {
  const anchors = new Map<string, YamlNode>();
  const out = new Map<unknown, YamlNode | undefined>();
  const walk = (n: unknown): void => {
    if (n === null || n === undefined) return;
    if (isAlias(n)) {
      out.set(n, anchors.get(n.source));
      return;
    }
    const node = n as YamlNode & { anchor?: string };
    if (isYamlMap(node)) {
      if (node.anchor) anchors.set(node.anchor, node);
      for (const pair of node.items) {
        walk(pair.key);
        walk(pair.value);
      }
    } else if (isSeq(node)) {
      if (node.anchor) anchors.set(node.anchor, node);
      for (const item of node.items) walk(item);
    } else if (isScalar(node) && node.anchor) {
      anchors.set(node.anchor, node);
    }
  };
  walk(root);
  return out;
}

/** An alias's node, as yaml.v2's decoder.alias follows it. */
function followAlias<T>(node: YamlNode, st: DecodeState, f: (target: YamlNode) => T): T {
  if (!isAlias(node)) return f(node);
  const target = st.aliases.get(node);
  if (target === undefined) throw new YamlToJsonError(`yaml: unknown anchor '${node.source}' referenced`);
  if (st.active.has(node)) throw new YamlToJsonError(`yaml: anchor '${node.source}' value contains itself`);
  st.active.add(node);
  st.aliasDepth++;
  try {
    countDecode(st);
    return followAlias(target, st, f);
  } finally {
    st.aliasDepth--;
    st.active.delete(node);
  }
}

/** A yaml.v2 value (as JSON would carry it): numbers already float64, keys strings. */
function yamlNodeToGo(node: YamlNode | null | undefined, st: DecodeState): GoValue {
  if (node === null || node === undefined) return null;
  countDecode(st);
  if (isAlias(node)) return followAlias(node, st, (t) => yamlNodeToGo(t, st));
  if (isScalar(node)) {
    // eslint-disable-next-line @typescript-eslint/no-base-to-string -- a YAML scalar's value is a string, number, bigint, boolean or null
    const text = String(node.value ?? '');
    const tag = node.tag?.replace(/^tag:yaml\.org,2002:/, '!!');
    if (node.type !== 'PLAIN' && tag === undefined) return text;
    if (tag !== undefined && tag !== '!!int' && tag !== '!!float' && tag !== '!!bool' && tag !== '!!null') return text;
    const [rtag, v] = resolvePlain(text);
    if (rtag === 'int') return Number(intValue(v as YamlInt));
    if (rtag === 'float') {
      const f = v as number;
      if (!Number.isFinite(f)) throw new YamlToJsonError(`json: unsupported value: ${Number.isNaN(f) ? 'NaN' : f > 0 ? '+Inf' : '-Inf'}`);
      return f;
    }
    if (rtag === 'timestamp' || rtag === 'merge') return text;
    return v;
  }
  if (isSeq(node)) return node.items.map((x) => yamlNodeToGo(x as YamlNode, st));
  if (isYamlMap(node)) {
    const out: { [k: string]: GoValue } = {};
    const put = (keyNode: YamlNode | null, valueNode: YamlNode | null) => {
      const key = yamlKeyToString(keyNode, valueNode, st.doc);
      out[key] = yamlNodeToGo(valueNode, st);
    };
    for (const pair of node.items) {
      const k = pair.key as YamlNode | null;
      if (isScalar(k) && k.type === 'PLAIN' && k.value === '<<' && k.tag === undefined) {
        // A merge key: the mapping (or each of a list of mappings) merged in.
        const mergeInto = (src: YamlNode) => {
          if (isYamlMap(src)) for (const p of src.items) put(p.key as YamlNode, p.value as YamlNode);
        };
        const v = pair.value as YamlNode | null;
        if (v) {
          followAlias(v, st, (t) => {
            if (isSeq(t)) for (const x of t.items as YamlNode[]) followAlias(x, st, mergeInto);
            else mergeInto(t);
          });
        }
        continue;
      }
      put(k, pair.value as YamlNode | null);
    }
    return out;
  }
  return null;
}

/** convertToJSONableObject's map key: strings, ints and bools as text, floats as float32 'g'. */
function yamlKeyToString(keyNode: YamlNode | null, valueNode: YamlNode | null, doc: Document): string {
  const k = isAlias(keyNode) ? (keyNode.resolve(doc) as YamlNode) : keyNode;
  if (isScalar(k)) {
    // eslint-disable-next-line @typescript-eslint/no-base-to-string -- a YAML scalar's value is a string, number, bigint, boolean or null
    const text = String(k.value ?? '');
    if (k.type !== 'PLAIN' || k.tag !== undefined) return text;
    const [tag, v] = resolvePlain(text);
    if (tag === 'str' || tag === 'timestamp' || tag === 'merge') return text;
    if (tag === 'int' && typeof v === 'bigint') return v.toString();
    if (tag === 'float') return formatFloat32G(v as number);
    // eslint-disable-next-line @typescript-eslint/no-base-to-string -- resolvePlain's bool is a boolean
    if (tag === 'bool') return String(v);
    // eslint-disable-next-line @typescript-eslint/no-base-to-string -- a YAML scalar's value is a string, number, bigint, boolean or null
    const value = isScalar(valueNode) ? String(valueNode.value ?? '') : null;
    const type = tag === 'null' ? '%!s(<nil>)' : goTypeName(v);
    throw new YamlToJsonError(`Unsupported map key of type: ${type}, key: ${goSharpV(v)}, value: ${goSharpV(value)}`);
  }
  throw new YamlToJsonError(`Unsupported map key of type: map[interface {}]interface {}, key: ${formatValue(null)}, value: <nil>`);
}

/**
 * libyaml's wording and line for the problems the yaml package words its own way. yaml.v2
 * prints a scanner error's line from 1 and a parser error's from 0, and none when it is 0.
 */
function yamlErrorMessage(text: string, error: { code: string; message: string; linePos?: Array<{ line: number; col: number }> }): string {
  const newlines = text.split('\n').length - 1;
  const errLine0 = (error.linePos?.[0]?.line ?? 1) - 1;
  const scanner = (line0: number, problem: string) => `yaml: ${line0 ? `line ${line0 + 1}: ` : ''}${problem}`;
  const parser = (line0: number, problem: string) => `yaml: ${line0 ? `line ${line0}: ` : ''}${problem}`;
  // libyaml's stream end is on a line of its own when the text does not end with a newline.
  const streamEnd0 = text === '' || text.endsWith('\n') ? newlines : newlines + 1;
  const msg = error.message;
  const open = /[[{,]\s*$/.test(text);
  if (/^Flow sequence/.test(msg)) return parser(streamEnd0, open ? 'did not find expected node content' : "did not find expected ',' or ']'");
  if (/^Flow map/.test(msg)) return parser(streamEnd0, open ? 'did not find expected node content' : "did not find expected ',' or '}'");
  if (error.code === 'TAB_AS_INDENT' || error.code === 'BAD_SCALAR_START') return scanner(errLine0, 'found character that cannot start any token');
  if (error.code === 'MISSING_CHAR' && /quote/.test(msg)) return scanner(newlines, 'found unexpected end of stream');
  if (error.code === 'BAD_INDENT' && /All mapping items/.test(msg)) {
    // Inside a block sequence libyaml wants the next '-'; inside a mapping, the next key.
    const lines = text.split('\n');
    const indent = /^ */.exec(lines[errLine0] ?? '')![0].length;
    let inSequence = false;
    for (let l = errLine0 - 1; l >= 0; l--) {
      const m = /^( *)(\S)/.exec(lines[l]);
      if (!m || m[1].length < indent) {
        if (m) break;
        continue;
      }
      if (m[1].length === indent) {
        inSequence = m[2] === '-';
        break;
      }
    }
    return parser(errLine0, inSequence ? "did not find expected '-' indicator" : 'did not find expected key');
  }
  if (error.code === 'BLOCK_AS_IMPLICIT_KEY') return scanner(errLine0, 'mapping values are not allowed in this context');
  if (error.code === 'BAD_DQ_ESCAPE') return scanner(errLine0, 'found unknown escape character');
  return parser(errLine0, msg.split(' at line ')[0]);
}

/** yaml.v2 reading `text` (its first document) into what JSON makes of it; throws Go's error text. */
function yamlToGo(text: string): GoValue {
  const tooDeep = yamlDepthProblem(text);
  if (tooDeep) throw new YamlToJsonError(`error converting YAML to JSON: ${tooDeep}`);
  let docs: ReturnType<typeof parseAllDocuments>;
  try {
    docs = parseAllDocuments(text, { schema: 'failsafe', uniqueKeys: false, merge: false, prettyErrors: true, strict: false });
  } catch (e) {
    if (e instanceof RangeError) throw new YamlToJsonError('error converting YAML to JSON: yaml: nested more deeply than jetpack can read');
    throw e;
  }
  const list = Array.isArray(docs) ? docs : [];
  const doc = list[0];
  if (!doc) return null;
  const err = doc.errors[0];
  if (err) throw new YamlToJsonError(`error converting YAML to JSON: ${yamlErrorMessage(text, err)}`);
  try {
    const st: DecodeState = { doc, aliases: resolveAliases(doc.contents), decodeCount: 1, aliasCount: 0, aliasDepth: 0, active: new Set() };
    return yamlNodeToGo(doc.contents, st);
  } catch (e) {
    if (e instanceof YamlToJsonError) throw new YamlToJsonError(`error converting YAML to JSON: ${e.message}`);
    if (e instanceof RangeError) throw new YamlToJsonError('error converting YAML to JSON: yaml: nested more deeply than jetpack can read');
    throw e;
  }
}

/** How deep a YAML text fromYaml reads nests: the yaml package recurses per level, and near the end of Node's stack it can abort the process. */
export const YAML_MAX_NESTING = 256;

/**
 * libyaml's bound on flow nesting ([ and { more than 10000 deep), with its scanner error on
 * the line of the bracket that goes too deep; and jetpack's lower bound on nesting of any kind
 * (YAML_MAX_NESTING): block levels (indentation steps, "- " items) plus flow levels. Brackets
 * inside quotes and comments are skipped; block scalars' lines count by their indentation,
 * which can only overestimate.
 */
function yamlDepthProblem(text: string): string | undefined {
  let flow = 0;
  let maxFlow = 0;
  let line = 0;
  let quote = '';
  const indents: number[] = [];
  let block = 0;
  let atLineStart = true;
  const tooDeep = () => `yaml: nested more deeply than ${YAML_MAX_NESTING} levels, jetpack's bound`;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '\n') {
      line++;
      if (quote === '#') quote = '';
      atLineStart = true;
      continue;
    }
    if (atLineStart && !quote && flow === 0) {
      let j = i;
      while (text[j] === ' ') j++;
      if (text[j] !== '\n' && text[j] !== '#' && j < text.length) {
        const indent = j - i;
        while (indents.length && indents[indents.length - 1] >= indent) indents.pop();
        indents.push(indent);
        // Compact nested sequences ("- - - x") open a level per dash.
        let dashes = 0;
        while (text[j] === '-' && (text[j + 1] === ' ' || text[j + 1] === '\n' || j + 1 === text.length)) {
          dashes++;
          j += 2;
          while (text[j] === ' ') j++;
        }
        block = indents.length + dashes;
        if (block > YAML_MAX_NESTING) return tooDeep();
      }
    }
    atLineStart = false;
    if (quote) {
      if (quote === '"' && c === '\\') i++;
      else if (c === quote) quote = '';
      continue;
    }
    if (c === '"' || c === "'") quote = c;
    else if (c === '#' && (i === 0 || /\s/.test(text[i - 1]))) quote = '#';
    else if (c === '[' || c === '{') {
      flow++;
      if (flow > 10000) return `yaml: ${line ? `line ${line + 1}: ` : ''}exceeded max depth of 10000`;
      maxFlow = Math.max(maxFlow, flow);
    } else if (c === ']' || c === '}') flow = Math.max(flow - 1, 0);
  }
  if (maxFlow + block > YAML_MAX_NESTING || maxFlow > YAML_MAX_NESTING) return tooDeep();
  return undefined;
}

const JSON_KIND_OF = (v: GoValue): string =>
  v === null
    ? 'null'
    : typeof v === 'string'
      ? 'string'
      : typeof v === 'boolean'
        ? 'bool'
        : typeof v === 'number'
          ? 'number'
          : Array.isArray(v)
            ? 'array'
            : 'object';

/** Helm's fromYaml: a map; on failure {Error: message}. */
function fromYaml(text: string): { [k: string]: GoValue } {
  let v: GoValue;
  try {
    v = yamlToGo(text);
  } catch (e) {
    if (e instanceof YamlToJsonError) return { Error: e.message };
    throw e;
  }
  if (v === null) return {};
  if (!isMap(v))
    return { Error: `error unmarshaling JSON: while decoding JSON: json: cannot unmarshal ${JSON_KIND_OF(v)} into Go value of type map[string]interface {}` };
  return v;
}

/** Helm's fromYamlArray: a list; on failure a list of the one error message. */
function fromYamlArray(text: string): GoValue[] {
  let v: GoValue;
  try {
    v = yamlToGo(text);
  } catch (e) {
    if (e instanceof YamlToJsonError) return [e.message];
    throw e;
  }
  if (v === null) return [];
  if (!Array.isArray(v))
    return [`error unmarshaling JSON: while decoding JSON: json: cannot unmarshal ${JSON_KIND_OF(v)} into Go value of type []interface {}`];
  return v;
}

// ---------------------------------------------------------------------------------------------
// toToml: BurntSushi/toml 1.2's Encoder (encode.go)

class TomlError extends Error {}

const TOML_ESCAPES: Record<string, string> = { '"': '\\"', '\\': '\\\\', '\b': '\\b', '\t': '\\t', '\n': '\\n', '\f': '\\f', '\r': '\\r' };

function tomlQuoted(s: string): string {
  // eslint-disable-next-line no-control-regex -- TOML writes control characters as escapes
  return `"${s.replace(/["\\\u0000-\u001f\u007f]/g, (c) => TOML_ESCAPES[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)}"`;
}

function tomlKey(k: string): string {
  if (k === '') return '""';
  return /^[A-Za-z0-9_-]+$/.test(k) ? k : tomlQuoted(k);
}

type TomlType = 'nil' | 'bool' | 'int' | 'float' | 'string' | 'datetime' | 'array' | 'arrayHash' | 'hash';

function tomlTypeOf(v: GoValue): TomlType {
  if (v === null || v === undefined) return 'nil';
  switch (typeof v) {
    case 'boolean':
      return 'bool';
    case 'bigint':
      return 'int';
    case 'number':
      return 'float';
    case 'string':
      return 'string';
    case 'function':
      throw new TomlError('unsupported type: func');
  }
  if (v instanceof GoNum) return typeof v.value === 'bigint' ? 'int' : 'float';
  if (v instanceof Date) return 'datetime';
  if (v instanceof GoObject) return tomlTypeOf(tomlObject(v));
  if (Array.isArray(v)) {
    if (v.length === 0) return 'array';
    let all = true;
    for (const x of v) {
      const t = tomlTypeOf(x);
      if (t === 'nil') throw new TomlError('toml: cannot encode array with nil element');
      if (t !== 'hash') all = false;
    }
    return all ? 'arrayHash' : 'array';
  }
  return 'hash';
}

/**
 * A Go struct or pointer as the TOML encoder sees it: time.Duration's String (it quotes it), a
 * TextMarshaler's text (semver), a named int as its integer, a struct as its fields.
 */
function tomlObject(v: GoObject): GoValue {
  if (v.goType === 'time.Duration') return v.format();
  const json = goObjectJson(v);
  return json === undefined ? v.format() : json;
}

/** strconv.FormatFloat(f, 'f', -1, 64): the shortest digits, never an exponent. */
function fixedShortest(f: number): string {
  if (f === 0) return Object.is(f, -0) ? '-0' : '0';
  const [mant, e] = Math.abs(f).toExponential().split('e') as [string, string];
  const digits = mant.replace('.', '');
  const exp = Number(e);
  let s: string;
  if (exp >= digits.length - 1) s = digits + '0'.repeat(exp - digits.length + 1);
  else if (exp >= 0) s = `${digits.slice(0, exp + 1)}.${digits.slice(exp + 1)}`;
  else s = `0.${'0'.repeat(-exp - 1)}${digits}`;
  return (f < 0 ? '-' : '') + s;
}

class TomlEncoder {
  out = '';
  private written = false;

  private wf(s: string): void {
    this.out += s;
    this.written = true;
  }

  private newline(): void {
    if (this.written) this.wf('\n');
  }

  private indentStr(key: string[]): string {
    return '  '.repeat(Math.max(key.length - 1, 0));
  }

  encode(key: string[], v: GoValue): void {
    if (v instanceof GoObject) v = tomlObject(v);
    const t = tomlTypeOf(v);
    switch (t) {
      case 'nil':
        return;
      case 'arrayHash':
        return this.arrayOfTables(key, v as GoValue[]);
      case 'hash':
        return this.table(key, v as { [k: string]: GoValue });
      default:
        return this.keyValue(key, v, false);
    }
  }

  private keyValue(key: string[], v: GoValue, inline: boolean): void {
    if (key.length === 0) throw new TomlError('toml: top-level values must be Go maps or structs');
    this.wf(`${this.indentStr(key)}${tomlKey(key[key.length - 1])} = `);
    this.element(v);
    if (!inline) this.newline();
  }

  private element(v: GoValue): void {
    if (v instanceof Date) return this.wf(formatTime('2006-01-02T15:04:05.999999999Z07:00', v));
    if (v instanceof GoObject) return this.element(tomlObject(v));
    if (v instanceof GoNum) v = v.value;
    switch (typeof v) {
      case 'string':
        return this.wf(tomlQuoted(v));
      case 'boolean':
        return this.wf(String(v));
      case 'bigint':
        return this.wf(v.toString());
      case 'number': {
        if (Number.isNaN(v)) return this.wf('nan');
        if (!Number.isFinite(v)) return this.wf(v < 0 ? '-inf' : '+inf');
        const s = fixedShortest(v);
        return this.wf(s.includes('.') ? s : `${s}.0`);
      }
    }
    if (Array.isArray(v)) {
      this.wf('[');
      v.forEach((x, i) => {
        this.element(x);
        if (i !== v.length - 1) this.wf(', ');
      });
      this.wf(']');
      return;
    }
    if (isMap(v)) return this.map([], v, true);
    throw new TomlError(`unexpected type: ${goTypeName(v)}`);
  }

  private arrayOfTables(key: string[], v: GoValue[]): void {
    if (key.length === 0) throw new TomlError('toml: top-level values must be Go maps or structs');
    for (const t of v) {
      if (t === null) continue;
      this.newline();
      this.wf(`${this.indentStr(key)}[[${key.map(tomlKey).join('.')}]]`);
      this.newline();
      this.map(key, t as { [k: string]: GoValue }, false);
    }
  }

  private table(key: string[], v: { [k: string]: GoValue }): void {
    if (key.length === 1) this.newline();
    if (key.length > 0) {
      this.wf(`${this.indentStr(key)}[${key.map(tomlKey).join('.')}]`);
      this.newline();
    }
    this.map(key, v, false);
  }

  private map(key: string[], m: { [k: string]: GoValue }, inline: boolean): void {
    const direct: string[] = [];
    const sub: string[] = [];
    for (const k of Object.keys(m)) {
      const t = tomlTypeOf(m[k]);
      (t === 'hash' || t === 'arrayHash' ? sub : direct).push(k);
    }
    const write = (keys: string[], trailComma: boolean) => {
      keys.sort(goStringCompare);
      keys.forEach((k, i) => {
        const val = m[k]!;
        if (val === null || val === undefined) return;
        if (inline) {
          this.keyValue([k], val, true);
          if (trailComma || i !== keys.length - 1) this.wf(', ');
        } else {
          this.encode([...key, k], val);
        }
      });
    };
    if (inline) this.wf('{');
    write(direct, sub.length > 0);
    write(sub, false);
    if (inline) this.wf('}');
  }
}

/** Helm's toToml: the TOML text, or the encoder's error as the text. */
function toToml(v: GoValue): string {
  if (v === null || v === undefined) throw new Error('reflect: call of reflect.Value.Type on zero Value');
  const enc = new TomlEncoder();
  try {
    enc.encode([], v);
  } catch (e) {
    if (e instanceof TomlError) return e.message;
    throw e;
  }
  return enc.out;
}

// ---------------------------------------------------------------------------------------------

function jsonOrEmpty(f: () => string): string {
  try {
    return f();
  } catch {
    return '';
  }
}

/** Helm's JSON, YAML and TOML functions, and Sprig's JSON ones (Helm's toJson/fromJson replace Sprig's). */
export const HELM: Record<string, FuncDef> = {
  toJson: goFunc('func(v interface{}) string', (v: GoValue) => jsonOrEmpty(() => marshalJson(v))),
  fromJson: goFunc('func(str string) map[string]interface{}', (s: string) => {
    const { value, error } = unmarshalJson(s, 'map');
    const m = value as { [k: string]: GoValue };
    if (error !== undefined) m.Error = error;
    return m;
  }),
  fromJsonArray: goFunc('func(str string) []interface{}', (s: string) => {
    const { value, error } = unmarshalJson(s, 'slice');
    return error !== undefined ? [error] : value;
  }),
  toPrettyJson: goFunc('func(v interface{}) string', (v: GoValue) => jsonOrEmpty(() => marshalJson(v, { pretty: true }))),
  toRawJson: goFunc('func(v interface{}) string', (v: GoValue) => marshalJson(v, { escapeHTML: false })),
  mustToJson: goFunc('func(v interface{}) (string, error)', (v: GoValue) => marshalJson(v)),
  mustToPrettyJson: goFunc('func(v interface{}) (string, error)', (v: GoValue) => marshalJson(v, { pretty: true })),
  mustToRawJson: goFunc('func(v interface{}) (string, error)', (v: GoValue) => marshalJson(v, { escapeHTML: false })),
  mustFromJson: goFunc('func(v string) (interface{}, error)', (s: string) => {
    const { value, error } = unmarshalJson(s, 'any');
    if (error !== undefined) throw new Error(error);
    return value;
  }),
  toYaml: goFunc('func(v interface{}) string', toYaml),
  fromYaml: goFunc('func(str string) map[string]interface{}', fromYaml),
  fromYamlArray: goFunc('func(str string) []interface{}', fromYamlArray),
  toToml: goFunc('func(v interface{}) string', toToml),
};
