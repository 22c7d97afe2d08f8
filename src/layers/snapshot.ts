import { lstat, readdir } from 'node:fs/promises';
import path from 'node:path';
import { makeWhiteouts } from './format.js';
import { copyTree } from '../archive/gnu-tar.js';
import { run } from '../util/process.js';
import { overlayXattrPrefix } from '../util/userns.js';

/** Every entry of a tree (relative path) with its inode, change time and whether it is a directory. */
export type TreeSnapshot = Map<string, { id: string; isDirectory: boolean }>;

/**
 * Records a tree. Any change to an entry, its data, owner, mode, times or xattrs, moves its
 * ctime, which no process can set back, and a replaced entry gets a new inode: comparing
 * two snapshots finds every change without reading file contents.
 */
export async function snapshotTree(root: string): Promise<TreeSnapshot> {
  const snap: TreeSnapshot = new Map();
  const visit = async (rel: string): Promise<void> => {
    for (const name of await readdir(path.join(root, rel))) {
      const child = rel ? `${rel}/${name}` : name;
      const st = await lstat(path.join(root, child), { bigint: true });
      snap.set(child, { id: `${st.ino}:${st.ctimeNs}`, isDirectory: st.isDirectory() });
      if (st.isDirectory()) await visit(child);
    }
  };
  await visit('');
  return snap;
}

/**
 * Writes what changed in `root` since `before` into `layerDir` in overlay upperdir form:
 * changed and new entries with their parents, whiteouts for deletions, and the opaque mark
 * on directories that were replaced. Paths under `exclude` are ignored.
 */
export async function diffIntoLayer(root: string, before: TreeSnapshot, layerDir: string, exclude: string[]): Promise<void> {
  const excluded = (p: string) => exclude.some((e) => p === e || p.startsWith(`${e}/`));
  const after = await snapshotTree(root);
  const copy = new Set<string>();
  const opaque: string[] = [];
  const addWithParents = (p: string) => {
    for (let q = p; q !== '.' && !copy.has(q); q = path.posix.dirname(q)) copy.add(q);
  };
  for (const [p, now] of after) {
    if (excluded(p)) continue;
    const was = before.get(p);
    if (was?.id === now.id) continue;
    addWithParents(p);
    if (was?.isDirectory && now.isDirectory && was.id.split(':')[0] !== now.id.split(':')[0]) opaque.push(p);
  }
  const isOpaque = (p: string) => opaque.some((o) => p.startsWith(`${o}/`));
  const whiteouts: string[] = [];
  for (const p of before.keys()) {
    if (after.has(p) || excluded(p) || isOpaque(p)) continue;
    const parent = path.posix.dirname(p);
    if (parent !== '.' && !after.has(parent)) continue; // its parent went too: one whiteout covers both
    whiteouts.push(p);
    if (parent !== '.') addWithParents(parent);
  }
  const list = [...copy].sort();
  if (list.length) {
    await copyTree(root, layerDir, 'collecting the changes of the build', list);
  }
  for (const dir of opaque) await run('setfattr', ['-h', '-n', `${overlayXattrPrefix()}opaque`, '-v', 'y', path.join(layerDir, dir)]);
  await makeWhiteouts(layerDir, whiteouts.sort());
}
