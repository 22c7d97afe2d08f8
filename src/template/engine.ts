import { BUILTINS, type FuncDef } from './builtins.js';
import { ExecError, Executor, TemplateCall, TemplateMap, type FuncMap } from './exec.js';
import { quoteGo } from './format.js';
import { goFunc } from './gofunc.js';
import { parse, TemplateError } from './parser.js';
import { sprigFunctions } from './sprig/index.js';
import { beginRandom } from './sprig/random.js';
import type { Tree } from './tree.js';
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

/**
 * Node's stack ran out inside an include or a tpl (one the executor had to nest): the error
 * that carries it to the top of the rendering as one line (exec.ts), not wrapped by every level.
 */
function stackOut(err: unknown): RangeError | undefined {
  // The executor's message is one short line; a long one is a wrapped error, not read (reading
  // would flatten the string each wrapping level built).
  if (
    err instanceof RangeError
      ? /call stack/i.test(err.message)
      : err instanceof ExecError && err.message.length < 4096 && err.message.endsWith("nested too deeply (JavaScript's stack ran out)")
  ) {
    return new RangeError('Maximum call stack size exceeded');
  }
  return undefined;
}

/** An error as Go's text/template words it inside another (include's, tpl's): always "template: …". */
function templateMessage(err: unknown): string {
  const message = (err as Error).message;
  // The executor's and the parser's errors already start so (and a long wrapped one is not
  // read: that would flatten the string every wrapping level built).
  if (err instanceof ExecError || err instanceof TemplateError) return message;
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
  // Each rendering draws from a fresh random source for its template (random.ts); after the
  // table is made, as making it (sprigFunctions) begins a source of its own.
  functionTable();
  beginRandom(opts.name);
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
  funcs.set(
    'required',
    goFunc('func(warn string, val interface{}) (interface{}, error)', (warn: string, value: GoValue) => {
      if (value === null || value === undefined || value === '') throw new Error(warn);
      return value;
    }),
  );
  // `helm template` has no cluster: lookup answers an empty map.
  funcs.set(
    'lookup',
    goFunc('func(string, string, string, string) (map[string]interface{}, error)', () => ({})),
  );
  funcs.set('include', INCLUDE_SIG);
  funcs.set('tpl', TPL_SIG);
  sharedFuncs = funcs;
  return funcs;
}

function render(text: string, opts: RenderOptions): string {
  const templates = new TemplateMap();
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
  /** t.New(name).Parse(source) into `set` (a TemplateMap: an empty tree does not replace a template). */
  const add = (set: Map<string, Tree>, name: string, source: string) => {
    const { tree, defined } = parse(name, source, { hasFunction });
    for (const [n, t] of defined) set.set(n, t);
    set.set(name, tree);
  };
  const exec = new Executor(templates, funcMap);
  /*
   * Helm's include: t.ExecuteTemplate on the chart's templates, a fresh execution run on the
   * executor's own stack (TemplateCall), at most INCLUDE_MAX_NESTING calls of one name open at
   * once, its error wrapped as Go wraps it.
   */
  const included = new Map<string, number>();
  include = {
    ...INCLUDE_SIG,
    fn: (name: string, dot: GoValue) => {
      const open = included.get(name) ?? 0;
      if (open > INCLUDE_MAX_NESTING) throw new Error(`rendering template has a nested reference name: ${name}: unable to execute template`);
      if (!templates.has(name)) throw new Error(`template: no template ${quoteGo(name)} associated with template "gotpl"`);
      included.set(name, open + 1);
      return new TemplateCall(
        name,
        dot,
        (output, error) => {
          included.set(name, open);
          if (error) throw stackOut(error) ?? new Error(templateMessage(error));
          return output ?? '';
        },
        exec,
      );
    },
  };
  /*
   * Helm's tpl (as gen.go has it): the text parsed as the template named .Template.Name in a
   * clone of the chart's templates and executed there; include still sees the chart's own.
   */
  tpl = {
    ...TPL_SIG,
    fn: (source: string, vals: { [k: string]: GoValue }) => {
      const tmpl = vals.Template;
      // Helm asserts vals["Template"].(map[string]interface{}): another map type does not do.
      if (!isMap(tmpl) || goTypeName(tmpl) !== 'map[string]interface {}')
        throw new Error(`cannot retrieve Template.Name from values inside tpl function: ${source}`);
      const name = typeof tmpl.Name === 'string' ? tmpl.Name : '';
      const failed = (err: unknown) => stackOut(err) ?? new Error(`error during tpl function execution for ${quoteGo(source)}: ${templateMessage(err)}`);
      const clone = new TemplateMap(templates);
      try {
        add(clone, name, source);
      } catch (err) {
        if (err instanceof TemplateError) throw failed(err);
        throw err;
      }
      return new TemplateCall(
        name,
        vals,
        (output, error) => {
          if (error) throw failed(error);
          return (output ?? '').replaceAll('<no value>', '');
        },
        new Executor(clone, funcMap),
      );
    },
  };
  for (const [name, source] of Object.entries(opts.templates ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) add(templates, name, source);
  add(templates, opts.name, text);
  return exec.execute(opts.name, data).replaceAll('<no value>', '');
}
