import { rm } from 'node:fs/promises';
import path from 'node:path';
import { UserError } from '../errors.js';
import { copyEntry, keepingMtimes, makeWhiteouts, renderedPaths, walkLayer } from '../layers/format.js';
import { layerStack } from './layer-stack.js';
import type { Store, StoredImage } from './store.js';

/**
 * Makes an imported layer honour its manifest's pathWhitelist (appc: only the listed paths
 * exist after rendering). Own entries outside the list are deleted; paths that the
 * dependencies would bring and the list leaves out get overlay whiteouts in this layer.
 * The layer then renders correctly in any stack, on overlayfs and in the copy fallback.
 */
export async function applyPathWhitelist(store: Store, dependencies: StoredImage[], rootfs: string, whitelist: string[]): Promise<void> {
  const keep = new Set<string>();
  for (const listed of whitelist) {
    for (let p = listed.replace(/^\/+|\/+$/g, ''); p !== '' && p !== '.'; p = path.posix.dirname(p)) keep.add(p);
  }
  const removed = (p: string) => !keep.has(p);
  const topMost = (p: string) => {
    const parent = path.posix.dirname(p);
    return parent === '.' || !removed(parent);
  };

  for (const entry of await walkLayer(rootfs)) {
    if (removed(entry.path) && topMost(entry.path)) await rm(path.join(rootfs, entry.path), { recursive: true, force: true });
  }

  const own = new Map((await walkLayer(rootfs)).map((e) => [e.path, e.isDirectory]));
  // A symlink or file of this layer already hides everything beneath it, and a whiteout
  // made through it would land wherever the symlink points.
  const hiddenByOwn = (p: string) => {
    for (let dir = path.posix.dirname(p); dir !== '.'; dir = path.posix.dirname(dir)) if (own.get(dir) === false) return true;
    return false;
  };
  const lowerLayers = [...new Set((await Promise.all(dependencies.map((d) => layerStack(store, d)))).flat())];
  const lower = await renderedPaths(lowerLayers);
  const whiteouts = [...lower.keys()].filter((p) => removed(p) && topMost(p) && !hiddenByOwn(p)).sort();
  if (whiteouts.length === 0) return;

  const parents = new Set<string>();
  for (const w of whiteouts) {
    for (let p = path.posix.dirname(w); p !== '.'; p = path.posix.dirname(p)) if (!own.has(p)) parents.add(p);
  }
  // The layer's own directories that gain entries keep the times the ACI gave them.
  const touched = [...new Set([...whiteouts, ...parents].map((p) => path.posix.dirname(p)))].filter((d) => d === '.' || own.has(d));
  await keepingMtimes(rootfs, touched, async () => {
    // Parent directories are copied with their metadata from the layer that provides them,
    // since in overlayfs the upper directory's owner, mode and xattrs win.
    for (const dir of [...parents].sort()) {
      const from = lowerLayers[lower.get(dir)!];
      if (from === undefined) throw new UserError(`pathWhitelist keeps ${dir}, which no layer provides`);
      await copyEntry(from, dir, rootfs);
    }
    await makeWhiteouts(rootfs, whiteouts);
  });
}
