import path from 'node:path';
import { JETPACK, copyImageDir, sh } from './cli.js';

/**
 * Builds images/busybox (the default base image) into the store at `root` with the real
 * Makefile, in a scratch copy of the image directory, and returns the image ID.
 */
export function importBusybox(root: string, scratch: string): string {
  const dir = path.join(scratch, 'busybox');
  const make = `make -C "${dir}" JETPACK="${JETPACK} -root=${root}"`;
  copyImageDir('busybox', dir);
  sh(`${make} >/dev/null`);
  return sh(`cat "${dir}/image.aci.id"`).trim();
}
