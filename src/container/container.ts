import { spawn } from 'node:child_process';
import { lstat, mkdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { UserError } from '../errors.js';
import { LayerTree } from '../store/layer-tree.js';
import { copyEntry, renderedPaths, statInStack } from '../store/layers.js';
import { copyLayerOnto, linkLowerDirs, overlayAvailable } from '../store/render.js';
import { exitStatus, notInstalled, run } from '../util/process.js';
import { cachedDevices } from './devices.js';
import { makeMountPoint, placeMountPoint, resolveInImage, unmakeMountPoints, withImageMetadata, type Made, type MountPoint } from './mount-points.js';
import { containerCommand, containerEnv, containerFstab, type NamespaceSpec } from './namespace.js';
import { diffIntoLayer, snapshotTree, type TreeSnapshot } from './snapshot.js';
import type { Bind, Identity, ImageTree } from './app.js';
import { cachedTools, lentCommand, TOOLS_MOUNT, type LentBind } from './tools.js';
import { ifExists } from '../util/fs.js';

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

/**
 * Where a run mounts what the container lends, relative to the root, every link of the image
 * followed inside it (mount-points.ts): a link stays as the image has it, and what is mounted
 * shows through it. `binds` in the order given.
 */
interface Placement {
  proc: string;
  sys: string;
  dev: string;
  tmp?: string;
  tools?: string;
  resolvConf?: string;
  binds: string[];
  /** The mount points this placement had to make (mount-points.ts makeMountPoint). */
  made: string[];
}

export interface RunOptions {
  cwd: string;
  network: 'host' | 'none';
  /** Added to the default environment (containerEnv). */
  env?: Record<string, string>;
  /** Run as this user and these groups instead of root (through the lent setpriv). */
  identity?: Identity;
  /** Host paths mounted into the container, where the image's links lead; missing mount points are made (in copy mode, give them to create() too). */
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
 * The tree a stack of layers renders to, read from the layers (no mount needed), its links
 * followed inside the image as the container would follow them, never on the host.
 */
export function stackTree(stack: string[]): ImageTree {
  const tree = new LayerTree(stack);
  const found = async (rel: string) => {
    const r = await resolveInImage(tree, rel);
    return r.kind === 'found' ? r : undefined;
  };
  return {
    async stat(rel) {
      const st = (await found(rel))?.stat;
      return st && { uid: st.uid, gid: st.gid, isDirectory: st.isDirectory() };
    },
    async readFile(rel) {
      const r = await found(rel);
      return r?.stat.isFile() ? readFile(path.join(r.layer, r.rel)) : undefined;
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
 * copy: the parent is rendered into a private tree, its missing mount points made, then
 * snapshotted (inode + ctime of every entry), and after the run the difference is written
 * into `layerDir`. Either way what is lent is mounted where the image's links lead
 * (mount-points.ts): an image's `etc -> files/etc` stays a link, in the container and in
 * the layer.
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
   * tree; the host's resolv.conf and binds are mounted during each run, on files and
   * directories made for that run only when the tree lacks them.
   */
  static async inTree(dir: string, tree: string, cacheDir: string, opts: { privateTmp?: boolean } = {}): Promise<Container> {
    const [devices, hostResolvConf] = await Promise.all([cachedDevices(cacheDir), lstat(HOST_RESOLV_CONF).then((st) => st.isFile(), () => false)]);
    const container = new Container(dir, [], 'copy', undefined, tree);
    container.inPlace = true;
    container.privateTmp = opts.privateTmp ?? false;
    await symlink(devices, path.join(dir, SCRATCH.devTemplate));
    // Before resolv.conf is lent: only the mount points every rootfs has are made for good.
    await container.place([]);
    container.hasHostResolvConf = hostResolvConf;
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
    if (!opts.keepLayer || !(await ifExists(lstat(container.layerDir)))) {
      await mkdir(container.layerDir);
      // The layer's root carries the parent's root metadata, as an overlay upperdir must.
      await copyEntry(stack[stack.length - 1], '.', container.layerDir);
    }
    await mkdir(container.root);
    // Named relative to `dir` like the rest, so no store path can break an overlay option.
    await symlink(devices, path.join(dir, SCRATCH.devTemplate));
    if (mode === 'overlay') {
      for (const scratch of [SCRATCH.work, SCRATCH.dev, SCRATCH.devWork, SCRATCH.scaffold]) await mkdir(path.join(dir, scratch));
      container.lowerDirs = await linkLowerDirs(dir, SCRATCH.layers, stack);
    } else {
      for (const layer of stack) await copyLayerOnto(layer, container.root);
    }
    // Made now, before seal(): in copy mode nothing made here is a change of the command's.
    await container.place(opts.mountPoints ?? []);
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
    const placement = await this.place((opts.binds ?? []).map((b) => ({ path: b.target, file: b.file })));
    try {
      return await this.spawnIn(command, opts, placement);
    } finally {
      // In place, what was made for this run's mounts is the tree's no longer.
      if (this.inPlace) await unmakeMountPoints(this.root, placement.made);
    }
  }

  private async spawnIn(command: string[], opts: RunOptions, placement: Placement): Promise<number> {
    const [cmd, args] = await this.prepare(command, { ...opts, tied: true }, placement);
    const child = spawn(cmd, args, { stdio: opts.quiet ? ['inherit', 'ignore', 'ignore'] : opts.stdoutToStderr ? ['inherit', 2, 2] : 'inherit' });
    const stop = () => child.kill('SIGKILL');
    process.on('SIGINT', stop).on('SIGTERM', stop).on('SIGHUP', stop);
    try {
      return await new Promise<number>((resolve, reject) => {
        child.on('error', (err: NodeJS.ErrnoException) =>
          reject(err.code === 'ENOENT' ? notInstalled(cmd) : new UserError(`cannot start the container: ${err.message}`, 1, { cause: err })),
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
    await run('touch', ['-h', '-r', this.stack[this.stack.length - 1], this.layerDir]);
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
    const [cmd, args] = await this.prepare(['/bin/sh'], { cwd: '/', network, tied: false }, await this.place([]));
    const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
    await writeFile(file, `#!/bin/sh\n# Opens a shell in a kept jetpack build container.\nexec ${[cmd, ...args].map(quote).join(' ')}\n`, { mode: 0o755 });
  }

  /** Writes the container's fstab and returns the command line that runs `command` in it. */
  private async prepare(command: string[], opts: RunOptions & { tied: boolean }, placement: Placement): Promise<[string, string[]]> {
    if (opts.identity && !this.tools) throw new Error('this container lends no setpriv to switch users with');
    const spec = this.spec(opts.identity ? [...(await lentCommand(this.tools!, 'setpriv')), ...setprivArgs(opts.identity), '--', ...command] : command, opts, placement);
    const fstab = containerFstab(spec);
    await writeFile(path.join(this.dir, SCRATCH.fstab), fstab.main);
    if (fstab.dev !== undefined) await writeFile(path.join(this.dir, SCRATCH.fstabDev), fstab.dev);
    return containerCommand(spec, path.join(this.dir, SCRATCH.fstab));
  }

  private spec(command: string[], opts: RunOptions & { tied: boolean }, at: Placement): NamespaceSpec {
    const binds = (opts.binds ?? []).map((b, i) => ({ source: b.source, target: at.binds[i], readOnly: b.readOnly }));
    return {
      dir: this.dir,
      root: this.root,
      overlay:
        this.mode === 'overlay'
          ? { lowerdirs: [...this.lowerDirs, SCRATCH.scaffold], upperdir: path.basename(this.layerDir), workdir: SCRATCH.work }
          : undefined,
      proc: at.proc,
      sys: at.sys,
      dev: {
        target: at.dev,
        template: SCRATCH.devTemplate,
        overlay: this.mode === 'overlay' ? { upperdir: SCRATCH.dev, workdir: SCRATCH.devWork } : undefined,
      },
      privateTmp: at.tmp,
      resolvConf: at.resolvConf === undefined ? undefined : { source: HOST_RESOLV_CONF, target: at.resolvConf },
      tools: this.tools && at.tools !== undefined ? { source: this.tools, target: at.tools } : undefined,
      toolBinds: this.lentBinds,
      network: opts.network,
      hostname: 'jetpack',
      cwd: opts.cwd,
      env: { ...containerEnv(), ...opts.env },
      // Parents first, as they are where the links led.
      binds: binds.sort((a, b) => a.target.split('/').length - b.target.split('/').length),
      command,
      tied: opts.tied,
    };
  }

  /** The tree the container's commands see, as far as the host can read it unmounted. */
  private view(): LayerTree {
    return new LayerTree(this.mode === 'overlay' ? [...this.stack, path.join(this.dir, SCRATCH.scaffold), this.layerDir] : [this.root]);
  }

  /**
   * Where a run mounts what is lent and `binds`, every link of the image followed inside it;
   * a missing mount point is made: in the scaffold layer (overlay, its parents copied from
   * the image so that the merged tree looks as before), else in the tree itself.
   */
  private async place(binds: MountPoint[]): Promise<Placement> {
    const view = this.view();
    const made: string[] = [];
    const imageDirs: Made['imageDirs'] = [];
    const dest = this.mode === 'overlay' ? path.join(this.dir, SCRATCH.scaffold) : this.root;
    const at = async (mp: MountPoint): Promise<string | undefined> => {
      const placed = await placeMountPoint(view, mp);
      if (placed?.missing) {
        const m = await makeMountPoint(dest, placed.rel, mp, this.mode === 'overlay' ? view : undefined);
        made.push(...m.made);
        imageDirs.push(...m.imageDirs);
      }
      return placed?.rel;
    };
    // Only optional mount points can be left out; the others are placed or refused.
    const dir = async (p: string, mode?: number) => (await at({ path: p, file: false, mode }))!;
    const placement: Placement = {
      proc: await dir('/proc'),
      sys: await dir('/sys'),
      dev: await dir('/dev'),
      tmp: this.privateTmp ? await dir('/tmp', 0o1777) : undefined,
      tools: this.tools ? await dir(TOOLS_MOUNT) : undefined,
      resolvConf: this.hasHostResolvConf ? await at({ path: HOST_RESOLV_CONF, file: true, optional: true }) : undefined,
      binds: [],
      made,
    };
    for (const b of binds) placement.binds.push((await at({ path: b.path, file: b.file }))!);
    await withImageMetadata(dest, imageDirs);
    return placement;
  }
}
