import { stringOfBytes } from './bytes.js';
import { UserError } from '../errors.js';
import { goQuote, isKeyword, itemString, Lexer, type Item, type ItemType } from './lexer.js';
import {
  isEmptyTree,
  nodeString,
  type ChainNode,
  type CommandNode,
  type ListNode,
  type Node,
  type NumberNode,
  type PipeNode,
  type Tree,
  type VariableNode,
} from './tree.js';

/**
 * The parser of Go's text/template, ported from Go 1.19's text/template/parse/parse.go: the
 * same grammar, the same errors (`template: NAME:LINE: message`), the same rules for defining
 * a template twice.
 */

/** A template error: the user's to fix. Its message is Go's error text, `template: …`. */
export class TemplateError extends UserError {
  constructor(message: string) {
    super(message);
    this.name = 'TemplateError';
  }
}

/** "LINE:COL" of an offset as Go's ErrorContext computes it: the column is the byte offset in its line, from 0. */
export function location(text: string, pos: number): string {
  const before = text.slice(0, pos);
  const nl = before.lastIndexOf('\n');
  const line = 1 + countChar(before, '\n');
  const col = Buffer.byteLength(nl < 0 ? before : before.slice(nl + 1), 'utf8');
  return `${line}:${col}`;
}

function countChar(s: string, c: string): number {
  let n = 0;
  for (let i = s.indexOf(c); i >= 0; i = s.indexOf(c, i + 1)) n++;
  return n;
}

/** What the parser needs to know of the execution: which function names exist. */
export interface ParseOptions {
  hasFunction(name: string): boolean;
}

/**
 * Parses `text` as Go's parse.Parse does: every tree it defines (the main one under `name`,
 * each `define` and `block` under its own), by name. Throws TemplateError.
 */
export function parseTrees(name: string, text: string, opts: ParseOptions): Map<string, Tree> {
  const treeSet = new Map<string, Tree>();
  const lexer = new Lexer(text, !opts.hasFunction('break'), !opts.hasFunction('continue'));
  const p = new Parser(name, name, text, lexer, treeSet, opts);
  p.parseMain();
  return treeSet;
}

/** The main tree and the templates `text` defines (the older shape of parseTrees' answer). */
export function parse(name: string, text: string, opts: ParseOptions): { tree: Tree; defined: Map<string, Tree> } {
  const trees = parseTrees(name, text, opts);
  const tree = trees.get(name)!;
  const defined = new Map([...trees].filter(([n]) => n !== name));
  return { tree, defined };
}

/** The token lookahead shared by a file's parser and those of the templates it defines. */
class Tokens {
  token: Item[] = [];
  peekCount = 0;
  actionLine = 0;
  constructor(readonly lex: Lexer) {}
}

class Parser {
  private root: ListNode | undefined;
  private vars: string[] = ['$'];
  private rangeDepth = 0;
  private readonly tok: Tokens;

  constructor(
    private name: string,
    private readonly parseName: string,
    private readonly text: string,
    lexOrTokens: Lexer | Tokens,
    private readonly treeSet: Map<string, Tree>,
    private readonly opts: ParseOptions,
  ) {
    this.tok = lexOrTokens instanceof Tokens ? lexOrTokens : new Tokens(lexOrTokens);
  }

  // Token handling (parse.go's next/backup/peek).
  private next(): Item {
    const t = this.tok;
    if (t.peekCount > 0) t.peekCount--;
    else t.token[0] = t.lex.nextItem();
    return t.token[t.peekCount];
  }
  private backup(): void {
    this.tok.peekCount++;
  }
  private backup2(t1: Item): void {
    this.tok.token[1] = t1;
    this.tok.peekCount = 2;
  }
  private backup3(t2: Item, t1: Item): void {
    this.tok.token[1] = t1;
    this.tok.token[2] = t2;
    this.tok.peekCount = 3;
  }
  private peek(): Item {
    const t = this.tok;
    if (t.peekCount > 0) return t.token[t.peekCount - 1];
    t.peekCount = 1;
    t.token[0] = t.lex.nextItem();
    return t.token[0];
  }
  private nextNonSpace(): Item {
    let token: Item;
    do token = this.next();
    while (token.type === 'space');
    return token;
  }
  private peekNonSpace(): Item {
    const token = this.nextNonSpace();
    this.backup();
    return token;
  }

  private errorf(message: string): never {
    throw new TemplateError(`template: ${this.parseName}:${this.tok.token[0].line}: ${message}`);
  }

  private expect(expected: ItemType, context: string): Item {
    const token = this.nextNonSpace();
    if (token.type !== expected) this.unexpected(token, context);
    return token;
  }

  private expectOneOf(e1: ItemType, e2: ItemType, context: string): Item {
    const token = this.nextNonSpace();
    if (token.type !== e1 && token.type !== e2) this.unexpected(token, context);
    return token;
  }

  private unexpected(token: Item, context: string): never {
    if (token.type === 'error') {
      let extra = '';
      if (this.tok.actionLine !== 0 && this.tok.actionLine !== token.line) {
        extra = ` in action started at ${this.parseName}:${this.tok.actionLine}`;
        if (token.value.endsWith(' action')) extra = extra.slice(' in action'.length);
      }
      this.errorf(`${itemString(token)}${extra}`);
    }
    this.errorf(`unexpected ${itemString(token)} in ${context}`);
  }

  private tree(): Tree {
    return { name: this.name, parseName: this.parseName, text: this.text, root: this.root ?? { kind: 'list', pos: 0, nodes: [] } };
  }

  /** Tree.add: a template defined twice in one parse is an error, unless one of the two is empty. */
  private add(): void {
    const existing = this.treeSet.get(this.name);
    if (!existing || isEmptyTree(existing.root)) {
      this.treeSet.set(this.name, this.tree());
      return;
    }
    if (!isEmptyTree(this.root)) this.errorf(`template: multiple definition of template ${goQuote(this.name)}`);
  }

  private child(name: string): Parser {
    return new Parser(name, this.parseName, this.text, this.tok, this.treeSet, this.opts);
  }

  parseMain(): void {
    this.root = { kind: 'list', pos: this.peek().pos, nodes: [] };
    while (this.peek().type !== 'eof') {
      if (this.peek().type === 'leftDelim') {
        const delim = this.next();
        if (this.nextNonSpace().type === 'define') {
          this.child('definition').parseDefinition();
          continue;
        }
        this.backup2(delim);
      }
      const n = this.textOrAction();
      if (n.kind === 'end' || n.kind === 'else') this.errorf(`unexpected ${nodeString(n)}`);
      this.root.nodes.push(n);
    }
    this.add();
  }

  private parseDefinition(): void {
    const context = 'define clause';
    const name = this.expectOneOf('string', 'rawString', context);
    this.name = this.unquote(name.value);
    this.expect('rightDelim', context);
    const { list, next } = this.itemList();
    this.root = list;
    if (next.kind !== 'end') this.errorf(`unexpected ${nodeString(next)} in ${context}`);
    this.add();
  }

  private itemList(): { list: ListNode; next: Node } {
    const list: ListNode = { kind: 'list', pos: this.peekNonSpace().pos, nodes: [] };
    while (this.peekNonSpace().type !== 'eof') {
      const n = this.textOrAction();
      if (n.kind === 'end' || n.kind === 'else') return { list, next: n };
      list.nodes.push(n);
    }
    this.errorf('unexpected EOF');
  }

  private textOrAction(): Node {
    const token = this.nextNonSpace();
    switch (token.type) {
      case 'text':
        return { kind: 'text', pos: token.pos, text: token.value };
      case 'leftDelim': {
        this.tok.actionLine = token.line;
        try {
          return this.action();
        } finally {
          this.tok.actionLine = 0;
        }
      }
      case 'comment':
        return { kind: 'comment', pos: token.pos, text: token.value };
      default:
        this.unexpected(token, 'input');
    }
  }

  private action(): Node {
    const token = this.nextNonSpace();
    switch (token.type) {
      case 'block':
        return this.blockControl();
      case 'break':
        return this.breakControl(token.pos);
      case 'continue':
        return this.continueControl(token.pos);
      case 'else':
        return this.elseControl();
      case 'end':
        return this.endControl();
      case 'if':
        return { kind: 'if', ...this.parseControl(true, 'if') };
      case 'range':
        return { kind: 'range', ...this.parseControl(false, 'range') };
      case 'template':
        return this.templateControl();
      case 'with':
        return { kind: 'with', ...this.parseControl(false, 'with') };
    }
    this.backup();
    const t = this.peek();
    return { kind: 'action', pos: t.pos, pipe: this.pipeline('command', 'rightDelim') };
  }

  private breakControl(pos: number): Node {
    const token = this.nextNonSpace();
    if (token.type !== 'rightDelim') this.unexpected(token, '{{break}}');
    if (this.rangeDepth === 0) this.errorf('{{break}} outside {{range}}');
    return { kind: 'break', pos };
  }

  private continueControl(pos: number): Node {
    const token = this.nextNonSpace();
    if (token.type !== 'rightDelim') this.unexpected(token, '{{continue}}');
    if (this.rangeDepth === 0) this.errorf('{{continue}} outside {{range}}');
    return { kind: 'continue', pos };
  }

  private pipeline(context: string, end: ItemType): PipeNode {
    const token = this.peekNonSpace();
    const pipe: PipeNode = { kind: 'pipe', pos: token.pos, isAssign: false, decl: [], cmds: [] };
    decls: for (;;) {
      const v = this.peekNonSpace();
      if (v.type === 'variable') {
        this.next();
        const tokenAfterVariable = this.peek();
        const next = this.peekNonSpace();
        if (next.type === 'assign' || next.type === 'declare') {
          pipe.isAssign = next.type === 'assign';
          this.nextNonSpace();
          pipe.decl.push(this.newVariable(v.pos, v.value));
          this.vars.push(v.value);
        } else if (next.type === 'char' && next.value === ',') {
          this.nextNonSpace();
          pipe.decl.push(this.newVariable(v.pos, v.value));
          this.vars.push(v.value);
          if (context === 'range' && pipe.decl.length < 2) {
            const t = this.peekNonSpace().type;
            if (t === 'variable' || t === 'rightDelim' || t === 'rightParen') continue decls;
            this.errorf('range can only initialize variables');
          }
          this.errorf(`too many declarations in ${context}`);
        } else if (tokenAfterVariable.type === 'space') {
          this.backup3(v, tokenAfterVariable);
        } else {
          this.backup2(v);
        }
      }
      break;
    }
    for (;;) {
      const token = this.nextNonSpace();
      switch (token.type) {
        case end:
          this.checkPipeline(pipe, context);
          return pipe;
        case 'bool':
        case 'charConstant':
        case 'complex':
        case 'dot':
        case 'field':
        case 'identifier':
        case 'number':
        case 'nil':
        case 'rawString':
        case 'string':
        case 'variable':
        case 'leftParen':
          this.backup();
          pipe.cmds.push(this.command());
          break;
        default:
          this.unexpected(token, context);
      }
    }
  }

  private checkPipeline(pipe: PipeNode, context: string): void {
    if (pipe.cmds.length === 0) this.errorf(`missing value for ${context}`);
    pipe.cmds.slice(1).forEach((c, i) => {
      const k = c.args[0].kind;
      if (k === 'bool' || k === 'dot' || k === 'nil' || k === 'number' || k === 'string') this.errorf(`non executable command in pipeline stage ${i + 2}`);
    });
  }

  private parseControl(allowElseIf: boolean, context: string): { pos: number; pipe: PipeNode; list: ListNode; elseList?: ListNode } {
    const nvars = this.vars.length;
    try {
      const pipe = this.pipeline(context, 'rightDelim');
      if (context === 'range') this.rangeDepth++;
      const body = this.itemList();
      const list = body.list;
      let next = body.next;
      if (context === 'range') this.rangeDepth--;
      let elseList: ListNode | undefined;
      if (next.kind === 'else') {
        if (allowElseIf && this.peek().type === 'if') {
          this.next();
          elseList = { kind: 'list', pos: next.pos, nodes: [{ kind: 'if', ...this.parseControl(true, 'if') }] };
        } else {
          ({ list: elseList, next } = this.itemList());
          if (next.kind !== 'end') this.errorf(`expected end; found ${nodeString(next)}`);
        }
      }
      return { pos: pipe.pos, pipe, list, elseList };
    } finally {
      this.vars.length = nvars;
    }
  }

  private endControl(): Node {
    return { kind: 'end', pos: this.expect('rightDelim', 'end').pos };
  }

  private elseControl(): Node {
    const peek = this.peekNonSpace();
    if (peek.type === 'if') return { kind: 'else', pos: peek.pos };
    const token = this.expect('rightDelim', 'else');
    return { kind: 'else', pos: token.pos };
  }

  private blockControl(): Node {
    const context = 'block clause';
    const token = this.nextNonSpace();
    const name = this.parseTemplateName(token, context);
    const pipe = this.pipeline(context, 'rightDelim');
    const block = this.child(name);
    const { list, next } = block.itemList();
    block.root = list;
    if (next.kind !== 'end') this.errorf(`unexpected ${nodeString(next)} in ${context}`);
    block.add();
    return { kind: 'template', pos: token.pos, name, pipe };
  }

  private templateControl(): Node {
    const context = 'template clause';
    const token = this.nextNonSpace();
    const name = this.parseTemplateName(token, context);
    let pipe: PipeNode | undefined;
    if (this.nextNonSpace().type !== 'rightDelim') {
      this.backup();
      pipe = this.pipeline(context, 'rightDelim');
    }
    return { kind: 'template', pos: token.pos, name, pipe };
  }

  private parseTemplateName(token: Item, context: string): string {
    if (token.type === 'string' || token.type === 'rawString') return this.unquote(token.value);
    this.unexpected(token, context);
  }

  private command(): CommandNode {
    const cmd: CommandNode = { kind: 'command', pos: this.peekNonSpace().pos, args: [] };
    for (;;) {
      this.peekNonSpace();
      const operand = this.operand();
      if (operand) cmd.args.push(operand);
      const token = this.next();
      if (token.type === 'space') continue;
      if (token.type === 'rightDelim' || token.type === 'rightParen') this.backup();
      else if (token.type !== 'pipe') this.unexpected(token, 'operand');
      break;
    }
    if (cmd.args.length === 0) this.errorf('empty command');
    return cmd;
  }

  private operand(): Node | undefined {
    let node = this.term();
    if (!node) return undefined;
    if (this.peek().type === 'field') {
      const chain: ChainNode = { kind: 'chain', pos: this.peek().pos, node, fields: [] };
      while (this.peek().type === 'field') chain.fields.push(this.next().value.slice(1));
      switch (node.kind) {
        case 'field':
          node = { kind: 'field', pos: chain.pos, ident: [...node.ident, ...chain.fields] };
          break;
        case 'variable':
          node = { kind: 'variable', pos: chain.pos, ident: [...node.ident, ...chain.fields] };
          break;
        case 'bool':
        case 'string':
        case 'number':
        case 'nil':
        case 'dot':
          this.errorf(`unexpected . after term ${goQuote(nodeString(node))}`);
        // falls through (never reached)
        default:
          node = chain;
      }
    }
    return node;
  }

  private term(): Node | undefined {
    const token = this.nextNonSpace();
    switch (token.type) {
      case 'identifier':
        if (!this.opts.hasFunction(token.value)) this.errorf(`function ${goQuote(token.value)} not defined`);
        return { kind: 'identifier', pos: token.pos, name: token.value };
      case 'dot':
        return { kind: 'dot', pos: token.pos };
      case 'nil':
        return { kind: 'nil', pos: token.pos };
      case 'variable':
        return this.useVar(token.pos, token.value);
      case 'field':
        return { kind: 'field', pos: token.pos, ident: token.value.split('.').slice(1) };
      case 'bool':
        return { kind: 'bool', pos: token.pos, value: token.value === 'true' };
      case 'charConstant':
      case 'complex':
      case 'number':
        return this.newNumber(token.pos, token.value, token.type);
      case 'leftParen':
        return this.pipeline('parenthesized pipeline', 'rightParen');
      case 'string':
      case 'rawString':
        return { kind: 'string', pos: token.pos, quoted: token.value, text: this.unquote(token.value) };
    }
    this.backup();
    return undefined;
  }

  private newVariable(pos: number, name: string): VariableNode {
    return { kind: 'variable', pos, ident: name.split('.') };
  }

  private useVar(pos: number, name: string): Node {
    const v = this.newVariable(pos, name);
    if (this.vars.includes(v.ident[0])) return v;
    this.errorf(`undefined variable ${goQuote(v.ident[0])}`);
  }

  private unquote(quoted: string): string {
    const r = unquote(quoted);
    if (r === undefined) this.errorf('invalid syntax');
    return r;
  }

  private newNumber(pos: number, text: string, type: ItemType): NumberNode {
    const n: NumberNode = {
      kind: 'number',
      pos,
      text,
      isInt: false,
      isUint: false,
      isFloat: false,
      isComplex: false,
      int64: 0n,
      uint64: 0n,
      float64: 0,
      complex: [0, 0],
    };
    if (type === 'charConstant') {
      const r = unquoteChar(text.slice(1), "'");
      if (!r) this.errorf('invalid syntax');
      if (r.tail !== "'") this.errorf(`malformed character constant: ${text}`);
      const c = r.value.codePointAt(0)!;
      Object.assign(n, { int64: BigInt(c), isInt: true, uint64: BigInt(c), isUint: true, float64: c, isFloat: true });
      return n;
    }
    if (type === 'complex') {
      const m = /^([+-]?[^+-]+(?:[eEpP][+-]?[^+-]*)?)([+-].*)i$/.exec(text);
      const re = m ? parseFloatGo(m[1]) : undefined;
      const im = m ? parseFloatGo(m[2]) : undefined;
      if (re === undefined || im === undefined) this.errorf(`expected integer`);
      n.isComplex = true;
      n.complex = [re, im];
      simplifyComplex(n);
      return n;
    }
    if (text.endsWith('i')) {
      const f = parseFloatGo(text.slice(0, -1));
      if (f !== undefined) {
        n.isComplex = true;
        n.complex = [0, f];
        simplifyComplex(n);
        return n;
      }
    }
    const u = parseIntGo(text, false);
    if (u !== undefined) {
      n.isUint = true;
      n.uint64 = u;
    }
    const i = parseIntGo(text, true);
    if (i !== undefined) {
      n.isInt = true;
      n.int64 = i;
      if (i === 0n) {
        n.isUint = true;
        n.uint64 = u ?? 0n;
      }
    }
    if (n.isInt) {
      n.isFloat = true;
      n.float64 = Number(n.int64);
    } else if (n.isUint) {
      n.isFloat = true;
      n.float64 = Number(n.uint64);
    } else {
      const f = parseFloatGo(text);
      if (f !== undefined) {
        if (!/[.eEpP]/.test(text)) this.errorf(`integer overflow: ${goQuote(text)}`);
        n.isFloat = true;
        n.float64 = f;
        if (Number.isInteger(f) && f >= -(2 ** 63) && f < 2 ** 63) {
          n.isInt = true;
          n.int64 = BigInt(f);
        }
        if (Number.isInteger(f) && f >= 0 && f < 2 ** 64) {
          n.isUint = true;
          n.uint64 = BigInt(f);
        }
      }
    }
    if (!n.isInt && !n.isUint && !n.isFloat) this.errorf(`illegal number syntax: ${goQuote(text)}`);
    return n;
  }
}

function simplifyComplex(n: NumberNode): void {
  n.isFloat = n.complex[1] === 0;
  if (n.isFloat) {
    const f = n.complex[0];
    n.float64 = f;
    n.isInt = Number.isInteger(f) && f >= -(2 ** 63) && f < 2 ** 63;
    if (n.isInt) n.int64 = BigInt(f);
    n.isUint = Number.isInteger(f) && f >= 0 && f < 2 ** 64;
    if (n.isUint) n.uint64 = BigInt(f);
  }
}

/** strconv's underscoreOK: underscores only between digits (or after a base prefix). */
export function underscoreOK(s: string): boolean {
  let saw = '^';
  let i = 0;
  if (s[0] === '-' || s[0] === '+') s = s.slice(1);
  let hex = false;
  if (s.length >= 2 && s[0] === '0' && 'bBoOxX'.includes(s[1])) {
    i = 2;
    saw = '0';
    hex = s[1] === 'x' || s[1] === 'X';
  }
  for (; i < s.length; i++) {
    const c = s[i];
    if ((c >= '0' && c <= '9') || (hex && /[a-fA-F]/.test(c))) {
      saw = '0';
      continue;
    }
    if (c === '_') {
      if (saw !== '0') return false;
      saw = '_';
      continue;
    }
    if (saw === '_') return false;
    saw = '!';
  }
  return saw !== '_';
}

/** strconv.ParseInt(s, 0, 64) (signed) or ParseUint(s, 0, 64); undefined when Go fails. */
export function parseIntGo(s: string, signed: boolean): bigint | undefined {
  if (!s) return undefined;
  const s0 = s;
  let neg = false;
  if (signed && (s[0] === '+' || s[0] === '-')) {
    neg = s[0] === '-';
    s = s.slice(1);
    if (!s) return undefined;
  }
  let base = 10;
  let digits = s;
  if (s[0] === '0') {
    if (s.length >= 3 && 'xX'.includes(s[1])) {
      base = 16;
      digits = s.slice(2);
    } else if (s.length >= 3 && 'oO'.includes(s[1])) {
      base = 8;
      digits = s.slice(2);
    } else if (s.length >= 3 && 'bB'.includes(s[1])) {
      base = 2;
      digits = s.slice(2);
    } else {
      base = 8;
      digits = s.slice(1);
    }
  }
  let underscores = false;
  let v = 0n;
  const b = BigInt(base);
  for (const c of digits) {
    if (c === '_') {
      underscores = true;
      continue;
    }
    const d = parseInt(c, 36);
    if (Number.isNaN(d) || d >= base) return undefined;
    v = v * b + BigInt(d);
  }
  if (underscores && !underscoreOK(s0)) return undefined;
  if (base !== 10 && base !== 8 && digits.length === 0) return undefined;
  if (signed) {
    if (neg) v = -v;
    if (v > 0x7fffffffffffffffn || v < -0x8000000000000000n) return undefined;
    return v;
  }
  if (v > 0xffffffffffffffffn) return undefined;
  return v;
}

/** strconv.ParseFloat(s, 64); undefined when Go fails (bad syntax or out of range). */
export function parseFloatGo(s: string): number | undefined {
  if (!s) return undefined;
  if (s.includes('_') && !underscoreOK(s)) return undefined;
  const t = s.replace(/_/g, '');
  let m = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(t);
  if (m) {
    if (!m[2] && !m[3]) return undefined;
    if (!m[2] && m[3] === undefined) return undefined;
    const f = Number(t);
    if (!Number.isFinite(f)) return undefined;
    return f;
  }
  m = /^([+-]?)0[xX]([0-9a-fA-F]*)(?:\.([0-9a-fA-F]*))?[pP]([+-]?\d+)$/.exec(t);
  if (m) {
    const int = m[2] ?? '';
    const frac = m[3] ?? '';
    if (!int && !frac) return undefined;
    let v = 0;
    for (const c of int + frac) v = v * 16 + parseInt(c, 16);
    const f = v * 2 ** (Number(m[4]) - 4 * frac.length);
    if (!Number.isFinite(f)) return undefined;
    return m[1] === '-' ? -f : f;
  }
  return undefined;
}

const SIMPLE_ESCAPES: Record<string, string> = { a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\\': '\\' };

/**
 * strconv.UnquoteChar: the first character of s (an escape or not) and what follows; undefined
 * on bad syntax. `\xNN` and octal escapes are bytes (`byte` set), not characters.
 */
function unquoteChar(s: string, quote: string): { value: string; tail: string; byte?: number } | undefined {
  const c = s[0];
  if (c === undefined) return undefined;
  if (c === quote && (quote === "'" || quote === '"')) return undefined;
  if (c !== '\\') {
    const cp = s.codePointAt(0)!;
    const w = cp > 0xffff ? 2 : 1;
    return { value: s.slice(0, w), tail: s.slice(w) };
  }
  if (s.length <= 1) return undefined;
  const e = s[1];
  s = s.slice(2);
  if (Object.prototype.hasOwnProperty.call(SIMPLE_ESCAPES, e)) return { value: SIMPLE_ESCAPES[e], tail: s };
  if (e === 'x' || e === 'u' || e === 'U') {
    const n = e === 'x' ? 2 : e === 'u' ? 4 : 8;
    if (s.length < n || !/^[0-9a-fA-F]+$/.test(s.slice(0, n))) return undefined;
    const v = parseInt(s.slice(0, n), 16);
    if (e === 'x') return { value: String.fromCharCode(v), tail: s.slice(n), byte: v };
    if (v > 0x10ffff || (v >= 0xd800 && v < 0xe000)) return undefined;
    return { value: String.fromCodePoint(v), tail: s.slice(n) };
  }
  if (e >= '0' && e <= '7') {
    if (s.length < 2 || !/^[0-7]{2}$/.test(s.slice(0, 2))) return undefined;
    const v = parseInt(e + s.slice(0, 2), 8);
    if (v > 255) return undefined;
    return { value: String.fromCharCode(v), tail: s.slice(2), byte: v };
  }
  if (e === "'" || e === '"') {
    if (e !== quote) return undefined;
    return { value: e, tail: s };
  }
  return undefined;
}

/** strconv.Unquote of a "…", `…` or '…' literal; undefined on bad syntax. */
export function unquote(s: string): string | undefined {
  const q = s[0];
  if (s.length < 2 || s[s.length - 1] !== q) return undefined;
  const body = s.slice(1, -1);
  if (q === '`') return body.includes('`') ? undefined : body.replace(/\r/g, '');
  if (q !== '"' && q !== "'") return undefined;
  if (body.includes('\n')) return undefined;
  let out = '';
  let rest = body;
  // Byte escapes in a string make bytes, which together may or may not be UTF-8 ("\xc3\xa9" is é).
  let bytes: number[] = [];
  const flush = () => {
    if (bytes.length) out += stringOfBytes(Uint8Array.from(bytes));
    bytes = [];
  };
  while (rest.length > 0) {
    const r = unquoteChar(rest, q);
    if (!r) return undefined;
    if (r.byte !== undefined && q === '"') {
      bytes.push(r.byte);
    } else {
      flush();
      out += r.value;
    }
    rest = r.tail;
    if (q === "'" && rest.length > 0) return undefined;
  }
  flush();
  if (q === "'" && Array.from(out).length !== 1) return undefined;
  return out;
}

export { isKeyword };
