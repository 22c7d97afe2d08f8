import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { ifExists } from '../util/fs.js';
import { copyDriver } from './copy.js';
import type { LayerDriver, RenderedTree } from './driver.js';
import { overlayDriver } from './overlay.js';

/** Whether overlay mounts are to be used: the kernel has overlayfs and JETPACK_NO_OVERLAY is unset. */
async function overlayAvailable(): Promise<boolean> {
  if (process.env.JETPACK_NO_OVERLAY && process.env.JETPACK_NO_OVERLAY !== '0') return false;
  const filesystems = (await ifExists(readFile('/proc/filesystems', 'utf8'))) ?? '';
  return /\toverlay$/m.test(filesystems);
}

/** The one place the driver is chosen: overlay where the kernel has it, else copies. */
export async function layerDriver(): Promise<LayerDriver> {
  return (await overlayAvailable()) ? overlayDriver : copyDriver;
}

/**
 * Makes the merged tree of `layers` (bottom first) readable as `workDir/rootfs` by a
 * command. One layer is used in place; several are rendered by the layer driver.
 */
export async function renderLayers(layers: string[], workDir: string): Promise<RenderedTree> {
  if (layers.length === 1) {
    const only = layers[0];
    if (path.basename(only) === 'rootfs') return { parent: path.dirname(only), wrap: (cmd, args) => [cmd, args] };
  }
  // A single layer elsewhere is copied: there is nothing to stack.
  const driver = layers.length > 1 ? await layerDriver() : copyDriver;
  return driver.render(layers, workDir);
}
