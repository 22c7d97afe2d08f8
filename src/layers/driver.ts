import type { LayerTree } from './layer-tree.js';

/** A command line, possibly wrapped so that it runs where the rendered tree is visible. */
export type CommandWrapper = (cmd: string, args: string[]) => [string, string[]];

export interface RenderedTree {
  /** The directory that holds the rendered tree as `rootfs`. */
  parent: string;
  /** Wraps a command that reads `parent/rootfs`. */
  wrap: CommandWrapper;
}

/** The overlay mount that shows a layer over its parents, every path relative to the layer's `dir`. */
export interface OverlayMount {
  /** Bottom first. */
  lowerdirs: string[];
  upperdir: string;
  workdir: string;
}

/**
 * A layer being made on read-only parents in a directory of its own (`dir`); its changes end
 * up in `layerDir` in the store's layer format (an overlay upperdir: new and changed entries,
 * whiteouts for deletions), ready to become an image's own layer.
 */
export interface Layer {
  readonly dir: string;
  /** The parent layers, bottom first. */
  readonly parents: string[];
  readonly layerDir: string;
  /** The merged tree as the host sees it once mounted: the overlay's mount point, or the copied tree. */
  readonly root: string;
  /**
   * The lower layer above the parents where mount points and files the image lacks are made,
   * so that they never reach the layer (overlay); undefined: they are made in `root` itself,
   * before seal() (copy).
   */
  readonly scaffold: string | undefined;
  /** Whether the layer stacks copy-on-write (other trees can be overlaid the same way, /dev). */
  readonly stacks: boolean;
  /** Where the host writes `rel` into the layer before anything runs. */
  hostPath(rel: string): string;
  /** The mount that shows the merged tree at `root`; undefined when `root` is a plain directory. */
  mount(): OverlayMount | undefined;
  /** The merged tree, read without mounting anything. */
  view(): LayerTree;
  /** Marks the tree as it is now as the base the diff is taken against. */
  seal(): Promise<void>;
  /**
   * Makes `layerDir` hold exactly the changes since seal(), but those under `exclude`
   * (relative paths): an overlay's upperdir already is the diff; a copy is compared with its snapshot.
   */
  diff(exclude: string[]): Promise<void>;
  /** Ends the layer: what it keeps beside `layerDir` is removed, and `layerDir`'s root takes the top parent's metadata. */
  commit(): Promise<void>;
  /** Removes what the layer keeps beside `layerDir` (mount point, work dirs, the copied tree), the layer itself kept. */
  remove(): Promise<void>;
  /** The same layer after its directory was moved to `dir`. */
  relocated(dir: string): Layer;
}

/** How layers are made: overlayfs, or copies where overlay is unavailable (select.ts chooses). */
export interface LayerDriver {
  readonly name: 'overlay' | 'copy';
  /**
   * A new layer in `dir` (which exists) on `parents`. With `keep`, a `layerDir` left there by
   * an earlier layer is carried on (its scratch from a killed run removed).
   */
  create(dir: string, parents: string[], opts?: { keep?: boolean }): Promise<Layer>;
  /**
   * Makes the merged tree of `layers` (bottom first, more than one) readable as
   * `workDir/rootfs` by a command, without changing any of them.
   */
  render(layers: string[], workDir: string): Promise<RenderedTree>;
}

/** Names, relative to a layer's `dir`, of what a layer keeps there. */
export const LAYER_FILES = {
  layer: 'rootfs',
  /** overlay: the work dir */
  work: 'work',
  /** overlay: short names of the parents (overlay.ts linkLowerDirs) */
  parents: 'layers',
  /** overlay: mount points and files the image lacks, a lower layer above the parents */
  scaffold: 'scaffold',
  /** overlay: the mount point */
  mnt: 'mnt',
  /** copy: the copied tree */
  tree: 'tree',
} as const;
