// src/store/: the local image store: layout, locking, lookup, tags, import, an image's layer stack, gc and prune, fsck.
import { readdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { UserError } from '../errors.js';
import type { StoreLayout } from './layout.js';
import { ifExists } from '../util/fs.js';

/** A failed build's container kept with `jetpack build -keep` (src/derive/build.ts). */
export interface KeptContainer {
  name: string;
  dir: string;
  /** The script that opens a shell in it. */
  enter: string;
  /** When it was kept (RFC 3339). */
  kept: string;
}

export async function keptContainers(layout: StoreLayout): Promise<KeptContainer[]> {
  const names = (await ifExists(readdir(layout.containers))) ?? [];
  const found = await Promise.all(
    names.sort().map(async (name) => {
      const dir = path.join(layout.containers, name);
      const st = await ifExists(stat(dir));
      return st?.isDirectory() ? { name, dir, enter: path.join(dir, 'enter'), kept: st.mtime.toISOString() } : undefined;
    }),
  );
  return found.filter((c) => c !== undefined);
}

/** The kept container NAME (as listed, or its directory). */
export async function findKeptContainer(layout: StoreLayout, ref: string): Promise<KeptContainer> {
  const name = path.resolve(ref).startsWith(layout.containers + path.sep) ? path.relative(layout.containers, path.resolve(ref)).split(path.sep)[0] : ref;
  const found = (await keptContainers(layout)).find((c) => c.name === name);
  if (!found) throw new UserError(`no kept container ${ref} (see jetpack containers)`);
  return found;
}

export async function removeKeptContainer(container: KeptContainer): Promise<void> {
  await rm(container.dir, { recursive: true, force: true, maxRetries: 3 });
}
