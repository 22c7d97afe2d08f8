import { BUILTINS, def, type FuncDef } from './builtins.js';
import { Executor, type FuncMap } from './exec.js';
import type { GoValue } from './format.js';
import { parse } from './parser.js';
import { empty, sprigFunctions, strval } from './sprig/index.js';
import type { Tree } from './tree.js';
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

/**
 * Renders `text` as Helm's engine renders a chart template for mark-devkit: Go
 * text/template semantics, missingkey=zero with every "<no value>" removed from the output,
 * the Sprig functions and Helm's include, tpl, required, toYaml and fromYaml, and the data
 * `{ Values, Chart, Release, Template }`.
 */
export function renderTemplate(text: string, opts: RenderOptions): string {
  const templates = new Map<string, Tree>();
  const funcs = new Map<string, FuncDef>(Object.entries({ ...BUILTINS, ...sprigFunctions(opts.now ?? sourceDateNow(), opts.name) }));
  const funcMap: FuncMap = { get: (name) => funcs.get(name) };
  const hasFunction = (name: string) => funcs.has(name);
  const exec = new Executor(templates, funcMap);
  const data: GoValue = {
    Values: opts.values ?? {},
    Chart: { Name: 'tpl', Version: '' },
    Release: { Name: '', Namespace: '', Service: 'Helm', IsInstall: false, IsUpgrade: false, Revision: 1n },
    Template: { Name: opts.name, BasePath: '' },
  };
  const add = (name: string, source: string) => {
    const { tree, defined } = parse(name, source, { hasFunction });
    for (const [n, t] of defined) templates.set(n, t);
    templates.set(name, tree);
  };
  let tplCount = 0;
  funcs.set('include', def((name, dot) => exec.execute(strval(name), dot), 2));
  funcs.set('tpl', def((source, dot) => {
    const name = `${opts.name}#tpl${++tplCount}`;
    add(name, strval(source));
    return exec.execute(name, dot).replaceAll('<no value>', '');
  }, 2));
  funcs.set('required', def((message, value) => {
    if (value === null || value === undefined || (typeof value === 'string' && empty(value))) throw new Error(strval(message));
    return value;
  }, 2));
  for (const [name, source] of Object.entries(opts.templates ?? {}).sort(([a], [b]) => (a < b ? -1 : 1))) add(name, source);
  add(opts.name, text);
  return exec.execute(opts.name, data).replaceAll('<no value>', '');
}
