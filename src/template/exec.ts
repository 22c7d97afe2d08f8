import { UserError } from '../errors.js';
import { timeMethod, TIME_MULTI_RESULT_METHODS } from './date.js';
import { formatValue } from './format.js';
import { asResultType, type FuncDef } from './gofunc.js';
import { goQuote } from './lexer.js';
import { location } from './parser.js';
import {
  isEmptyTree,
  nodeString,
  type ActionNode,
  type ChainNode,
  type CommandNode,
  type FieldNode,
  type IdentifierNode,
  type Node,
  type NumberNode,
  type PipeNode,
  type RangeNode,
  type TemplateNode,
  type Tree,
  type VariableNode,
} from './tree.js';
import {
  canBeNil,
  Complex128,
  lazyElements,
  goTypeName,
  GoNum,
  GoObject,
  isMap,
  isSignedIntType,
  isUnsignedIntType,
  kindOfType,
  type GoValue,
} from './types.js';

/*
 * The executor of Go 1.19's text/template (exec.go), statement by statement and expression by
 * expression: the same evaluation order, the same node each error names (Go's s.at), the same
 * errors. Values are GoValues (types.ts) with two more states reflect.Value has:
 *
 * - `undefined` is Go's invalid (zero) reflect.Value: a missing value, what a nil becomes once
 *   it went through a pipeline; an action prints it as "<no value>".
 * - `null` is an interface {} holding nil: a nil read from a map or list, a nil argument.
 *
 * Whether a non-nil value was read through an interface (a map's or a list's element, Go's
 * Interface kind) only shows in one message, "can't evaluate field x in type interface {}":
 * the executor carries that as a flag beside dot and variables.
 *
 * Nested `template` calls do not nest JavaScript calls: statements run on an explicit stack of
 * frames (walk below), so Go's bound of 100000 nested templates holds on Node's small stack.
 */

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

/** A Go value or reflect's invalid Value (undefined). */
type Val = GoValue | undefined;

/**
 * Bounds of one execution. `depth` is Go's maxExecDepth (nested `template` calls). Go has no
 * bound on output or time; jetpack stops a loop or recursion that would print without end
 * before it takes the memory, and a rendering that runs away, each with one line.
 */
export const EXEC_LIMITS = { depth: 100000, outputChars: 16 << 20, timeMs: 120_000 };

/** Go's truth: false, 0, nil, and empty strings, lists and maps are false. */
export function truth(v: Val): boolean {
  return isTrue(v).truth;
}

/** Go's isTrue: the truth of a value and whether it has one (functions and channels have none). */
export function isTrue(v: Val): { truth: boolean; ok: boolean } {
  if (v === null || v === undefined) return { truth: false, ok: true };
  switch (typeof v) {
    case 'boolean':
      return { truth: v, ok: true };
    case 'bigint':
      return { truth: v !== 0n, ok: true };
    case 'number':
      return { truth: v !== 0, ok: true };
    case 'string':
      return { truth: v.length > 0, ok: true };
    case 'function':
      return { truth: true, ok: false };
  }
  if (Array.isArray(v)) return { truth: v.length > 0, ok: true };
  if (v instanceof GoNum) return { truth: v.value !== 0n && v.value !== 0, ok: true };
  if (v instanceof Date || v instanceof GoObject) return { truth: true, ok: true };
  return { truth: Object.keys(v).length > 0, ok: true };
}

interface Variable {
  name: string;
  value: Val;
  /** Read through an interface (a range element): see the file comment. */
  iface: boolean;
}

/** How a missing map key reads (Go's missingkey option; Helm uses zero). */
export type MissingKey = 'invalid' | 'zero' | 'error';

export interface ExecOptions {
  missingKey?: MissingKey;
  /** Go 1.22's range over an integer (Go 1.19, which Helm's engine is built with, refuses it). */
  rangeOverInt?: boolean;
}

/**
 * A set of templates by name (Go's common template map). `set` follows Go's associate: a
 * template that is empty (only space and comments) does not replace one already defined.
 */
export class TemplateMap extends Map<string, Tree> {
  override set(name: string, tree: Tree): this {
    const old = this.get(name);
    if (old && isEmptyTree(tree.root)) return this;
    return super.set(name, tree);
  }
}

export class Executor {
  private written = 0;
  private deadline = 0;
  private running = 0;
  readonly missingKey: MissingKey;
  readonly rangeOverInt: boolean;

  constructor(
    readonly templates: Map<string, Tree>,
    private readonly funcs: FuncMap,
    opts: ExecOptions = {},
  ) {
    this.missingKey = opts.missingKey ?? 'zero';
    this.rangeOverInt = opts.rangeOverInt ?? false;
    if (!(templates instanceof TemplateMap)) {
      // Go's associate rule for whoever fills a plain Map: an empty template never replaces a defined one.
      templates.set = TemplateMap.prototype.set.bind(templates);
    }
  }

  /** Go's ExecuteTemplate: runs the template `name` with `data` as dot and $; returns the text. */
  execute(name: string, data: GoValue): string {
    const tree = this.templates.get(name);
    if (!tree) throw new ExecError(`template: no template ${goQuote(name)} associated with template ${goQuote(name)}`);
    if (this.running++ === 0) {
      this.written = 0;
      this.deadline = Date.now() + EXEC_LIMITS.timeMs;
    }
    const out: string[] = [];
    try {
      const state = new State(this, tree, out);
      state.walk(data, false, tree.root.nodes, [{ name: '$', value: data, iface: false }]);
    } catch (err) {
      if (err instanceof RangeError && /call stack/i.test(err.message))
        throw new ExecError(`template: ${tree.name}: nested too deeply (JavaScript's stack ran out)`);
      if (err instanceof UserError) throw err;
      // A fault of jetpack's own still ends the rendering with one line, naming where it was.
      throw Object.assign(new ExecError(`template: ${tree.name}: internal error: ${(err as Error)?.message ?? String(err)}`), { cause: err });
    } finally {
      this.running--;
    }
    return out.join('');
  }

  func(name: string): FuncDef | undefined {
    return this.funcs.get(name);
  }

  /** Counts what a template prints; past the bound, the execution fails. */
  wrote(chars: number): string | undefined {
    this.written += chars;
    if (this.written > EXEC_LIMITS.outputChars) return `output larger than ${EXEC_LIMITS.outputChars >> 20} Mi characters`;
    return undefined;
  }

  overTime(): boolean {
    return Date.now() > this.deadline;
  }
}

class BreakSignal {}
class ContinueSignal {}

/**
 * What a function returns to run a template as Go's t.ExecuteTemplate does inside it (Helm's
 * include): the template `name` with `data` as dot, in a fresh execution (depth from 0), its
 * output handed to `finish`, whose result is the function's (or, given an error, which throws
 * the function's error). When the call is a command of an action's pipeline (`{{ include "a" . |
 * indent 2 }}`), the executor runs the template on its own statement stack, so nested includes
 * do not nest JavaScript calls; elsewhere (inside parentheses) it runs it at once.
 */
export class TemplateCall {
  constructor(
    readonly name: string,
    readonly data: GoValue,
    readonly finish: (output: string | undefined, error?: Error) => GoValue,
    /** The executor whose templates it runs; the calling one when not given. */
    readonly executor?: Executor,
  ) {}
}

/** Thrown by evalCall to hand a TemplateCall of an action's command to the statement stack. */
class Suspend {
  constructor(
    readonly call: TemplateCall,
    readonly fn: FuncDef,
    readonly name: string,
  ) {}
}

/** One entry of the statement stack. */
type Frame =
  | { k: 'list'; nodes: Node[]; i: number; dot: Val; iface: boolean }
  | { k: 'pop'; mark: number }
  | { k: 'range'; node: RangeNode; next: () => [Val, Val] | undefined; mark: number; outer: number; elemIface: boolean }
  | { k: 'return'; tree: Tree; vars: Variable[]; depth: number }
  | { k: 'resume'; call: Suspend; node: ActionNode; cmd: number; dot: Val; iface: boolean; tree: Tree; vars: Variable[]; depth: number; out: string[] };

class State {
  private vars: Variable[] = [];
  private depth = 0;
  /** The node being evaluated: Go's s.node, which errors name. */
  private node: Node | undefined;
  private steps = 0;
  /** The command of an action's pipeline being evaluated: a TemplateCall it returns may suspend it. */
  private suspendCmd: Node | undefined;

  constructor(
    private readonly exec: Executor,
    private tree: Tree,
    private out: string[],
  ) {}

  private at(node: Node): void {
    this.node = node;
  }

  errorf(message: string): never {
    const name = this.tree.name;
    if (!this.node) throw new ExecError(`template: ${name}: ${message}`);
    throw new ExecError(
      `template: ${this.tree.parseName}:${location(this.tree.text, this.node.pos)}: executing ${goQuote(name)} at <${nodeString(this.node)}>: ${message}`,
    );
  }

  private write(text: string): void {
    const over = this.exec.wrote(text.length);
    if (over) throw new ExecError(`template: ${this.tree.name}: ${over}`);
    this.out.push(text);
  }

  /** Runs statements on an explicit stack: {{template}} and {{range}} push frames instead of recursing. */
  walk(dot: Val, iface: boolean, nodes: Node[], vars: Variable[]): void {
    this.vars = vars;
    const stack: Frame[] = [{ k: 'list', nodes, i: 0, dot, iface }];
    for (;;) {
      try {
        return this.loop(stack);
      } catch (err) {
        // An error inside a template an action's call runs is that call's error, in the caller.
        let e = err;
        for (;;) {
          let f = stack.pop();
          while (f && f.k !== 'resume') f = stack.pop();
          if (!f) throw e;
          this.tree = f.tree;
          this.vars = f.vars;
          this.depth = f.depth;
          this.out = f.out;
          try {
            this.finishCall(f, undefined, e as Error);
            break;
          } catch (e2) {
            if (e2 instanceof Suspend) {
              this.suspend(stack, e2, f.node, f.dot, f.iface);
              break;
            }
            e = e2;
          }
        }
      }
    }
  }

  /** Ends a call an action's pipeline made: the function's result, then the rest of the pipeline. */
  private finishCall(f: Extract<Frame, { k: 'resume' }>, output: string | undefined, error: Error | undefined): void {
    const { call, fn, name } = f.call;
    let result: GoValue;
    try {
      result = call.finish(output, error);
    } catch (err) {
      if (err instanceof RangeError && /call stack/i.test(err.message)) throw err;
      this.at(f.node.pipe.cmds[f.cmd]);
      this.errorf(`error calling ${name}: ${(err as Error).message}`);
    }
    this.runAction(f.node, f.dot, f.iface, f.cmd + 1, asResultType(result ?? null, fn.result));
  }

  /** An action, its pipeline from command `from` on (`value` the result so far); may suspend (Suspend). */
  private runAction(node: ActionNode, dot: Val, iface: boolean, from: number, value: Val | typeof MISSING): void {
    const val = this.evalPipelineFrom(dot, iface, node.pipe, from, value, true);
    if (node.pipe.decl.length === 0) this.printValue(node, val);
  }

  private loop(stack: Frame[]): void {
    while (stack.length > 0) {
      if ((++this.steps & 0xfff) === 0 && this.exec.overTime())
        throw new ExecError(`template: ${this.tree.name}: rendering took longer than ${EXEC_LIMITS.timeMs / 1000} s`);
      const top = stack[stack.length - 1];
      switch (top.k) {
        case 'pop':
          this.vars.length = top.mark;
          stack.pop();
          continue;
        case 'return':
          this.tree = top.tree;
          this.vars = top.vars;
          this.depth = top.depth;
          stack.pop();
          continue;
        case 'resume': {
          const output = this.out.join('');
          stack.pop();
          this.tree = top.tree;
          this.vars = top.vars;
          this.depth = top.depth;
          this.out = top.out;
          try {
            this.finishCall(top, output, undefined);
          } catch (err) {
            if (!(err instanceof Suspend)) throw err;
            this.suspend(stack, err, top.node, top.dot, top.iface);
          }
          continue;
        }
        case 'range': {
          this.vars.length = top.mark;
          const entry = top.next();
          if (!entry) {
            stack.pop();
            continue;
          }
          const [index, elem] = entry;
          const decl = top.node.pipe.decl.length;
          if (decl > 0) this.setTopVar(1, elem, top.elemIface);
          if (decl > 1) this.setTopVar(2, index, false);
          stack.push({ k: 'list', nodes: top.node.list.nodes, i: 0, dot: elem, iface: top.elemIface });
          continue;
        }
        case 'list':
          break;
      }
      if (top.i >= top.nodes.length) {
        stack.pop();
        continue;
      }
      const node = top.nodes[top.i++];
      try {
        // Actions inline (not in step): a frame less on the JavaScript stack for each nested include.
        if (node.kind === 'action') {
          this.node = node;
          this.runAction(node, top.dot, top.iface, 0, MISSING);
        } else this.step(stack, top.dot, top.iface, node);
      } catch (err) {
        if (err instanceof Suspend) {
          this.suspend(stack, err, node as ActionNode, top.dot, top.iface);
          continue;
        }
        if (!(err instanceof BreakSignal || err instanceof ContinueSignal)) throw err;
        // Unwind to the innermost range; break ends it, continue goes on to its next element.
        for (;;) {
          const f = stack[stack.length - 1];
          if (f.k === 'range') {
            if (err instanceof BreakSignal) {
              this.vars.length = f.outer;
              stack.pop();
            }
            break;
          }
          if (f.k === 'pop') this.vars.length = f.mark;
          stack.pop();
        }
      }
    }
  }

  /** Runs a suspended call's template on the stack: a fresh execution (Go's ExecuteTemplate) writing apart. */
  private suspend(stack: Frame[], s: Suspend, node: ActionNode, dot: Val, iface: boolean): void {
    const tmpl = this.exec.templates.get(s.call.name)!;
    const cmd = node.pipe.cmds.indexOf(this.suspendedAt as never);
    stack.push({ k: 'resume', call: s, node, cmd, dot, iface, tree: this.tree, vars: this.vars, depth: this.depth, out: this.out });
    this.tree = tmpl;
    this.depth = 0;
    this.out = [];
    this.vars = [{ name: '$', value: s.call.data, iface: false }];
    this.suspendedAt = undefined;
    stack.push({ k: 'list', nodes: tmpl.root.nodes, i: 0, dot: s.call.data, iface: false });
  }

  /** The command a Suspend came from. */
  private suspendedAt: Node | undefined;

  /** One statement: runs it, or pushes the frames that run it. */
  private step(stack: Frame[], dot: Val, iface: boolean, node: Node): void {
    this.at(node);
    switch (node.kind) {
      case 'action': {
        const val = this.evalPipeline(dot, iface, node.pipe);
        if (node.pipe.decl.length === 0) this.printValue(node, val);
        return;
      }
      case 'break':
        // eslint-disable-next-line @typescript-eslint/only-throw-error -- a control-flow signal caught by the range loop, not an error: no stack to capture
        throw new BreakSignal();
      case 'continue':
        // eslint-disable-next-line @typescript-eslint/only-throw-error -- a control-flow signal caught by the range loop, not an error: no stack to capture
        throw new ContinueSignal();
      case 'comment':
        return;
      case 'if':
      case 'with': {
        const mark = this.vars.length;
        const val = this.evalPipeline(dot, iface, node.pipe);
        const { truth, ok } = isTrue(val);
        if (!ok) this.errorf(`if/with can't use ${formatValue(val as GoValue)}`);
        stack.push({ k: 'pop', mark });
        if (truth) {
          if (node.kind === 'with') stack.push({ k: 'list', nodes: node.list.nodes, i: 0, dot: val, iface: false });
          else stack.push({ k: 'list', nodes: node.list.nodes, i: 0, dot, iface });
        } else if (node.elseList) {
          stack.push({ k: 'list', nodes: node.elseList.nodes, i: 0, dot, iface });
        }
        return;
      }
      case 'list':
        stack.push({ k: 'list', nodes: node.nodes, i: 0, dot, iface });
        return;
      case 'range':
        return this.walkRange(stack, dot, iface, node);
      case 'template':
        return this.walkTemplate(stack, dot, iface, node);
      case 'text':
        this.write(node.text);
        return;
      default:
        this.errorf(`unknown node: ${nodeString(node)}`);
    }
  }

  private walkRange(stack: Frame[], dot: Val, iface: boolean, r: RangeNode): void {
    this.at(r);
    const outer = this.vars.length;
    const val = this.evalPipeline(dot, iface, r.pipe);
    const mark = this.vars.length;
    const elseBranch = () => {
      stack.push({ k: 'pop', mark: outer });
      if (r.elseList) stack.push({ k: 'list', nodes: r.elseList.nodes, i: 0, dot, iface });
    };
    const loop = (next: () => [Val, Val] | undefined, elemIface: boolean) => {
      stack.push({ k: 'pop', mark: outer });
      stack.push({ k: 'range', node: r, next, mark, outer, elemIface });
    };
    if (val === undefined || val === null) return elseBranch();
    if (Array.isArray(val)) {
      if (val.length === 0) return elseBranch();
      let i = 0;
      const elemIface = elemIsInterface(val);
      const lazy = lazyElements(val);
      if (lazy) return loop(() => (i < val.length ? [BigInt(i), lazy(i++) as Val] : undefined), elemIface);
      return loop(() => (i < val.length ? [BigInt(i), val[i++] as Val] : undefined), elemIface);
    }
    if (isMap(val)) {
      const keys = Object.keys(val).sort(compareKeys);
      if (keys.length === 0) return elseBranch();
      let i = 0;
      return loop(() => {
        if (i >= keys.length) return undefined;
        const k = keys[i++];
        return [k, val[k] as Val];
      }, elemIsInterface(val));
    }
    const n = this.exec.rangeOverInt ? intOf(val) : undefined;
    if (n !== undefined) {
      // Go 1.22: {{range 3}} runs 0, 1, 2 (one variable at most).
      if (r.pipe.decl.length > 1) this.errorf(`can't use ${formatValue(val)} to iterate over more than one variable`);
      if (n <= 0n) return elseBranch();
      let i = 0n;
      const type = val instanceof GoNum ? val.type : undefined;
      return loop(() => {
        if (i >= n) return undefined;
        const v = type ? new GoNum(type, i) : i;
        i++;
        return [v, v];
      }, false);
    }
    this.errorf(`range can't iterate over ${formatValue(val)}`);
  }

  private walkTemplate(stack: Frame[], dot: Val, iface: boolean, t: TemplateNode): void {
    this.at(t);
    const tmpl = this.exec.templates.get(t.name);
    if (!tmpl) this.errorf(`template ${goQuote(t.name)} not defined`);
    if (this.depth === EXEC_LIMITS.depth) this.errorf(`exceeded maximum template depth (${EXEC_LIMITS.depth})`);
    const newDot = this.evalPipeline(dot, iface, t.pipe);
    stack.push({ k: 'return', tree: this.tree, vars: this.vars, depth: this.depth });
    this.tree = tmpl;
    this.depth++;
    this.vars = [{ name: '$', value: newDot, iface: false }];
    stack.push({ k: 'list', nodes: tmpl.root.nodes, i: 0, dot: newDot, iface: false });
  }

  private setTopVar(n: number, value: Val, iface: boolean): void {
    const v = this.vars[this.vars.length - n];
    v.value = value;
    v.iface = iface;
  }

  private setVar(name: string, value: Val): void {
    for (let i = this.vars.length - 1; i >= 0; i--) {
      if (this.vars[i].name === name) {
        this.vars[i].value = value;
        this.vars[i].iface = false;
        return;
      }
    }
    this.errorf(`undefined variable: ${name}`);
  }

  private varOf(name: string): Variable {
    for (let i = this.vars.length - 1; i >= 0; i--) if (this.vars[i].name === name) return this.vars[i];
    this.errorf(`undefined variable: ${name}`);
  }

  private printValue(n: Node, v: Val): void {
    this.at(n);
    if (v === undefined) return this.write('<no value>');
    if (typeof v === 'function') this.errorf(`can't print ${nodeString(n)} of type ${goTypeName(v)}`);
    this.write(formatValue(v));
  }

  // Expressions.

  evalPipeline(dot: Val, iface: boolean, pipe: PipeNode | undefined): Val {
    if (!pipe) return undefined;
    return this.evalPipelineFrom(dot, iface, pipe, 0, MISSING, false);
  }

  private evalPipelineFrom(dot: Val, iface: boolean, pipe: PipeNode, from: number, start: Val | typeof MISSING, suspendable: boolean): Val {
    if (from === 0) this.at(pipe);
    let value: Val | typeof MISSING = start;
    // An interface holding nil is, once out of a pipeline, no value.
    if (value === null) value = undefined;
    for (let i = from; i < pipe.cmds.length; i++) {
      const cmd = pipe.cmds[i];
      if (suspendable) this.suspendCmd = cmd;
      value = this.evalCommand(dot, iface, cmd, value);
      if (value === null) value = undefined;
    }
    if (suspendable) this.suspendCmd = undefined;
    const result = value === MISSING ? undefined : value;
    for (const variable of pipe.decl) {
      if (pipe.isAssign) this.setVar(variable.ident[0], result);
      else this.vars.push({ name: variable.ident[0], value: result, iface: false });
    }
    return result;
  }

  private notAFunction(args: Node[], final: Val | typeof MISSING): void {
    if (args.length > 1 || final !== MISSING) this.errorf(`can't give argument to non-function ${nodeString(args[0])}`);
  }

  private evalCommand(dot: Val, iface: boolean, cmd: CommandNode, final: Val | typeof MISSING): Val {
    const first = cmd.args[0];
    switch (first.kind) {
      case 'field':
        return this.evalFieldNode(dot, iface, first, cmd.args, final);
      case 'chain':
        return this.evalChainNode(dot, iface, first, cmd.args, final);
      case 'identifier': {
        // evalFunction inline: a frame less for each nested include.
        this.at(first);
        const fn = this.exec.func(first.name);
        if (!fn) this.errorf(`${goQuote(first.name)} is not a defined function`);
        return this.evalCall(dot, iface, fn, first.name, cmd, cmd.args, final);
      }
      case 'pipe':
        this.notAFunction(cmd.args, final);
        return this.evalPipeline(dot, iface, first);
      case 'variable':
        return this.evalVariableNode(dot, iface, first, cmd.args, final);
    }
    this.at(first);
    this.notAFunction(cmd.args, final);
    switch (first.kind) {
      case 'bool':
        return first.value;
      case 'dot':
        return dot;
      case 'nil':
        this.errorf('nil is not a command');
      // falls through (never reached)
      case 'number':
        return this.idealConstant(first);
      case 'string':
        return first.text;
    }
    this.errorf(`can't evaluate command ${goQuote(nodeString(first))}`);
  }

  private idealConstant(c: NumberNode): Val {
    this.at(c);
    const isHexInt = c.text.length > 2 && c.text[0] === '0' && (c.text[1] === 'x' || c.text[1] === 'X') && !/[pP]/.test(c.text);
    const isRuneInt = c.text[0] === "'";
    if (c.isComplex) return new Complex128(c.complex[0], c.complex[1]);
    if (c.isFloat && !isHexInt && !isRuneInt && /[.eEpP]/.test(c.text)) return c.float64;
    if (c.isInt) return c.int64;
    if (c.isUint) this.errorf(`${c.text} overflows int`);
    return undefined;
  }

  private evalFieldNode(dot: Val, iface: boolean, field: FieldNode, args: Node[], final: Val | typeof MISSING): Val {
    this.at(field);
    return this.evalFieldChain(dot, iface, dot, iface, field, field.ident, args, final);
  }

  private evalChainNode(dot: Val, iface: boolean, chain: ChainNode, args: Node[], final: Val | typeof MISSING): Val {
    this.at(chain);
    if (chain.fields.length === 0) this.errorf('internal error: no fields in evalChainNode');
    if (chain.node.kind === 'nil') this.errorf(`indirection through explicit nil in ${nodeString(chain)}`);
    const pipe = this.evalArg(dot, iface, undefined, chain.node);
    return this.evalFieldChain(dot, iface, pipe, false, chain, chain.fields, args, final);
  }

  private evalVariableNode(dot: Val, iface: boolean, variable: VariableNode, args: Node[], final: Val | typeof MISSING): Val {
    this.at(variable);
    const v = this.varOf(variable.ident[0]);
    if (variable.ident.length === 1) {
      this.notAFunction(args, final);
      return v.value;
    }
    return this.evalFieldChain(dot, iface, v.value, v.iface, variable, variable.ident.slice(1), args, final);
  }

  private evalFieldChain(
    dot: Val,
    iface: boolean,
    receiver: Val,
    recvIface: boolean,
    node: Node,
    ident: string[],
    args: Node[],
    final: Val | typeof MISSING,
  ): Val {
    const n = ident.length;
    for (let i = 0; i < n - 1; i++) {
      const r = this.evalField(dot, iface, ident[i], node, [], MISSING, receiver, recvIface);
      receiver = r.value;
      recvIface = r.iface;
    }
    return this.evalField(dot, iface, ident[n - 1], node, args, final, receiver, recvIface).value;
  }

  private evalFunction(dot: Val, iface: boolean, node: IdentifierNode, cmd: Node, args: Node[], final: Val | typeof MISSING): Val {
    this.at(node);
    const fn = this.exec.func(node.name);
    if (!fn) this.errorf(`${goQuote(node.name)} is not a defined function`);
    return this.evalCall(dot, iface, fn, node.name, cmd, args, final);
  }

  private evalField(
    dot: Val,
    iface: boolean,
    fieldName: string,
    node: Node,
    args: Node[],
    final: Val | typeof MISSING,
    receiver: Val,
    recvIface: boolean,
  ): { value: Val; iface: boolean } {
    if (receiver === undefined) {
      if (this.exec.missingKey === 'error') this.errorf(`nil data; no entry for key ${goQuote(fieldName)}`);
      return { value: undefined, iface: false };
    }
    const typ = recvIface || receiver === null ? 'interface {}' : goTypeName(receiver);
    if (receiver === null) this.errorf(`nil pointer evaluating ${typ}.${fieldName}`);
    if (receiver instanceof GoObject) {
      const method = receiver.method(fieldName);
      if (method) return { value: this.evalCall(dot, iface, method, fieldName, node, args, final), iface: false };
    }
    if (receiver instanceof Date) {
      const method = timeMethod(receiver, fieldName);
      if (method) return { value: this.evalCall(dot, iface, method, fieldName, node, args, final), iface: false };
      const results = TIME_MULTI_RESULT_METHODS[fieldName];
      if (results) this.errorf(`can't call method/function ${goQuote(fieldName)} with ${results} results`);
    }
    const hasArgs = args.length > 1 || final !== MISSING;
    if (receiver instanceof GoObject) {
      const field = receiver.field(fieldName);
      if (field !== undefined) {
        if (hasArgs) this.errorf(`${fieldName} has arguments but cannot be invoked as function`);
        return { value: field, iface: false };
      }
    } else if (isMap(receiver)) {
      const elemType = mapElemType(receiver);
      if (hasArgs) this.errorf(`${fieldName} is not a method but has arguments`);
      if (Object.prototype.hasOwnProperty.call(receiver, fieldName)) return { value: receiver[fieldName] as Val, iface: elemType === 'interface {}' };
      switch (this.exec.missingKey) {
        case 'invalid':
          return { value: undefined, iface: false };
        case 'zero':
          return { value: zeroValue(elemType), iface: elemType === 'interface {}' };
        case 'error':
          this.errorf(`map has no entry for key ${goQuote(fieldName)}`);
      }
    }
    this.errorf(`can't evaluate field ${fieldName} in type ${typ}`);
  }

  /** Go's evalCall: argument count, each argument converted or checked against its parameter's type, the call. */
  private evalCall(dot: Val, iface: boolean, fn: FuncDef, name: string, node: Node, args: Node[], final: Val | typeof MISSING, receiver?: GoValue): Val {
    const argNodes = args.length > 0 ? args.slice(1) : args;
    const numIn = argNodes.length + (final !== MISSING ? 1 : 0);
    const { params, variadic } = fn;
    let numFixed = argNodes.length;
    if (variadic) {
      numFixed = params.length - 1;
      if (numIn < numFixed) this.errorf(`wrong number of args for ${name}: want at least ${params.length - 1} got ${argNodes.length}`);
    } else if (numIn !== params.length) {
      this.errorf(`wrong number of args for ${name}: want ${params.length} got ${numIn}`);
    }

    if ((name === 'and' || name === 'or') && this.exec.func(name) === fn && fn.params[0] === 'reflect.Value') {
      let v: Val = undefined;
      for (const arg of argNodes) {
        v = this.evalArg(dot, iface, 'reflect.Value', arg);
        if (truth(v) === (name === 'or')) return v;
      }
      if (final !== MISSING) v = this.validateType(final, 'reflect.Value');
      return v;
    }

    const argv: Val[] = [];
    let i = 0;
    for (; i < numFixed && i < argNodes.length; i++) argv.push(this.evalArg(dot, iface, params[i], argNodes[i]));
    if (variadic) {
      const elem = params[params.length - 1];
      for (; i < argNodes.length; i++) argv.push(this.evalArg(dot, iface, elem, argNodes[i]));
    }
    if (final !== MISSING) {
      let t = params[params.length - 1];
      if (variadic && numIn - 1 < numFixed) t = params[numIn - 1]!;
      argv.push(this.validateType(final, t));
    }
    const callArgs = argv.map((v, j) => asParam(v, j < numFixed || !variadic ? params[j] : params[params.length - 1]));
    let result: GoValue;
    let call: TemplateCall | undefined;
    try {
      result = (receiver !== undefined ? fn.fn(receiver, ...callArgs) : fn.fn(...callArgs)) as GoValue;
      if (result instanceof TemplateCall) {
        call = result;
        if (node !== this.suspendCmd || (call.executor && call.executor !== this.exec) || !this.exec.templates.has(call.name)) {
          // Not an action's command (or another set of templates): run it here, nesting calls.
          let output: string | undefined;
          let failure: Error | undefined;
          try {
            output = (call.executor ?? this.exec).execute(call.name, call.data);
          } catch (err) {
            if (err instanceof RangeError && /call stack/i.test(err.message)) throw err;
            failure = err as Error;
          }
          result = call.finish(output, failure);
          call = undefined;
        }
      }
    } catch (err) {
      if (err instanceof RangeError && /call stack/i.test(err.message)) throw err;
      this.at(node);
      this.errorf(`error calling ${name}: ${(err as Error).message}`);
    }
    if (call) {
      this.suspendCmd = undefined;
      this.suspendedAt = node;
      // eslint-disable-next-line @typescript-eslint/only-throw-error -- a control-flow signal the statement loop catches to run the template call, not an error
      throw new Suspend(call, fn, name);
    }
    if (fn.result === 'reflect.Value') return result as Val;
    return asResultType(result ?? null, fn.result);
  }

  /** Go's validateType: `value` as a parameter of type `typ` (undefined: no type). */
  private validateType(value: Val, typ: string | undefined): Val {
    if (value === undefined) {
      if (typ === undefined) return undefined;
      if (typ === 'reflect.Value') return undefined;
      if (canBeNil(typ)) return zeroValue(typ);
      this.errorf(`invalid value; expected ${typ}`);
    }
    if (typ === undefined || typ === 'reflect.Value' || typ === 'interface {}') return value;
    if (value === null) this.errorf(`wrong type for value; expected ${typ}; got interface {}`);
    const actual = goTypeName(value);
    if (!assignable(actual, typ, value)) this.errorf(`wrong type for value; expected ${typ}; got ${actual}`);
    return value;
  }

  /** Go's evalArg: an argument node evaluated for a parameter of type `typ` (constants converted to it). */
  private evalArg(dot: Val, iface: boolean, typ: string | undefined, n: Node): Val {
    this.at(n);
    switch (n.kind) {
      case 'dot':
        return this.validateType(dot, typ);
      case 'nil':
        if (typ !== undefined && canBeNil(typ)) return typ === 'reflect.Value' ? undefined : zeroValue(typ);
        this.errorf(`cannot assign nil to ${typ ?? '<nil>'}`);
      // falls through (never reached)
      case 'field':
        return this.validateType(this.evalFieldNode(dot, iface, n, [n], MISSING), typ);
      case 'variable':
        return this.validateType(this.evalVariableNode(dot, iface, n, [], MISSING), typ);
      case 'pipe':
        return this.validateType(this.evalPipeline(dot, iface, n), typ);
      case 'identifier':
        return this.validateType(this.evalFunction(dot, iface, n, n, [], MISSING), typ);
      case 'chain':
        return this.validateType(this.evalChainNode(dot, iface, n, [], MISSING), typ);
    }
    const kind = typ === undefined ? 'invalid' : kindOfType(typ);
    if (kind === 'bool') {
      this.at(n);
      if (n.kind === 'bool') return n.value;
      this.errorf(`expected bool; found ${nodeString(n)}`);
    }
    if (kind === 'complex64' || kind === 'complex128') {
      if (n.kind === 'number' && n.isComplex) return new Complex128(n.complex[0], n.complex[1]);
      this.errorf(`expected complex; found ${nodeString(n)}`);
    }
    if (kind === 'float32' || kind === 'float64') {
      this.at(n);
      if (n.kind === 'number' && n.isFloat) return kind === 'float32' ? new GoNum('float32', Math.fround(n.float64)) : n.float64;
      this.errorf(`expected float; found ${nodeString(n)}`);
    }
    if (isSignedIntType(kind) || kind === 'int') {
      this.at(n);
      if (n.kind === 'number' && n.isInt) return kind === 'int' ? n.int64 : new GoNum(kind as never, n.int64);
      this.errorf(`expected integer; found ${nodeString(n)}`);
    }
    if (kind === 'interface' && typ === 'interface {}') return this.evalEmptyInterface(dot, iface, n);
    if (typ === 'reflect.Value') return this.evalEmptyInterface(dot, iface, n);
    if (kind === 'string') {
      this.at(n);
      if (n.kind === 'string') return n.text;
      this.errorf(`expected string; found ${nodeString(n)}`);
    }
    if (isUnsignedIntType(kind)) {
      this.at(n);
      if (n.kind === 'number' && n.isUint) return new GoNum(kind as never, n.uint64);
      this.errorf(`expected unsigned integer; found ${nodeString(n)}`);
    }
    this.errorf(`can't handle ${nodeString(n)} for arg of type ${typ}`);
  }

  private evalEmptyInterface(dot: Val, iface: boolean, n: Node): Val {
    this.at(n);
    switch (n.kind) {
      case 'bool':
        return n.value;
      case 'dot':
        return dot;
      case 'field':
        return this.evalFieldNode(dot, iface, n, [], MISSING);
      case 'identifier':
        return this.evalFunction(dot, iface, n, n, [], MISSING);
      case 'nil':
        this.errorf("evalEmptyInterface: nil (can't happen)");
      // falls through (never reached)
      case 'number':
        return this.idealConstant(n);
      case 'string':
        return n.text;
      case 'variable':
        return this.evalVariableNode(dot, iface, n, [], MISSING);
      case 'pipe':
        return this.evalPipeline(dot, iface, n);
    }
    this.errorf(`can't handle assignment of ${nodeString(n)} to empty interface argument`);
  }
}

/** The final argument of a command when there is none (Go's missingVal). */
const MISSING = Symbol('missing');

/** An argument as the function receives it: int kinds as bigints for int parameters, nil for interface {}. */
function asParam(v: Val, typ: string): GoValue | undefined {
  if (typ === 'reflect.Value') return v;
  if (v === undefined) return null;
  if (typ === 'interface {}') return v;
  return v instanceof GoNum ? v.value : v;
}

/** Go's AssignableTo for the types templates meet: identical types, or anything to an interface. */
function assignable(actual: string, typ: string, value: GoValue): boolean {
  if (actual === typ) return true;
  if (typ === 'interface {}') return true;
  if (typ === 'error') return false;
  if (typ === 'fmt.Stringer') return value instanceof GoObject || value instanceof Date;
  return false;
}

/** The element type of a map (its tag, or interface {}). */
function mapElemType(m: { [key: string]: GoValue }): string {
  const t = goTypeName(m);
  if (!t.startsWith('map[')) return 'interface {}';
  let depth = 0;
  for (let i = 3; i < t.length; i++) {
    if (t[i] === '[') depth++;
    else if (t[i] === ']' && --depth === 0) return t.slice(i + 1);
  }
  return 'interface {}';
}

/** Whether a slice's or map's elements are interfaces ([]interface {}, map[string]interface {}). */
function elemIsInterface(v: GoValue[] | { [key: string]: GoValue }): boolean {
  const t = goTypeName(v);
  return t.endsWith(']interface {}');
}

/** reflect.Zero of a type: nil for interfaces, "" for strings, 0 of the numeric type, … */
export function zeroValue(typ: string): GoValue {
  switch (typ) {
    case 'interface {}':
      return null;
    case 'string':
      return '';
    case 'bool':
      return false;
    case 'int':
      return 0n;
    case 'float64':
      return 0;
    case 'float32':
      return new GoNum('float32', 0);
  }
  if (isSignedIntType(typ) || isUnsignedIntType(typ)) return new GoNum(typ as never, 0n);
  const kind = kindOfType(typ);
  // A nil slice or map reads as an empty one (functions that write to it, as mergo does, get a fresh one).
  if (kind === 'slice' || kind === 'map') return asResultType(null, typ);
  return null;
}

/** An integer of any int kind, for Go 1.22's range over int. */
function intOf(v: Val): bigint | undefined {
  if (typeof v === 'bigint') return v;
  if (v instanceof GoNum && typeof v.value === 'bigint') return v.value;
  return undefined;
}

/** Map keys in Go's order: strings by their bytes (code points). */
function compareKeys(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.codePointAt(i)!;
    const y = b.codePointAt(i)!;
    if (x !== y) return x < y ? -1 : 1;
    if (x > 0xffff) i++;
  }
  return a.length < b.length ? -1 : 1;
}
