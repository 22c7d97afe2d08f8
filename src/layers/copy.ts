// src/layers/: layers and how they are made: the store's layer format (overlay upperdirs), and
// one LayerDriver with overlay and copy behind it, chosen in select.ts.
import { lstat, mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { copyTree } from '../archive/gnu-tar.js';
import { UserError } from '../errors.js';
import { ifExists } from '../util/fs.js';
import { run } from '../util/process.js';
import { LAYER_FILES, type Layer, type LayerDriver } from './driver.js';
import { copyEntry, opaqueDirs, walkLayer } from './format.js';
import { LayerTree } from './layer-tree.js';
import { diffIntoLayer, snapshotTree, type TreeSnapshot } from './snapshot.js';

/**
 * Applies one layer onto a directory the way overlayfs would show it: whiteouts delete,
 * opaque directories hide what was below, a non-directory replaces a directory, and
 * directories merge with the upper one's metadata.
 */
export async function copyLayerOnto(layer: string, dest: string): Promise<void> {
  const whiteouts: string[] = []; // paths in dest
  const opaque = new Set(await opaqueDirs(layer));
  // Parents first (walkLayer): when an entry is looked up in `dest`, each directory above it
  // there is a real one (a link the layer replaces with a directory went before its
  // children), so nothing is reached through a link of the tree, whose target may be absolute.
  for (const entry of await walkLayer(layer)) {
    const target = path.join(dest, entry.path);
    const below = await ifExists(lstat(target));
    if (entry.isWhiteout) whiteouts.push(target);
    if (!below) continue;
    const replaced = entry.isWhiteout || (entry.isDirectory ? !below.isDirectory() || opaque.has(entry.path) : below.isDirectory());
    if (replaced) await rm(target, { recursive: true, force: true });
  }
  await copyTree(layer, dest, `copying layer ${layer}`);
  for (const target of whiteouts) await rm(target, { force: true });
  // Removing the whiteouts touched their directories; give them back the layer's times.
  const parents = [...new Set(whiteouts.map((w) => path.dirname(w)))];
  for (const dir of parents) await run('touch', ['-h', '-r', path.join(layer, path.relative(dest, dir)), dir]);
}

/**
 * The parents are rendered into a private tree, which is snapshotted (inode + ctime of every
 * entry) when sealed; committing writes the difference into `layerDir`. Works on any
 * filesystem, at the cost of copying the parents.
 */
class CopyLayer implements Layer {
  readonly layerDir: string;
  readonly scaffold = undefined;
  readonly stacks = false;
  private snapshot: TreeSnapshot | undefined;

  constructor(
    readonly dir: string,
    readonly parents: string[],
    readonly root = path.join(dir, LAYER_FILES.tree),
  ) {
    this.layerDir = path.join(dir, LAYER_FILES.layer);
  }

  hostPath(rel: string): string {
    return path.join(this.root, rel);
  }

  mount(): undefined {
    return undefined;
  }

  view(): LayerTree {
    return new LayerTree([this.root]);
  }

  async seal(): Promise<void> {
    this.snapshot = await snapshotTree(this.root);
  }

  async diff(exclude: string[]): Promise<void> {
    if (!this.snapshot) throw new Error(`the layer in ${this.dir} was diffed before it was sealed`);
    await diffIntoLayer(this.root, this.snapshot, this.layerDir, exclude);
  }

  async commit(): Promise<void> {
    await this.remove();
    await run('touch', ['-h', '-r', this.parents[this.parents.length - 1], this.layerDir]);
  }

  async remove(): Promise<void> {
    await rm(path.join(this.dir, LAYER_FILES.tree), { recursive: true, force: true });
  }

  relocated(dir: string): Layer {
    return new CopyLayer(dir, this.parents);
  }
}

/** A tree changed in place as the root (a stage job's rootfs): no parents, nothing copied, nothing committed. */
export function treeInPlace(dir: string, tree: string): Layer {
  return new CopyLayer(dir, [], tree);
}

export const copyDriver: LayerDriver = {
  name: 'copy',

  async create(dir, parents, opts = {}) {
    if (opts.keep) throw new UserError('a layer that outlives its container needs overlayfs, which this kernel lacks (or JETPACK_NO_OVERLAY is set)');
    const layer = new CopyLayer(dir, parents);
    await mkdir(layer.layerDir);
    // The layer's root carries the parent's root metadata, as an overlay upperdir must.
    await copyEntry(parents[parents.length - 1], '.', layer.layerDir);
    await mkdir(layer.root);
    for (const parent of parents) await copyLayerOnto(parent, layer.root);
    return layer;
  },

  async render(layers, workDir) {
    const mountpoint = path.join(workDir, 'rootfs');
    await mkdir(mountpoint, { recursive: true });
    for (const layer of layers) await copyLayerOnto(layer, mountpoint);
    return { parent: workDir, wrap: (cmd, args) => [cmd, args] };
  },
};
