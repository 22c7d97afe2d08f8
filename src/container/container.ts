import { spawn } from 'node:child_process';
import { lstat, mkdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { UserError } from '../errors.js';
import { treeInPlace } from '../layers/copy.js';
import type { Layer } from '../layers/driver.js';
import { renderedPaths, statInStack } from '../layers/format.js';
import { LayerTree } from '../layers/layer-tree.js';
import { layerDriver } from '../layers/select.js';
import { exitStatus, notInstalled } from '../util/process.js';
import { cachedDevices } from './devices.js';
import { makeMountPoint, placeMountPoint, resolveInImage, unmakeMountPoints, withImageMetadata, type Made, type MountPoint } from './mount-points.js';
import { containerCommand, containerEnv, containerFstab, type NamespaceSpec } from './namespace.js';
import type { Bind, Identity, ImageTree } from './app.js';
import { cachedTools, lentCommand, TOOLS_MOUNT, type LentBind } from './tools.js';

const HOST_RESOLV_CONF = '/etc/resolv.conf';

/**
 * What a container keeps in its directory beside its layer's own files (layers/driver.ts
 * LAYER_FILES), by name relative to it: the container's commands run there. All of it goes
 * when the layer is finished.
 */
const SCRATCH = {
  /** the /dev template (a symlink) */
  devTemplate: 'dev-template',
  /** a stacking layer: /dev's upper and work dirs */
  dev: 'dev',
  devWork: 'dev-work',
  /** the container's mounts; `fstab.dev` without a stacking layer */
  fstab: 'fstab',
  fstabDev: 'fstab.dev',
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
  /** Host paths mounted into the container, where the image's links lead; missing mount points are made (give them to create() too: without a scaffold they are made in the tree, before seal()). */
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
 * A container made from an image's layers inside a staging directory: its root is a layer
 * of the layer driver (layers/driver.ts) on the image's stack, so its changes end up in
 * `layerDir` in the store's layer format, ready to become an image's own layer. Mount points
 * and an /etc/resolv.conf to bind over are made where the layer keeps them out of its
 * changes. What is lent is mounted where the image's links lead (mount-points.ts): an
 * image's `etc -> files/etc` stays a link, in the container and in the layer.
 */
export class Container {
  readonly layerDir: string;
  /** Whether the host has a resolv.conf to lend (it is bind-mounted over the image's). */
  private hasHostResolvConf = false;
  /** Whether the root is a tree changed in place (inTree) rather than the container's own. */
  private inPlace = false;
  /** Whether /tmp is a tmpfs of the container's own (MaPS's sandbox has one). */
  private privateTmp = false;
  /** What the tools directory lends by bind mount (tools.ts). */
  private lentBinds: LentBind[] = [];
  /** The host's /dev nodes bound over the /dev template's placeholders (devices.ts; a user namespace only). */
  private hostDevices: string[] = [];
  /** Whether finishLayer() has taken the container apart (it can no longer run anything). */
  finished = false;

  /** The container's root as the host sees it: its layer's mount point or tree. */
  readonly root: string;
  readonly stack: string[];

  private constructor(
    /** The directory holding everything of the container (a staging dir of the store). */
    readonly dir: string,
    private readonly layer: Layer,
    /** The tools the host lends the container at TOOLS_MOUNT (tools.ts); none for a tree of its own. */
    readonly tools: string | undefined,
  ) {
    this.layerDir = layer.layerDir;
    this.root = layer.root;
    this.stack = layer.parents;
  }

  /**
   * A container whose root is `tree` itself, changed in place (a stage job's rootfs): no
   * layers, no copy, nothing lent, so nothing of jetpack's is left in the tree. `dir` holds
   * the container's scratch files. Missing mount points (/proc, /sys, /dev) are made in the
   * tree; the host's resolv.conf and binds are mounted during each run, on files and
   * directories made for that run only when the tree lacks them.
   */
  static async inTree(dir: string, tree: string, cacheDir: string, opts: { privateTmp?: boolean } = {}): Promise<Container> {
    const [devices, hostResolvConf] = await Promise.all([
      cachedDevices(cacheDir),
      lstat(HOST_RESOLV_CONF).then(
        (st) => st.isFile(),
        () => false,
      ),
    ]);
    const container = new Container(dir, treeInPlace(dir, tree), undefined);
    container.hostDevices = devices.hostDevices;
    container.inPlace = true;
    container.privateTmp = opts.privateTmp ?? false;
    await symlink(devices.dir, path.join(dir, SCRATCH.devTemplate));
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
    const [driver, tools, devices, hostResolvConf] = await Promise.all([
      layerDriver(),
      cachedTools(cacheDir),
      cachedDevices(cacheDir),
      lstat(HOST_RESOLV_CONF).then(
        (st) => st.isFile(),
        () => false,
      ),
    ]);
    const layer = await driver.create(dir, stack, { keep: opts.keepLayer });
    const container = new Container(dir, layer, tools.dir);
    container.hasHostResolvConf = hostResolvConf;
    container.lentBinds = tools.binds;
    container.hostDevices = devices.hostDevices;
    if (opts.keepLayer) await container.removeOwnScratch(); // what a killed run left
    // Named relative to `dir` like the rest, so no store path can break an overlay option.
    await symlink(devices.dir, path.join(dir, SCRATCH.devTemplate));
    if (layer.stacks) for (const scratch of [SCRATCH.dev, SCRATCH.devWork]) await mkdir(path.join(dir, scratch));
    // Made now, before seal(): where they go in the tree itself, nothing made here is a change of the command's.
    await container.place(opts.mountPoints ?? []);
    return container;
  }

  /** Whether `rel` exists in the image the container was made from. */
  async parentHas(rel: string): Promise<boolean> {
    return (await statInStack(this.stack, rel)) !== undefined;
  }

  /** Where the host writes a path into the container before it runs. */
  hostPath(rel: string): string {
    return this.layer.hostPath(rel);
  }

  /** Marks the tree as it is now as the base of what finishLayer() keeps as the command's changes. */
  async seal(): Promise<void> {
    await this.layer.seal();
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

  /** Removes the scratch files the container and its layer keep in its directory, the layer itself kept. */
  async cleanScratch(): Promise<void> {
    await this.removeOwnScratch();
    await this.layer.remove();
  }

  private async removeOwnScratch(): Promise<void> {
    for (const scratch of Object.values(SCRATCH)) await rm(path.join(this.dir, scratch), { recursive: true, force: true });
  }

  /** Makes `layerDir` hold exactly the changes, with the parent's root metadata on its root. */
  async finishLayer(exclude: string[]): Promise<void> {
    await this.layer.diff(exclude);
    await this.layer.commit();
    await this.removeOwnScratch();
    this.finished = true;
  }

  /** Paths the container's layer deleted or hid, for the ACI's pathWhitelist: the render of parent + layer. */
  async renderedPaths(): Promise<string[]> {
    return [...(await renderedPaths([...this.stack, this.layerDir])).keys()].sort();
  }

  /** The same container after its directory was moved to `dir`. */
  relocated(dir: string): Container {
    const moved = new Container(dir, this.layer.relocated(dir), this.tools);
    moved.hasHostResolvConf = this.hasHostResolvConf;
    moved.lentBinds = this.lentBinds;
    moved.hostDevices = this.hostDevices;
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
    const spec = this.spec(
      opts.identity ? [...(await lentCommand(this.tools!, 'setpriv')), ...setprivArgs(opts.identity), '--', ...command] : command,
      opts,
      placement,
    );
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
      overlay: this.layer.mount(),
      proc: at.proc,
      sys: at.sys,
      dev: {
        target: at.dev,
        template: SCRATCH.devTemplate,
        overlay: this.layer.stacks ? { upperdir: SCRATCH.dev, workdir: SCRATCH.devWork } : undefined,
        hostDevices: this.hostDevices,
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

  /**
   * Where a run mounts what is lent and `binds`, every link of the image followed inside it;
   * a missing mount point is made: in the layer's scaffold (its parents copied from the image
   * so that the merged tree looks as before), else in the tree itself.
   */
  private async place(binds: MountPoint[]): Promise<Placement> {
    // The tree the container's commands see, as far as the host can read it unmounted.
    const view = this.layer.view();
    const made: string[] = [];
    const imageDirs: Made['imageDirs'] = [];
    const dest = this.layer.scaffold ?? this.root;
    const at = async (mp: MountPoint): Promise<string | undefined> => {
      const placed = await placeMountPoint(view, mp);
      if (placed?.missing) {
        const m = await makeMountPoint(dest, placed.rel, mp, this.layer.scaffold ? view : undefined);
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
