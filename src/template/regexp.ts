// Go's regexp package (Go 1.19) over re2js, a pure-JavaScript port of RE2/RE2J: RE2 syntax and
// linear-time matching, never JavaScript's backtracking RegExp (a pattern such as `^(a+)+$` on a
// long run of `a` answers at once, as in Go).
//
// What is Go's here and not re2js's: the iteration rules of FindAll/ReplaceAll/Split (empty
// matches, "advance one rune"), `$1`/`${name}` expansion, QuoteMeta, MustCompile's panic text,
// and the parser's verdicts where Go 1.19 and re2js disagree: `(?<name>…)` and lookbehind are
// refused (`invalid or unsupported Perl syntax: (?<`), duplicate group names are accepted,
// and a trailing backslash is worded as Go words it.
//
// Offsets are UTF-16 code units (JavaScript strings); Go's are bytes. Every result is a
// substring, and every step over an empty match advances one whole code point (as Go advances
// one rune), so the two agree on valid text.
import { RE2JS, type Matcher } from 're2js';

const PREFIX = 'error parsing regexp: ';

/** A Go regexp compile error (`*syntax.Error`): its message is Go's `err.Error()`. */
export class RegexpError extends Error {}

interface Scan {
  /** The pattern with Go-1.19 refusals rewritten so that re2js refuses them at the same place. */
  pattern: string;
  /** Positions (in `pattern`) where `(?<` was rewritten to `(?=`. */
  lessThan: Set<number>;
  /** Names of the capture groups in order ('' for unnamed), group 0 first. */
  names: string[];
  duplicate: boolean;
}

// Scans a pattern as Go's parser would tokenize it, enough to find group openings outside
// classes, escapes and \Q…\E.
function scan(expr: string): Scan {
  const names = [''];
  const lessThan = new Set<number>();
  let out = '';
  let duplicate = false;
  const seen = new Set<string>();
  let i = 0;
  const n = expr.length;
  while (i < n) {
    const c = expr[i];
    if (c === '\\') {
      if (expr[i + 1] === 'Q') {
        const end = expr.indexOf('\\E', i + 2);
        const stop = end < 0 ? n : end + 2;
        out += expr.slice(i, stop);
        i = stop;
        continue;
      }
      out += expr.slice(i, i + 2);
      i += 2;
      continue;
    }
    if (c === '[') {
      // A class: `[`, optional `^`, a leading `]` is literal, `[:name:]` inside, escapes.
      let j = i + 1;
      if (expr[j] === '^') j++;
      if (expr[j] === ']') j++;
      while (j < n && expr[j] !== ']') {
        if (expr[j] === '\\') j += 2;
        else if (expr[j] === '[' && expr[j + 1] === ':') {
          const close = expr.indexOf(':]', j + 2);
          j = close < 0 ? j + 1 : close + 2;
        } else j++;
      }
      const stop = Math.min(n, j + 1);
      out += expr.slice(i, stop);
      i = stop;
      continue;
    }
    if (c === '(') {
      if (expr[i + 1] !== '?') {
        names.push('');
        out += c;
        i++;
        continue;
      }
      if (expr.startsWith('(?P<', i)) {
        const close = expr.indexOf('>', i + 4);
        if (close >= 0) {
          const name = expr.slice(i + 4, close);
          let unique = name;
          if (seen.has(name)) {
            duplicate = true;
            unique = `${name}_jetpackdup${names.length}`;
          }
          seen.add(name);
          names.push(name);
          out += `(?P<${unique}>`;
          i = close + 1;
          continue;
        }
      } else if (expr.startsWith('(?<', i)) {
        lessThan.add(out.length);
        out += '(?=';
        i += 3;
        continue;
      }
    }
    out += c;
    i++;
  }
  return { pattern: out, lessThan, names, duplicate };
}

function goError(e: unknown, s: Scan, expr: string): RegexpError {
  let message = e instanceof Error ? e.message : String(e);
  if (message === PREFIX + 'trailing backslash at end of expression') message += ': ``';
  // Go 1.19 names the whole expression here, and calls a too large one an internal error.
  if (message === PREFIX + 'expression nests too deeply') message += ': `' + expr + '`';
  if (message === PREFIX + 'expression too large') message = PREFIX + 'regexp/syntax: internal error: `' + expr + '`';
  if (message === PREFIX + 'invalid or unsupported Perl syntax: `(?=`' && s.lessThan.size > 0) {
    // re2js stopped at the first `(?=`-like opening: was it one we rewrote?
    const first = /\(\?[=!]/.exec(s.pattern);
    if (first && s.lessThan.has(first.index)) message = PREFIX + 'invalid or unsupported Perl syntax: `(?<`';
  }
  return new RegexpError(message);
}

const CACHE_SIZE = 500;
const CACHE = new Map<string, Regexp | RegexpError>();

/** Go's `*regexp.Regexp`. */
export class Regexp {
  readonly expr: string;
  private readonly re: RE2JS;
  /** SubexpNames: '' for group 0 and unnamed groups. */
  readonly subexpNames: string[];

  private constructor(expr: string, re: RE2JS, names: string[]) {
    this.expr = expr;
    this.re = re;
    this.subexpNames = names;
  }

  /** regexp.Compile: throws RegexpError with Go's message. Compiled patterns are cached (a Regexp is immutable). */
  static compile(expr: string): Regexp {
    const hit = CACHE.get(expr);
    if (hit) {
      if (hit instanceof RegexpError) throw new RegexpError(hit.message);
      return hit;
    }
    let re: Regexp | RegexpError;
    try {
      re = Regexp.compileUncached(expr);
    } catch (e) {
      if (!(e instanceof RegexpError)) throw e;
      re = e;
    }
    if (CACHE.size >= CACHE_SIZE) CACHE.delete(CACHE.keys().next().value!);
    CACHE.set(expr, re);
    if (re instanceof RegexpError) throw new RegexpError(re.message);
    return re;
  }

  private static compileUncached(expr: string): Regexp {
    const s = scan(expr);
    let re: RE2JS;
    try {
      re = RE2JS.compile(s.pattern);
    } catch (e) {
      throw goError(e, s, expr);
    }
    let names = s.names;
    if (names.length !== re.groupCount() + 1) {
      // The scan misread the pattern (it never should): fall back on re2js's own names.
      names = new Array<string>(re.groupCount() + 1).fill('');
      for (const [name, index] of Object.entries(re.namedGroups())) names[index] = name.replace(/_jetpackdup\d+$/, '');
    }
    return new Regexp(expr, re, names);
  }

  /** regexp.MustCompile: throws Go's panic text. */
  static mustCompile(expr: string): Regexp {
    try {
      return Regexp.compile(expr);
    } catch (e) {
      throw new RegexpError(`regexp: Compile(${quoteForPanic(expr)}): ${(e as Error).message}`);
    }
  }

  numSubexp(): number {
    return this.subexpNames.length - 1;
  }

  // doExecute: the leftmost match at or after pos, as [start0, end0, start1, end1, …] (-1 for a
  // group that did not participate), or null.
  private exec(m: Matcher, pos: number, groups: boolean): number[] | null {
    if (!m.find(pos)) return null;
    if (!groups) return [m.start(), m.end()];
    const a: number[] = [];
    for (let g = 0; g < this.subexpNames.length; g++) {
      const st = m.start(g);
      if (st < 0 || m.group(g) === null) a.push(-1, -1);
      else a.push(st, m.end(g));
    }
    return a;
  }

  matchString(s: string): boolean {
    return this.re.matcher(forMatching(s)).find(0);
  }

  findString(s: string): string {
    const m = this.re.matcher(forMatching(s));
    const a = this.exec(m, 0, false);
    return a ? s.slice(a[0], a[1]) : '';
  }

  // allMatches: Go's iteration, empty matches right after a match are dropped.
  private allMatches(s: string, n: number, groups: boolean, deliver: (a: number[]) => void): void {
    if (n < 0) n = s.length + 1;
    const end = s.length;
    const m = this.re.matcher(forMatching(s));
    for (let pos = 0, i = 0, prevMatchEnd = -1; i < n && pos <= end;) {
      const a = this.exec(m, pos, groups);
      if (!a) break;
      let accept = true;
      if (a[1] === pos) {
        if (a[0] === prevMatchEnd) accept = false;
        const width = runeWidth(s, pos);
        pos = width > 0 ? pos + width : end + 1;
      } else {
        pos = a[1];
      }
      prevMatchEnd = a[1];
      if (accept) {
        deliver(a);
        i++;
      }
    }
  }

  /** FindAllString: null is Go's nil slice (no match, or n == 0). */
  findAllString(s: string, n: number): string[] | null {
    const out: string[] = [];
    this.allMatches(s, n, false, (a) => out.push(s.slice(a[0], a[1])));
    return out.length === 0 ? null : out;
  }

  findAllStringIndex(s: string, n: number): number[][] | null {
    const out: number[][] = [];
    this.allMatches(s, n, false, (a) => out.push(a));
    return out.length === 0 ? null : out;
  }

  private replaceAll(src: string, groups: boolean, repl: (dst: string[], a: number[]) => void): string {
    let lastMatchEnd = 0;
    let searchPos = 0;
    const buf: string[] = [];
    const endPos = src.length;
    const m = this.re.matcher(forMatching(src));
    while (searchPos <= endPos) {
      const a = this.exec(m, searchPos, groups);
      if (!a) break;
      buf.push(src.slice(lastMatchEnd, a[0]));
      if (a[1] > lastMatchEnd || a[0] === 0) repl(buf, a);
      lastMatchEnd = a[1];
      const width = runeWidth(src, searchPos);
      if (searchPos + width > a[1]) searchPos += width;
      else if (searchPos + 1 > a[1]) searchPos++;
      else searchPos = a[1];
    }
    buf.push(src.slice(lastMatchEnd));
    return buf.join('');
  }

  /** ReplaceAllString: `$1`, `${1}`, `$name`, `${name}`, `$$` expanded as Go's Expand does. */
  replaceAllString(src: string, repl: string): string {
    const groups = repl.includes('$');
    return this.replaceAll(src, groups, (dst, a) => {
      if (groups) dst.push(this.expand(repl, src, a));
      else dst.push(repl);
    });
  }

  replaceAllLiteralString(src: string, repl: string): string {
    return this.replaceAll(src, false, (dst) => dst.push(repl));
  }

  /** Go's Regexp.expand. */
  expand(template: string, src: string, match: number[]): string {
    let dst = '';
    for (;;) {
      const k = template.indexOf('$');
      if (k < 0) break;
      dst += template.slice(0, k);
      template = template.slice(k + 1);
      if (template !== '' && template[0] === '$') {
        dst += '$';
        template = template.slice(1);
        continue;
      }
      const x = extract(template);
      if (!x) {
        dst += '$';
        continue;
      }
      template = x.rest;
      if (x.num >= 0) {
        if (2 * x.num + 1 < match.length && match[2 * x.num] >= 0) dst += src.slice(match[2 * x.num], match[2 * x.num + 1]);
      } else {
        for (let i = 0; i < this.subexpNames.length; i++) {
          if (x.name === this.subexpNames[i] && 2 * i + 1 < match.length && match[2 * i] >= 0) {
            dst += src.slice(match[2 * i], match[2 * i + 1]);
            break;
          }
        }
      }
    }
    return dst + template;
  }

  /** Split: null is Go's nil slice (n == 0). */
  split(s: string, n: number): string[] | null {
    if (n === 0) return null;
    if (this.expr.length > 0 && s.length === 0) return [''];
    const matches = this.findAllStringIndex(s, n) ?? [];
    const strings: string[] = [];
    let beg = 0;
    let end = 0;
    for (const match of matches) {
      if (n > 0 && strings.length >= n - 1) break;
      end = match[0];
      if (match[1] !== 0) strings.push(s.slice(beg, end));
      beg = match[1];
    }
    if (end !== s.length) strings.push(s.slice(beg));
    return strings;
  }
}

/** regexp.MatchString. */
export function matchString(expr: string, s: string): boolean {
  return Regexp.compile(expr).matchString(s);
}

/** regexp.QuoteMeta: escapes `\.+*?()|[]{}^$`. */
export function quoteMeta(s: string): string {
  return s.replace(/[\\.+*?()|[\]{}^$]/g, '\\$&');
}

// A raw byte of a Go string (U+DC80–U+DCFF here, see sprig/encoding.ts) is, to Go's regexp,
// the rune U+FFFD of width 1: match on that, one code unit for one, and slice the original.
function forMatching(s: string): string {
  return /[\udc80-\udcff]/.test(s) ? s.replace(/[\udc80-\udcff]/g, '\ufffd') : s;
}

// The width, in UTF-16 code units, of the code point at pos (0 at the end).
function runeWidth(s: string, pos: number): number {
  if (pos >= s.length) return 0;
  const c = s.charCodeAt(pos);
  if (c >= 0xd800 && c <= 0xdbff && pos + 1 < s.length) {
    const d = s.charCodeAt(pos + 1);
    if (d >= 0xdc00 && d <= 0xdfff) return 2;
  }
  return 1;
}

// Go's regexp.extract: a `$` reference's name or number.
function extract(str: string): { name: string; num: number; rest: string } | null {
  if (str === '') return null;
  let brace = false;
  if (str[0] === '{') {
    brace = true;
    str = str.slice(1);
  }
  const word = /^[\p{L}\p{Nd}_]*/u.exec(str)![0];
  let i = word.length;
  if (i === 0) return null;
  const name = word;
  if (brace) {
    if (i >= str.length || str[i] !== '}') return null;
    i++;
  }
  let num = 0;
  for (let k = 0; k < name.length; k++) {
    const c = name.charCodeAt(k);
    if (c < 48 || c > 57 || num >= 1e8) {
      num = -1;
      break;
    }
    num = num * 10 + c - 48;
  }
  if (name[0] === '0' && name.length > 1) num = -1;
  return { name, num, rest: str.slice(i) };
}

// regexp's quote(): backquoted when strconv.CanBackquote, else strconv.Quote.
function quoteForPanic(s: string): string {
  let canBackquote = true;
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '`' || ch === '\ufeff' || (c < 0x20 && c !== 9) || c === 0x7f) {
      canBackquote = false;
      break;
    }
  }
  if (canBackquote) return '`' + s + '`';
  return JSON.stringify(s);
}
