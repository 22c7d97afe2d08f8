import { mkdir, readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { UserError } from '../errors.js';
import type { OstreeRepo } from '../ostree/ostree.js';
import { cloneTree } from '../util/clone-tree.js';
import { visibleTree } from './tree.js';

/** What a tree is initialized from. */
export type InitialBase = { kind: 'image'; layers: string[]; label: string } | { kind: 'ref'; rev: string; label: string };

/** Refuses a DIR that exists and is not an empty directory; says whether it exists. */
async function emptyOrAbsent(dir: string): Promise<boolean> {
  const entries = await readdir(dir).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return undefined;
    if (err.code === 'ENOTDIR') throw new UserError(`${dir} is not a directory`);
    throw new UserError(`cannot read ${dir}: ${err.message}`, 1, { cause: err });
  });
  if (entries === undefined) return false;
  if (entries.length) throw new UserError(`${dir} is not empty: a runtime tree is initialized into an absent or empty directory`);
  return true;
}

/**
 * Populates `dir` (absent or empty) with a copy of `base`, every owner, mode, xattr, device
 * and hardlink of an image kept (cp -a), or a commit checked out as a copy of its own (a
 * checkout made of hardlinks into the repo must never be changed). On failure `dir` is left
 * as it was found.
 */
export async function initializeTree(
  dir: string,
  base: InitialBase,
  repo: OstreeRepo | undefined,
  scratch: string | undefined,
  log: (line: string) => void,
): Promise<void> {
  const existed = await emptyOrAbsent(dir);
  log(`initializing ${dir} from ${base.label}`);
  try {
    if (base.kind === 'image') {
      await mkdir(dir, { recursive: true });
      const tree = await visibleTree(base.layers, path.join(scratch ?? dir, 'render'));
      await cloneTree(tree.root, dir, `copying ${base.label} into ${dir}`, tree.wrap);
    } else {
      await mkdir(path.dirname(dir), { recursive: true });
      await repo!.checkout(base.rev, dir, { copy: true, into: existed });
    }
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    if (existed) await mkdir(dir);
    throw err;
  }
}
