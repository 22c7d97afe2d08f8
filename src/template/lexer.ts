/**
 * The lexer of Go's text/template, ported from Go 1.19's text/template/parse/lex.go state by
 * state, so that every item, every error and every line number is Go's. Positions are offsets
 * in the JavaScript string (UTF-16 units); errors convert them to Go's byte columns.
 */

export type ItemType =
  | 'error'
  | 'bool'
  | 'char'
  | 'charConstant'
  | 'comment'
  | 'complex'
  | 'assign'
  | 'declare'
  | 'eof'
  | 'field'
  | 'identifier'
  | 'leftDelim'
  | 'leftParen'
  | 'number'
  | 'pipe'
  | 'rawString'
  | 'rightDelim'
  | 'rightParen'
  | 'space'
  | 'string'
  | 'text'
  | 'variable'
  // Keywords (Go's items above itemKeyword).
  | 'block'
  | 'break'
  | 'continue'
  | 'dot'
  | 'define'
  | 'else'
  | 'end'
  | 'if'
  | 'nil'
  | 'range'
  | 'template'
  | 'with';

export interface Item {
  type: ItemType;
  /** Offset of the item in the template text. */
  pos: number;
  value: string;
  /** The line the item starts on (1-based). */
  line: number;
}

const KEY: Record<string, ItemType> = {
  '.': 'dot',
  block: 'block',
  break: 'break',
  continue: 'continue',
  define: 'define',
  else: 'else',
  end: 'end',
  if: 'if',
  range: 'range',
  nil: 'nil',
  template: 'template',
  with: 'with',
};

const KEYWORD_TYPES = new Set<ItemType>(['block', 'break', 'continue', 'dot', 'define', 'else', 'end', 'if', 'nil', 'range', 'template', 'with']);

export function isKeyword(t: ItemType): boolean {
  return KEYWORD_TYPES.has(t);
}

/** Go's item.String(), as parse errors quote a token. */
export function itemString(i: Item): string {
  if (i.type === 'eof') return 'EOF';
  if (i.type === 'error') return i.value;
  if (isKeyword(i.type)) return `<${i.value}>`;
  if (utf8Length(i.value) > 10) return `${goQuote(truncateRunes(i.value, 10))}...`;
  return goQuote(i.value);
}

// %.10q truncates the string to 10 runes before quoting.
function truncateRunes(s: string, n: number): string {
  return Array.from(s).slice(0, n).join('');
}

/** strconv.Quote: Go's double-quoted string with Go's escapes. */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '"' || ch === '\\') out += `\\${ch}`;
    else if (c === 0xfffd && ch === '\ufffd') out += ch;
    else if (isGoPrint(c)) out += ch;
    else if (c === 7) out += '\\a';
    else if (c === 8) out += '\\b';
    else if (c === 12) out += '\\f';
    else if (c === 10) out += '\\n';
    else if (c === 13) out += '\\r';
    else if (c === 9) out += '\\t';
    else if (c === 11) out += '\\v';
    else if (c < 0x20 || c === 0x7f) out += `\\x${c.toString(16).padStart(2, '0')}`;
    else if (c < 0x10000) out += `\\u${c.toString(16).padStart(4, '0')}`;
    else out += `\\U${c.toString(16).padStart(8, '0')}`;
  }
  return out + '"';
}

/** unicode.IsPrint (Go's strconv.IsPrint): letters, marks, numbers, punctuation, symbols and U+0020. */
export function isGoPrint(c: number): boolean {
  if (c === 0x20) return true;
  return /[\p{L}\p{M}\p{N}\p{P}\p{S}]/u.test(String.fromCodePoint(c));
}

export function utf8Length(s: string): number {
  return Buffer.byteLength(s, 'utf8');
}

const SPACE_CHARS = ' \t\r\n';
const LEFT_DELIM = '{{';
const RIGHT_DELIM = '}}';
const LEFT_COMMENT = '/*';
const RIGHT_COMMENT = '*/';
const TRIM_MARKER = '-';
const EOF = -1;

function isSpace(r: number): boolean {
  return r === 0x20 || r === 0x09 || r === 0x0d || r === 0x0a;
}

const LETTER_OR_DIGIT = /[\p{L}\p{Nd}]/u;
function isAlphaNumeric(r: number): boolean {
  if (r === 0x5f) return true;
  if (r < 0) return false;
  if (r < 0x80) return (r >= 0x30 && r <= 0x39) || (r >= 0x41 && r <= 0x5a) || (r >= 0x61 && r <= 0x7a);
  return LETTER_OR_DIGIT.test(String.fromCodePoint(r));
}

function hasLeftTrimMarker(s: string, at: number): boolean {
  return s.length - at >= 2 && s[at] === TRIM_MARKER && isSpace(s.charCodeAt(at + 1));
}

function hasRightTrimMarker(s: string, at: number): boolean {
  return s.length - at >= 2 && isSpace(s.charCodeAt(at)) && s[at + 1] === TRIM_MARKER;
}

function trimRightLength(s: string): number {
  let i = s.length;
  while (i > 0 && SPACE_CHARS.includes(s[i - 1])) i--;
  return s.length - i;
}

function trimLeftLength(s: string, at: number): number {
  let i = at;
  while (i < s.length && SPACE_CHARS.includes(s[i])) i++;
  return i - at;
}

function countNewlines(s: string, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) if (s.charCodeAt(i) === 10) n++;
  return n;
}

type StateFn = ((l: Lexer) => StateFn) | null;

/** A pull lexer: items are made as the parser asks for them, as Go's goroutine hands them over. */
export class Lexer {
  private pos = 0;
  private start = 0;
  private atEOF = false;
  private parenDepth = 0;
  private line = 1;
  private startLine = 1;
  private items: Item[] = [];
  private state: StateFn = lexText;

  constructor(
    readonly input: string,
    readonly breakOK = true,
    readonly continueOK = true,
  ) {}

  nextItem(): Item {
    while (this.items.length === 0) {
      if (!this.state) return { type: 'eof', pos: this.input.length, value: '', line: this.line };
      this.state = this.state(this);
    }
    return this.items.shift()!;
  }

  // The lexer's primitives (lex.go).
  next(): number {
    if (this.pos >= this.input.length) {
      this.atEOF = true;
      return EOF;
    }
    const r = this.input.codePointAt(this.pos)!;
    this.pos += r > 0xffff ? 2 : 1;
    if (r === 10) this.line++;
    return r;
  }

  peek(): number {
    const r = this.next();
    this.backup();
    return r;
  }

  backup(): void {
    if (!this.atEOF && this.pos > 0) {
      const lo = this.input.charCodeAt(this.pos - 1);
      const w = lo >= 0xdc00 && lo <= 0xdfff && this.pos > 1 ? 2 : 1;
      this.pos -= w;
      if (lo === 10) this.line--;
    }
  }

  emit(type: ItemType): void {
    this.items.push({ type, pos: this.start, value: this.input.slice(this.start, this.pos), line: this.startLine });
    this.start = this.pos;
    this.startLine = this.line;
  }

  ignore(): void {
    this.line += countNewlines(this.input, this.start, this.pos);
    this.start = this.pos;
    this.startLine = this.line;
  }

  accept(valid: string): boolean {
    const r = this.next();
    if (r !== EOF && valid.includes(String.fromCodePoint(r))) return true;
    this.backup();
    return false;
  }

  acceptRun(valid: string): void {
    for (;;) {
      const r = this.next();
      if (r === EOF || !valid.includes(String.fromCodePoint(r))) break;
    }
    this.backup();
  }

  errorf(message: string): StateFn {
    this.items.push({ type: 'error', pos: this.start, value: message, line: this.startLine });
    return null;
  }

  atRightDelim(): { delim: boolean; trimSpaces: boolean } {
    if (hasRightTrimMarker(this.input, this.pos) && this.input.startsWith(RIGHT_DELIM, this.pos + 2)) return { delim: true, trimSpaces: true };
    if (this.input.startsWith(RIGHT_DELIM, this.pos)) return { delim: true, trimSpaces: false };
    return { delim: false, trimSpaces: false };
  }

  atTerminator(): boolean {
    const r = this.peek();
    if (isSpace(r)) return true;
    switch (r) {
      case EOF:
      case 0x2e: // .
      case 0x2c: // ,
      case 0x7c: // |
      case 0x3a: // :
      case 0x29: // )
      case 0x28: // (
        return true;
    }
    return this.input.startsWith(RIGHT_DELIM, this.pos);
  }

  scanNumber(): boolean {
    this.accept('+-');
    let digits = '0123456789_';
    if (this.accept('0')) {
      if (this.accept('xX')) digits = '0123456789abcdefABCDEF_';
      else if (this.accept('oO')) digits = '01234567_';
      else if (this.accept('bB')) digits = '01_';
    }
    this.acceptRun(digits);
    if (this.accept('.')) this.acceptRun(digits);
    if (digits.length === 11 && this.accept('eE')) {
      this.accept('+-');
      this.acceptRun('0123456789_');
    }
    if (digits.length === 23 && this.accept('pP')) {
      this.accept('+-');
      this.acceptRun('0123456789_');
    }
    this.accept('i');
    if (isAlphaNumeric(this.peek())) {
      this.next();
      return false;
    }
    return true;
  }

  // State access for the state functions below.
  get p(): number {
    return this.pos;
  }
  set p(v: number) {
    this.pos = v;
  }
  get s(): number {
    return this.start;
  }
  addLines(n: number): void {
    this.line += n;
  }
  get depth(): number {
    return this.parenDepth;
  }
  set depth(v: number) {
    this.parenDepth = v;
  }
}

function lexText(l: Lexer): StateFn {
  const x = l.input.indexOf(LEFT_DELIM, l.p);
  if (x >= 0) {
    l.p = x;
    let trimLength = 0;
    if (hasLeftTrimMarker(l.input, l.p + LEFT_DELIM.length)) trimLength = trimRightLength(l.input.slice(l.s, l.p));
    l.p -= trimLength;
    if (l.p > l.s) {
      l.addLines(countNewlines(l.input, l.s, l.p));
      l.emit('text');
    }
    l.p += trimLength;
    l.ignore();
    return lexLeftDelim;
  }
  l.p = l.input.length;
  if (l.p > l.s) {
    l.addLines(countNewlines(l.input, l.s, l.p));
    l.emit('text');
  }
  l.emit('eof');
  return null;
}

function lexLeftDelim(l: Lexer): StateFn {
  l.p += LEFT_DELIM.length;
  const trimSpace = hasLeftTrimMarker(l.input, l.p);
  const afterMarker = trimSpace ? 2 : 0;
  if (l.input.startsWith(LEFT_COMMENT, l.p + afterMarker)) {
    l.p += afterMarker;
    l.ignore();
    return lexComment;
  }
  l.emit('leftDelim');
  l.p += afterMarker;
  l.ignore();
  l.depth = 0;
  return lexInsideAction;
}

function lexComment(l: Lexer): StateFn {
  l.p += LEFT_COMMENT.length;
  const i = l.input.indexOf(RIGHT_COMMENT, l.p);
  if (i < 0) return l.errorf('unclosed comment');
  l.p = i + RIGHT_COMMENT.length;
  const { delim, trimSpaces } = l.atRightDelim();
  if (!delim) return l.errorf('comment ends before closing delimiter');
  if (trimSpaces) l.p += 2;
  l.p += RIGHT_DELIM.length;
  if (trimSpaces) l.p += trimLeftLength(l.input, l.p);
  l.ignore();
  return lexText;
}

function lexRightDelim(l: Lexer): StateFn {
  const trimSpace = hasRightTrimMarker(l.input, l.p);
  if (trimSpace) {
    l.p += 2;
    l.ignore();
  }
  l.p += RIGHT_DELIM.length;
  l.emit('rightDelim');
  if (trimSpace) {
    l.p += trimLeftLength(l.input, l.p);
    l.ignore();
  }
  return lexText;
}

function lexInsideAction(l: Lexer): StateFn {
  const { delim } = l.atRightDelim();
  if (delim) {
    if (l.depth === 0) return lexRightDelim;
    return l.errorf('unclosed left paren');
  }
  const r = l.next();
  if (r === EOF) return l.errorf('unclosed action');
  if (isSpace(r)) {
    l.backup();
    return lexSpace;
  }
  switch (r) {
    case 0x3d: // =
      l.emit('assign');
      return lexInsideAction;
    case 0x3a: // :
      if (l.next() !== 0x3d) return l.errorf('expected :=');
      l.emit('declare');
      return lexInsideAction;
    case 0x7c:
      l.emit('pipe');
      return lexInsideAction;
    case 0x22:
      return lexQuote;
    case 0x60:
      return lexRawQuote;
    case 0x24:
      return lexVariable;
    case 0x27:
      return lexChar;
    case 0x28:
      l.emit('leftParen');
      l.depth++;
      return lexInsideAction;
    case 0x29:
      l.emit('rightParen');
      l.depth--;
      if (l.depth < 0) return l.errorf(`unexpected right paren ${sharpU(r)}`);
      return lexInsideAction;
  }
  if (r === 0x2e) {
    if (l.p < l.input.length) {
      const c = l.input.charCodeAt(l.p);
      if (c < 0x30 || c > 0x39) return lexField;
    }
    l.backup();
    return lexNumber;
  }
  if (r === 0x2b || r === 0x2d || (r >= 0x30 && r <= 0x39)) {
    l.backup();
    return lexNumber;
  }
  if (isAlphaNumeric(r)) {
    l.backup();
    return lexIdentifier;
  }
  if (r <= 0x7f && isGoPrint(r)) {
    l.emit('char');
    return lexInsideAction;
  }
  return l.errorf(`unrecognized character in action: ${sharpU(r)}`);
}

/** fmt's %#U: U+0041 'A'. */
export function sharpU(r: number): string {
  const hex = `U+${r.toString(16).toUpperCase().padStart(4, '0')}`;
  return isGoPrint(r) ? `${hex} '${String.fromCodePoint(r)}'` : hex;
}

function lexSpace(l: Lexer): StateFn {
  let numSpaces = 0;
  for (;;) {
    const r = l.peek();
    if (!isSpace(r)) break;
    l.next();
    numSpaces++;
  }
  if (hasRightTrimMarker(l.input, l.p - 1) && l.input.startsWith(RIGHT_DELIM, l.p - 1 + 2)) {
    l.backup();
    if (numSpaces === 1) return lexRightDelim;
  }
  l.emit('space');
  return lexInsideAction;
}

function lexIdentifier(l: Lexer): StateFn {
  for (;;) {
    const r = l.next();
    if (isAlphaNumeric(r)) continue;
    l.backup();
    const word = l.input.slice(l.s, l.p);
    if (!l.atTerminator()) return l.errorf(`bad character ${sharpU(r)}`);
    const key = Object.prototype.hasOwnProperty.call(KEY, word) ? KEY[word] : undefined;
    if (key && key !== 'dot') {
      if ((key === 'break' && !l.breakOK) || (key === 'continue' && !l.continueOK)) l.emit('identifier');
      else l.emit(key);
    } else if (word[0] === '.') l.emit('field');
    else if (word === 'true' || word === 'false') l.emit('bool');
    else l.emit('identifier');
    return lexInsideAction;
  }
}

function lexField(l: Lexer): StateFn {
  return lexFieldOrVariable(l, 'field');
}

function lexVariable(l: Lexer): StateFn {
  if (l.atTerminator()) {
    l.emit('variable');
    return lexInsideAction;
  }
  return lexFieldOrVariable(l, 'variable');
}

function lexFieldOrVariable(l: Lexer, type: 'field' | 'variable'): StateFn {
  if (l.atTerminator()) {
    l.emit(type === 'variable' ? 'variable' : 'dot');
    return lexInsideAction;
  }
  let r: number;
  for (;;) {
    r = l.next();
    if (!isAlphaNumeric(r)) {
      l.backup();
      break;
    }
  }
  if (!l.atTerminator()) return l.errorf(`bad character ${sharpU(r)}`);
  l.emit(type);
  return lexInsideAction;
}

function lexChar(l: Lexer): StateFn {
  for (;;) {
    let r = l.next();
    if (r === 0x5c) {
      r = l.next();
      if (r !== EOF && r !== 10) continue;
      return l.errorf('unterminated character constant');
    }
    if (r === EOF || r === 10) return l.errorf('unterminated character constant');
    if (r === 0x27) break;
  }
  l.emit('charConstant');
  return lexInsideAction;
}

function lexNumber(l: Lexer): StateFn {
  if (!l.scanNumber()) return l.errorf(`bad number syntax: ${goQuote(l.input.slice(l.s, l.p))}`);
  const sign = l.peek();
  if (sign === 0x2b || sign === 0x2d) {
    if (!l.scanNumber() || l.input[l.p - 1] !== 'i') return l.errorf(`bad number syntax: ${goQuote(l.input.slice(l.s, l.p))}`);
    l.emit('complex');
  } else {
    l.emit('number');
  }
  return lexInsideAction;
}

function lexQuote(l: Lexer): StateFn {
  for (;;) {
    let r = l.next();
    if (r === 0x5c) {
      r = l.next();
      if (r !== EOF && r !== 10) continue;
      return l.errorf('unterminated quoted string');
    }
    if (r === EOF || r === 10) return l.errorf('unterminated quoted string');
    if (r === 0x22) break;
  }
  l.emit('string');
  return lexInsideAction;
}

function lexRawQuote(l: Lexer): StateFn {
  for (;;) {
    const r = l.next();
    if (r === EOF) return l.errorf('unterminated raw quoted string');
    if (r === 0x60) break;
  }
  l.emit('rawString');
  return lexInsideAction;
}
