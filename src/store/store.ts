import { mkdir, mkdtemp, readdir, readFile, rename, rm, statfs, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { UserError } from '../errors.js';
import { ifExists, pathExists, syncDirectory } from '../util/fs.js';
import { isImageID } from '../image/id.js';
import { parseStoredManifest, type ImageManifest } from '../image/manifest.js';
import type { Compression } from '../archive/compression.js';
import { syncFilesystemOf } from '../util/durable.js';
import { acquireLock, type Lock } from './lock.js';
import { IMAGE_FILES, StoreLayout } from './layout.js';
import { dropTagsOf, type Tag } from './tags.js';

/** What the store records about an image beside its manifest (info.json). */
export interface ImageInfo {
  id: string;
  /** Compression of the stored `aci` file. */
  compression: Compression;
  /** Bytes of the uncompressed ACI, the stream the ID hashes. */
  size: number;
  /** When the image entered this store (RFC3339). */
  stored: string;
  /** IDs of the manifest's dependencies, resolved when the image was stored, in manifest order. */
  dependencies: string[];
  /**
   * The manifest's name and labels, so that a lookup by name reads info.json alone (a built
   * image's manifest can carry a pathWhitelist of thousands of paths). Absent in stores
   * made before jetpack wrote them; lookups then read the manifest.
   */
  name?: string;
  labels?: ImageManifest['labels'];
}

export interface StoredImage {
  id: string;
  dir: string;
  manifest: ImageManifest;
  info: ImageInfo;
}

/**
 * A staging directory under tmp/: work happens here, locked so fsck knows it is live,
 * and is either renamed into images/ whole or removed.
 */
export class Staging {
  constructor(
    readonly dir: string,
    private readonly lock: Lock,
  ) {}

  path(...parts: string[]): string {
    return path.join(this.dir, ...parts);
  }

  async discard(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true });
    await this.lock.release();
  }

  /** Releases the lock of a staging dir that has been renamed away. */
  async released(): Promise<void> {
    await this.lock.release();
  }
}

/** Kernel interface filesystems (statfs f_type), where a store cannot live. */
const PSEUDO_FILESYSTEMS = new Map([
  [0x9fa0, 'proc'],
  [0x62656572, 'sysfs'],
  [0x1cd1, 'devpts'],
  [0x27e0eb, 'cgroup'],
  [0x63677270, 'cgroup2'],
  [0x64626720, 'debugfs'],
  [0x74726163, 'tracefs'],
  [0x73636673, 'securityfs'],
  [0xcafe4a11, 'bpf'],
]);

/**
 * Refuses a new store under /proc, /sys and the like: mkdir there fails in odd ways or,
 * under /proc, never returns (Node's recursive mkdir retries forever).
 */
async function refusePseudoFilesystem(root: string): Promise<void> {
  let dir = root;
  while (!(await pathExists(dir)) && dir !== path.dirname(dir)) dir = path.dirname(dir);
  const kind = PSEUDO_FILESYSTEMS.get((await statfs(dir)).type);
  if (kind) throw new UserError(`cannot create the image store at ${root}: ${dir} is a ${kind} filesystem, not storage`);
}

export class Store {
  readonly layout: StoreLayout;

  private constructor(root: string) {
    this.layout = new StoreLayout(root);
  }

  /** Opens the store at `root`, creating it on first use. */
  static async open(root: string): Promise<Store> {
    const store = new Store(root);
    if (!(await pathExists(store.layout.images))) await refusePseudoFilesystem(root);
    try {
      await mkdir(store.layout.images, { recursive: true, mode: 0o700 });
      await mkdir(store.layout.tmp, { recursive: true, mode: 0o700 });
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      const hint = e.code === 'EACCES' ? ' (jetpack needs root; run it with sudo or set -root=DIR)' : '';
      throw new UserError(`cannot create the image store at ${root}: ${e.message}${hint}`, 1, { cause: e });
    }
    return store;
  }

  /** Serialises changes to images/: brief, so readers and long builds never wait on it. */
  async locked<T>(fn: () => Promise<T>, mode: 'shared' | 'exclusive' = 'exclusive'): Promise<T> {
    const lock = (await acquireLock(this.layout.lockFile, mode, { create: true }))!;
    try {
      return await fn();
    } finally {
      await lock.release();
    }
  }

  async stage(kind: string): Promise<Staging> {
    // The shared store lock keeps fsck (exclusive) from taking the new dir for a leftover
    // in the moment between its creation and its own lock.
    return this.locked(async () => {
      const dir = await mkdtemp(path.join(this.layout.tmp, `${kind}-`));
      const lock = (await acquireLock(dir, 'exclusive'))!;
      return new Staging(dir, lock);
    }, 'shared');
  }

  /**
   * Removes what killed operations left in tmp/: entries whose lock nobody holds. Live
   * staging dirs are locked by their owners and stay. Call with the store lock held, so
   * that no staging dir is caught between its creation and its lock. `before` sees each
   * leftover, still locked, before it goes; with `dryRun` nothing goes.
   */
  async reapLeftovers(opts: { dryRun?: boolean; before?: (dir: string) => Promise<void> } = {}): Promise<string[]> {
    const removed: string[] = [];
    for (const name of await readdir(this.layout.tmp)) {
      const entry = path.join(this.layout.tmp, name);
      const lock = await acquireLock(entry, 'exclusive', { wait: false }).catch(() => null); // null: busy, or gone
      if (lock === null && !name.startsWith('destroy-')) continue;
      try {
        await opts.before?.(entry);
        // Retries: a process of the dead operation may still be writing there for a moment.
        if (!opts.dryRun) await rm(entry, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
      } finally {
        await lock?.release();
      }
      removed.push(name);
    }
    return removed;
  }

  /** The operations under way (their staging dirs in tmp/ are locked): build-…, run-…, export-…. */
  async liveOperations(): Promise<string[]> {
    const live: string[] = [];
    for (const name of await readdir(this.layout.tmp)) {
      if (name.startsWith('destroy-')) continue;
      const lock = await acquireLock(path.join(this.layout.tmp, name), 'exclusive', { wait: false }).catch(() => undefined); // undefined: gone
      if (lock === null) live.push(name);
      await lock?.release();
    }
    return live;
  }

  /** Reaps leftovers now if the store is idle (nobody holds its lock); never waits. */
  async tidy(): Promise<void> {
    if ((await readdir(this.layout.tmp)).length === 0) return; // the usual case: nothing to reap, no lock taken
    const lock = await acquireLock(this.layout.lockFile, 'exclusive', { wait: false, create: true });
    if (!lock) return;
    try {
      await this.reapLeftovers();
    } finally {
      await lock.release();
    }
  }

  async ids(): Promise<string[]> {
    const names = await readdir(this.layout.images);
    return names.filter(isImageID).sort();
  }

  /** Just an image's info.json: cheaper than get(), which also parses the manifest. */
  async info(id: string): Promise<ImageInfo | undefined> {
    const text = await ifExists(readFile(path.join(this.layout.imageDir(id), IMAGE_FILES.info), 'utf8'));
    return text === undefined ? undefined : (JSON.parse(text) as ImageInfo);
  }

  async get(id: string): Promise<StoredImage | undefined> {
    const dir = this.layout.imageDir(id);
    const manifestFile = path.join(dir, IMAGE_FILES.manifest);
    const [manifest, info] = await Promise.all([ifExists(readFile(manifestFile)), this.info(id)]);
    if (!manifest || !info) return undefined;
    return { id, dir, manifest: parseStoredManifest(manifest, manifestFile), info };
  }

  async list(): Promise<StoredImage[]> {
    const images = await Promise.all((await this.ids()).map((id) => this.get(id)));
    return images.filter((i): i is StoredImage => i !== undefined);
  }

  /**
   * Images that list `id` among their dependencies, by ID and name, read from info.json
   * alone (gc removes images one by one, each checked again under the lock).
   */
  async dependents(id: string): Promise<Array<{ id: string; name: string }>> {
    const infos = await Promise.all((await this.ids()).map((i) => this.info(i)));
    const users = infos.filter((info): info is ImageInfo => info?.dependencies.includes(id) ?? false);
    return Promise.all(users.map(async (info) => ({ id: info.id, name: info.name ?? (await this.get(info.id))?.manifest.name ?? '?' })));
  }

  /**
   * Moves a finished staging dir into images/ as `info.id`. If the image is already
   * stored, the staging dir is dropped and the stored copy wins. Returns whether it was new.
   */
  async commit(staging: Staging, info: ImageInfo): Promise<boolean> {
    await writeFile(staging.path(IMAGE_FILES.info), JSON.stringify(info, null, 2) + '\n', { mode: 0o644 });
    // Durable before it is visible, visible durably before jetpack says so, as git and
    // ostree do: every file of the image reaches the disk, then the rename, then the fsync of
    // images/ that makes the new entry survive a power cut.
    await syncFilesystemOf(staging.dir);
    const added = await this.locked(async () => {
      for (const dep of info.dependencies) {
        if (!(await pathExists(path.join(this.layout.imageDir(dep), IMAGE_FILES.info))))
          throw new UserError(`dependency ${dep} was removed from the store while this image was being made`);
      }
      try {
        await rename(staging.dir, this.layout.imageDir(info.id));
        await syncDirectory(this.layout.images);
        return true;
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'ENOTEMPTY' || code === 'EEXIST') return false;
        throw err;
      }
    });
    if (added) await staging.released();
    else await staging.discard();
    return added;
  }

  /** Removes an image, and its tags, unless another image depends on it; returns the tags. */
  async destroy(image: StoredImage): Promise<Tag[]> {
    const { grave, tags } = await this.locked(() => this.unlink(image));
    await rm(grave, { recursive: true, force: true });
    return tags;
  }

  /**
   * With the store lock held: takes an image out of images/ unless another image depends on
   * it, and its tags. Returns its grave in tmp/, for the caller to remove after the lock, and
   * the tags removed.
   */
  async unlink(image: StoredImage): Promise<{ grave: string; tags: Tag[] }> {
    const dependents = await this.dependents(image.id);
    if (dependents.length > 0) {
      const names = dependents.map((d) => `${d.id.slice(0, 19)} ${d.name}`).join(', ');
      throw new UserError(`cannot destroy image ${image.manifest.name}: ${dependents.length} image(s) depend on it (${names})`);
    }
    // Renaming into tmp/ makes the image vanish at once; a crash during the slow rm leaves a
    // leftover that fsck removes, never half an image in images/.
    const dir = await mkdtemp(path.join(this.layout.tmp, 'destroy-'));
    await rename(image.dir, path.join(dir, 'image'));
    return { grave: dir, tags: await dropTagsOf(this.layout, image.id) };
  }
}
