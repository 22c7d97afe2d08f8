import type { Stats } from 'node:fs';
import { lstat, readdir, readFile, readlink, stat } from 'node:fs/promises';
import path from 'node:path';
import { opaqueDirs } from './format.js';
import { ifExists } from '../util/fs.js';

/**
 * An image's tree read without mounting it: a stack of layer directories (bottom first; one
 * for a plain directory) merged as overlayfs merges them, and symbolic links followed inside
 * the image (an absolute target means the image's root, never the host's). No host path is
 * ever resolved through a link: each layer is walked one component at a time with lstat.
 */
export class LayerTree {
  private readonly opaque = new Map<string, boolean>();

  constructor(private readonly stack: string[]) {}

  /** False for the tree of a file that could not be read as an image (no layers). */
  get readable(): boolean {
    return this.stack.length > 0;
  }

  /**
   * The entry `rel` names in the merged tree, its last component not followed: the top-most
   * layer that has it, unless a layer above hides it (a whiteout, a non-directory on the way,
   * an opaque directory).
   */
  async lstat(rel: string): Promise<{ layer: string; stat: Stats } | undefined> {
    const parts = path.posix.normalize(`/${rel}`).split('/').filter(Boolean);
    for (let i = this.stack.length - 1; i >= 0; i--) {
      const layer = this.stack[i];
      let at = layer;
      let depth = 0;
      // The layer's own path is the host's (a deployment's `current` is a link to its
      // checkout); a layer not made yet (a deployment's changes before a first run) holds nothing.
      let st: Stats | undefined = await ifExists(stat(layer));
      if (!st) continue;
      for (; depth < parts.length && st?.isDirectory(); depth++) {
        at = path.join(at, parts[depth]);
        st = await ifExists(lstat(at));
      }
      if (depth === parts.length && st) return st.isCharacterDevice() && st.rdev === 0 ? undefined : { layer, stat: st };
      if (st && !st.isDirectory()) return undefined; // a file, link or whiteout on the way hides the rest, here and below
      // Not in this layer (parts[depth - 1] is missing): lower layers, if any, show through
      // unless a directory on the way is opaque here.
      if (i > 0 && (await this.opaqueOnTheWay(layer, parts.slice(0, depth - 1)))) return undefined;
    }
    return undefined;
  }

  private async opaqueOnTheWay(layer: string, dirs: string[]): Promise<boolean> {
    for (let n = 1; n <= dirs.length; n++) {
      const dir = dirs.slice(0, n).join('/');
      const key = `${layer}\0${dir}`;
      if (!this.opaque.has(key)) this.opaque.set(key, (await opaqueDirs(layer, [dir]).catch(() => [])).length > 0);
      if (this.opaque.get(key)) return true;
    }
    return false;
  }

  /** The path `rel` names once every link on the way is followed; undefined when it does not exist or loops. */
  async resolve(rel: string): Promise<{ rel: string; stat: Stats; layer: string } | undefined> {
    let pending = path.posix.normalize(`/${rel}`).split('/').filter(Boolean);
    let done = '';
    let found = await this.lstat('');
    for (let hops = 0; pending.length;) {
      const next = path.posix.join(done, pending.shift()!);
      found = await this.lstat(next);
      if (!found) return undefined;
      if (!found.stat.isSymbolicLink()) {
        done = next;
        continue;
      }
      if (++hops > 40) return undefined;
      const target = await readlink(path.join(found.layer, next));
      const base = target.startsWith('/') ? target : path.posix.join('/', path.posix.dirname(next), target);
      pending = [...path.posix.normalize(base).split('/').filter(Boolean), ...pending];
      done = '';
      found = await this.lstat('');
    }
    return found && { rel: done, ...found };
  }

  /** The contents of the file `rel` names (links followed), or undefined when it is not a regular file. */
  async readFile(rel: string): Promise<Buffer | undefined> {
    const r = await this.resolve(rel);
    return r?.stat.isFile() ? readFile(path.join(r.layer, r.rel)) : undefined;
  }

  /** The names in the directory `rel` names (links followed), every layer merged. */
  async readdir(rel: string): Promise<string[]> {
    const r = await this.resolve(rel);
    if (!r?.stat.isDirectory()) return [];
    const names = new Set<string>();
    for (const layer of this.stack) for (const name of (await ifExists(readdir(path.join(layer, r.rel)))) ?? []) names.add(name);
    const present = await Promise.all([...names].map(async (n) => ((await this.lstat(path.posix.join(r.rel, n))) ? n : undefined)));
    return present.filter((n): n is string => n !== undefined).sort();
  }
}
