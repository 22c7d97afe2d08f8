import { BUILTINS, type FuncDef } from './builtins.js';
import { EXEC_LIMITS, ExecError, Executor, type FuncMap } from './exec.js';
import { quoteGo } from './format.js';
import { goFunc } from './gofunc.js';
import { parse, TemplateError } from './parser.js';
import { sprigFunctions } from './sprig/index.js';
import type { Node, Tree } from './tree.js';
import { goTypeName, isMap, type GoValue } from './types.js';
import { sourceDateEpoch } from '../util/source-date-epoch.js';

export interface RenderOptions {
  /** The template's name in errors: the file it came from. */
  name: string;
  /** What `.Values` holds (mark-devkit: the job's options). */
  values: GoValue;
  /** What Sprig's `now` returns; default SOURCE_DATE_EPOCH when set, else the current time. */
  now?: () => Date;
  /** Other template files parsed beside it, by name (a chart's `_helpers.tpl`): their `define`s are callable. */
  templates?: Record<string, string>;
}

/** `now` as reproducible builds want it: SOURCE_DATE_EPOCH when it is set (a malformed one is refused). */
function sourceDateNow(): () => Date {
  const epoch = sourceDateEpoch();
  return epoch === undefined ? () => new Date() : () => new Date(epoch * 1000);
}

/** Helm's bound on nested `include` calls of one name (pkg/engine/engine.go recursionMaxNums). */
export const INCLUDE_MAX_NESTING = 1000;

/** Go's parse.IsEmptyTree: only whitespace text (comments are gone): such a parse does not replace a template. */
function isEmptyTree(n: Node): boolean {
  if (n.kind === 'list') return n.nodes.every(isEmptyTree);
  if (n.kind === 'text') return n.text.trim() === '' && !/[^\t\n\v\f\r ]/.test(n.text);
  return false;
}

/** Recursion deeper than Node's stack: one line, not wrapped by every level it went through. */
class TooDeep extends ExecError {}

/** Recursion stopped by the executor's depth bound or by Node's stack. */
function isTooDeep(err: unknown): boolean {
  return err instanceof RangeError || (err instanceof ExecError && /: nested too deeply \(|Maximum call stack size exceeded|exceeded maximum template depth \(\d+\)$/.test(err.message));
}

/** The bound's own one-line message ("template: a: exceeded maximum template depth (300)"), or `fallback`. */
function depthMessage(err: unknown, fallback: string): string {
  return /(template: [^:]+: exceeded maximum template depth \(\d+\))$/.exec((err as Error).message)?.[1] ?? fallback;
}

/** An error as Go's text/template words it inside another (include's, tpl's): always "template: …". */
function templateMessage(err: unknown): string {
  const message = (err as Error).message;
  return message.startsWith('template: ') ? message : `template: ${message}`;
}

/**
 * Renders `text` as Helm's engine renders a chart template for mark-devkit: Go
 * text/template semantics, missingkey=zero with every "<no value>" removed from the output,
 * the Sprig functions and Helm's include, tpl, required, lookup, toYaml and friends, and the
 * data `{ Values, Chart, Release, Template }`.
 */
export function renderTemplate(text: string, opts: RenderOptions): string {
  const saved = clock;
  clock = opts.now ?? sourceDateNow();
  try {
    return render(text, opts);
  } finally {
    clock = saved;
  }
}

/** The clock of the rendering under way (renderings are synchronous): the shared function table reads it. */
let clock: () => Date = () => new Date();
let sharedFuncs: Map<string, FuncDef> | undefined;

// Signatures parsed once; each rendering gets include and tpl bound to its templates.
const INCLUDE_SIG = goFunc('func(name string, data interface{}) (string, error)', () => '');
const TPL_SIG = goFunc('func(text string, vals map[string]interface{}) (string, error)', () => '');

/**
 * The builtins, Sprig's functions and Helm's stateless ones, made once per process: making
 * them took most of a small rendering's time. State a rendering must start afresh (the clock
 * above; a random stream) is reset in renderTemplate, not by making this table again.
 */
function functionTable(): Map<string, FuncDef> {
  if (sharedFuncs) return sharedFuncs;
  const funcs = new Map<string, FuncDef>(Object.entries({ ...BUILTINS, ...sprigFunctions(() => clock()) }));
  funcs.set('required', goFunc('func(warn string, val interface{}) (interface{}, error)', (warn: string, value: GoValue) => {
    if (value === null || value === undefined || value === '') throw new Error(warn);
    return value;
  }));
  // `helm template` has no cluster: lookup answers an empty map.
  funcs.set('lookup', goFunc('func(string, string, string, string) (map[string]interface{}, error)', () => ({})));
  funcs.set('include', INCLUDE_SIG);
  funcs.set('tpl', TPL_SIG);
  sharedFuncs = funcs;
  return funcs;
}

function render(text: string, opts: RenderOptions): string {
  const templates = new Map<string, Tree>();
  const shared = functionTable();
  let include = INCLUDE_SIG;
  let tpl = TPL_SIG;
  const funcMap: FuncMap = { get: (name) => (name === 'include' ? include : name === 'tpl' ? tpl : shared.get(name)) };
  const hasFunction = (name: string) => shared.has(name);
  const data: GoValue = {
    Values: opts.values ?? {},
    Chart: { Name: 'tpl', Version: '' },
    Release: { Name: '', Namespace: '', Service: 'Helm', IsInstall: false, IsUpgrade: false, Revision: 1n },
    Template: { Name: opts.name, BasePath: '' },
  };
  /** t.New(name).Parse(source) into `set`, as template.associate does: an empty tree does not replace a template. */
  const add = (set: Map<string, Tree>, name: string, source: string) => {
    const { tree, defined } = parse(name, source, { hasFunction });
    for (const [n, t] of defined) if (!(set.has(n) && isEmptyTree(t.root))) set.set(n, t);
    if (!(set.has(name) && isEmptyTree(tree.root))) set.set(name, tree);
  };
  /*
   * Helm's include: t.ExecuteTemplate on the chart's templates, at most INCLUDE_MAX_NESTING
   * calls of one name open at once. Go starts a fresh execution (its depth count of 100000
   * starts again); here includes count towards the executor's depth bound (EXEC_LIMITS.depth),
   * as Node's stack holds about 580 nested includes, not Helm's 1001.
   */
  const exec = new Executor(templates, funcMap);
  const included = new Map<string, number>();
  // include and tpl calls open at once: tpl runs on a clone with its own executor, so the
  // executor's depth bound alone would not see a recursion through tpl.
  let nested = 0;
  const enter = (name: string) => {
    if (++nested > EXEC_LIMITS.depth) {
      nested--;
      throw new TooDeep(`template: ${name}: exceeded maximum template depth (${EXEC_LIMITS.depth})`);
    }
  };
  include = { ...INCLUDE_SIG, fn: (name: string, dot: GoValue) => {
    const open = included.get(name) ?? 0;
    if (open > INCLUDE_MAX_NESTING) throw new Error(`rendering template has a nested reference name: ${name}: unable to execute template`);
    enter(name);
    included.set(name, open + 1);
    try {
      if (!templates.has(name)) throw new Error(`template: no template ${quoteGo(name)} associated with template "gotpl"`);
      return exec.execute(name, dot);
    } catch (err) {
      if (err instanceof TooDeep) throw err;
      if (isTooDeep(err)) throw new TooDeep(depthMessage(err, `template: ${name}: include nested ${open + 1} deep: more than the stack holds`));
      if (err instanceof ExecError || err instanceof TemplateError) throw new Error(templateMessage(err));
      throw err;
    } finally {
      included.set(name, open);
      nested--;
    }
  } };
  /*
   * Helm's tpl (as gen.go has it): the text parsed as the template named .Template.Name in a
   * clone of the chart's templates and executed there; include still sees the chart's own.
   */
  tpl = { ...TPL_SIG, fn: (source: string, vals: { [k: string]: GoValue }) => {
    const tmpl = vals.Template;
    // Helm asserts vals["Template"].(map[string]interface{}): another map type does not do.
    if (!isMap(tmpl) || goTypeName(tmpl) !== 'map[string]interface {}') throw new Error(`cannot retrieve Template.Name from values inside tpl function: ${source}`);
    const name = typeof tmpl.Name === 'string' ? tmpl.Name : '';
    const clone = new Map(templates);
    enter(name);
    try {
      add(clone, name, source);
      return new Executor(clone, funcMap).execute(name, vals).replaceAll('<no value>', '');
    } catch (err) {
      if (err instanceof TooDeep) throw err;
      if (isTooDeep(err)) throw new TooDeep(depthMessage(err, `template: ${name}: tpl nested more deeply than the stack holds`));
      if (err instanceof ExecError || err instanceof TemplateError) throw new Error(`error during tpl function execution for ${quoteGo(source)}: ${templateMessage(err)}`);
      throw err;
    } finally {
      nested--;
    }
  } };
  for (const [name, source] of Object.entries(opts.templates ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) add(templates, name, source);
  add(templates, opts.name, text);
  return exec.execute(opts.name, data).replaceAll('<no value>', '');
}
