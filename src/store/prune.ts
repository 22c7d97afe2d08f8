import { rm } from 'node:fs/promises';
import path from 'node:path';
import { shortImageID } from '../image/id.js';
import { formatImageName } from '../image/name.js';
import { keptContainers } from './containers.js';
import { diskUsage } from './disk-usage.js';
import { collectableImages } from './gc.js';
import { unusedOciEntries } from './kept-oci.js';
import type { Store } from './store.js';
import { readTags } from './tags.js';

export type PruneKind = 'image' | 'tool-cache' | 'leftover' | 'container' | 'oci-cache' | 'ostree';

/** One thing prune removes (or with -dry-run would). */
export interface PruneItem {
  kind: PruneKind;
  /** For people: an image's ID and name, else a path under the store root. */
  what: string;
  /** An image's ID and name. */
  id?: string;
  name?: string;
  /** What removing it frees on disk. */
  bytes: number;
}

export interface PruneOptions {
  /** Everything nothing needs (prune, gc -all), not only shadowed images and tool caches (gc). */
  all: boolean;
  dryRun: boolean;
  /** Called with each item as it goes (or would). */
  onItem: (item: PruneItem) => void;
  /** The names in the store's tools dir that no container made now would use (container/caches.ts: it stands above the store). */
  staleCaches: (toolsDir: string) => Promise<string[]>;
  /** The store's OSTree repo (ostree/: it stands above the store). */
  ostree: PrunableRepo;
}

/** What prune needs of an OSTree repo. */
export interface PrunableRepo {
  readonly dir: string;
  exists(): Promise<boolean>;
  prune(opts?: { dryRun?: boolean }): Promise<{ objects: number; bytes: number }>;
}

export interface PruneResult {
  items: PruneItem[];
  bytes: number;
  /** Operations under way (locked staging dirs): while there are any, images, tool caches and OSTree objects stay. */
  busy: string[];
}

interface Planned extends PruneItem {
  path: string;
  remove: () => Promise<void>;
}

/**
 * Removes what nothing needs, under the store lock held exclusively, so that no operation
 * starts meanwhile; one already under way (a build, a run, an export) holds its staging dir's
 * lock, and while any does, the images, tool caches and OSTree objects it may be using stay.
 * What is removed: shadowed images and internal OCI layers nothing depends on, tool caches
 * no container made now would use; with `all` also what killed operations left in tmp/,
 * kept build containers, OCI blobs and layouts no export reads again, and the objects of the
 * store's OSTree repo no ref reaches.
 */
export async function prune(store: Store, opts: PruneOptions): Promise<PruneResult> {
  const graves: string[] = [];
  const result = await store.locked(async () => {
    const busy = await store.liveOperations();
    const root = (p: string) => path.relative(store.layout.root, p);
    const planned: Planned[] = [];
    const doomed = busy.length ? [] : collectableImages(await store.list(), await readTags(store.layout));
    for (const image of doomed) {
      planned.push({
        kind: 'image',
        what: `${shortImageID(image.id)} ${formatImageName(image.manifest)}`,
        id: image.id,
        name: image.manifest.name,
        path: image.dir,
        bytes: 0,
        remove: async () => void graves.push((await store.unlink(image)).grave),
      });
    }
    if (!busy.length) {
      for (const name of await opts.staleCaches(store.layout.tools)) planned.push(removal('tool-cache', path.join(store.layout.tools, name), root));
    }
    if (opts.all) {
      for (const c of await keptContainers(store.layout)) planned.push(removal('container', c.dir, root));
      const gone = new Set(doomed.map((i) => i.id));
      for (const id of (await store.ids()).filter((i) => !gone.has(i))) {
        for (const entry of await unusedOciEntries(store.layout.imageDir(id)))
          planned.push(removal('oci-cache', path.join(store.layout.imageDir(id), entry), root));
      }
    }
    const items: PruneItem[] = [];
    const done = async (item: PruneItem, remove: () => Promise<void>) => {
      if (!opts.dryRun) await remove();
      items.push(item);
      opts.onItem(item);
    };
    if (opts.all) {
      // Before any image goes (its grave in tmp/ is no leftover); each measured and removed
      // while its own lock is held, so that no operation can claim it meanwhile.
      await store.reapLeftovers({
        dryRun: opts.dryRun,
        before: async (dir) => done({ kind: 'leftover', what: root(dir), bytes: (await diskUsage([dir])).get(dir) ?? 0 }, async () => {}),
      });
    }
    const sizes = await diskUsage(planned.map((p) => p.path));
    for (const { path: file, remove, ...item } of planned) await done({ ...item, bytes: sizes.get(file) ?? 0 }, remove);
    const repo = opts.ostree;
    if (opts.all && !busy.length && (await repo.exists())) {
      const unreachable = await repo.prune({ dryRun: true });
      const item: PruneItem = { kind: 'ostree', what: `${root(repo.dir)}: ${unreachable.objects} object(s) no ref reaches`, bytes: unreachable.bytes };
      if (unreachable.objects > 0) await done(item, async () => void (await repo.prune()));
    }
    return { items, bytes: items.reduce((sum, i) => sum + i.bytes, 0), busy };
  });
  for (const grave of graves) await rm(grave, { recursive: true, force: true });
  return result;
}

function removal(kind: PruneKind, file: string, root: (p: string) => string): Planned {
  return { kind, what: root(file), path: file, bytes: 0, remove: () => rm(file, { recursive: true, force: true, maxRetries: 3 }) };
}
