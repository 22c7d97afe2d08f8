// Sprig 3.2.3's string and string-slice functions, declared with their exact Go signatures and
// written from the code Sprig calls: Go's strings and unicode packages (simple, rune-by-rune case
// mapping: `upper "ß"` stays `ß`), Masterminds/goutils (byte loops: initials, nospace, wrap and
// abbrev count bytes) and huandu/xstrings (snakecase, camelcase, kebabcase, shuffle).
//
// Go strings are bytes; here they are JavaScript strings. Functions that slice bytes (substr,
// trunc, abbrev, wrap) work on the UTF-8 bytes and turn the result back into text, each invalid
// byte kept as U+DC80–U+DCFF (see encoding.ts). STRINGS also carries the paths, URL and
// network groups (src/template/sprig/index.ts imports STRINGS).
import { goFunc, type FuncDef } from '../gofunc.js';
import { EXEC_LIMITS } from '../exec.js';
import { formatValue, quoteGo } from '../format.js';
import { goKind, goTypeName, isMap, type GoValue } from '../types.js';
import { bytesOf, stringOfBytes } from '../bytes.js';
import { base, clean, dir, ext, isAbs } from './paths.js';
import { urlJoin, urlParse } from './url.js';
import { getHostByName } from './network.js';
import { templateRandom } from './random.js';

// ---------------------------------------------------------------------------------------------
// Go's unicode package, rune by rune

const P_UPPER = /^\p{Lu}$/u;
const P_LOWER = /^\p{Ll}$/u;
const P_TITLE = /^\p{Lt}$/u;
const P_LETTER = /^\p{L}$/u;
const P_NUMBER = /^\p{N}$/u;
const P_DIGIT = /^\p{Nd}$/u;
const P_PUNCT = /^\p{P}$/u;
const P_SPACE = /^\p{White_Space}$/u;

export const isUpper = (r: string): boolean => P_UPPER.test(r);
export const isLower = (r: string): boolean => P_LOWER.test(r);
export const isTitle = (r: string): boolean => P_TITLE.test(r);
export const isLetter = (r: string): boolean => P_LETTER.test(r);
export const isNumber = (r: string): boolean => P_NUMBER.test(r);
export const isDigit = (r: string): boolean => P_DIGIT.test(r);
export const isPunct = (r: string): boolean => P_PUNCT.test(r);
/** unicode.IsSpace: \t \n \v \f \r, space, U+0085, U+00A0 and the White_Space property. */
export const isSpace = (r: string): boolean => P_SPACE.test(r);

const single = (s: string): boolean => s.length === 1 || (s.length === 2 && s.codePointAt(0)! > 0xffff);

// Greek letters with ypogegrammeni: their full uppercase is two letters, their simple one the
// titlecase letter (U+1F80 → U+1F88).
function greekIota(r: string): string | undefined {
  const c = r.codePointAt(0)!;
  if ((c >= 0x1f80 && c <= 0x1f87) || (c >= 0x1f90 && c <= 0x1f97) || (c >= 0x1fa0 && c <= 0x1fa7)) return String.fromCodePoint(c + 8);
  if (c === 0x1fb3 || c === 0x1fc3 || c === 0x1ff3) return String.fromCodePoint(c + 9);
  return undefined;
}

/** unicode.ToUpper: the simple mapping (one rune to one rune). */
export function toUpperRune(r: string): string {
  if (r < '\x80') return r >= 'a' && r <= 'z' ? String.fromCharCode(r.charCodeAt(0) - 32) : r;
  const u = r.toUpperCase();
  if (single(u)) return u;
  return greekIota(r) ?? r;
}

/** unicode.ToLower: the simple mapping. */
export function toLowerRune(r: string): string {
  if (r < '\x80') return r >= 'A' && r <= 'Z' ? String.fromCharCode(r.charCodeAt(0) + 32) : r;
  if (r === '\u0130') return 'i';
  const l = r.toLowerCase();
  return single(l) ? l : r;
}

const TITLE_DIGRAPHS: Record<string, string> = {
  '\u01c4': '\u01c5',
  '\u01c5': '\u01c5',
  '\u01c6': '\u01c5',
  '\u01c7': '\u01c8',
  '\u01c8': '\u01c8',
  '\u01c9': '\u01c8',
  '\u01ca': '\u01cb',
  '\u01cb': '\u01cb',
  '\u01cc': '\u01cb',
  '\u01f1': '\u01f2',
  '\u01f2': '\u01f2',
  '\u01f3': '\u01f2',
};

/** unicode.ToTitle. */
export function toTitleRune(r: string): string {
  const d = TITLE_DIGRAPHS[r];
  if (d) return d;
  const c = r.codePointAt(0)!;
  // Georgian Mkhedruli is its own titlecase (its uppercase is Mtavruli).
  if ((c >= 0x10d0 && c <= 0x10fa) || (c >= 0x10fd && c <= 0x10ff)) return r;
  if (c >= 0x1f88 && c <= 0x1faf && isTitle(r)) return r;
  return toUpperRune(r);
}

function mapRunes(s: string, f: (r: string) => string): string {
  let out = '';
  for (const r of s) out += f(r);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Bytes

/** Go's panic for a string slice expression out of range (runtime.boundsError). */
function sliceBounds(len: number, lo: number | undefined, hi: number | undefined): never | void {
  const h = hi ?? len;
  const l = lo ?? 0;
  if (hi !== undefined && hi < 0) throw new Error(`runtime error: slice bounds out of range [:${hi}]`);
  if (h > len) throw new Error(`runtime error: slice bounds out of range [:${h}] with length ${len}`);
  if (l < 0) throw new Error(`runtime error: slice bounds out of range [${l}:]`);
  if (l > h) throw new Error(`runtime error: slice bounds out of range [${l}:${h}]`);
}

/** s[lo:hi] on the bytes of s, panicking as Go does. */
function byteSlice(s: string, lo?: number, hi?: number): string {
  const b = bytesOf(s);
  sliceBounds(b.length, lo, hi);
  return stringOfBytes(b.subarray(lo ?? 0, hi ?? b.length));
}

const num = (n: bigint): number =>
  n > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : n < BigInt(-Number.MAX_SAFE_INTEGER) ? -Number.MAX_SAFE_INTEGER : Number(n);

// A "byte string": one char per UTF-8 byte, for ports of Go's byte loops.
const toByteString = (s: string): string => Buffer.from(bytesOf(s)).toString('latin1');
const fromByteString = (s: string): string => stringOfBytes(Uint8Array.from(Buffer.from(s, 'latin1')));

const RAW = /[\udc80-\udcff]/;

/**
 * Runs a byte-level string function on byte strings when an argument holds raw bytes
 * (U+DC80–U+DCFF), so that `hasPrefix (substr 0 1 "é") "é"` compares bytes as Go does.
 */
function bytewise<T>(args: string[], f: (...a: string[]) => T): T {
  if (!args.some((a) => RAW.test(a))) return f(...args);
  const out = f(...args.map(toByteString)) as unknown;
  if (typeof out === 'string') return fromByteString(out) as T;
  if (Array.isArray(out)) return out.map((x) => fromByteString(x as string)) as T;
  return out as T;
}

// ---------------------------------------------------------------------------------------------
// Go's strings package

/** strings.TrimSpace */
export function trimSpace(s: string): string {
  // Loops, not a regular expression: `\s+$` backtracks quadratically on long inner runs.
  let a = 0;
  let b = s.length;
  while (a < b) {
    const cp = s.codePointAt(a)!;
    const r = String.fromCodePoint(cp);
    if (!isSpace(r)) break;
    a += r.length;
  }
  while (b > a) {
    const c = s.charCodeAt(b - 1);
    const r = c >= 0xdc00 && c <= 0xdfff && b - 2 >= a && s.charCodeAt(b - 2) >= 0xd800 && s.charCodeAt(b - 2) <= 0xdbff ? s.slice(b - 2, b) : s[b - 1];
    if (!isSpace(r)) break;
    b -= r.length;
  }
  return s.slice(a, b);
}

/** strings.Title */
function title(s: string): string {
  let prev = ' ';
  return mapRunes(s, (r) => {
    const out = isSeparator(prev) ? toTitleRune(r) : r;
    prev = r;
    return out;
  });
}

function isSeparator(r: string): boolean {
  if (r < '\x80') return !/[0-9a-zA-Z_]/.test(r);
  if (isLetter(r) || isDigit(r)) return false;
  return isSpace(r);
}

/** strings.Repeat, with Go's panics and the engine's output bound. */
function repeat(s: string, count: bigint): string {
  if (count === 0n) return '';
  if (count < 0n) throw new Error('strings: negative Repeat count');
  const len = BigInt(bytesOf(s).length);
  if (len * count > 0x7fffffffffffffffn) throw new Error('strings: Repeat count causes overflow');
  if (BigInt(s.length) * count > BigInt(EXEC_LIMITS.outputChars))
    throw new Error(`the result would be larger than ${EXEC_LIMITS.outputChars >> 20} Mi characters`);
  return s.repeat(Number(count));
}

/** strings.Trim(s, cutset) */
function trim(s: string, cutset: string): string {
  if (s === '' || cutset === '') return s;
  const set = new Set(cutset);
  const runes = [...s];
  let a = 0;
  let b = runes.length;
  while (a < b && set.has(runes[a])) a++;
  while (b > a && set.has(runes[b - 1])) b--;
  return runes.slice(a, b).join('');
}

/** strings.Replace(s, old, new, -1) */
function replaceAll(s: string, old: string, repl: string): string {
  if (old === repl) return s;
  if (old === '') {
    let out = repl;
    for (const r of s) out += r + repl;
    return out;
  }
  return s.split(old).join(repl);
}

/** strings.SplitN (n < 0: all); null for n == 0 (Go's nil). */
function splitN(s: string, sep: string, n: number): string[] | null {
  if (n === 0) return null;
  if (sep === '') {
    const runes = [...s];
    if (n < 0 || n >= runes.length) return runes;
    return [...runes.slice(0, n - 1), runes.slice(n - 1).join('')];
  }
  const parts = s.split(sep);
  if (n < 0 || parts.length <= n) return parts;
  return [...parts.slice(0, n - 1), parts.slice(n - 1).join(sep)];
}

function splitBytewise(s: string, sep: string, n: number): string[] | null {
  return sep === '' ? splitN(s, sep, n) : bytewise([s, sep], (s, sep) => splitN(s, sep, n));
}

function splitMap(parts: string[] | null): Record<string, string> {
  const res: Record<string, string> = {};
  (parts ?? []).forEach((p, i) => (res[`_${i}`] = p));
  return res;
}

/** Go's string ordering: bytewise on UTF-8, i.e. by code point. */
function compareStrings(a: string, b: string): number {
  const ra = [...a];
  const rb = [...b];
  for (let i = 0; i < ra.length && i < rb.length; i++) {
    if (ra[i] !== rb[i]) return ra[i].codePointAt(0)! - rb[i].codePointAt(0)!;
  }
  return ra.length - rb.length;
}

/** strconv.Quote (fmt %q of a string): a raw byte (U+DC80–U+DCFF here) is written `\xNN`. */
export function goQuote(s: string): string {
  if (!/[\udc80-\udcff]/.test(s)) return quoteGo(s);
  const parts = s.split(/([\udc80-\udcff])/);
  return (
    '"' +
    parts
      .map((p) => {
        const c = p.length === 1 ? p.charCodeAt(0) : 0;
        if (c >= 0xdc80 && c <= 0xdcff) return '\\x' + (c - 0xdc00).toString(16).padStart(2, '0');
        return quoteGo(p).slice(1, -1);
      })
      .join('') +
    '"'
  );
}

// ---------------------------------------------------------------------------------------------
// Sprig's strval and strslice

/** Sprig's strval: a string as it is, anything else as fmt's %v prints it (nil: `<nil>`). */
export function strval(v: GoValue | undefined): string {
  if (typeof v === 'string') return v;
  return formatValue(v ?? null);
}

/** Sprig's strslice: a []string from a slice (nil elements dropped), nil, or one value. */
export function strslice(v: GoValue | undefined): string[] {
  if (Array.isArray(v)) {
    if (goTypeName(v) === '[]string') return v as string[];
    return v.filter((x) => x !== null && x !== undefined).map(strval);
  }
  if (v === null || v === undefined) return [];
  return [strval(v)];
}

// ---------------------------------------------------------------------------------------------
// goutils

/** goutils.AbbreviateFull over bytes; errors (width too small) give "". */
function abbreviateFull(str: string, offset: number, maxWidth: number): string {
  if (str === '') return '';
  if (maxWidth < 4) return '';
  const s = toByteString(str);
  if (s.length <= maxWidth) return str;
  if (offset > s.length) offset = s.length;
  if (s.length - offset < maxWidth - 3) offset = s.length - (maxWidth - 3);
  const marker = '...';
  if (offset <= 4) return fromByteString(s.slice(0, maxWidth - 3) + marker);
  if (maxWidth < 7) return '';
  if (offset + maxWidth - 3 < s.length) return marker + abbreviateFull(fromByteString(s.slice(offset)), 0, maxWidth - 3);
  return fromByteString(marker + s.slice(s.length - (maxWidth - 3)));
}

/** goutils.WrapCustom over bytes. */
function wrapCustom(str: string, wrapLength: number, newLineStr: string, wrapLongWords: boolean): string {
  if (str === '') return '';
  if (newLineStr === '') newLineStr = '\n';
  if (wrapLength < 1) wrapLength = 1;
  const s = toByteString(str);
  const nl = toByteString(newLineStr);
  const inputLineLength = s.length;
  let offset = 0;
  let out = '';
  while (inputLineLength - offset > wrapLength) {
    if (s[offset] === ' ') {
      offset++;
      continue;
    }
    const end = wrapLength + offset + 1;
    const spaceToWrapAt = s.slice(offset, end).lastIndexOf(' ') + offset;
    if (spaceToWrapAt >= offset) {
      out += s.slice(offset, spaceToWrapAt) + nl;
      offset = spaceToWrapAt + 1;
    } else if (wrapLongWords) {
      out += s.slice(offset, wrapLength + offset) + nl;
      offset += wrapLength;
    } else {
      const e = wrapLength + offset;
      const index = s.slice(e).indexOf(' ');
      if (index === -1) {
        out += s.slice(offset);
        offset = inputLineLength;
      } else {
        const at = index + e;
        out += s.slice(offset, at) + nl;
        offset = at + 1;
      }
    }
  }
  out += s.slice(offset);
  return fromByteString(out);
}

/** goutils.Initials: a byte loop (each byte taken as the rune of its value). */
function initials(str: string): string {
  if (str === '') return str;
  const s = toByteString(str);
  let out = '';
  let lastWasGap = true;
  for (const ch of s) {
    if (isSpace(ch)) lastWasGap = true;
    else if (lastWasGap) {
      out += ch;
      lastWasGap = false;
    }
  }
  return out;
}

/** goutils.DeleteWhiteSpace: a byte loop as well. */
function deleteWhiteSpace(str: string): string {
  if (str === '') return str;
  const s = toByteString(str);
  let out = '';
  let count = 0;
  for (const ch of s) {
    if (!isSpace(ch)) {
      out += ch;
      count++;
    }
  }
  return count === s.length ? str : out;
}

/** goutils.Uncapitalize with whitespace delimiters. */
function uncapitalize(str: string): string {
  let next = true;
  return mapRunes(str, (r) => {
    if (isSpace(r)) {
      next = true;
      return r;
    }
    if (next) {
      next = false;
      return toLowerRune(r);
    }
    return r;
  });
}

/** goutils.SwapCase: word-based, a lower-case letter starting a word becomes title case. */
function swapCase(str: string): string {
  let whitespace = true;
  return mapRunes(str, (r) => {
    if (isUpper(r) || isTitle(r)) {
      whitespace = false;
      return toLowerRune(r);
    }
    if (isLower(r)) {
      if (whitespace) {
        whitespace = false;
        return toTitleRune(r);
      }
      return toUpperRune(r);
    }
    whitespace = isSpace(r);
    return r;
  });
}

// ---------------------------------------------------------------------------------------------
// xstrings

const RUNE_ERROR = '\ufffd';
const isConnector = (r: string): boolean => r === '-' || r === '_' || isSpace(r);

function isAlphabet(r: string): boolean {
  if (!isLetter(r)) return false;
  const c = r.codePointAt(0)!;
  if (c < 0x3400) return true;
  if (c >= 0x4e00 && c <= 0x9fcc) return false;
  if (c >= 0x3400 && c <= 0x4d85) return false;
  if (c >= 0x20000 && c <= 0x2b81d) return false;
  return true;
}

const enum W {
  Invalid,
  Number,
  Upper,
  Alphabet,
  Connector,
  Punct,
  Other,
}

function nextValidRune(str: string[], at: number, prev: string): [string, number] {
  let size = 0;
  for (let i = at; i < str.length; i++) {
    size++;
    if (str[i] !== RUNE_ERROR) return [str[i], size];
  }
  return [prev, size];
}

/** xstrings' nextWord over runes: the word's type, the word, the rest. */
function nextWord(str: string[]): [W, string[], string[]] {
  if (str.length === 0) return [W.Invalid, [], []];
  let [r, size] = nextValidRune(str, 0, RUNE_ERROR);
  let offset = size;
  if (r === RUNE_ERROR) return [W.Invalid, str.slice(0, offset), str.slice(offset)];
  let wt: W;
  const run = (keep: (r: string) => boolean): void => {
    while (offset < str.length) {
      [r, size] = nextValidRune(str, offset, r);
      if (!keep(r)) break;
      offset += size;
    }
  };
  if (isConnector(r)) {
    wt = W.Connector;
    run(isConnector);
  } else if (isPunct(r)) {
    wt = W.Punct;
    run(isPunct);
  } else if (isUpper(r)) {
    wt = W.Upper;
    if (offset < str.length) {
      [r, size] = nextValidRune(str, offset, r);
      if (isUpper(r)) {
        let prevSize = size;
        offset += size;
        while (offset < str.length) {
          [r, size] = nextValidRune(str, offset, r);
          if (!isUpper(r)) break;
          prevSize = size;
          offset += size;
        }
        if (offset < str.length && isAlphabet(r)) offset -= prevSize;
      } else if (isAlphabet(r)) {
        offset += size;
        run((x) => isAlphabet(x) && !isUpper(x));
      }
    }
  } else if (isAlphabet(r)) {
    wt = W.Alphabet;
    run((x) => isAlphabet(x) && !isUpper(x));
  } else if (isNumber(r)) {
    wt = W.Number;
    run(isNumber);
  } else {
    wt = W.Other;
    while (offset < str.length) {
      [r, size] = nextValidRune(str, offset, r);
      if (size === 0 || isConnector(r) || isAlphabet(r) || isNumber(r) || isPunct(r)) break;
      offset += size;
    }
  }
  return [wt, str.slice(0, offset), str.slice(offset)];
}

function lowerWord(out: string[], wt: W, word: string[], connector: string): void {
  if (wt !== W.Upper && wt !== W.Connector) {
    out.push(...word);
    return;
  }
  for (const r of word) out.push(isConnector(r) ? connector : isUpper(r) ? toLowerRune(r) : r);
}

/** xstrings' camelCaseToLowerCase (ToSnakeCase, ToKebabCase). */
function camelCaseToLowerCase(s: string, connector: string): string {
  if (s === '') return '';
  const out: string[] = [];
  let [wt, word, remaining] = nextWord([...s]);
  while (remaining.length > 0) {
    if (wt !== W.Connector) lowerWord(out, wt, word, connector);
    const prev = wt;
    const last = word;
    [wt, word, remaining] = nextWord(remaining);
    switch (prev) {
      case W.Number:
        while (wt === W.Alphabet || wt === W.Number) {
          lowerWord(out, wt, word, connector);
          [wt, word, remaining] = nextWord(remaining);
        }
        if (wt !== W.Invalid && wt !== W.Punct && wt !== W.Connector) out.push(connector);
        break;
      case W.Connector:
        lowerWord(out, prev, last, connector);
        break;
      case W.Punct:
        break;
      default: {
        if (wt !== W.Number) {
          if (wt !== W.Connector && wt !== W.Punct) out.push(connector);
          break;
        }
        if (remaining.length === 0) break;
        const lastNum = word;
        [wt, word, remaining] = nextWord(remaining);
        if (wt !== W.Alphabet) {
          lowerWord(out, W.Number, lastNum, connector);
          if (wt !== W.Connector && wt !== W.Punct) out.push(connector);
          break;
        }
        out.push(connector);
        lowerWord(out, W.Number, lastNum, connector);
        while (wt === W.Alphabet || wt === W.Number) {
          lowerWord(out, wt, word, connector);
          [wt, word, remaining] = nextWord(remaining);
        }
        if (wt !== W.Invalid && wt !== W.Connector && wt !== W.Punct) out.push(connector);
      }
    }
  }
  lowerWord(out, wt, word, connector);
  return out.join('');
}

/** xstrings.ToCamelCase */
function toCamelCase(s: string): string {
  if (s === '') return '';
  const runes = [...s];
  let out = '';
  let i = 0;
  let r0 = '';
  let consumed = false;
  while (i < runes.length) {
    r0 = runes[i++]!;
    consumed = true;
    if (!isConnector(r0)) {
      r0 = toUpperRune(r0);
      break;
    }
    out += r0;
  }
  if (i >= runes.length) {
    // Go writes the last rune read once more: "a" → "A", "_" → "__".
    if (consumed) out += r0;
    return out;
  }
  while (i < runes.length) {
    const r1 = r0;
    r0 = runes[i++]!;
    if (isConnector(r0) && isConnector(r1)) {
      out += r1;
      continue;
    }
    if (isConnector(r1)) r0 = toUpperRune(r0);
    else {
      r0 = toLowerRune(r0);
      out += r1;
    }
  }
  return out + r0;
}

/**
 * xstrings.Shuffle: Go's Fisher–Yates over the runes. Sprig seeds math/rand from the clock, so
 * Go's order differs run to run; jetpack's comes from the rendering's random source (random.ts:
 * reproducible under SOURCE_DATE_EPOCH).
 */
function shuffle(s: string): string {
  if (s === '') return s;
  const runes = [...s];
  const random = templateRandom();
  for (let i = runes.length - 1; i > 0; i--) {
    const j = random.intn(i + 1);
    [runes[i], runes[j]] = [runes[j], runes[i]];
  }
  return runes.join('');
}

// ---------------------------------------------------------------------------------------------
// Sprig

function substring(start: bigint, end: bigint, s: string): string {
  const len = bytesOf(s).length;
  if (start < 0n) return byteSlice(s, undefined, num(end));
  if (end < 0n || end > BigInt(len)) return byteSlice(s, num(start));
  return byteSlice(s, num(start), num(end));
}

function trunc(c: bigint, s: string): string {
  const len = BigInt(bytesOf(s).length);
  if (c < 0n && len + c > 0n) return byteSlice(s, num(len + c));
  if (c >= 0n && len > c) return byteSlice(s, undefined, num(c));
  return s;
}

function indent(spaces: bigint, v: string): string {
  const pad = repeat(' ', spaces);
  return pad + v.split('\n').join('\n' + pad);
}

function sortAlpha(list: GoValue): string[] {
  const k = goKind(list);
  if (k === 'slice' || k === 'array') return [...strslice(list)].sort(compareStrings);
  return [strval(list)];
}

/** Sprig's urlJoin reads each key as a string, panicking on another kind. */
function dictGetOrEmpty(d: { [key: string]: GoValue }, key: string): string {
  if (!Object.prototype.hasOwnProperty.call(d, key)) return '';
  const value = d[key];
  if (value === null || value === undefined) throw new Error('runtime error: invalid memory address or nil pointer dereference');
  if (typeof value !== 'string') throw new Error(`unable to parse ${key} key, must be of type string, but ${goKind(value)} found`);
  return value;
}

const S = 'func(s string) string';

const STRING_FUNCS: Record<string, FuncDef> = {
  hello: goFunc('func() string', () => 'Hello!'),
  abbrev: goFunc('func(width int, s string) string', (width: bigint, s: string) => (width < 4n ? s : abbreviateFull(s, 0, num(width)))),
  abbrevboth: goFunc('func(left, right int, s string) string', (left: bigint, right: bigint, s: string) =>
    right < 4n || (left > 0n && right < 7n) ? s : abbreviateFull(s, num(left), num(right)),
  ),
  trunc: goFunc('func(c int, s string) string', trunc),
  trim: goFunc(S, trimSpace),
  upper: goFunc(S, (s: string) => mapRunes(s, toUpperRune)),
  lower: goFunc(S, (s: string) => mapRunes(s, toLowerRune)),
  title: goFunc(S, title),
  untitle: goFunc('func(str string) string', uncapitalize),
  substr: goFunc('func(start, end int, s string) string', substring),
  repeat: goFunc('func(count int, str string) string', (count: bigint, str: string) => repeat(str, count)),
  trimall: goFunc('func(a, b string) string', (a: string, b: string) => trim(b, a)),
  trimAll: goFunc('func(a, b string) string', (a: string, b: string) => trim(b, a)),
  trimSuffix: goFunc('func(a, b string) string', (a: string, b: string) =>
    bytewise([a, b], (a, b) => (a !== '' && b.endsWith(a) ? b.slice(0, b.length - a.length) : b)),
  ),
  trimPrefix: goFunc('func(a, b string) string', (a: string, b: string) => bytewise([a, b], (a, b) => (b.startsWith(a) ? b.slice(a.length) : b))),
  nospace: goFunc('func(str string) string', deleteWhiteSpace),
  initials: goFunc(S, initials),
  swapcase: goFunc('func(str string) string', swapCase),
  shuffle: goFunc('func(str string) string', shuffle),
  snakecase: goFunc('func(str string) string', (s: string) => camelCaseToLowerCase(s, '_')),
  camelcase: goFunc('func(str string) string', toCamelCase),
  kebabcase: goFunc('func(str string) string', (s: string) => camelCaseToLowerCase(s, '-')),
  wrap: goFunc('func(l int, s string) string', (l: bigint, s: string) => wrapCustom(s, num(l), '', false)),
  wrapWith: goFunc('func(l int, sep, str string) string', (l: bigint, sep: string, str: string) => wrapCustom(str, num(l), sep, true)),
  contains: goFunc('func(substr string, str string) bool', (sub: string, str: string) => bytewise([sub, str], (sub, str) => str.includes(sub))),
  hasPrefix: goFunc('func(substr string, str string) bool', (sub: string, str: string) => bytewise([sub, str], (sub, str) => str.startsWith(sub))),
  hasSuffix: goFunc('func(substr string, str string) bool', (sub: string, str: string) => bytewise([sub, str], (sub, str) => str.endsWith(sub))),
  quote: goFunc('func(str ...interface{}) string', (...str: GoValue[]) =>
    str
      .filter((s) => s !== null && s !== undefined)
      .map((s) => goQuote(strval(s)))
      .join(' '),
  ),
  squote: goFunc('func(str ...interface{}) string', (...str: GoValue[]) =>
    str
      .filter((s) => s !== null && s !== undefined)
      .map((s) => `'${formatValue(s)}'`)
      .join(' '),
  ),
  cat: goFunc('func(v ...interface{}) string', (...v: GoValue[]) =>
    v
      .filter((s) => s !== null && s !== undefined)
      .map((s) => formatValue(s))
      .join(' '),
  ),
  indent: goFunc('func(spaces int, v string) string', indent),
  nindent: goFunc('func(spaces int, v string) string', (spaces: bigint, v: string) => '\n' + indent(spaces, v)),
  replace: goFunc('func(old, new, src string) string', (old: string, repl: string, src: string) =>
    old === '' ? replaceAll(src, old, repl) : bytewise([src, old, repl], replaceAll),
  ),
  plural: goFunc('func(one, many string, count int) string', (one: string, many: string, count: bigint) => (count === 1n ? one : many)),
  toString: goFunc('func(v interface{}) string', (v: GoValue) => strval(v)),
  split: goFunc('func(sep, orig string) map[string]string', (sep: string, orig: string) => splitMap(splitBytewise(orig, sep, -1))),
  splitList: goFunc('func(sep, orig string) []string', (sep: string, orig: string) => splitBytewise(orig, sep, -1)),
  splitn: goFunc('func(sep string, n int, orig string) map[string]string', (sep: string, n: bigint, orig: string) =>
    splitMap(splitBytewise(orig, sep, num(n))),
  ),
  toStrings: goFunc('func(v interface{}) []string', (v: GoValue) => [...strslice(v)]),
  join: goFunc('func(sep string, v interface{}) string', (sep: string, v: GoValue) => strslice(v).join(sep)),
  sortAlpha: goFunc('func(list interface{}) []string', sortAlpha),
};

/** Sprig's paths (path) and file paths (path/filepath, Unix). */
const PATHS: Record<string, FuncDef> = {
  base: goFunc('func(path string) string', base),
  dir: goFunc('func(path string) string', dir),
  clean: goFunc('func(path string) string', clean),
  ext: goFunc('func(path string) string', ext),
  isAbs: goFunc('func(path string) bool', isAbs),
  osBase: goFunc('func(path string) string', base),
  osClean: goFunc('func(path string) string', clean),
  osDir: goFunc('func(path string) string', dir),
  osExt: goFunc('func(path string) string', ext),
  osIsAbs: goFunc('func(path string) bool', isAbs),
};

/** Sprig's URL and network functions. */
const OTHERS: Record<string, FuncDef> = {
  urlParse: goFunc('func(v string) map[string]interface{}', urlParse),
  urlJoin: goFunc('func(d map[string]interface{}) string', (d: { [key: string]: GoValue }) => {
    if (!isMap(d)) d = {};
    return urlJoin({
      scheme: dictGetOrEmpty(d, 'scheme'),
      host: dictGetOrEmpty(d, 'host'),
      path: dictGetOrEmpty(d, 'path'),
      query: dictGetOrEmpty(d, 'query'),
      opaque: dictGetOrEmpty(d, 'opaque'),
      fragment: dictGetOrEmpty(d, 'fragment'),
      userinfo: dictGetOrEmpty(d, 'userinfo'),
    });
  }),
  getHostByName: goFunc('func(name string) string', getHostByName),
};

/**
 * Sprig's string and string-slice functions, with the paths, URL and network groups (which
 * src/template/sprig/index.ts does not import on their own); the encodings are ENCODING.
 */
export const STRINGS: Record<string, FuncDef> = { ...STRING_FUNCS, ...PATHS, ...OTHERS };
