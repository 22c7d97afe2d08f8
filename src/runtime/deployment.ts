import { mkdir, readdir, readlink, rename, rm, symlink } from 'node:fs/promises';
import path from 'node:path';
import { Container, stackTree } from '../container/container.js';
import { UserError } from '../errors.js';
import type { OstreeRepo } from '../ostree/ostree.js';
import { acquireLock, type Lock } from '../store/lock.js';
import type { StoreLayout } from '../store/layout.js';
import { explainDiskFull } from '../util/disk.js';
import { pathExists, ifExists } from '../util/fs.js';
import { parseRuntimeManifest, MANIFEST_FILE } from './manifest-toml.js';
import { LOCAL_REMOTE } from '../ostree/runtime-name.js';
import { displayRef, repoRef, type LocatedRuntime } from './locate.js';

/**
 * A deployed runtime, `<store>/runtimes/<remote>/<ref>/` (MaPS's rofs/rwfs/tmpfs):
 *
 *   commit-<checksum>/   the read-only checkout (from a bare repo: hardlinks to its objects)
 *   current              symlink to the checkout in use, swapped in one rename on update
 *   rw/                  the run container's directory; rw/rootfs is the overlay upper dir
 *                        that keeps the user's changes between runs (reset empties it)
 *   lock                 held while the deployment is run or changed
 */
export class Deployment {
  readonly dir: string;

  constructor(
    layout: StoreLayout,
    readonly runtime: LocatedRuntime,
  ) {
    this.dir = path.join(layout.runtimes, runtime.remote ?? LOCAL_REMOTE, runtime.ref);
  }

  get current(): string {
    return path.join(this.dir, 'current');
  }

  get rw(): string {
    return path.join(this.dir, 'rw');
  }

  /** The overlay upper dir: the user's changes. */
  get changes(): string {
    return path.join(this.rw, 'rootfs');
  }

  async exists(): Promise<boolean> {
    return pathExists(this.current);
  }

  /** The checksum of the commit checked out, or undefined when not deployed. */
  async commit(): Promise<string | undefined> {
    const target = await ifExists(readlink(this.current));
    return target?.replace(/^commit-/, '');
  }

  private async lock(what: string): Promise<Lock> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const lock = await acquireLock(path.join(this.dir, 'lock'), 'exclusive', { create: true, wait: false });
    if (!lock) throw new UserError(`runtime ${displayRef(this.runtime)} is in use (another jetpack runtime run or ${what}); try again when it ends`);
    return lock;
  }

  private async locked<T>(what: string, fn: () => Promise<T>): Promise<T> {
    const lock = await this.lock(what);
    try {
      return await fn();
    } finally {
      await lock.release();
    }
  }

  /**
   * Checks out `rev` beside the current checkout and swaps `current` to it in one rename:
   * a checkout that fails (a full disk) leaves the deployment as it was. The user's changes
   * stay. Returns false when `rev` is already the one deployed.
   */
  async install(repo: OstreeRepo, rev: string): Promise<boolean> {
    return this.locked('update', async () => {
      const before = await this.commit();
      if (before === rev) return false;
      const name = `commit-${rev}`;
      const partial = path.join(this.dir, `${name}.partial`);
      await rm(partial, { recursive: true, force: true });
      try {
        await repo.checkout(rev, partial);
      } catch (err) {
        await rm(partial, { recursive: true, force: true });
        throw await explainDiskFull(err, this.dir, `checking out ${displayRef(this.runtime)}`);
      }
      await rename(partial, path.join(this.dir, name));
      const link = path.join(this.dir, 'current.new');
      await rm(link, { force: true });
      await symlink(name, link);
      await rename(link, this.current);
      await mkdir(this.rw, { recursive: true, mode: 0o700 });
      for (const entry of await readdir(this.dir)) {
        if (entry.startsWith('commit-') && entry !== name) await rm(path.join(this.dir, entry), { recursive: true, force: true });
      }
      return true;
    });
  }

  /** Drops the user's changes: the next run starts from the commit as it is. */
  async reset(): Promise<void> {
    await this.locked('reset', () => rm(this.rw, { recursive: true, force: true }).then(() => mkdir(this.rw, { mode: 0o700 })));
  }

  /** Removes the deployment (checkout and changes). */
  async remove(): Promise<void> {
    // The lock file goes too: a lock belongs to the open file, which stays locked until released.
    await this.locked('uninstall', () => rm(this.dir, { recursive: true, force: true }));
  }

  /**
   * What `run` starts without --command: `[Core] command` of manifest.toml (the user's
   * changed copy first, then the commit's), else bash, else sh.
   */
  async defaultCommand(): Promise<string[]> {
    const tree = stackTree([this.current, this.changes]);
    const text = await tree.readFile(MANIFEST_FILE);
    const manifest = text && (await parseRuntimeManifest(text.toString('utf8'), `${displayRef(this.runtime)}: ${MANIFEST_FILE}`));
    if (manifest?.command) return ['/bin/sh', '-c', manifest.command];
    for (const shell of ['/bin/bash', '/usr/bin/bash', '/bin/sh', '/usr/bin/sh']) {
      const st = await tree.stat(shell.slice(1));
      if (st && !st.isDirectory) return [shell];
    }
    throw new UserError(`runtime ${displayRef(this.runtime)} has no manifest.toml command, no bash and no sh: name a command with --command`);
  }

  /**
   * Runs `argv` in a container whose root is an overlay of the checkout under the user's
   * changes, as root with the host's network; returns the command's exit status.
   */
  async run(argv: string[] | undefined, cacheDir: string): Promise<number> {
    if (!(await this.exists())) throw new UserError(`runtime ${displayRef(this.runtime)} is not deployed (jetpack runtime deploy ${repoRef(this.runtime)})`);
    return this.locked('change', async () => {
      const command = argv ?? (await this.defaultCommand());
      const container = await Container.create(this.rw, [this.current], cacheDir, { keepLayer: true });
      try {
        const env: Record<string, string> = { HOME: '/root' };
        if (process.env.TERM) env.TERM = process.env.TERM;
        return await container.run(command, { cwd: '/', network: 'host', env });
      } finally {
        await container.cleanScratch();
      }
    });
  }
}

/** Every deployment in the store, as (remote, ref) pairs. */
export async function deployments(layout: StoreLayout): Promise<LocatedRuntime[]> {
  const found: LocatedRuntime[] = [];
  const walk = async (remote: string, dir: string, parts: string[]): Promise<void> => {
    const entries = (await ifExists(readdir(dir, { withFileTypes: true }))) ?? [];
    if (entries.some((e) => e.name === 'current')) {
      found.push({ remote: remote === LOCAL_REMOTE ? undefined : remote, ref: parts.join('/') });
      return;
    }
    for (const e of entries) if (e.isDirectory()) await walk(remote, path.join(dir, e.name), [...parts, e.name]);
  };
  for (const remote of (await ifExists(readdir(layout.runtimes))) ?? []) await walk(remote, path.join(layout.runtimes, remote), []);
  return found;
}
