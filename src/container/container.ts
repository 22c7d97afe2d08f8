import { spawn } from 'node:child_process';
import { chmod, lstat, mkdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { UserError } from '../errors.js';
import { copyEntry, renderedPaths, statInStack } from '../store/layers.js';
import { copyLayerOnto, linkLowerDirs, overlayAvailable } from '../store/render.js';
import { exitStatus, notInstalled, run } from '../util/process.js';
import { cachedDevices } from './devices.js';
import { containerCommand, containerEnv, containerFstab, type NamespaceSpec } from './namespace.js';
import { diffIntoLayer, snapshotTree, type TreeSnapshot } from './snapshot.js';
import type { Bind, Identity, ImageTree } from './app.js';
import { canLendResolvConf, withResolvConfFile } from './resolv-conf.js';
import { cachedTools, lentCommand, TOOLS_MOUNT, type LentBind } from './tools.js';

export type ContainerMode = 'overlay' | 'copy';

const HOST_RESOLV_CONF = '/etc/resolv.conf';

/**
 * What a container keeps in its directory beside its layer (`rootfs`), by name relative to
 * it: the container's commands run there. All of it goes when the layer is finished.
 */
const SCRATCH = {
  /** overlay: the root's work dir */
  work: 'work',
  /** overlay: short names of the stack's layers (linkLowerDirs) */
  layers: 'layers',
  /** overlay: mount points and resolv.conf the image lacks */
  scaffold: 'scaffold',
  /** the /dev template (a symlink) */
  devTemplate: 'dev-template',
  /** overlay: /dev's upper and work dirs */
  dev: 'dev',
  devWork: 'dev-work',
  /** the container's mounts; `fstab.dev` in copy mode */
  fstab: 'fstab',
  fstabDev: 'fstab.dev',
  /** the root as the container sees it: the overlay's mount point, or the copied tree */
  mnt: 'mnt',
  tree: 'tree',
} as const;
const MOUNT_POINTS = ['proc', 'sys', 'dev', TOOLS_MOUNT.slice(1)];

/** A path to mount something on: a directory, or a regular file for a file bind. */
export interface MountPoint {
  path: string;
  file: boolean;
}

export interface RunOptions {
  cwd: string;
  network: 'host' | 'none';
  /** Added to the default environment (containerEnv). */
  env?: Record<string, string>;
  /** Run as this user and these groups instead of root (through the lent setpriv). */
  identity?: Identity;
  /** Host paths mounted into the container; their mount points must exist (create's mountPoints). */
  binds?: Bind[];
  /** Drop the command's stdout and stderr. */
  quiet?: boolean;
  /** Send the command's stdout to jetpack's stderr, keeping stdout for jetpack's own result (-json). */
  stdoutToStderr?: boolean;
}

function setprivArgs(identity: Identity): string[] {
  const groups = identity.groups.length ? [`--groups=${identity.groups.join(',')}`] : ['--clear-groups'];
  return [`--reuid=${identity.uid}`, `--regid=${identity.gid}`, ...groups];
}

/**
 * The entry at `rel` in a stack of layers, found only through real directories: a path
 * whose parent is a symlink in the image counts as absent, because following that link from
 * the host could leave the image (an absolute target names a host path).
 */
async function entryInStack(stack: string[], rel: string) {
  const parts = rel.split('/').filter(Boolean);
  for (let i = 1; i < parts.length; i++) {
    if (!(await statInStack(stack, parts.slice(0, i).join('/')))?.stat.isDirectory()) return undefined;
  }
  return statInStack(stack, parts.join('/'));
}

/** The tree a stack of layers renders to, read from the layers (no mount needed). */
export function stackTree(stack: string[]): ImageTree {
  return {
    async stat(rel) {
      const found = await entryInStack(stack, rel);
      return found && { uid: found.stat.uid, gid: found.stat.gid, isDirectory: found.stat.isDirectory(), isSymlink: found.stat.isSymbolicLink() };
    },
    async readFile(rel) {
      const found = await entryInStack(stack, rel);
      return found?.stat.isFile() ? readFile(path.join(found.layer, rel)) : undefined;
    },
  };
}

/**
 * A container made from an image's layers inside a staging directory. Its changes end up
 * in `layerDir` in the store's layer format (overlay upperdir: new and changed entries,
 * whiteouts for deletions), ready to become an image's own layer.
 *
 * overlay: parent layers are read-only lowerdirs, `layerDir` is the upperdir, so the cost
 * is what the command changes. A small scaffold layer on top supplies mount points and an
 * /etc/resolv.conf to bind over when the image lacks them, so none of that reaches the layer.
 * copy: the parent is rendered into a private tree, snapshotted (inode + ctime of every
 * entry), and after the run the difference is written into `layerDir`.
 */
export class Container {
  readonly layerDir: string;
  private snapshot: TreeSnapshot | undefined;
  /** Whether the host has a resolv.conf to lend (it is bind-mounted over the image's). */
  private hasHostResolvConf = false;
  /** overlay: the stack's short names in `dir` (linkLowerDirs). */
  private lowerDirs: string[] = [];
  /** Whether the root is a tree changed in place (inTree) rather than the container's own. */
  private inPlace = false;
  /** Whether /tmp is a tmpfs of the container's own (MaPS's sandbox has one). */
  private privateTmp = false;
  /** What the tools directory lends by bind mount (tools.ts). */
  private lentBinds: LentBind[] = [];
  /** Whether finishLayer() has taken the container apart (it can no longer run anything). */
  finished = false;

  /** The container's root as the host sees it: its mount point (overlay) or its tree (copy). */
  readonly root: string;

  private constructor(
    /** The directory holding everything of the container (a staging dir of the store). */
    readonly dir: string,
    readonly stack: string[],
    readonly mode: ContainerMode,
    /** The tools the host lends the container at TOOLS_MOUNT (tools.ts); none for a tree of its own. */
    readonly tools: string | undefined,
    root?: string,
  ) {
    this.layerDir = path.join(dir, 'rootfs');
    this.root = root ?? path.join(dir, mode === 'overlay' ? SCRATCH.mnt : SCRATCH.tree);
  }

  /**
   * A container whose root is `tree` itself, changed in place (a stage job's rootfs): no
   * layers, no copy, nothing lent, so nothing of jetpack's is left in the tree. `dir` holds
   * the container's scratch files. Missing mount points (/proc, /sys, /dev) are made in the
   * tree; the host's resolv.conf is lent during each run and the tree's own put back after.
   */
  static async inTree(dir: string, tree: string, cacheDir: string, opts: { privateTmp?: boolean } = {}): Promise<Container> {
    const [devices, hostResolvConf, lendable] = await Promise.all([
      cachedDevices(cacheDir),
      lstat(HOST_RESOLV_CONF).then((st) => st.isFile(), () => false),
      canLendResolvConf(tree),
    ]);
    const container = new Container(dir, [], 'copy', undefined, tree);
    container.inPlace = true;
    container.hasHostResolvConf = hostResolvConf && lendable;
    container.privateTmp = opts.privateTmp ?? false;
    await symlink(devices, path.join(dir, SCRATCH.devTemplate));
    for (const mp of MOUNT_POINTS.filter((m) => m !== TOOLS_MOUNT.slice(1))) {
      if (!(await lstat(path.join(tree, mp)).catch(() => undefined))?.isDirectory()) await mkdir(path.join(tree, mp), { mode: 0o755 });
    }
    if (container.privateTmp && !(await lstat(path.join(tree, 'tmp')).catch(() => undefined))?.isDirectory()) {
      await mkdir(path.join(tree, 'tmp'));
      await chmod(path.join(tree, 'tmp'), 0o1777);
    }
    return container;
  }

  /**
   * A container in `dir` over the layer `stack` (bottom first); `cacheDir` keeps what the
   * host lends containers. `mountPoints` are made where the image lacks them (for binds),
   * without changing the container's own layer.
   */
  static async create(dir: string, stack: string[], cacheDir: string, opts: { mountPoints?: MountPoint[]; keepLayer?: boolean } = {}): Promise<Container> {
    const [mode, tools, devices, hostResolvConf] = await Promise.all([
      overlayAvailable().then((yes): ContainerMode => (yes ? 'overlay' : 'copy')),
      cachedTools(cacheDir),
      cachedDevices(cacheDir),
      lstat(HOST_RESOLV_CONF).then((st) => st.isFile(), () => false),
    ]);
    const container = new Container(dir, stack, mode, tools.dir);
    container.hasHostResolvConf = hostResolvConf;
    container.lentBinds = tools.binds;
    if (opts.keepLayer) {
      if (mode !== 'overlay') throw new UserError('a layer that outlives its container needs overlayfs, which this kernel lacks (or JETPACK_NO_OVERLAY is set)');
      await container.cleanScratch(); // what a killed run left
    }
    if (!opts.keepLayer || !(await lstat(container.layerDir).catch(() => undefined))) {
      await mkdir(container.layerDir);
      // The layer's root carries the parent's root metadata, as an overlay upperdir must.
      await copyEntry(stack[stack.length - 1]!, '.', container.layerDir);
    }
    await mkdir(container.root);
    // Named relative to `dir` like the rest, so no store path can break an overlay option.
    await symlink(devices, path.join(dir, SCRATCH.devTemplate));
    if (mode === 'overlay') {
      for (const scratch of [SCRATCH.work, SCRATCH.dev, SCRATCH.devWork]) await mkdir(path.join(dir, scratch));
      container.lowerDirs = await linkLowerDirs(dir, SCRATCH.layers, stack);
      await container.makeScaffold(path.join(dir, SCRATCH.scaffold), opts.mountPoints ?? []);
    } else {
      for (const layer of stack) await copyLayerOnto(layer, container.root);
      await container.prepareCopyRoot(opts.mountPoints ?? []);
    }
    return container;
  }

  /** Whether `rel` exists in the image the container was made from. */
  async parentHas(rel: string): Promise<boolean> {
    return (await statInStack(this.stack, rel)) !== undefined;
  }

  /** Where the host writes a path into the container before it runs. */
  hostPath(rel: string): string {
    return path.join(this.mode === 'overlay' ? this.layerDir : this.root, rel);
  }

  /** In copy mode, records the tree so that finishLayer() can tell what the command changed. */
  async seal(): Promise<void> {
    if (this.mode === 'copy') this.snapshot = await snapshotTree(this.root);
  }

  /**
   * Runs a command in the container with jetpack's stdio and returns its exit status
   * (128+N when killed by signal N). Ctrl-C or SIGTERM to jetpack kills the container.
   */
  async run(command: string[], opts: RunOptions): Promise<number> {
    // In place, the bind of the host's resolv.conf needs a file in the tree to cover.
    if (this.inPlace && this.hasHostResolvConf) return withResolvConfFile(this.root, () => this.spawnIn(command, opts));
    return this.spawnIn(command, opts);
  }

  private async spawnIn(command: string[], opts: RunOptions): Promise<number> {
    const [cmd, args] = await this.prepare(command, { ...opts, tied: true });
    const child = spawn(cmd, args, { stdio: opts.quiet ? ['inherit', 'ignore', 'ignore'] : opts.stdoutToStderr ? ['inherit', 2, 2] : 'inherit' });
    const stop = () => child.kill('SIGKILL');
    process.on('SIGINT', stop).on('SIGTERM', stop).on('SIGHUP', stop);
    try {
      return await new Promise<number>((resolve, reject) => {
        child.on('error', (err: NodeJS.ErrnoException) =>
          reject(err.code === 'ENOENT' ? notInstalled(cmd) : new UserError(`cannot start the container: ${err.message}`)),
        );
        child.on('close', (code, signal) => resolve(exitStatus(code, signal)));
      });
    } finally {
      process.off('SIGINT', stop).off('SIGTERM', stop).off('SIGHUP', stop);
    }
  }

  /** Removes the scratch files the container keeps in its directory (for a container made inTree). */
  async cleanScratch(): Promise<void> {
    for (const scratch of Object.values(SCRATCH)) await rm(path.join(this.dir, scratch), { recursive: true, force: true });
  }

  /** Makes `layerDir` hold exactly the changes, with the parent's root metadata on its root. */
  async finishLayer(exclude: string[]): Promise<void> {
    if (this.mode === 'copy') await diffIntoLayer(this.root, this.snapshot!, this.layerDir, exclude);
    await this.cleanScratch();
    this.finished = true;
    await run('touch', ['-h', '-r', this.stack[this.stack.length - 1]!, this.layerDir]);
  }

  /** Paths the container's layer deleted or hid, for the ACI's pathWhitelist: the render of parent + layer. */
  async renderedPaths(): Promise<string[]> {
    return [...(await renderedPaths([...this.stack, this.layerDir])).keys()].sort();
  }

  /** The same container after its directory was moved to `dir`. */
  relocated(dir: string): Container {
    const moved = new Container(dir, this.stack, this.mode, this.tools);
    moved.hasHostResolvConf = this.hasHostResolvConf;
    moved.lowerDirs = this.lowerDirs;
    moved.lentBinds = this.lentBinds;
    return moved;
  }

  /** Writes `file`, a shell script that opens /bin/sh in this container (for a kept, failed build). */
  async writeEnterScript(file: string, network: 'host' | 'none'): Promise<void> {
    const [cmd, args] = await this.prepare(['/bin/sh'], { cwd: '/', network, tied: false });
    const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
    await writeFile(file, `#!/bin/sh\n# Opens a shell in a kept jetpack build container.\nexec ${[cmd, ...args].map(quote).join(' ')}\n`, { mode: 0o755 });
  }

  /** Writes the container's fstab and returns the command line that runs `command` in it. */
  private async prepare(command: string[], opts: RunOptions & { tied: boolean }): Promise<[string, string[]]> {
    if (opts.identity && !this.tools) throw new Error('this container lends no setpriv to switch users with');
    const spec = this.spec(opts.identity ? [...(await lentCommand(this.tools!, 'setpriv')), ...setprivArgs(opts.identity), '--', ...command] : command, opts);
    const fstab = containerFstab(spec);
    await writeFile(path.join(this.dir, SCRATCH.fstab), fstab.main);
    if (fstab.dev !== undefined) await writeFile(path.join(this.dir, SCRATCH.fstabDev), fstab.dev);
    return containerCommand(spec, path.join(this.dir, SCRATCH.fstab));
  }

  private spec(command: string[], opts: RunOptions & { tied: boolean }): NamespaceSpec {
    return {
      dir: this.dir,
      root: this.root,
      overlay:
        this.mode === 'overlay'
          ? { lowerdirs: [...this.lowerDirs, SCRATCH.scaffold], upperdir: path.basename(this.layerDir), workdir: SCRATCH.work }
          : undefined,
      dev: {
        template: SCRATCH.devTemplate,
        overlay: this.mode === 'overlay' ? { upperdir: SCRATCH.dev, workdir: SCRATCH.devWork } : undefined,
      },
      resolvConf: this.hasHostResolvConf ? HOST_RESOLV_CONF : undefined,
      privateTmp: this.privateTmp,
      tools: this.tools,
      toolBinds: this.lentBinds,
      network: opts.network,
      hostname: 'jetpack',
      cwd: opts.cwd,
      env: { ...containerEnv(), ...opts.env },
      binds: opts.binds ?? [],
      command,
      tied: opts.tied,
    };
  }

  private async makeScaffold(scaffold: string, mountPoints: MountPoint[]): Promise<void> {
    await mkdir(scaffold);
    for (const dir of MOUNT_POINTS) {
      if (!(await statInStack(this.stack, dir))?.stat.isDirectory()) await mkdir(path.join(scaffold, dir), { mode: 0o755 });
    }
    for (const mp of mountPoints) await this.scaffoldMountPoint(scaffold, mp);
    if (!this.hasHostResolvConf) return;
    if ((await statInStack(this.stack, 'etc/resolv.conf'))?.stat.isFile()) return;
    const etc = await statInStack(this.stack, 'etc');
    if (etc?.stat.isDirectory()) await copyEntry(etc.layer, 'etc', scaffold);
    else await mkdir(path.join(scaffold, 'etc'), { mode: 0o755 });
    await writeFile(path.join(scaffold, 'etc', 'resolv.conf'), '', { mode: 0o644 });
  }

  /**
   * Makes a mount point the image lacks in the scaffold layer, with every parent directory
   * copied from the image (owner, mode, xattrs), so the merged tree looks as before.
   */
  private async scaffoldMountPoint(scaffold: string, mp: MountPoint): Promise<void> {
    const rel = mp.path.replace(/^\/+/, '');
    if (await statInStack(this.stack, rel)) return;
    const parts = rel.split('/');
    for (let i = 1; i < parts.length; i++) {
      const dir = parts.slice(0, i).join('/');
      if (await lstat(path.join(scaffold, dir)).catch(() => undefined)) continue;
      const below = await statInStack(this.stack, dir);
      if (below?.stat.isDirectory()) await copyEntry(below.layer, dir, scaffold);
      else await mkdir(path.join(scaffold, dir), { mode: 0o755 });
    }
    if (mp.file) await writeFile(path.join(scaffold, rel), '', { mode: 0o644, flag: 'wx' });
    else await mkdir(path.join(scaffold, rel), { mode: 0o755 });
  }

  private async prepareCopyRoot(mountPoints: MountPoint[]): Promise<void> {
    for (const mp of mountPoints) {
      const target = path.join(this.root, mp.path);
      if (await lstat(target).catch(() => undefined)) continue;
      await mkdir(mp.file ? path.dirname(target) : target, { recursive: true, mode: 0o755 });
      if (mp.file) await writeFile(target, '', { mode: 0o644 });
    }
    for (const dir of MOUNT_POINTS) {
      const target = path.join(this.root, dir);
      if (!(await lstat(target).catch(() => undefined))?.isDirectory()) {
        await rm(target, { force: true });
        await mkdir(target, { mode: 0o755 });
      }
    }
    if (!this.hasHostResolvConf) return;
    const resolv = path.join(this.root, 'etc', 'resolv.conf');
    if ((await lstat(resolv).catch(() => undefined))?.isFile()) return;
    await mkdir(path.dirname(resolv), { recursive: true, mode: 0o755 });
    await rm(resolv, { recursive: true, force: true });
    await writeFile(resolv, '', { mode: 0o644 });
  }
}
