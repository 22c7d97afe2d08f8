/** The parse tree of a template (text/template/parse/node.go), positions as text offsets. */

export type Node =
  | ListNode
  | TextNode
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
  | StringNode;

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
  /** The constant as an int (bigint) when it is one, else as a float. */
  value: bigint | number;
  isInt: boolean;
}
export interface StringNode {
  kind: 'string';
  pos: number;
  /** As written, quotes included. */
  quoted: string;
  text: string;
}

/** A parsed template: its main list and the templates it defines. */
export interface Tree {
  name: string;
  text: string;
  root: ListNode;
}

/** Go's String() of a node, for error messages ("<.Values.x>"). */
export function nodeString(n: Node): string {
  switch (n.kind) {
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
      const decl = n.decl.length ? `${n.decl.map(nodeString).join(', ')} ${n.isAssign ? '=' : ':='} ` : '';
      return decl + n.cmds.map(nodeString).join(' | ');
    }
    default:
      return n.kind;
  }
}
