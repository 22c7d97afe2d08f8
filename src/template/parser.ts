import { UserError } from '../errors.js';
import { lex, LexError, type Item, type ItemType } from './lexer.js';
import type { BranchNode, CommandNode, ListNode, Node, PipeNode, TemplateNode, Tree, VariableNode } from './tree.js';

/** A template error with the name of the template and a position in its text: the user's to fix. */
export class TemplateError extends UserError {
  constructor(
    readonly templateName: string,
    readonly text: string,
    readonly pos: number,
    readonly detail: string,
  ) {
    super(`${templateName}:${location(text, pos)}: ${detail}`);
    this.name = 'TemplateError';
  }
}

/** "LINE:COL" of an offset, both from 1 (columns count characters). */
export function location(text: string, pos: number): string {
  const before = text.slice(0, pos);
  const line = before.split('\n').length;
  const col = pos - (before.lastIndexOf('\n') + 1) + 1;
  return `${line}:${col}`;
}

const GO_ESCAPES: Record<string, string> = { a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\\': '\\', '"': '"', "'": "'" };

/** strconv.Unquote of a Go interpreted string or char literal's body. */
function unquoteBody(body: string): string {
  return body.replace(/\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|[0-7]{3}|.)/g, (all, e: string) => {
    if (e[0] === 'x') return String.fromCharCode(parseInt(e.slice(1), 16));
    if (e[0] === 'u' || e[0] === 'U') return String.fromCodePoint(parseInt(e.slice(1), 16));
    if (/^[0-7]{3}$/.test(e)) return String.fromCharCode(parseInt(e, 8));
    const known = GO_ESCAPES[e];
    if (known === undefined) throw new Error(`invalid syntax in ${all}`);
    return known;
  });
}

/** A Go number literal as an int (bigint) or a float. */
function parseNumber(text: string): { value: bigint | number; isInt: boolean } | undefined {
  const clean = text.replace(/_/g, '');
  if (clean.endsWith('i')) return undefined;
  const sign = clean.startsWith('-') ? -1n : 1n;
  const unsigned = clean.replace(/^[+-]/, '');
  if (/^(0[xX][0-9a-fA-F]+|0[bB][01]+|0[oO][0-7]+|0[0-7]*|[1-9][0-9]*)$/.test(unsigned)) {
    const digits = /^0[0-7]+$/.test(unsigned) ? `0o${unsigned.slice(1)}` : unsigned;
    return { value: sign * BigInt(digits), isInt: true };
  }
  const f = Number(unsigned.replace(/^0[xX]/, '0x'));
  if (Number.isNaN(f)) return undefined;
  return { value: sign < 0n ? -f : f, isInt: false };
}

const OPERAND_START = new Set<ItemType>(['bool', 'char', 'dot', 'field', 'identifier', 'number', 'nil', 'rawString', 'string', 'variable', 'leftParen']);

/** What the parser needs to know of the execution: which function names exist. */
export interface ParseOptions {
  hasFunction(name: string): boolean;
}

/**
 * Parses `text` (text/template/parse/parse.go): the main tree, plus every `define` and
 * `block` it contains in `defined`. Throws TemplateError with the position of the problem.
 */
export function parse(name: string, text: string, opts: ParseOptions): { tree: Tree; defined: Map<string, Tree> } {
  return new Parser(name, text, opts).parse();
}

class Parser {
  private items: Item[] = [];
  private index = 0;
  private vars: string[] = ['$'];
  private rangeDepth = 0;
  private readonly defined = new Map<string, Tree>();

  constructor(
    private readonly name: string,
    private readonly text: string,
    private readonly opts: ParseOptions,
  ) {}

  parse(): { tree: Tree; defined: Map<string, Tree> } {
    try {
      this.items = lex(this.text);
    } catch (err) {
      if (err instanceof LexError) throw this.error(err.pos, err.message);
      throw err;
    }
    const root: ListNode = { kind: 'list', pos: 0, nodes: [] };
    while (this.peek().type !== 'eof') {
      if (this.peek().type === 'leftDelim' && this.peekNonSpaceAt(1).value === 'define' && this.peekNonSpaceAt(1).type === 'keyword') {
        this.next();
        this.nextNonSpace();
        this.parseDefinition();
        continue;
      }
      const { node, end } = this.textOrAction();
      if (end) throw this.error(end.pos, `unexpected {{${end.kind}}}`);
      if (node) root.nodes.push(node);
    }
    return { tree: { name: this.name, text: this.text, root }, defined: this.defined };
  }

  private error(pos: number, message: string): TemplateError {
    return new TemplateError(this.name, this.text, pos, message);
  }

  private peek(): Item {
    return this.items[this.index]!;
  }

  private next(): Item {
    return this.items[this.index++]!;
  }

  private backup(): void {
    this.index--;
  }

  private nextNonSpace(): Item {
    let item = this.next();
    while (item.type === 'space') item = this.next();
    return item;
  }

  private peekNonSpace(): Item {
    const item = this.nextNonSpace();
    this.backup();
    return item;
  }

  /** The `n`th non-space item from here (0: the next one), without consuming anything. */
  private peekNonSpaceAt(n: number): Item {
    let i = this.index;
    for (let seen = -1; ; i++) {
      const item = this.items[i]!;
      if (item.type === 'eof') return item;
      if (item.type === 'space') continue;
      if (++seen === n) return item;
    }
  }

  private expect(type: ItemType, context: string): Item {
    const item = this.nextNonSpace();
    if (item.type !== type) throw this.unexpected(item, context);
    return item;
  }

  private unexpected(item: Item, context: string): TemplateError {
    if (item.type === 'eof') return this.error(item.pos, `unexpected EOF in ${context}`);
    const what = item.type === 'rightDelim' ? '"}}"' : item.type === 'leftDelim' ? '"{{"' : `"${item.value}"`;
    return this.error(item.pos, `unexpected ${what} in ${context}`);
  }

  /** {{define "name"}} … {{end}}, after the `define` keyword. */
  private parseDefinition(): void {
    const nameItem = this.nextNonSpace();
    if (nameItem.type !== 'string' && nameItem.type !== 'rawString') throw this.unexpected(nameItem, 'define clause');
    const name = this.stringValue(nameItem);
    this.expect('rightDelim', 'define clause');
    this.defineBody(name, 'define clause');
  }

  /** The body of a define or block, up to its {{end}}, in a scope of its own. */
  private defineBody(name: string, context: string): void {
    const saved = this.vars;
    this.vars = ['$'];
    const { list, end } = this.itemList();
    this.vars = saved;
    if (end.kind !== 'end') throw this.error(end.pos, `unexpected {{else}} in ${context}`);
    this.defined.set(name, { name, text: this.text, root: list });
  }

  /** Nodes up to an {{end}} or {{else}}, which is returned as `end`. */
  private itemList(): { list: ListNode; end: { kind: 'end' | 'else'; pos: number; elseIf?: 'if' | 'with' } } {
    const list: ListNode = { kind: 'list', pos: this.peek().pos, nodes: [] };
    while (this.peekNonSpace().type !== 'eof') {
      const { node, end } = this.textOrAction();
      if (end) return { list, end };
      if (node) list.nodes.push(node);
    }
    throw this.error(this.peek().pos, 'unexpected EOF');
  }

  private textOrAction(): { node?: Node; end?: { kind: 'end' | 'else'; pos: number; elseIf?: 'if' | 'with' } } {
    const item = this.next();
    if (item.type === 'text') return { node: { kind: 'text', pos: item.pos, text: item.value } };
    if (item.type === 'comment') return {};
    if (item.type === 'leftDelim') return this.action();
    throw this.unexpected(item, 'input');
  }

  private action(): { node?: Node; end?: { kind: 'end' | 'else'; pos: number; elseIf?: 'if' | 'with' } } {
    const item = this.nextNonSpace();
    if (item.type === 'keyword') {
      switch (item.value) {
        case 'block':
          return { node: this.blockControl(item.pos) };
        case 'break':
        case 'continue': {
          if (this.rangeDepth === 0) throw this.error(item.pos, `{{${item.value}}} outside {{range}}`);
          this.expect('rightDelim', item.value);
          return { node: { kind: item.value, pos: item.pos } };
        }
        case 'else': {
          const peek = this.peekNonSpace();
          if (peek.type === 'keyword' && (peek.value === 'if' || peek.value === 'with')) {
            this.nextNonSpace();
            return { end: { kind: 'else', pos: item.pos, elseIf: peek.value } };
          }
          this.expect('rightDelim', 'else');
          return { end: { kind: 'else', pos: item.pos } };
        }
        case 'end':
          this.expect('rightDelim', 'end');
          return { end: { kind: 'end', pos: item.pos } };
        case 'if':
        case 'range':
        case 'with':
          return { node: this.control(item.value, item.pos) };
        case 'template':
          return { node: this.templateControl(item.pos) };
        case 'define':
          throw this.error(item.pos, 'unexpected define: only at the top level');
      }
    }
    this.backup();
    return { node: { kind: 'action', pos: item.pos, pipe: this.pipeline('command', 'rightDelim') } };
  }

  /** if, range or with: the pipeline, the body, an optional else (or else if / else with chain). */
  private control(kind: 'if' | 'range' | 'with', pos: number): Node {
    const savedVars = this.vars.length;
    const pipe = this.pipeline(kind, 'rightDelim');
    if (kind === 'range') this.rangeDepth++;
    const { list, end } = this.itemList();
    if (kind === 'range') this.rangeDepth--;
    let elseList: ListNode | undefined;
    if (end.kind === 'else') {
      if (end.elseIf) {
        if (end.elseIf !== kind) throw this.error(end.pos, `unexpected {{else ${end.elseIf}}} in ${kind}`);
        // {{else if …}} is {{else}}{{if …}}…{{end}}{{end}} with one {{end}}: the nested
        // control consumes it.
        elseList = { kind: 'list', pos: end.pos, nodes: [this.control(end.elseIf, end.pos)] };
      } else {
        const rest = this.itemList();
        if (rest.end.kind !== 'end') throw this.error(rest.end.pos, `expected end; found {{else}}`);
        elseList = rest.list;
      }
    }
    this.vars.length = savedVars;
    const branch: BranchNode = { pos, pipe, list, elseList };
    return { kind, ...branch };
  }

  private templateControl(pos: number): TemplateNode {
    const nameItem = this.nextNonSpace();
    if (nameItem.type !== 'string' && nameItem.type !== 'rawString') throw this.unexpected(nameItem, 'template clause');
    const name = this.stringValue(nameItem);
    let pipe: PipeNode | undefined;
    if (this.peekNonSpace().type !== 'rightDelim') pipe = this.pipeline('template clause', 'rightDelim');
    else this.nextNonSpace();
    return { kind: 'template', pos, name, pipe };
  }

  /** {{block "name" pipeline}} body {{end}}: defines "name" and runs it here. */
  private blockControl(pos: number): TemplateNode {
    const nameItem = this.nextNonSpace();
    if (nameItem.type !== 'string' && nameItem.type !== 'rawString') throw this.unexpected(nameItem, 'block clause');
    const name = this.stringValue(nameItem);
    const pipe = this.pipeline('block clause', 'rightDelim');
    this.defineBody(name, 'block clause');
    return { kind: 'template', pos, name, pipe };
  }

  /** A pipeline up to `end` (the right delimiter or a right paren), with its declarations. */
  private pipeline(context: string, end: 'rightDelim' | 'rightParen'): PipeNode {
    const start = this.peekNonSpace();
    const pipe: PipeNode = { kind: 'pipe', pos: start.pos, isAssign: false, decl: [], cmds: [] };
    this.declarations(pipe, context);
    for (;;) {
      const item = this.nextNonSpace();
      if (item.type === end) {
        this.checkPipeline(pipe, context, item.pos);
        return pipe;
      }
      if (!OPERAND_START.has(item.type)) throw this.unexpected(item, context);
      this.backup();
      pipe.cmds.push(this.command());
    }
  }

  private checkPipeline(pipe: PipeNode, context: string, pos: number): void {
    if (pipe.cmds.length === 0) throw this.error(pos, `missing value for ${context}`);
    pipe.cmds.slice(1).forEach((c, i) => {
      if (['bool', 'dot', 'nil', 'number', 'string'].includes(c.args[0]!.kind)) throw this.error(c.pos, `non executable command in pipeline stage ${i + 2}`);
    });
  }

  /** `$x :=`, `$x =`, or in range `$i, $e :=`. */
  private declarations(pipe: PipeNode, context: string): void {
    const first = this.peekNonSpace();
    if (first.type !== 'variable') return;
    const saved = this.index;
    this.nextNonSpace();
    const op = this.peekNonSpace();
    if (op.type === 'declare' || op.type === 'assign') {
      this.nextNonSpace();
      pipe.isAssign = op.type === 'assign';
      pipe.decl.push(this.declare(first, pipe.isAssign));
      return;
    }
    if (op.type === 'comma' && context === 'range') {
      this.nextNonSpace();
      const second = this.nextNonSpace();
      if (second.type !== 'variable') throw this.unexpected(second, 'range');
      const op2 = this.nextNonSpace();
      if (op2.type !== 'declare' && op2.type !== 'assign') throw this.unexpected(op2, 'range');
      pipe.isAssign = op2.type === 'assign';
      pipe.decl.push(this.declare(first, pipe.isAssign), this.declare(second, pipe.isAssign));
      return;
    }
    this.index = saved;
  }

  private declare(item: Item, isAssign: boolean): VariableNode {
    if (isAssign && !this.vars.includes(item.value)) throw this.error(item.pos, `undefined variable "${item.value}"`);
    if (!isAssign) this.vars.push(item.value);
    return { kind: 'variable', pos: item.pos, ident: [item.value] };
  }

  /** Operands up to a pipe (consumed) or the end of the pipeline (left for the caller). */
  private command(): CommandNode {
    const cmd: CommandNode = { kind: 'command', pos: this.peekNonSpace().pos, args: [] };
    for (;;) {
      this.peekNonSpace();
      const operand = this.operand();
      if (operand) cmd.args.push(operand);
      const item = this.next();
      if (item.type === 'space') continue;
      if (item.type === 'rightDelim' || item.type === 'rightParen') this.backup();
      else if (item.type !== 'pipe') throw this.unexpected(item, 'operand');
      break;
    }
    if (cmd.args.length === 0) throw this.error(cmd.pos, 'empty command');
    return cmd;
  }

  /** A term and the fields chained to it (`(…).a.b`, `$x.a`, `.a.b`). */
  private operand(): Node | undefined {
    const node = this.term();
    if (!node) return undefined;
    if (this.peek().type !== 'field') return node;
    const fields: string[] = [];
    while (this.peek().type === 'field') fields.push(this.next().value.slice(1));
    switch (node.kind) {
      case 'field':
        return { ...node, ident: [...node.ident, ...fields] };
      case 'variable':
        return { ...node, ident: [...node.ident, ...fields] };
      case 'bool':
      case 'string':
      case 'number':
      case 'nil':
      case 'dot':
        throw this.error(node.pos, `unexpected . after term ${JSON.stringify(this.text.slice(node.pos, this.peek().pos))}`);
      default:
        return { kind: 'chain', pos: node.pos, node, fields };
    }
  }

  private term(): Node | undefined {
    const item = this.next();
    switch (item.type) {
      case 'identifier':
        if (!this.opts.hasFunction(item.value)) throw this.error(item.pos, `function "${item.value}" not defined`);
        return { kind: 'identifier', pos: item.pos, name: item.value };
      case 'dot':
        return { kind: 'dot', pos: item.pos };
      case 'nil':
        return { kind: 'nil', pos: item.pos };
      case 'variable':
        if (!this.vars.includes(item.value)) throw this.error(item.pos, `undefined variable "${item.value}"`);
        return { kind: 'variable', pos: item.pos, ident: [item.value] };
      case 'field':
        return { kind: 'field', pos: item.pos, ident: [item.value.slice(1)] };
      case 'bool':
        return { kind: 'bool', pos: item.pos, value: item.value === 'true' };
      case 'char': {
        const ch = this.unquote(item, item.value.slice(1, -1));
        const cp = ch.codePointAt(0);
        if (cp === undefined || [...ch].length !== 1) throw this.error(item.pos, `malformed character constant: ${item.value}`);
        return { kind: 'number', pos: item.pos, text: item.value, value: BigInt(cp), isInt: true };
      }
      case 'number': {
        const n = parseNumber(item.value);
        if (!n) throw this.error(item.pos, `illegal number syntax: ${JSON.stringify(item.value)}`);
        return { kind: 'number', pos: item.pos, text: item.value, ...n };
      }
      case 'leftParen': {
        const pipe = this.pipeline('parenthesized pipeline', 'rightParen');
        return pipe;
      }
      case 'string':
      case 'rawString':
        return { kind: 'string', pos: item.pos, quoted: item.value, text: this.stringValue(item) };
    }
    this.backup();
    return undefined;
  }

  private unquote(item: Item, body: string): string {
    try {
      return unquoteBody(body);
    } catch (err) {
      throw this.error(item.pos, `${(err as Error).message}: ${item.value}`);
    }
  }

  private stringValue(item: Item): string {
    return item.type === 'rawString' ? item.value.slice(1, -1).replace(/\r/g, '') : this.unquote(item, item.value.slice(1, -1));
  }
}
