import { lstat, mkdir, rm, symlink } from 'node:fs/promises';
import path from 'node:path';
import { ifExists } from '../util/fs.js';
import { run } from '../util/process.js';
import { overlayOptionSuffix } from '../util/userns.js';
import { LAYER_FILES, type Layer, type LayerDriver, type OverlayMount, type RenderedTree } from './driver.js';
import { copyEntry } from './format.js';
import { LayerTree } from './layer-tree.js';

/**
 * Short names for overlay lower dirs: symlinks `SUB/0`, `SUB/1`, … in `dir`, returned
 * relative to it, for a mount made with `dir` as the working directory. overlayfs takes its
 * options in one 4 KiB page: full store paths (~180 bytes each) would stop a stack at ~22
 * layers, short names at ~370 (overlayfs itself allows 500).
 */
export async function linkLowerDirs(dir: string, sub: string, layers: string[]): Promise<string[]> {
  await mkdir(path.join(dir, sub));
  const names = layers.map((_, i) => `${sub}/${i}`);
  await Promise.all(layers.map((layer, i) => symlink(layer, path.join(dir, names[i]))));
  return names;
}

/**
 * Parents are read-only lowerdirs and `layerDir` is the upperdir, so a layer costs what is
 * changed in it and the upperdir is the diff. A scaffold lower layer above the parents takes
 * the mount points the image lacks, so none of them reaches the layer.
 */
class OverlayLayer implements Layer {
  readonly layerDir: string;
  readonly root: string;
  readonly scaffold: string;
  readonly stacks = true;

  constructor(
    readonly dir: string,
    readonly parents: string[],
    /** The parents' short names in `dir` (linkLowerDirs). */
    private readonly lowerDirs: string[],
  ) {
    this.layerDir = path.join(dir, LAYER_FILES.layer);
    this.root = path.join(dir, LAYER_FILES.mnt);
    this.scaffold = path.join(dir, LAYER_FILES.scaffold);
  }

  hostPath(rel: string): string {
    return path.join(this.layerDir, rel);
  }

  mount(): OverlayMount {
    return { lowerdirs: [...this.lowerDirs, LAYER_FILES.scaffold], upperdir: LAYER_FILES.layer, workdir: LAYER_FILES.work };
  }

  view(): LayerTree {
    return new LayerTree([...this.parents, this.scaffold, this.layerDir]);
  }

  async seal(): Promise<void> {}

  async diff(): Promise<void> {}

  async commit(): Promise<void> {
    await this.remove();
    await run('touch', ['-h', '-r', this.parents[this.parents.length - 1], this.layerDir]);
  }

  async remove(): Promise<void> {
    for (const name of [LAYER_FILES.work, LAYER_FILES.parents, LAYER_FILES.scaffold, LAYER_FILES.mnt]) {
      await rm(path.join(this.dir, name), { recursive: true, force: true });
    }
  }

  relocated(dir: string): Layer {
    return new OverlayLayer(dir, this.parents, this.lowerDirs);
  }
}

export const overlayDriver: LayerDriver = {
  name: 'overlay',

  async create(dir, parents, opts = {}) {
    const layerDir = path.join(dir, LAYER_FILES.layer);
    if (opts.keep) await new OverlayLayer(dir, parents, []).remove(); // what a killed run left
    if (!opts.keep || !(await ifExists(lstat(layerDir)))) {
      await mkdir(layerDir);
      // The layer's root carries the parent's root metadata, as an overlay upperdir must.
      await copyEntry(parents[parents.length - 1], '.', layerDir);
    }
    for (const name of [LAYER_FILES.mnt, LAYER_FILES.work, LAYER_FILES.scaffold]) await mkdir(path.join(dir, name));
    // Named relative to `dir`, so no store path can break an overlay option.
    return new OverlayLayer(dir, parents, await linkLowerDirs(dir, LAYER_FILES.parents, parents));
  },

  /** Stacked read-only in a private mount namespace that lives exactly as long as the command, so no mount can leak. */
  async render(layers, workDir): Promise<RenderedTree> {
    await mkdir(path.join(workDir, 'rootfs'), { recursive: true });
    const lowerdir = (await linkLowerDirs(workDir, 'layers', layers)).reverse().join(':');
    const script = `cd "$1"; mount -t overlay -o "ro,lowerdir=$2${overlayOptionSuffix()}" overlay rootfs; cd "$OLDPWD"; shift 2; exec "$@"`;
    return {
      parent: workDir,
      wrap: (cmd, args) => ['unshare', ['--mount', '--propagation', 'private', 'sh', '-ec', script, 'sh', workDir, lowerdir, cmd, ...args]],
    };
  },
};
