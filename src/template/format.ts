import { goTypeName, GoNum, GoObject, isNilCollection, type GoValue } from './types.js';

export { goKind, goTypeName, type GoValue } from './types.js';

import { timeGoString, timeString } from './date.js';

/*
 * Go's fmt printing (fmt/print.go, fmt/format.go) and the strconv routines it rests on, for GoValues.
 * Dates stand for time.Time values in the local zone.
 */

// ---------------------------------------------------------------------------------------------
// strconv: quoting

const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S}]$/u;

/** strconv.IsPrint: letters, marks, numbers, punctuation, symbols and the ASCII space. */
function isPrint(r: number): boolean {
  return r === 0x20 || PRINTABLE.test(String.fromCodePoint(r));
}

function isSurrogate(r: number): boolean {
  return r >= 0xd800 && r <= 0xdfff;
}

function hex(n: number, width: number): string {
  return n.toString(16).padStart(width, '0');
}

const SHORT_ESCAPES: Record<number, string> = {
  0x07: '\\a',
  0x08: '\\b',
  0x0c: '\\f',
  0x0a: '\\n',
  0x0d: '\\r',
  0x09: '\\t',
  0x0b: '\\v',
};

/** strconv.appendEscapedRune, for a code point up to U+10FFFF. */
function escapeRune(r: number, quote: string, asciiOnly: boolean): string {
  const ch = String.fromCodePoint(r);
  if (ch === quote || ch === '\\') return '\\' + ch;
  if (isPrint(r) && (!asciiOnly || r < 0x80)) return ch;
  if (r in SHORT_ESCAPES) return SHORT_ESCAPES[r];
  if (r < 0x20 || r === 0x7f) return '\\x' + hex(r, 2);
  // A lone surrogate, which UTF-8 cannot hold, stands for the replacement character.
  const rune = isSurrogate(r) ? 0xfffd : r;
  return rune < 0x10000 ? '\\u' + hex(rune, 4) : '\\U' + hex(rune, 8);
}

function quoteWith(s: string, quote: string, asciiOnly: boolean): string {
  let out = quote;
  for (const ch of s) out += escapeRune(ch.codePointAt(0)!, quote, asciiOnly);
  return out + quote;
}

/** strconv.Quote: a double-quoted Go string literal; printable Unicode is kept as is. */
export function quoteGo(s: string): string {
  return quoteWith(s, '"', false);
}

/** strconv.CanBackquote: whether s can be a raw string literal. */
function canBackquote(s: string): boolean {
  for (const ch of s) {
    const r = ch.codePointAt(0)!;
    if (r >= 0x80) {
      if (r === 0xfeff || isSurrogate(r)) return false;
    } else if ((r < 0x20 && r !== 0x09) || r === 0x60 || r === 0x7f) {
      return false;
    }
  }
  return true;
}

// ---------------------------------------------------------------------------------------------
// strconv: floats

/** A decimal 0.d × 10^dp, d without trailing zeros ('' for zero): strconv's decimalSlice. */
interface Decimal {
  d: string;
  dp: number;
}

/** A finite float64 as sign, 53-bit mantissa and binary exponent: |v| = mant × 2^(exp−52). */
interface FloatBits {
  neg: boolean;
  mant: bigint;
  exp: number;
}

function floatBits(v: number): FloatBits {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, v);
  const bits = view.getBigUint64(0);
  const biased = Number((bits >> 52n) & 0x7ffn);
  const fraction = bits & ((1n << 52n) - 1n);
  const neg = bits >> 63n === 1n;
  if (biased === 0) return { neg, mant: fraction, exp: -1022 };
  return { neg, mant: fraction | (1n << 52n), exp: biased - 1023 };
}

function trimTrailingZeros(d: string): string {
  return d.replace(/0+$/, '');
}

/** The shortest digits that read back as |v|, which JS's toExponential() already finds. */
function shortestDecimal(v: number): Decimal {
  if (v === 0) return { d: '', dp: 0 };
  const [mantissa, exponent] = Math.abs(v).toExponential().split('e');
  return { d: trimTrailingZeros(mantissa.replace('.', '')), dp: Number(exponent) + 1 };
}

/** Every digit of the binary value: mant × 2^e = mant × 5^−e / 10^−e. */
function exactDecimal({ mant, exp }: FloatBits): Decimal {
  if (mant === 0n) return { d: '', dp: 0 };
  const e2 = exp - 52;
  if (e2 >= 0) {
    const digits = (mant << BigInt(e2)).toString();
    return { d: trimTrailingZeros(digits), dp: digits.length };
  }
  const digits = (mant * 5n ** BigInt(-e2)).toString();
  return { d: trimTrailingZeros(digits), dp: digits.length + e2 };
}

/** strconv's decimal.Round: to nd digits, an exact half rounding to even. */
function roundDecimal(x: Decimal, nd: number): Decimal {
  if (nd < 0 || nd >= x.d.length) return x;
  return roundsUp(x, nd) ? roundUp(x, nd) : roundDown(x, nd);
}

function roundsUp(x: Decimal, nd: number): boolean {
  if (x.d[nd] === '5' && nd + 1 === x.d.length) return nd > 0 && Number(x.d[nd - 1]) % 2 === 1;
  return x.d[nd] >= '5';
}

function roundUp(x: Decimal, nd: number): Decimal {
  let i = nd - 1;
  while (i >= 0 && x.d[i] === '9') i--;
  if (i < 0) return { d: '1', dp: x.dp + 1 };
  return { d: x.d.slice(0, i) + String(Number(x.d[i]) + 1), dp: x.dp };
}

function roundDown(x: Decimal, nd: number): Decimal {
  const d = trimTrailingZeros(x.d.slice(0, nd));
  return { d, dp: d === '' ? 0 : x.dp };
}

/** strconv fmtE: d.ddddde±dd with prec digits after the point. */
function fmtE(x: Decimal, prec: number, e: string): string {
  let out = x.d === '' ? '0' : x.d[0];
  if (prec > 0) out += '.' + x.d.slice(1, prec + 1).padEnd(prec, '0');
  const exp = x.d === '' ? 0 : x.dp - 1;
  return out + e + (exp < 0 ? '-' : '+') + String(Math.abs(exp)).padStart(2, '0');
}

/** strconv fmtF: ddd.ddd with prec digits after the point. */
function fmtF(x: Decimal, prec: number): string {
  let out = x.dp > 0 ? x.d.slice(0, x.dp).padEnd(x.dp, '0') : '0';
  if (prec > 0) {
    out += '.';
    for (let i = 0; i < prec; i++) {
      const j = x.dp + i;
      out += j >= 0 && j < x.d.length ? x.d[j] : '0';
    }
  }
  return out;
}

/** strconv fmtB: mantissa "p" binary exponent. */
function fmtB({ neg, mant, exp }: FloatBits): string {
  const e = exp - 52;
  return `${neg ? '-' : ''}${mant}p${e >= 0 ? '+' : ''}${e}`;
}

const MASK64 = (1n << 64n) - 1n;

/** strconv fmtX: -0x1.hhhhp±dd, rounded to prec hex digits when prec is 0–14. */
function fmtX({ neg, mant, exp }: FloatBits, prec: number, verb: 'x' | 'X'): string {
  let e = mant === 0n ? 0 : exp;
  // Shift the leading 1 (if any) to bit 60.
  let m = mant << 8n;
  while (m !== 0n && (m & (1n << 60n)) === 0n) {
    m <<= 1n;
    e--;
  }
  if (prec >= 0 && prec < 15) {
    const shift = BigInt(prec * 4);
    const extra = (m << shift) & ((1n << 60n) - 1n);
    m >>= 60n - shift;
    if ((extra | (m & 1n)) > 1n << 59n) m++;
    m <<= 60n - shift;
    if ((m & (1n << 61n)) !== 0n) {
      m >>= 1n;
      e++;
    }
  }
  let out = `${neg ? '-' : ''}0${verb}${(m >> 60n) & 1n}`;
  let fraction = '';
  const nextDigit = (): void => {
    m = (m << 4n) & MASK64;
    fraction += Number((m >> 60n) & 15n).toString(16);
  };
  if (prec < 0) {
    while (((m << 4n) & MASK64) !== 0n) nextDigit();
  } else {
    for (let i = 0; i < prec; i++) nextDigit();
  }
  if (fraction !== '') out += '.' + fraction;
  if (verb === 'X') out = out.toUpperCase();
  const digits = String(Math.abs(e)).padStart(2, '0');
  return `${out}${verb === 'x' ? 'p' : 'P'}${e < 0 ? '-' : '+'}${digits}`;
}

/** strconv's %g choice between fmtE and fmtF. */
function fmtG(x: Decimal, prec: number, shortest: boolean, e: string): string {
  let eprec = prec;
  if (eprec > x.d.length && x.d.length >= x.dp) eprec = x.d.length;
  // With the shortest digits, %e is used when the exponent is < -4 or >= 6.
  if (shortest) eprec = 6;
  const exp = x.dp - 1;
  if (exp < -4 || exp >= eprec) return fmtE(x, Math.min(prec, x.d.length) - 1, e);
  return fmtF(x, Math.max((prec > x.dp ? x.d.length : prec) - x.dp, 0));
}

/** strconv.FormatFloat(v, verb, prec, 64); prec < 0 means the shortest digits that read back as v. */
function formatFloat(v: number, verb: string, prec: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  const bits = floatBits(v);
  if (verb === 'b') return fmtB(bits);
  if (verb === 'x' || verb === 'X') return fmtX(bits, prec, verb);
  const sign = bits.neg ? '-' : '';
  const e = verb === 'G' || verb === 'E' ? 'E' : 'e';
  if (prec < 0) {
    const x = shortestDecimal(v);
    if (verb === 'e' || verb === 'E') return sign + fmtE(x, Math.max(x.d.length - 1, 0), e);
    if (verb === 'f') return sign + fmtF(x, Math.max(x.d.length - x.dp, 0));
    return sign + fmtG(x, x.d.length, true, e);
  }
  const exact = exactDecimal(bits);
  if (verb === 'e' || verb === 'E') return sign + fmtE(roundDecimal(exact, prec + 1), prec, e);
  if (verb === 'f') return sign + fmtF(roundDecimal(exact, exact.dp + prec), prec);
  const digits = prec === 0 ? 1 : prec;
  return sign + fmtG(roundDecimal(exact, digits), digits, false, e);
}

// ---------------------------------------------------------------------------------------------
// fmt

interface Flags {
  widPresent: boolean;
  precPresent: boolean;
  wid: number;
  prec: number;
  minus: boolean;
  plus: boolean;
  sharp: boolean;
  space: boolean;
  zero: boolean;
  /** %#v: Go syntax. */
  sharpV: boolean;
}

/** Where fmt.doPrintf is in the format and among the operands. */
interface Cursor {
  i: number;
  argNum: number;
  /** Whether the item just parsed was an operand index like "[3]". */
  afterIndex: boolean;
}

function clearFlags(): Flags {
  return {
    widPresent: false,
    precPresent: false,
    wid: 0,
    prec: 0,
    minus: false,
    plus: false,
    sharp: false,
    space: false,
    zero: false,
    sharpV: false,
  };
}

function runeCount(s: string): number {
  return Array.from(s).length;
}

/** Go sorts string map keys by their bytes; UTF-8 bytes order like code points, unlike UTF-16 units. */
function compareKeys(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

const STRING_VERBS = new Set(['v', 's', 'x', 'X', 'q']);

/** One fmt pp: formats operands into `out` under the flags of the current verb. */
class Printer {
  out = '';
  f: Flags = clearFlags();
  /** Whether an operand index "[n]" appeared, which excuses unused operands. */
  private reordered = false;
  private goodArgNum = true;

  // --- padding (fmt.writePadding, fmt.pad) ---

  private writePadding(n: number): void {
    if (n <= 0) return;
    this.out += (this.f.zero && !this.f.minus ? '0' : ' ').repeat(n);
  }

  private pad(s: string): void {
    if (!this.f.widPresent || this.f.wid === 0) {
      this.out += s;
      return;
    }
    const width = this.f.wid - runeCount(s);
    if (this.f.minus) {
      this.out += s;
      this.writePadding(width);
    } else {
      this.writePadding(width);
      this.out += s;
    }
  }

  private withoutZeroPadding(write: () => void): void {
    const zero = this.f.zero;
    this.f.zero = false;
    write();
    this.f.zero = zero;
  }

  // --- operands ---

  printArg(arg: GoValue, verb: string): void {
    if (arg === null) {
      if (verb === 'T' || verb === 'v') this.pad('<nil>');
      else this.badVerb(arg, verb);
      return;
    }
    if (verb === 'T') {
      this.fmtS(goTypeName(arg));
      return;
    }
    // Addresses of Go values have no JS counterpart.
    if (verb === 'p') {
      this.badVerb(arg, verb);
      return;
    }
    this.printValue(arg, verb);
  }

  private printValue(v: Exclude<GoValue, null>, verb: string): void {
    switch (typeof v) {
      case 'boolean':
        return this.fmtBool(v, verb);
      case 'bigint':
        return this.fmtInteger(v, verb);
      case 'number':
        return this.fmtFloat(v, verb);
      case 'string':
        return this.fmtString(v, verb);
      case 'function':
        return this.fmtFunction(v, verb);
      default:
        if (Array.isArray(v)) return this.fmtList(v, verb);
        if (v instanceof Date) return this.fmtTime(v, verb);
        if (v instanceof GoNum) return typeof v.value === 'bigint' ? this.fmtInteger(v.value, verb, v) : this.fmtFloat(v.value, verb, v);
        if (v instanceof GoObject) {
          // A named integer type with a String method (time.Month): fmt uses String for %v %s %x %X %q only.
          const n = (v as { intValue?: bigint }).intValue;
          if (typeof n === 'bigint' && !STRING_VERBS.has(verb)) return this.fmtInteger(n, verb);
          return this.fmtString(v.format(), verb);
        }
        return this.fmtMap(v, verb);
    }
  }

  /** An element of a list or map, an interface{} that may be nil. */
  private printElement(v: GoValue, verb: string): void {
    if (v === null) this.out += this.f.sharpV ? 'interface {}(nil)' : '<nil>';
    else this.printValue(v, verb);
  }

  private badVerb(arg: GoValue, verb: string): void {
    this.out += `%!${verb}(`;
    this.printTypedArg(arg);
    this.out += ')';
  }

  /** `type=value` as Go's bad-verb and EXTRA notes show an operand, `<nil>` for nil. */
  private printTypedArg(arg: GoValue): void {
    if (arg === null) {
      this.out += '<nil>';
    } else {
      this.out += goTypeName(arg) + '=';
      this.printArg(arg, 'v');
    }
  }

  private fmtBool(v: boolean, verb: string): void {
    if (verb === 't' || verb === 'v') this.pad(v ? 'true' : 'false');
    else this.badVerb(v, verb);
  }

  private fmtInteger(v: bigint, verb: string, orig: GoValue = v): void {
    switch (verb) {
      case 'v':
      case 'd':
        return this.integer(v, 10, verb, false);
      case 'b':
        return this.integer(v, 2, verb, false);
      case 'o':
      case 'O':
        return this.integer(v, 8, verb, false);
      case 'x':
        return this.integer(v, 16, verb, false);
      case 'X':
        return this.integer(v, 16, verb, true);
      case 'c':
        return this.pad(String.fromCodePoint(runeOf(v)));
      case 'q':
        return this.pad(quoteWith(String.fromCodePoint(runeOf(v)), "'", this.f.plus));
      case 'U':
        return this.fmtUnicode(v);
      default:
        return this.badVerb(orig, verb);
    }
  }

  /** fmt.fmtInteger: digits in base, zero-extended to the precision (or to the width under the 0 flag). */
  private integer(v: bigint, base: number, verb: string, upper: boolean): void {
    const negative = v < 0n;
    const u = negative ? -v : v;
    let prec = 0;
    if (this.f.precPresent) {
      prec = this.f.prec;
      // Precision 0 prints the value 0 as nothing at all, padding aside.
      if (prec === 0 && u === 0n) {
        this.withoutZeroPadding(() => this.writePadding(this.f.wid));
        return;
      }
    } else if (this.f.zero && !this.f.minus && this.f.widPresent) {
      prec = this.f.wid;
      if (negative || this.f.plus || this.f.space) prec--;
    }
    let digits = u.toString(base).padStart(prec, '0');
    if (upper) digits = digits.toUpperCase();
    if (this.f.sharp) {
      if (base === 2) digits = '0b' + digits;
      else if (base === 8 && digits[0] !== '0') digits = '0' + digits;
      else if (base === 16) digits = (upper ? '0X' : '0x') + digits;
    }
    if (verb === 'O') digits = '0o' + digits;
    if (negative) digits = '-' + digits;
    else if (this.f.plus) digits = '+' + digits;
    else if (this.f.space) digits = ' ' + digits;
    this.withoutZeroPadding(() => this.pad(digits));
  }

  /** fmt.fmtUnicode: U+0078, or U+0078 'x' under the # flag. */
  private fmtUnicode(v: bigint): void {
    const u = BigInt.asUintN(64, v);
    const prec = this.f.precPresent && this.f.prec > 4 ? this.f.prec : 4;
    let s = 'U+' + u.toString(16).toUpperCase().padStart(prec, '0');
    if (this.f.sharp && u <= 0x10ffffn && isPrint(Number(u))) s += ` '${String.fromCodePoint(Number(u))}'`;
    this.withoutZeroPadding(() => this.pad(s));
  }

  private fmtFloat(v: number, verb: string, orig: GoValue = v): void {
    // A float32 prints its shortest decimal as a float32 (strconv's bitSize 32): 0.1, not 0.10000000149011612.
    if (
      orig instanceof GoNum &&
      orig.type === 'float32' &&
      Number.isFinite(v) &&
      v !== 0 &&
      !(this.f.precPresent && verb !== 'v' && verb !== 'g' && verb !== 'G')
    )
      v = shortestFloat32(v);
    switch (verb) {
      case 'v':
        return this.float(v, 'g', -1);
      case 'b':
      case 'g':
      case 'G':
      case 'x':
      case 'X':
        return this.float(v, verb, -1);
      case 'f':
      case 'e':
      case 'E':
        return this.float(v, verb, 6);
      case 'F':
        return this.float(v, 'f', 6);
      default:
        return this.badVerb(orig, verb);
    }
  }

  /** fmt.fmtFloat: strconv's digits with the sign, #, and zero-padding rules of fmt. */
  private float(v: number, verb: string, defaultPrec: number): void {
    const prec = this.f.precPresent ? this.f.prec : defaultPrec;
    let num = formatFloat(v, verb, prec);
    if (num[0] !== '-' && num[0] !== '+') num = '+' + num;
    if (this.f.space && num[0] === '+' && !this.f.plus) num = ' ' + num.slice(1);
    if (num[1] === 'I' || num[1] === 'N') {
      if (num[1] === 'N' && !this.f.space && !this.f.plus) num = num.slice(1);
      // Infinities and NaN are no numbers to pad with zeros.
      this.withoutZeroPadding(() => this.pad(num));
      return;
    }
    if (this.f.sharp && verb !== 'b') num = keepDecimalPoint(num, verb, prec);
    if (this.f.plus || num[0] !== '+') {
      if (this.f.zero && !this.f.minus && this.f.widPresent && this.f.wid > num.length) {
        this.out += num[0];
        this.writePadding(this.f.wid - num.length);
        this.out += num.slice(1);
        return;
      }
      this.pad(num);
      return;
    }
    this.pad(num.slice(1));
  }

  private fmtString(s: string, verb: string): void {
    switch (verb) {
      case 'v':
        return this.f.sharpV ? this.fmtQ(s) : this.fmtS(s);
      case 's':
        return this.fmtS(s);
      case 'x':
        return this.fmtSx(s, false);
      case 'X':
        return this.fmtSx(s, true);
      case 'q':
        return this.fmtQ(s);
      default:
        return this.badVerb(s, verb);
    }
  }

  /** At most the precision's count of runes. */
  private truncate(s: string): string {
    if (!this.f.precPresent) return s;
    return Array.from(s).slice(0, this.f.prec).join('');
  }

  private fmtS(s: string): void {
    this.pad(this.truncate(s));
  }

  /** fmt.fmtSbx: the UTF-8 bytes in hex; the space flag separates bytes, # prefixes 0x. */
  private fmtSx(s: string, upper: boolean): void {
    const bytes = Buffer.from(s, 'utf8');
    const length = this.f.precPresent ? Math.min(this.f.prec, bytes.length) : bytes.length;
    if (length === 0) {
      if (this.f.widPresent) this.writePadding(this.f.wid);
      return;
    }
    const prefix = upper ? '0X' : '0x';
    const parts: string[] = [];
    for (let i = 0; i < length; i++) {
      const digits = hex(bytes[i], 2);
      parts.push(this.f.sharp && (this.f.space || i === 0) ? prefix + digits : digits);
    }
    let encoded = parts.join(this.f.space ? ' ' : '');
    if (upper) encoded = encoded.toUpperCase();
    const padding = this.f.widPresent ? this.f.wid - encoded.length : 0;
    if (!this.f.minus) this.writePadding(padding);
    this.out += encoded;
    if (this.f.minus) this.writePadding(padding);
  }

  /** fmt.fmtQ: a Go string literal, raw under # when possible, ASCII-only under +. */
  private fmtQ(s: string): void {
    const text = this.truncate(s);
    if (this.f.sharp && canBackquote(text)) this.pad('`' + text + '`');
    else this.pad(quoteWith(text, '"', this.f.plus));
  }

  /** Go prints a func's address; JS functions have none. */
  private fmtFunction(fn: GoValue, verb: string): void {
    if (verb === 'v') this.pad('<function>');
    else this.badVerb(fn, verb);
  }

  /** time.Time is a fmt.Stringer and a fmt.GoStringer. */
  private fmtTime(t: Date, verb: string): void {
    if (this.f.sharpV) this.fmtS(timeGoString(t));
    else if (STRING_VERBS.has(verb)) this.fmtString(timeString(t), verb);
    else this.badVerb(t, verb);
  }

  /** Slices print element by element with the same verb and flags. */
  private fmtList(list: GoValue[], verb: string): void {
    if (this.f.sharpV && isNilCollection(list)) {
      this.out += `${goTypeName(list)}(nil)`;
      return;
    }
    const separator = this.f.sharpV ? ', ' : ' ';
    this.out += this.f.sharpV ? `${goTypeName(list)}{` : '[';
    list.forEach((element, i) => {
      if (i > 0) this.out += separator;
      this.printElement(element, verb);
    });
    this.out += this.f.sharpV ? '}' : ']';
  }

  private fmtMap(map: { [key: string]: GoValue }, verb: string): void {
    if (this.f.sharpV && isNilCollection(map)) {
      this.out += `${goTypeName(map)}(nil)`;
      return;
    }
    const separator = this.f.sharpV ? ', ' : ' ';
    this.out += this.f.sharpV ? `${goTypeName(map)}{` : 'map[';
    Object.keys(map)
      .sort(compareKeys)
      .forEach((key, i) => {
        if (i > 0) this.out += separator;
        this.fmtString(key, verb);
        this.out += ':';
        this.printElement(map[key], verb);
      });
    this.out += this.f.sharpV ? '}' : ']';
  }

  // --- Printf (fmt.doPrintf) ---

  printf(format: string, args: GoValue[]): void {
    const at: Cursor = { i: 0, argNum: 0, afterIndex: false };
    while (at.i < format.length) {
      this.goodArgNum = true;
      const percent = format.indexOf('%', at.i);
      this.out += format.slice(at.i, percent < 0 ? format.length : percent);
      if (percent < 0) break;
      at.i = percent + 1;
      if (!this.printDirective(format, args, at)) break;
    }
    // Operands picked by index may be left unused on purpose.
    if (!this.reordered && at.argNum < args.length) this.printExtra(args.slice(at.argNum));
  }

  /** One directive, from just after its '%'; false when the format ends before the verb. */
  private printDirective(format: string, args: GoValue[], at: Cursor): boolean {
    this.f = clearFlags();
    at.i = this.parseFlags(format, at.i);
    this.argNumber(format, args.length, at);
    this.parseWidth(format, args, at);
    this.parsePrecision(format, args, at);
    if (!at.afterIndex) this.argNumber(format, args.length, at);
    if (at.i >= format.length) {
      this.out += '%!(NOVERB)';
      return false;
    }
    const verb = String.fromCodePoint(format.codePointAt(at.i)!);
    at.i += verb.length;
    this.printVerb(verb, args, at);
    return true;
  }

  private parseFlags(format: string, start: number): number {
    let i = start;
    for (; i < format.length; i++) {
      switch (format[i]) {
        case '#':
          this.f.sharp = true;
          break;
        case '0':
          this.f.zero = true;
          break;
        case '+':
          this.f.plus = true;
          break;
        case '-':
          this.f.minus = true;
          break;
        case ' ':
          this.f.space = true;
          break;
        default:
          return i;
      }
    }
    return i;
  }

  /** fmt.argNumber: an explicit operand index "[n]" at the cursor, if there is one. */
  private argNumber(format: string, numArgs: number, at: Cursor): void {
    if (format[at.i] !== '[') {
      at.afterIndex = false;
      return;
    }
    this.reordered = true;
    const { index, width, ok } = parseArgNumber(format.slice(at.i));
    at.i += width;
    at.afterIndex = ok;
    if (ok && index >= 0 && index < numArgs) at.argNum = index;
    else this.goodArgNum = false;
  }

  private parseWidth(format: string, args: GoValue[], at: Cursor): void {
    if (format[at.i] === '*') {
      at.i++;
      ({ num: this.f.wid, isInt: this.f.widPresent } = intFromArg(args, at));
      if (!this.f.widPresent) this.out += '%!(BADWIDTH)';
      // A negative width operand means left-justify.
      if (this.f.wid < 0) {
        this.f.wid = -this.f.wid;
        this.f.minus = true;
      }
      at.afterIndex = false;
      return;
    }
    const { num, isNum, i } = parseNum(format, at.i, format.length);
    this.f.wid = num;
    this.f.widPresent = isNum;
    at.i = i;
    if (at.afterIndex && isNum) this.goodArgNum = false; // "%[3]2d"
  }

  private parsePrecision(format: string, args: GoValue[], at: Cursor): void {
    if (at.i + 1 >= format.length || format[at.i] !== '.') return;
    at.i++;
    if (at.afterIndex) this.goodArgNum = false; // "%[3].2d"
    this.argNumber(format, args.length, at);
    if (format[at.i] === '*') {
      at.i++;
      ({ num: this.f.prec, isInt: this.f.precPresent } = intFromArg(args, at));
      if (this.f.prec < 0) {
        this.f.prec = 0;
        this.f.precPresent = false;
      }
      if (!this.f.precPresent) this.out += '%!(BADPREC)';
      at.afterIndex = false;
      return;
    }
    // A bare "." means precision 0.
    const { num, i } = parseNum(format, at.i, format.length);
    this.f.prec = num;
    this.f.precPresent = true;
    at.i = i;
  }

  private printVerb(verb: string, args: GoValue[], at: Cursor): void {
    if (verb === '%') {
      // A literal percent takes no operand and ignores width and precision.
      this.out += '%';
    } else if (!this.goodArgNum) {
      this.out += `%!${verb}(BADINDEX)`;
    } else if (at.argNum >= args.length) {
      this.out += `%!${verb}(MISSING)`;
    } else {
      if (verb === 'v') {
        this.f.sharpV = this.f.sharp;
        this.f.sharp = false;
        // %+v asks for struct field names, which GoValues lack; it is no sign flag.
        this.f.plus = false;
      }
      this.printArg(args[at.argNum], verb);
      at.argNum++;
    }
  }

  private printExtra(extra: GoValue[]): void {
    this.f = clearFlags();
    this.out += '%!(EXTRA ';
    extra.forEach((arg, i) => {
      if (i > 0) this.out += ', ';
      this.printTypedArg(arg);
    });
    this.out += ')';
  }
}

/** The code point %c and %q print for an integer: invalid ones become U+FFFD. */
function runeOf(v: bigint): number {
  const u = BigInt.asUintN(64, v);
  return u <= 0x10ffffn && !isSurrogate(Number(u)) ? Number(u) : 0xfffd;
}

/**
 * Under the # flag: a decimal point always, and for %g the trailing zeros up to the precision.
 * num starts with its sign.
 */
function keepDecimalPoint(num: string, verb: string, prec: number): string {
  let digits = 0;
  if (verb === 'v' || verb === 'g' || verb === 'G' || verb === 'x') digits = prec === -1 ? 6 : prec;
  let body = num;
  let tail = '';
  let hasDecimalPoint = false;
  let sawNonzeroDigit = false;
  for (let i = 1; i < body.length; i++) {
    const c = body[i];
    if (c === '.') {
      hasDecimalPoint = true;
    } else if (c === 'p' || c === 'P' || ((c === 'e' || c === 'E') && verb !== 'x' && verb !== 'X')) {
      tail = body.slice(i);
      body = body.slice(0, i);
    } else {
      if (c !== '0') sawNonzeroDigit = true;
      // Only significant digits count, those from the first non-zero one on.
      if (sawNonzeroDigit) digits--;
    }
  }
  if (!hasDecimalPoint) {
    // A lone 0 counts as one digit.
    if (body.length === 2 && body[1] === '0') digits--;
    body += '.';
  }
  return body + '0'.repeat(Math.max(digits, 0)) + tail;
}

/** Widths and precisions beyond a million are treated as malformed. */
function tooLarge(x: number): boolean {
  return x > 1e6 || x < -1e6;
}

/** fmt.parsenum: the decimal number at format[start:], if any. */
function parseNum(s: string, start: number, end: number): { num: number; isNum: boolean; i: number } {
  if (start >= end) return { num: 0, isNum: false, i: end };
  let num = 0;
  let isNum = false;
  let i = start;
  for (; i < end && s[i] >= '0' && s[i] <= '9'; i++) {
    if (tooLarge(num)) return { num: 0, isNum: false, i: end };
    num = num * 10 + Number(s[i]);
    isNum = true;
  }
  return { num, isNum, i };
}

/** fmt.parseArgNumber: "[n]" at the start of format as a zero-based index, and the length to skip. */
function parseArgNumber(format: string): { index: number; width: number; ok: boolean } {
  if (format.length < 3) return { index: 0, width: 1, ok: false };
  const close = format.indexOf(']', 1);
  if (close < 0) return { index: 0, width: 1, ok: false };
  const { num, isNum, i } = parseNum(format, 1, close);
  if (!isNum || i !== close) return { index: 0, width: close + 1, ok: false };
  return { index: num - 1, width: close + 1, ok: true };
}

/** fmt.intFromArg: takes the operand for a '*' width or precision, which must be an integer. */
function intFromArg(args: GoValue[], at: Cursor): { num: number; isInt: boolean } {
  if (at.argNum >= args.length) return { num: 0, isInt: false };
  const arg = args[at.argNum++];
  if (typeof arg !== 'bigint' || tooLarge(Number(arg))) return { num: 0, isInt: false };
  return { num: Number(arg), isInt: true };
}

/** The float64 nearest the shortest decimal that reads back as the float32 `v`. */
function shortestFloat32(v: number): number {
  for (let p = 1; p <= 9; p++) {
    const d = Number(v.toPrecision(p));
    if (Math.fround(d) === v) return d;
  }
  return v;
}

/** Go's fmt.Sprint(v), i.e. v formatted with %v. */
export function formatValue(v: GoValue): string {
  const printer = new Printer();
  printer.printArg(v, 'v');
  return printer.out;
}

/** fmt.Sprint: operands formatted with %v, a space between two operands when neither is a string. */
export function sprint(args: GoValue[]): string {
  const printer = new Printer();
  args.forEach((arg, i) => {
    if (i > 0 && typeof arg !== 'string' && typeof args[i - 1] !== 'string') printer.out += ' ';
    printer.printArg(arg, 'v');
  });
  return printer.out;
}

/** fmt.Sprintln: operands formatted with %v, separated by spaces, ending in a newline. */
export function sprintln(args: GoValue[]): string {
  const printer = new Printer();
  args.forEach((arg, i) => {
    if (i > 0) printer.out += ' ';
    printer.printArg(arg, 'v');
  });
  return printer.out + '\n';
}

/** fmt.Sprintf, with Go's %!verb(...) notes for wrong, missing and extra operands. */
export function sprintf(format: string, args: GoValue[]): string {
  const printer = new Printer();
  printer.printf(format, args);
  return printer.out;
}
