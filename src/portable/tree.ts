import type { Stats } from 'node:fs';
import { lstat, readdir, readFile, readlink } from 'node:fs/promises';
import path from 'node:path';
import { opaqueDirs, statInStack } from '../store/layers.js';

/**
 * An image's tree read without mounting it: a stack of layer directories (bottom first; one
 * for a plain directory), whiteouts and opaque directories applied, symbolic links followed
 * inside the image (an absolute target means the image's root, never the host's).
 */
export class ImageTree {
  constructor(private readonly stack: string[]) {}

  /** The entry itself (a link is not followed); `rel` is relative to the image root. */
  async lstat(rel: string): Promise<{ layer: string; stat: Stats } | undefined> {
    const clean = path.posix.normalize(`/${rel}`).slice(1);
    if (clean !== '') return statInStack(this.stack, clean);
    return { layer: this.stack.at(-1)!, stat: await lstat(this.stack.at(-1)!) };
  }

  /** The path `rel` names once every link on the way is followed; undefined when it does not exist or loops. */
  async resolve(rel: string): Promise<{ rel: string; stat: Stats; layer: string } | undefined> {
    let pending = path.posix.normalize(`/${rel}`).split('/').filter(Boolean);
    let done = '';
    for (let hops = 0; pending.length; ) {
      const next = path.posix.join(done, pending.shift()!);
      const found = await statInStack(this.stack, next);
      if (!found) return undefined;
      if (!found.stat.isSymbolicLink()) {
        done = next;
        continue;
      }
      if (++hops > 40) return undefined;
      const target = await readlink(path.join(found.layer, next));
      const base = target.startsWith('/') ? target : path.posix.join('/', done, target);
      pending = [...path.posix.normalize(base).split('/').filter(Boolean), ...pending];
      done = '';
    }
    const found = await this.lstat(done);
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
    for (let i = this.stack.length - 1; i >= 0; i--) {
      const dir = path.join(this.stack[i]!, r.rel);
      for (const name of await readdir(dir).catch(() => [] as string[])) names.add(name);
      if (r.rel !== '' && (await opaqueDirs(this.stack[i]!, [r.rel]).catch(() => [])).length) break;
    }
    const present = await Promise.all([...names].map(async (n) => ((await statInStack(this.stack, path.posix.join(r.rel, n))) ? n : undefined)));
    return present.filter((n): n is string => n !== undefined).sort();
  }
}
