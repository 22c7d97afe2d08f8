import { isAlias, isCollection, isMap, isPair, isScalar, isSeq, Lexer, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import { UserError } from '../errors.js';

/**
 * Job and hook files are read as untrusted input: what reading one may cost is bounded before
 * the yaml package builds values from it. Every refusal is one line naming file:line:col.
 */
export const YAML_LIMITS = {
  /** Flow collections (`[`, `{`) open at once; the yaml package's error recovery is slow past a few thousand. */
  flowDepth: 64,
  /**
   * Nodes of the document with every alias counted as a copy of what it names, as the values
   * built from it hold them (a merge key `<<: *a` copies; options are copied per use): the
   * bound of an alias bomb, including the "few aliases of one big map" kind under the yaml
   * package's own alias-count limit.
   */
  expandedNodes: 1_000_000,
};

type Where = (offset: number) => string;

/** A plain `<<` key, which the yaml package (merge: true) reads as a symbol. */
const isMergeKey = (key: unknown) => isScalar(key) && typeof key.value === 'symbol';

function whereIn(file: string, text: string): Where {
  const lines = new LineCounter();
  lines.addNewLine(0);
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) lines.addNewLine(i + 1);
  return (offset) => {
    const { line, col } = lines.linePos(offset);
    return `${file}:${line}:${col}`;
  };
}

/** The lexer's control tokens, which stand for no source text. */
const CONTROL = new Set(['\x02', '\x18', '\x1f']);

/** Refuses flow collections nested deeper than the limit, from the lexer's tokens (linear, no recursion). */
function checkFlowDepth(text: string, where: Where): void {
  let depth = 0;
  let offset = 0;
  for (const token of new Lexer().lex(text)) {
    if (token === '{' || token === '[') {
      if (++depth > YAML_LIMITS.flowDepth) throw new UserError(`${where(offset)}: not read: flow collections nested deeper than ${YAML_LIMITS.flowDepth}`);
    } else if (token === '}' || token === ']') depth = Math.max(0, depth - 1);
    if (!CONTROL.has(token)) offset += token.length;
  }
}

/**
 * The size of `node` with aliases expanded, memoised per anchored node so that the count
 * itself costs the document's size; past the limit, or on an alias inside what it names,
 * a refusal at the alias.
 */
function checkExpansion(doc: Document, where: Where): void {
  const sizes = new Map<Node, number>();
  const open = new Set<Node>();
  let total = 0;
  const fail = (node: unknown, why: string): never => {
    throw new UserError(`${where((node as Node | undefined)?.range?.[0] ?? 0)}: ${why}`);
  };
  // The yaml package's own check compares every key with every other: 20,000 keys took 5 s.
  const checkUniqueKeys = (pairs: Array<{ key: unknown }>) => {
    const seen = new Set<unknown>();
    for (const { key } of pairs) {
      if (!isScalar(key) || isMergeKey(key)) continue;
      if (seen.has(key.value)) fail(key, `not valid YAML: map keys must be unique ("${String(key.value)}" again)`);
      seen.add(key.value);
    }
  };
  const mapOrMapAlias = (v: unknown) => isMap(v) || (isAlias(v) && isMap(v.resolve(doc)));
  const checkMergeSource = (value: unknown) => {
    if (mapOrMapAlias(value) || (isSeq(value) && value.items.every(mapOrMapAlias))) return;
    fail(value, 'not valid YAML: a merge key (<<) takes a map, an alias of one, or a list of them');
  };
  const sizeOf = (node: unknown): number => {
    if (!node || typeof node !== 'object') return 0;
    if (isAlias(node)) {
      const target = node.resolve(doc);
      if (!target) fail(node, `not valid YAML: alias *${node.source} names no anchor before it`);
      if (open.has(target!)) fail(node, `not read: alias *${node.source} is inside what it names (a recursive document)`);
      const size = sizes.get(target!) ?? sizeOf(target);
      total += size;
      if (total > YAML_LIMITS.expandedNodes) fail(node, `not read: its aliases expand to more than ${YAML_LIMITS.expandedNodes} nodes (an alias bomb?)`);
      return size;
    }
    if (isPair(node)) {
      if (isMergeKey(node.key)) checkMergeSource(node.value);
      return sizeOf(node.key) + sizeOf(node.value);
    }
    if (isScalar(node)) {
      total++;
      return 1;
    }
    if (!isCollection(node)) return 0;
    if (isMap(node)) checkUniqueKeys(node.items);
    open.add(node);
    total++;
    let size = 1;
    for (const item of node.items) size += sizeOf(item);
    open.delete(node);
    sizes.set(node, size);
    return size;
  };
  sizeOf(doc.contents);
}

/**
 * A YAML job or hook file's value (ints as bigint, `<<` merge keys), read within
 * YAML_LIMITS; every error, the yaml package's or a limit's, one line at file:line:col.
 */
export function parseJobYaml(text: string, file: string): unknown {
  const where = whereIn(file, text);
  checkFlowDepth(text, where);
  const doc = parseDocument(text, { intAsBigInt: true, merge: true, prettyErrors: false, uniqueKeys: false });
  const error = doc.errors[0];
  if (error) throw new UserError(`${where(error.pos[0])}: not valid YAML: ${error.message.split('\n')[0]}`, 1, { cause: error });
  checkExpansion(doc, where);
  try {
    return doc.toJS({ maxAliasCount: -1 });
  } catch (err) {
    // What toJS still finds (a merge key naming no map): at the document, for want of a node.
    throw new UserError(`${where(0)}: not valid YAML: ${(err as Error).message.split('\n')[0]}`, 1, { cause: err });
  }
}
