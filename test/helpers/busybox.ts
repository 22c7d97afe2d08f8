import path from 'node:path';
import { JETPACK, REPO, sh } from './cli.js';

/**
 * Builds images/busybox (the default base image) into the store at `root` with the real
 * Makefile, in a scratch copy of the image directory, and returns the image ID.
 */
export function importBusybox(root: string, scratch: string): string {
  const dir = path.join(scratch, 'busybox');
  const make = `make -C "${dir}" JETPACK="${JETPACK} -root=${root}"`;
  sh(`rm -rf "${dir}" && mkdir -p "${scratch}" && cp -r "${REPO}/images/busybox" "${dir}" && ${make} clean >/dev/null && ${make} >/dev/null`);
  return sh(`cat "${dir}/image.aci.id"`).trim();
}
