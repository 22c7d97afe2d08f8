import { UserError } from '../errors.js';
import { formatValue } from './format.js';
import { asResultType, type FuncDef } from './gofunc.js';
import { location } from './parser.js';
import { canBeNil, goTypeName, GoNum, GoObject, isMap, isSignedIntType, isUnsignedIntType, kindOfType, type GoValue } from './types.js';
import { nodeString, type BranchNode, type CommandNode, type ListNode, type Node, type PipeNode, type Tree } from './tree.js';

export type { TemplateFunc } from './gofunc.js';
export { isMap } from './types.js';

/** Functions by name, with the Go signatures calls are checked against. */
export interface FuncMap {
  get(name: string): FuncDef | undefined;
}

/** A failure while executing, positioned at the node that caused it (Go's "executing … at <…>"). */
export class ExecError extends UserError {
  constructor(message: string) {
    super(message);
    this.name = 'ExecError';
  }
}

class BreakSignal {}
class ContinueSignal {}

/** Go's truth: false, 0, nil, and empty strings, lists and maps are false. */
export function truth(v: GoValue): boolean {
  if (v === null || v === undefined) return false;
  if (typeof v === 'boolean') return v;
  if (typeof v === 'bigint') return v !== 0n;
  if (typeof v === 'number') return v !== 0;
  if (typeof v === 'string') return v.length > 0;
  if (Array.isArray(v)) return v.length > 0;
  if (v instanceof GoNum) return v.value !== 0n && v.value !== 0;
  if (v instanceof Date || v instanceof GoObject || typeof v === 'function') return true;
  return Object.keys(v).length > 0;
}

/** The functions that take their arguments unevaluated (Go 1.18: and/or stop early). */
const SHORT_CIRCUIT = new Set(['and', 'or']);

interface Variable {
  name: string;
  value: GoValue;
}

/**
 * Executes templates (text/template/exec.go) with missingkey=zero, as Helm does: a missing
 * map key gives nil, which prints as "<no value>" (Helm then removes those).
 */
/**
 * Bounds of one execution. Go allows 100000 nested template calls on its growable stacks;
 * Node's fixed stack ends near 2000 here, as a crash. The output bound stops a loop or a
 * recursion that would print without end before it takes the memory.
 */
export const EXEC_LIMITS = { depth: 300, outputChars: 16 << 20 };

export class Executor {
  private depth = 0;
  private written = 0;

  constructor(
    readonly templates: Map<string, Tree>,
    private readonly funcs: FuncMap,
  ) {}

  /** Runs the template `name` with `data` as dot and $; returns the text. */
  execute(name: string, data: GoValue): string {
    const tree = this.templates.get(name);
    if (!tree) throw new ExecError(`template: no template "${name}" associated with template`);
    try {
      return this.run(tree, data);
    } catch (err) {
      // Whatever recursion the depth bound does not count (deep data) ends here, not as a crash.
      if (err instanceof RangeError && this.depth === 0) throw new ExecError(`template: ${name}: nested too deeply (${err.message})`);
      throw err;
    }
  }

  private run(tree: Tree, data: GoValue): string {
    if (++this.depth > EXEC_LIMITS.depth) throw new ExecError(`template: ${tree.name}: exceeded maximum template depth (${EXEC_LIMITS.depth})`);
    try {
      const out: string[] = [];
      new State(this, tree, out, [{ name: '$', value: data }]).walkList(data, tree.root);
      return out.join('');
    } finally {
      this.depth--;
    }
  }

  /** {{template "name" dot}}: appends the named template's output. */
  runNamed(name: string, dot: GoValue, out: string[]): void {
    const tree = this.templates.get(name);
    if (!tree) throw new ExecError(`no such template "${name}"`);
    out.push(this.run(tree, dot));
  }

  func(name: string) {
    return this.funcs.get(name);
  }

  /** Counts what a template prints; past the bound, the execution fails. */
  wrote(chars: number): void {
    this.written += chars;
    if (this.written > EXEC_LIMITS.outputChars) throw new ExecError(`template: output larger than ${EXEC_LIMITS.outputChars >> 20} Mi characters`);
  }
}

class State {
  constructor(
    private readonly exec: Executor,
    private readonly tree: Tree,
    private readonly out: string[],
    private readonly vars: Variable[],
  ) {}

  private fail(node: Node, message: string): never {
    throw new ExecError(`${this.tree.name}:${location(this.tree.text, node.pos)}: executing "${this.tree.name}" at <${nodeString(node)}>: ${message}`);
  }

  private print(node: Node, text: string): void {
    try {
      this.exec.wrote(text.length);
    } catch (err) {
      this.fail(node, (err as Error).message);
    }
    this.out.push(text);
  }

  walkList(dot: GoValue, list: ListNode): void {
    for (const node of list.nodes) this.walk(dot, node);
  }

  private walk(dot: GoValue, node: Node): void {
    switch (node.kind) {
      case 'text':
        this.print(node, node.text);
        return;
      case 'action': {
        const value = this.evalPipeline(dot, node.pipe);
        if (node.pipe.decl.length === 0) this.print(node, printable(value));
        return;
      }
      case 'if':
      case 'with':
        return this.walkIfOrWith(node.kind, dot, node);
      case 'range':
        return this.walkRange(dot, node);
      case 'template': {
        const value = node.pipe ? this.evalPipeline(dot, node.pipe) : null;
        try {
          this.exec.runNamed(node.name, value, this.out);
        } catch (err) {
          if (err instanceof ExecError && err.message.startsWith('no such template')) this.fail(node, `template: ${err.message}`);
          throw err;
        }
        return;
      }
      case 'break':
        throw new BreakSignal();
      case 'continue':
        throw new ContinueSignal();
      case 'list':
        return this.walkList(dot, node);
      default:
        this.fail(node, `unknown node: ${node.kind}`);
    }
  }

  private walkIfOrWith(kind: 'if' | 'with', dot: GoValue, node: BranchNode): void {
    const mark = this.vars.length;
    const value = this.evalPipeline(dot, node.pipe);
    if (truth(value)) this.walkList(kind === 'with' ? value : dot, node.list);
    else if (node.elseList) this.walkList(dot, node.elseList);
    this.vars.length = mark;
  }

  private walkRange(dot: GoValue, node: BranchNode): void {
    const mark = this.vars.length;
    const value = this.evalPipeline(dot, node.pipe);
    const entries = this.rangeEntries(node, value);
    const [first, second] = node.pipe.decl.map((d) => d.ident[0]!);
    const one = (key: GoValue, elem: GoValue): boolean => {
      const inner = this.vars.length;
      // One variable gets the element; two get the key (index) and the element.
      if (second !== undefined) {
        this.setVar(first!, key, node.pipe.isAssign);
        this.setVar(second, elem, node.pipe.isAssign);
      } else if (first !== undefined) {
        this.setVar(first, elem, node.pipe.isAssign);
      }
      try {
        this.walkList(elem, node.list);
      } catch (err) {
        if (err instanceof BreakSignal) return false;
        if (!(err instanceof ContinueSignal)) throw err;
      } finally {
        this.vars.length = inner;
      }
      return true;
    };
    if (entries.length === 0) {
      if (node.elseList) this.walkList(dot, node.elseList);
    } else {
      for (const [key, elem] of entries) if (!one(key, elem)) break;
    }
    this.vars.length = mark;
  }

  private rangeEntries(node: BranchNode, value: GoValue): Array<[GoValue, GoValue]> {
    if (value === null || value === undefined) return [];
    if (Array.isArray(value)) return value.map((e, i) => [BigInt(i), e]);
    if (typeof value === 'bigint') {
      if (node.pipe.decl.length > 1) this.fail(node.pipe, 'can\'t use range over int with two variables');
      return Array.from({ length: Number(value > 0n ? value : 0n) }, (_, i) => [BigInt(i), BigInt(i)]);
    }
    if (isMap(value)) return Object.keys(value).sort().map((k) => [k, value[k]!]);
    this.fail(node.pipe, `range can't iterate over ${formatValue(value)}`);
  }

  private setVar(name: string, value: GoValue, isAssign: boolean): void {
    if (isAssign) {
      for (let i = this.vars.length - 1; i >= 0; i--) {
        if (this.vars[i]!.name === name) {
          this.vars[i]!.value = value;
          return;
        }
      }
    }
    this.vars.push({ name, value });
  }

  private varValue(node: Node, name: string): GoValue {
    for (let i = this.vars.length - 1; i >= 0; i--) if (this.vars[i]!.name === name) return this.vars[i]!.value;
    this.fail(node, `undefined variable: ${name}`);
  }

  private evalPipeline(dot: GoValue, pipe: PipeNode): GoValue {
    let value: GoValue | undefined;
    for (const cmd of pipe.cmds) value = this.evalCommand(dot, cmd, value);
    for (const v of pipe.decl) this.setVar(v.ident[0]!, value ?? null, pipe.isAssign);
    return value ?? null;
  }

  /** One command of a pipeline; `final` is the previous command's value (the last argument), if any. */
  private evalCommand(dot: GoValue, cmd: CommandNode, final: GoValue | undefined): GoValue {
    const first = cmd.args[0]!;
    switch (first.kind) {
      case 'field':
        return this.evalFieldChain(dot, dot, first, first.ident, cmd.args, final);
      case 'chain': {
        const base = this.evalArg(dot, first.node);
        return this.evalFieldChain(dot, base, first, first.fields, cmd.args, final);
      }
      case 'identifier':
        return this.evalFunction(dot, first.name, first, cmd.args, final);
      case 'pipe':
        this.notAFunction(cmd.args, final);
        return this.evalPipeline(dot, first);
      case 'variable': {
        const value = this.varValue(first, first.ident[0]!);
        if (first.ident.length === 1) {
          this.notAFunction(cmd.args, final);
          return value;
        }
        return this.evalFieldChain(dot, value, first, first.ident.slice(1), cmd.args, final);
      }
    }
    this.notAFunction(cmd.args, final);
    return this.evalArg(dot, first);
  }

  private notAFunction(args: Node[], final: GoValue | undefined): void {
    if (args.length > 1 || final !== undefined) this.fail(args[0]!, `can't give argument to non-function ${nodeString(args[0]!)}`);
  }

  private evalArg(dot: GoValue, node: Node): GoValue {
    switch (node.kind) {
      case 'dot':
        return dot;
      case 'nil':
        return null;
      case 'bool':
        return node.value;
      case 'number':
        return node.value;
      case 'string':
        return node.text;
      case 'field':
        return this.evalFieldChain(dot, dot, node, node.ident, [node], undefined);
      case 'variable': {
        const value = this.varValue(node, node.ident[0]!);
        return node.ident.length === 1 ? value : this.evalFieldChain(dot, value, node, node.ident.slice(1), [node], undefined);
      }
      case 'chain':
        return this.evalFieldChain(dot, this.evalArg(dot, node.node), node, node.fields, [node], undefined);
      case 'pipe':
        return this.evalPipeline(dot, node);
      case 'identifier':
        return this.evalFunction(dot, node.name, node, [node], undefined);
    }
    this.fail(node, `can't handle ${nodeString(node)} as an argument`);
  }

  /** `.a.b.c` on `receiver`: map lookups, the last one possibly a method call with arguments. */
  private evalFieldChain(dot: GoValue, receiver: GoValue, node: Node, idents: string[], args: Node[], final: GoValue | undefined): GoValue {
    let value = receiver;
    idents.forEach((name, i) => {
      const last = i === idents.length - 1;
      value = this.evalField(dot, name, node, last ? args : [node], last ? final : undefined, value);
    });
    return value;
  }

  private evalField(dot: GoValue, name: string, node: Node, args: Node[], final: GoValue | undefined, receiver: GoValue): GoValue {
    const hasArgs = args.length > 1 || final !== undefined;
    if (receiver === null || receiver === undefined) this.fail(node, `nil pointer evaluating interface {}.${name}`);
    if (isMap(receiver)) {
      if (hasArgs) this.fail(node, `${name} is not a method but has arguments`);
      return Object.prototype.hasOwnProperty.call(receiver, name) ? receiver[name]! : null;
    }
    if (receiver instanceof GoObject) {
      const method = receiver.method(name);
      if (method) return this.evalCall(dot, method, name, node, args, final);
      const field = receiver.field(name);
      if (field !== undefined) {
        if (hasArgs) this.fail(node, `${name} has arguments but cannot be invoked as function`);
        return field;
      }
    }
    if (receiver instanceof Date) {
      const method = TIME_METHODS[name];
      if (method) return method(receiver, ...args.slice(1).map((a) => this.evalArg(dot, a)), ...(final !== undefined ? [final] : []));
    }
    this.fail(node, `can't evaluate field ${name} in type ${goTypeName(receiver)}`);
  }

  private evalFunction(dot: GoValue, name: string, node: Node, args: Node[], final: GoValue | undefined): GoValue {
    const entry = this.exec.func(name);
    if (!entry) this.fail(node, `"${name}" is not a defined function`);
    return this.evalCall(dot, entry, name, node, args, final);
  }

  /** Go's evalCall: argument count, each argument converted or checked against its parameter's type, the call. */
  private evalCall(dot: GoValue, entry: FuncDef, name: string, node: Node, args: Node[], final: GoValue | undefined): GoValue {
    const argNodes = args.slice(1);
    const numIn = argNodes.length + (final !== undefined ? 1 : 0);
    const { params, variadic } = entry;
    if (variadic) {
      if (numIn < params.length - 1) this.fail(node, `wrong number of args for ${name}: want at least ${params.length - 1} got ${argNodes.length}`);
    } else if (numIn !== params.length) {
      this.fail(node, `wrong number of args for ${name}: want ${params.length} got ${numIn}`);
    }
    if (numIn > entry.maxArgs) this.fail(node, `wrong number of args for ${name}: want at most ${entry.maxArgs} got ${numIn}`);
    if (SHORT_CIRCUIT.has(name)) return this.shortCircuit(name, dot, argNodes, final);
    const numFixed = variadic ? params.length - 1 : argNodes.length;
    const elemType = params[params.length - 1]!;
    const values: GoValue[] = [];
    let at: Node = node;
    let i = 0;
    for (; i < numFixed && i < argNodes.length; i++) values.push(this.evalTypedArg(dot, params[i]!, (at = argNodes[i]!)));
    for (; i < argNodes.length; i++) values.push(this.evalTypedArg(dot, elemType, (at = argNodes[i]!)));
    if (final !== undefined) values.push(this.validateType(at, final, numIn - 1 < numFixed || !variadic ? params[numIn - 1]! : elemType, false));
    let result: GoValue;
    try {
      result = entry.fn(...values);
    } catch (err) {
      if (err instanceof ExecError) throw err;
      this.fail(node, `error calling ${name}: ${(err as Error).message}`);
    }
    return asResultType(result, entry.result);
  }

  /**
   * Go's validateType: `value` as a parameter of `type` takes it. `interfaceNil` tells a nil
   * read from a map or a field (an interface {} holding nil) from an invalid value (a nil that
   * went through a pipeline): Go words the two refusals differently.
   */
  private validateType(node: Node, value: GoValue, type: string, interfaceNil: boolean): GoValue {
    const anything = type === 'interface {}' || type === 'reflect.Value';
    if (value === null || value === undefined) {
      if (anything) return null;
      if (interfaceNil) this.fail(node, `wrong type for value; expected ${type}; got interface {}`);
      if (canBeNil(type)) return zeroOf(type);
      this.fail(node, `invalid value; expected ${type}`);
    }
    if (anything) return value;
    const actual = goTypeName(value);
    if (actual !== type) this.fail(node, `wrong type for value; expected ${type}; got ${actual}`);
    return plainArg(value);
  }

  /** Go's evalArg: an argument node evaluated for a parameter of `type` (constants converted to it). */
  private evalTypedArg(dot: GoValue, type: string, node: Node): GoValue {
    switch (node.kind) {
      case 'dot':
        return this.validateType(node, dot, type, true);
      case 'nil':
        if (canBeNil(type)) return zeroOf(type);
        this.fail(node, `cannot assign nil to ${type}`);
      case 'field':
      case 'chain':
        return this.validateType(node, this.evalArg(dot, node), type, true);
      case 'variable':
        return this.validateType(node, this.evalArg(dot, node), type, node.ident.length > 1);
      case 'pipe':
      case 'identifier':
        return this.validateType(node, this.evalArg(dot, node), type, false);
    }
    const kind = kindOfType(type);
    if (kind === 'interface' || type === 'reflect.Value') return this.evalArg(dot, node);
    if (kind === 'bool') {
      if (node.kind === 'bool') return node.value;
      this.fail(node, `expected bool; found ${nodeString(node)}`);
    }
    if (kind === 'string') {
      if (node.kind === 'string') return node.text;
      this.fail(node, `expected string; found ${nodeString(node)}`);
    }
    if (kind === 'float64' || kind === 'float32') {
      if (node.kind === 'number') return Number(node.value);
      this.fail(node, `expected float; found ${nodeString(node)}`);
    }
    if (isSignedIntType(kind) || isUnsignedIntType(kind)) {
      const n = node.kind === 'number' ? integerConstant(node.value) : undefined;
      if (n !== undefined && (isSignedIntType(kind) || n >= 0n)) return n;
      this.fail(node, `expected ${isSignedIntType(kind) ? 'integer' : 'unsigned integer'}; found ${nodeString(node)}`);
    }
    this.fail(node, `can't handle ${nodeString(node)} for arg of type ${type}`);
  }

  /** and/or: the first falsy (truthy) argument, or the last; later arguments are not evaluated. */
  private shortCircuit(name: string, dot: GoValue, argNodes: Node[], final: GoValue | undefined): GoValue {
    const stopAt = name === 'and' ? false : true;
    let value: GoValue = null;
    const all: Array<() => GoValue> = [...argNodes.map((a) => () => this.evalArg(dot, a)), ...(final !== undefined ? [() => final] : [])];
    for (const get of all) {
      value = get();
      if (truth(value) === stopAt) return value;
    }
    return value;
  }
}

/** The zero value of a type that can be nil: a nil slice or map reads as an empty one. */
function zeroOf(type: string): GoValue {
  const kind = kindOfType(type);
  return kind === 'slice' ? asResultType(null, type) : kind === 'map' ? asResultType(null, type) : null;
}

/** A checked argument as the function receives it: any int kind as a bigint, float32 as a number. */
function plainArg(v: GoValue): GoValue {
  return v instanceof GoNum ? v.value : v;
}

/** A number constant as an integer when Go's parser marks it IsInt (3, 0x10, 3.0, 1e3), else undefined. */
function integerConstant(v: bigint | number): bigint | undefined {
  if (typeof v === 'bigint') return v;
  return Number.isInteger(v) && Math.abs(v) < 2 ** 63 ? BigInt(v) : undefined;
}

/** What an action prints: Go prints an invalid (nil) value as "<no value>". */
function printable(v: GoValue): string {
  return v === null || v === undefined ? '<no value>' : formatValue(v);
}

/** The methods of time.Time that templates call (`now.Year`, `now.Unix`, `(now).UTC`). */
const TIME_METHODS: Record<string, (t: Date, ...args: GoValue[]) => GoValue> = {
  Year: (t) => BigInt(t.getFullYear()),
  YearDay: (t) => BigInt(Math.floor((t.getTime() - new Date(t.getFullYear(), 0, 1).getTime()) / 86_400_000) + 1),
  Day: (t) => BigInt(t.getDate()),
  Hour: (t) => BigInt(t.getHours()),
  Minute: (t) => BigInt(t.getMinutes()),
  Second: (t) => BigInt(t.getSeconds()),
  Unix: (t) => BigInt(Math.floor(t.getTime() / 1000)),
  UnixMilli: (t) => BigInt(t.getTime()),
  UTC: (t) => t,
};
