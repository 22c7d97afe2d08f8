import path from 'node:path';
import { stackTree } from '../container/container.js';
import type { CommandWrapper } from '../layers/driver.js';
import { renderLayers } from '../layers/select.js';
import { parseRuntimeManifest, MANIFEST_FILE, type RuntimeManifest } from './manifest-toml.js';

/**
 * What a runtime is made from: a directory (one layer) or a store image's layers, bottom
 * first. Both are read through the same functions, so a `make`-built image commits without
 * being copied into a directory first.
 */
export interface RuntimeSource {
  layers: string[];
  /** For messages: the directory, or the image's name. */
  label: string;
}

/** A source's merged tree as a command sees it: `root`, visible to commands run through `wrap`. */
export interface VisibleTree {
  root: string;
  wrap: CommandWrapper;
}

/**
 * Makes the merged tree of `layers` visible. One layer is read in place; several are
 * stacked read-only with overlayfs in the namespace of each wrapped command (or copied into
 * `workDir` without overlayfs: renderLayers).
 */
export async function visibleTree(layers: string[], workDir: string): Promise<VisibleTree> {
  if (layers.length === 1) return { root: layers[0], wrap: (cmd, args) => [cmd, args] };
  const rendered = await renderLayers(layers, workDir);
  return { root: path.join(rendered.parent, 'rootfs'), wrap: rendered.wrap };
}

/** The source's `/manifest.toml`, read from its layers (whiteouts and opaque dirs honoured). */
export async function sourceManifest(source: RuntimeSource): Promise<RuntimeManifest | undefined> {
  const text = await stackTree(source.layers).readFile(MANIFEST_FILE);
  return text && parseRuntimeManifest(text.toString('utf8'), `${source.label}: ${MANIFEST_FILE}`);
}
