import type { Stats } from 'node:fs';
import { lstat } from 'node:fs/promises';
import path from 'node:path';
import { copyTree } from '../archive/gnu-tar.js';
import { run } from '../util/process.js';
import { ifExists } from '../util/fs.js';
import { overlayXattrPrefix } from '../util/userns.js';

/** The top-most version of `rel` in a stack of layers (bottom first), or undefined if absent or whited out. */
export async function statInStack(stack: string[], rel: string): Promise<{ layer: string; stat: Stats } | undefined> {
  for (let i = stack.length - 1; i >= 0; i--) {
    const st = await ifExists(lstat(path.join(stack[i], rel)));
    if (!st) continue;
    if (st.isCharacterDevice() && st.rdev === 0) return undefined;
    return { layer: stack[i], stat: st };
  }
  return undefined;
}

export interface LayerEntry {
  /** Path relative to the layer root, without a leading slash. */
  path: string;
  isDirectory: boolean;
  /** An overlay whiteout: a character device 0:0 that hides the path in lower layers. */
  isWhiteout: boolean;
}

/**
 * Lists a layer depth-first, parents before children, each directory's names sorted, marking
 * overlay whiteouts. find(1) lists it (a walk of lstat calls from Node took ~0.6 s of a 10 000
 * file layer, find 20 ms); only character devices are stat'ed, to tell whiteouts (0:0).
 */
export async function walkLayer(root: string): Promise<LayerEntry[]> {
  const entries = await typedEntries(root);
  // Sorting with "/" below every other character orders paths as a sorted walk visits them.
  const keyed = entries.map((e) => ({ ...e, key: e.path.replaceAll('/', '\u0000') }));
  keyed.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const whiteouts = new Set(await whiteoutsAmong(root, pathsOf(keyed, 'c')));
  return keyed.map((e) => ({ path: e.path, isDirectory: e.type === 'd', isWhiteout: whiteouts.has(e.path) }));
}

interface TypedEntry {
  /** find(1)'s `%y` letter: d, f, l, c, b, p, s. */
  type: string;
  /** Relative to the layer root. */
  path: string;
}

/** A layer's entries, in find(1)'s order: all of them, or those of the `-type` letters in `types`. */
async function typedEntries(root: string, types: string[] = []): Promise<TypedEntry[]> {
  const anyOf = types.length ? ['(', ...types.flatMap((t, i) => (i ? ['-o', '-type', t] : ['-type', t])), ')'] : [];
  const listing = await run('find', [root, '-mindepth', '1', ...anyOf, '-printf', '%y%P\\0'], { what: `listing ${root}` });
  return listing
    .split('\0')
    .filter((line) => line !== '')
    .map((line) => ({ type: line[0], path: line.slice(1) }));
}

function pathsOf(entries: TypedEntry[], type: string): string[] {
  return entries.filter((e) => e.type === type).map((e) => e.path);
}

/** Which of a layer's character devices are overlay whiteouts (0:0). */
async function whiteoutsAmong(root: string, devices: string[]): Promise<string[]> {
  const rdevs = await Promise.all(devices.map(async (rel) => (await lstat(path.join(root, rel))).rdev));
  return devices.filter((_, i) => rdevs[i] === 0);
}

/**
 * A layer's overlay marks, relative to it: its whiteouts (character devices 0:0) and its
 * opaque directories, from one find(1); only directories are asked for the opaque mark.
 */
export async function overlayMarks(root: string): Promise<{ whiteouts: string[]; opaque: string[] }> {
  const entries = await typedEntries(root, ['c', 'd']);
  const [whiteouts, opaque] = await Promise.all([whiteoutsAmong(root, pathsOf(entries, 'c')), opaqueDirs(root, pathsOf(entries, 'd'))]);
  return { whiteouts, opaque };
}

/** Paths split for command lines: 500 long paths stay far below ARG_MAX (2 MiB). */
function inBatches(paths: string[], size = 500): string[][] {
  const batches: string[][] = [];
  for (let i = 0; i < paths.length; i += size) batches.push(paths.slice(i, i + size));
  return batches;
}

/**
 * Directories of a layer marked opaque (they hide everything below them in lower layers):
 * all of them, or those among `dirs` (paths relative to `root`). Only directories are asked
 * (getfattr -R asks every file: ~55 ms of a Debian minbase layer, against ~25 ms).
 */
export async function opaqueDirs(root: string, dirs?: string[]): Promise<string[]> {
  const among = dirs ?? pathsOf(await typedEntries(root, ['d']), 'd');
  let out = '';
  for (const targets of inBatches(among.map((d) => path.join(root, d)))) {
    out += await run('getfattr', ['-P', '-h', '--absolute-names', '-m', `^${overlayXattrPrefix().replace(/\./g, '\\.')}opaque$`, '-d', ...targets], {
      what: `reading overlay marks of ${root}`,
    });
  }
  return out
    .split('\n')
    .filter((line) => line.startsWith('# file: '))
    .map((line) => path.relative(root, line.slice('# file: '.length)))
    .filter((rel) => rel !== '');
}

/**
 * The paths a stack of layers renders to, each mapped to the index of the layer that
 * provides it, with whiteouts and opaque directories applied as overlayfs would.
 */
export async function renderedPaths(layers: string[]): Promise<Map<string, number>> {
  const present = new Map<string, number>();
  const removeTree = (p: string) => {
    present.delete(p);
    for (const key of present.keys()) if (key.startsWith(`${p}/`)) present.delete(key);
  };
  for (const [index, layer] of layers.entries()) {
    const opaque = new Set(await opaqueDirs(layer));
    for (const dir of opaque) for (const key of present.keys()) if (key.startsWith(`${dir}/`)) present.delete(key);
    for (const entry of await walkLayer(layer)) {
      if (entry.isWhiteout) {
        removeTree(entry.path);
        continue;
      }
      const lower = present.get(entry.path);
      // A non-directory replaces whatever was there, including a whole directory tree.
      if (lower !== undefined && !entry.isDirectory) removeTree(entry.path);
      present.set(entry.path, index);
    }
  }
  return present;
}

/** Every directory above `paths` (relative to a tree's root, which is not one of them), sorted: parents first. */
export function parentDirs(paths: string[]): string[] {
  const dirs = new Set<string>();
  for (const p of paths) for (let d = path.posix.dirname(p); d !== '.'; d = path.posix.dirname(d)) dirs.add(d);
  return [...dirs].sort();
}

/**
 * Copies one entry (not a directory's contents) from one tree to another with its owner,
 * mode, times, xattrs and ACLs: GNU tar keeps all of them, Node's fs API does not.
 * `rel` "." copies the root directory's own metadata.
 */
export async function copyEntry(fromRoot: string, rel: string, toRoot: string): Promise<void> {
  await copyTree(fromRoot, toRoot, `copying ${rel} from ${fromRoot}`, [rel]);
}

/** Creates overlay whiteouts (0:0 character devices) at `paths`, relative to `root`; parents must exist. */
export async function makeWhiteouts(root: string, paths: string[]): Promise<void> {
  for (const batch of inBatches(paths.map((p) => path.join(root, p)))) {
    await run('sh', ['-ec', 'for p; do mknod -m 000 "$p" c 0 0; done', 'sh', ...batch], { what: 'creating whiteouts' });
  }
}

/**
 * Runs `fn`, then gives the directories `dirs` (relative to `root`) back their modification
 * times to the nanosecond: adding whiteouts or parent copies must not look like a change.
 * With `from`, the times given are those of the same directories under `from` (the tree
 * `root`'s directories were copied from, whose times the copying itself has changed).
 */
export async function keepingMtimes<T>(root: string, dirs: string[], fn: () => Promise<T>, from = root): Promise<T> {
  const saved = await Promise.all(
    dirs.map(async (d) => {
      const { mtimeNs } = await lstat(path.join(from, d), { bigint: true });
      return [path.join(root, d), `@${mtimeNs / 1_000_000_000n}.${String(mtimeNs % 1_000_000_000n).padStart(9, '0')}`] as const;
    }),
  );
  const result = await fn();
  if (saved.length) {
    await run('sh', ['-ec', 'while [ $# -gt 0 ]; do touch -h -m -d "$2" "$1"; shift 2; done', 'sh', ...saved.flat()], { what: 'restoring directory times' });
  }
  return result;
}
