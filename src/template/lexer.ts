/**
 * The lexer of Go's text/template (text/template/parse/lex.go): splits a template into
 * text and the items of its actions, with trim markers applied to the text beside them.
 */

export type ItemType =
  | 'text'
  | 'leftDelim'
  | 'rightDelim'
  | 'identifier'
  | 'field'
  | 'variable'
  | 'dot'
  | 'number'
  | 'string'
  | 'rawString'
  | 'char'
  | 'bool'
  | 'nil'
  | 'pipe'
  | 'leftParen'
  | 'rightParen'
  | 'declare'
  | 'assign'
  | 'comma'
  | 'space'
  | 'keyword'
  | 'comment'
  | 'eof';

export interface Item {
  type: ItemType;
  value: string;
  /** Offset of the item in the template text. */
  pos: number;
}

export const KEYWORDS = new Set(['block', 'break', 'continue', 'define', 'else', 'end', 'if', 'range', 'nil', 'template', 'with']);

/** A lexing error at `pos` of the template text. */
export class LexError extends Error {
  constructor(
    message: string,
    readonly pos: number,
  ) {
    super(message);
  }
}

const LEFT = '{{';
const RIGHT = '}}';
function isSpace(c: string | undefined): boolean {
  return c === ' ' || c === '\t' || c === '\r' || c === '\n';
}

function isAlphaNumeric(c: string | undefined): boolean {
  return c !== undefined && /[\p{L}\p{Nd}_]/u.test(c);
}

/** Whether `{{` at `pos` starts with a trim marker: `{{- ` (the dash must be followed by a space). */
function leftTrim(text: string, pos: number): boolean {
  return text[pos + 2] === '-' && isSpace(text[pos + 3]);
}

/** All the items of `text`, ending with an eof item; throws LexError on a malformed action. */
export function lex(text: string): Item[] {
  const items: Item[] = [];
  let pos = 0;
  let trimNextText = false;
  while (pos <= text.length) {
    const start = text.indexOf(LEFT, pos);
    const end = start < 0 ? text.length : start;
    let chunk = text.slice(pos, end);
    let chunkPos = pos;
    if (trimNextText) {
      const trimmed = chunk.replace(/^[ \t\r\n]+/, '');
      chunkPos += chunk.length - trimmed.length;
      chunk = trimmed;
    }
    if (start >= 0 && leftTrim(text, start)) chunk = chunk.replace(/[ \t\r\n]+$/, '');
    if (chunk) items.push({ type: 'text', value: chunk, pos: chunkPos });
    if (start < 0) break;
    const { next, trimAfter } = lexAction(text, start, items);
    pos = next;
    trimNextText = trimAfter;
  }
  items.push({ type: 'eof', value: '', pos: text.length });
  return items;
}

/** Lexes one action starting at `start` (at its `{{`); returns where the text after it begins. */
function lexAction(text: string, start: number, items: Item[]): { next: number; trimAfter: boolean } {
  let pos = start + LEFT.length;
  if (leftTrim(text, start)) pos += 2;
  // A comment: {{/* … */}} with optional trim markers, nothing else in the action.
  if (text.startsWith('/*', pos)) {
    const close = text.indexOf('*/', pos + 2);
    if (close < 0) throw new LexError('unclosed comment', start);
    let after = close + 2;
    let trimAfter = false;
    if (isSpace(text[after]) && text[after + 1] === '-' && text.startsWith(RIGHT, after + 2)) {
      trimAfter = true;
      after += 2;
    }
    if (!text.startsWith(RIGHT, after)) throw new LexError('comment ends before closing delimiter', start);
    items.push({ type: 'comment', value: text.slice(pos, close + 2), pos });
    return { next: after + RIGHT.length, trimAfter };
  }
  items.push({ type: 'leftDelim', value: LEFT, pos: start });
  let parenDepth = 0;
  for (;;) {
    // The right delimiter, with or without a trim marker (` -}}`).
    if (isSpace(text[pos]) && text[pos + 1] === '-' && text.startsWith(RIGHT, pos + 2)) {
      if (parenDepth > 0) throw new LexError('unclosed left paren', pos);
      items.push({ type: 'rightDelim', value: RIGHT, pos: pos + 2 });
      return { next: pos + 2 + RIGHT.length, trimAfter: true };
    }
    if (text.startsWith(RIGHT, pos)) {
      if (parenDepth > 0) throw new LexError('unclosed left paren', pos);
      items.push({ type: 'rightDelim', value: RIGHT, pos });
      return { next: pos + RIGHT.length, trimAfter: false };
    }
    const c = text[pos];
    if (c === undefined) throw new LexError('unclosed action', start);
    if (isSpace(c)) {
      const s = pos;
      while (isSpace(text[pos])) pos++;
      // In ` -}}` the last space belongs to the trim marker.
      if (text[pos] === '-' && text.startsWith(RIGHT, pos + 1)) pos--;
      if (pos > s) items.push({ type: 'space', value: text.slice(s, pos), pos: s });
      continue;
    }
    if (c === '=') {
      items.push({ type: 'assign', value: '=', pos });
      pos++;
    } else if (c === ':') {
      if (text[pos + 1] !== '=') throw new LexError('expected :=', pos);
      items.push({ type: 'declare', value: ':=', pos });
      pos += 2;
    } else if (c === '|') {
      items.push({ type: 'pipe', value: '|', pos });
      pos++;
    } else if (c === ',') {
      items.push({ type: 'comma', value: ',', pos });
      pos++;
    } else if (c === '(') {
      parenDepth++;
      items.push({ type: 'leftParen', value: '(', pos });
      pos++;
    } else if (c === ')') {
      if (--parenDepth < 0) throw new LexError('unexpected right paren', pos);
      items.push({ type: 'rightParen', value: ')', pos });
      pos++;
    } else if (c === '"') {
      pos = lexQuoted(text, pos, items, '"');
    } else if (c === '`') {
      const close = text.indexOf('`', pos + 1);
      if (close < 0) throw new LexError('unterminated raw quoted string', pos);
      items.push({ type: 'rawString', value: text.slice(pos, close + 1), pos });
      pos = close + 1;
    } else if (c === "'") {
      pos = lexQuoted(text, pos, items, "'");
    } else if (c === '$') {
      const s = pos++;
      while (isAlphaNumeric(text[pos])) pos++;
      items.push({ type: 'variable', value: text.slice(s, pos), pos: s });
    } else if (c === '.') {
      if (/[0-9]/.test(text[pos + 1] ?? '')) {
        pos = lexNumber(text, pos, items);
      } else {
        const s = pos++;
        while (isAlphaNumeric(text[pos])) pos++;
        items.push(pos === s + 1 ? { type: 'dot', value: '.', pos: s } : { type: 'field', value: text.slice(s, pos), pos: s });
      }
    } else if (c === '+' || c === '-' || /[0-9]/.test(c)) {
      pos = lexNumber(text, pos, items);
    } else if (isAlphaNumeric(c)) {
      const s = pos;
      while (isAlphaNumeric(text[pos])) pos++;
      const word = text.slice(s, pos);
      const type: ItemType = KEYWORDS.has(word) ? (word === 'nil' ? 'nil' : 'keyword') : word === 'true' || word === 'false' ? 'bool' : 'identifier';
      items.push({ type, value: word, pos: s });
    } else {
      throw new LexError(`unrecognized character in action: ${JSON.stringify(c)}`, pos);
    }
  }
}

/** A "…" string or a '…' character constant, backslash escapes skipped; ends at its line. */
function lexQuoted(text: string, start: number, items: Item[], quote: '"' | "'"): number {
  const [type, what]: [ItemType, string] = quote === '"' ? ['string', 'quoted string'] : ['char', 'character constant'];
  let pos = start + 1;
  for (;;) {
    const c = text[pos];
    if (c === undefined || c === '\n') throw new LexError(`unterminated ${what}`, start);
    if (c === '\\') pos += 2;
    else if (c === quote) break;
    else pos++;
  }
  items.push({ type, value: text.slice(start, pos + 1), pos: start });
  return pos + 1;
}

const NUMBER = /^[+-]?(0[xX][0-9a-fA-F_]+(\.[0-9a-fA-F_]*)?([pP][+-]?[0-9_]+)?|0[bB][01_]+|0[oO]?[0-7_]+|([0-9][0-9_]*)?\.?[0-9_]*([eE][+-]?[0-9_]+)?)i?/;

function lexNumber(text: string, start: number, items: Item[]): number {
  const m = NUMBER.exec(text.slice(start));
  const value = m?.[0] ?? '';
  if (!value || value === '+' || value === '-' || isAlphaNumeric(text[start + value.length])) {
    const bad = /^[^\s(){}|]*/.exec(text.slice(start))![0];
    throw new LexError(`bad number syntax: ${JSON.stringify(bad)}`, start);
  }
  items.push({ type: 'number', value, pos: start });
  return start + value.length;
}
