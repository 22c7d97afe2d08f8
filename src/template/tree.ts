/**
 * The parse tree of a template (Go 1.19's text/template/parse/node.go): the same nodes, the
 * same positions (offsets in the template text) and the same String() that Go's execution
 * errors quote (`at <.Values.x>`).
 */
import { goQuote } from './lexer.js';

export type Node =
  | ListNode
  | TextNode
  | CommentNode
  | ActionNode
  | IfNode
  | RangeNode
  | WithNode
  | TemplateNode
  | BreakNode
  | ContinueNode
  | PipeNode
  | CommandNode
  | FieldNode
  | VariableNode
  | ChainNode
  | IdentifierNode
  | DotNode
  | NilNode
  | BoolNode
  | NumberNode
  | StringNode
  | EndNode
  | ElseNode;

export interface ListNode {
  kind: 'list';
  pos: number;
  nodes: Node[];
}
export interface TextNode {
  kind: 'text';
  pos: number;
  text: string;
}
export interface CommentNode {
  kind: 'comment';
  pos: number;
  text: string;
}
export interface ActionNode {
  kind: 'action';
  pos: number;
  pipe: PipeNode;
}
/** if, range and with share their shape: a pipeline, a body, an optional else. */
export interface BranchNode {
  pos: number;
  pipe: PipeNode;
  list: ListNode;
  elseList?: ListNode;
}
export interface IfNode extends BranchNode {
  kind: 'if';
}
export interface RangeNode extends BranchNode {
  kind: 'range';
}
export interface WithNode extends BranchNode {
  kind: 'with';
}
export interface TemplateNode {
  kind: 'template';
  pos: number;
  name: string;
  pipe?: PipeNode;
}
export interface BreakNode {
  kind: 'break';
  pos: number;
}
export interface ContinueNode {
  kind: 'continue';
  pos: number;
}
export interface PipeNode {
  kind: 'pipe';
  pos: number;
  /** `=` rather than `:=` */
  isAssign: boolean;
  decl: VariableNode[];
  cmds: CommandNode[];
}
export interface CommandNode {
  kind: 'command';
  pos: number;
  args: Node[];
}
export interface FieldNode {
  kind: 'field';
  pos: number;
  ident: string[];
}
export interface VariableNode {
  kind: 'variable';
  pos: number;
  /** The variable name ($x) and the fields after it. */
  ident: string[];
}
export interface ChainNode {
  kind: 'chain';
  pos: number;
  node: Node;
  fields: string[];
}
export interface IdentifierNode {
  kind: 'identifier';
  pos: number;
  name: string;
}
export interface DotNode {
  kind: 'dot';
  pos: number;
}
export interface NilNode {
  kind: 'nil';
  pos: number;
}
export interface BoolNode {
  kind: 'bool';
  pos: number;
  value: boolean;
}
export interface NumberNode {
  kind: 'number';
  pos: number;
  text: string;
  isInt: boolean;
  isUint: boolean;
  isFloat: boolean;
  isComplex: boolean;
  int64: bigint;
  uint64: bigint;
  float64: number;
  complex: [number, number];
}
export interface StringNode {
  kind: 'string';
  pos: number;
  /** As written, quotes included. */
  quoted: string;
  text: string;
}
export interface EndNode {
  kind: 'end';
  pos: number;
}
export interface ElseNode {
  kind: 'else';
  pos: number;
}

/** A parsed template: one `define` (or the file's main text), with the text it came from. */
export interface Tree {
  /** The template's name (`executing "NAME"`). */
  name: string;
  /** The file it was parsed from (error locations). */
  parseName: string;
  text: string;
  root: ListNode;
}

/** Go's String() of a node, as execution errors quote it (`<.Values.x>`). */
export function nodeString(n: Node): string {
  switch (n.kind) {
    case 'list':
      return n.nodes.map(nodeString).join('');
    case 'text':
      return goQuote(n.text);
    case 'comment':
      return `{{${n.text}}}`;
    case 'action':
      return `{{${nodeString(n.pipe)}}}`;
    case 'if':
    case 'range':
    case 'with':
      return `{{${n.kind} ${nodeString(n.pipe)}}}${nodeString(n.list)}${n.elseList ? `{{else}}${nodeString(n.elseList)}` : ''}{{end}}`;
    case 'template':
      return `{{template ${goQuote(n.name)}${n.pipe ? ` ${nodeString(n.pipe)}` : ''}}}`;
    case 'break':
      return '{{break}}';
    case 'continue':
      return '{{continue}}';
    case 'end':
      return '{{end}}';
    case 'else':
      return '{{else}}';
    case 'field':
      return n.ident.map((i) => `.${i}`).join('');
    case 'variable':
      return n.ident.join('.');
    case 'chain':
      return `${n.node.kind === 'pipe' ? `(${nodeString(n.node)})` : nodeString(n.node)}${n.fields.map((f) => `.${f}`).join('')}`;
    case 'identifier':
      return n.name;
    case 'dot':
      return '.';
    case 'nil':
      return 'nil';
    case 'bool':
      return String(n.value);
    case 'number':
      return n.text;
    case 'string':
      return n.quoted;
    case 'command':
      return n.args.map((a) => (a.kind === 'pipe' ? `(${nodeString(a)})` : nodeString(a))).join(' ');
    case 'pipe': {
      const decl = n.decl.length ? `${n.decl.map(nodeString).join(', ')} := ` : '';
      return decl + n.cmds.map(nodeString).join(' | ');
    }
  }
}

/** parse.IsEmptyTree: whether a template holds only space and comments (it may be redefined). */
export function isEmptyTree(n: Node | undefined): boolean {
  if (!n) return true;
  switch (n.kind) {
    case 'comment':
      return true;
    case 'list':
      return n.nodes.every(isEmptyTree);
    case 'text':
      return n.text.trim() === '' && !/[^ \t\n\v\f\r\u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]/.test(n.text);
    default:
      return false;
  }
}
