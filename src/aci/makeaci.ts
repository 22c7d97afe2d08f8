import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { writeAci } from './writer.js';
import { detectFileCompression } from '../archive/compression.js';
import { extractTarball } from '../archive/gnu-tar.js';
import { checkTarballMembers } from '../archive/tree-entries.js';
import { UserError } from '../errors.js';
import { parseImageManifest } from '../image/manifest.js';
import { sourceDateEpoch } from '../util/source-date-epoch.js';

/**
 * Jetpack's makeaci.sh without fakeroot: as root, GNU tar keeps owners, devices and
 * xattrs; as an ordinary user, in its user namespace, the same, with device nodes kept as
 * placeholders on the way through (docs/ROOTLESS.md). Returns the ID of the ACI written to `fd`.
 */
export async function makeAci(
  tarball: string,
  manifestFile: string,
  fd: number,
  compression: Parameters<typeof writeAci>[2],
  outPath?: string,
): Promise<string> {
  const manifest = await readFile(manifestFile).catch((err: Error) => {
    throw new UserError(`cannot read ${manifestFile}: ${err.message}`, 1, { cause: err });
  });
  parseImageManifest(manifest);
  const clampMtime = sourceDateEpoch();
  const tarballCompression = await detectFileCompression(tarball).catch((err: Error) => {
    throw new UserError(`cannot read ${tarball}: ${err.message}`, 1, { cause: err });
  });
  if (process.getuid?.() !== 0) process.stderr.write('jetpack makeaci: warning: not running as root, file owners in the rootfs will not be kept\n');

  const work = await mkdtemp(path.join(outPath ? path.dirname(path.resolve(outPath)) : os.tmpdir(), '.makeaci-'));
  try {
    const rootfs = path.join(work, 'tree', 'rootfs');
    await mkdir(rootfs, { recursive: true });
    await checkTarballMembers(tarball, tarballCompression);
    await extractTarball(tarball, rootfs, `unpacking ${tarball}`, { compression: tarballCompression });
    return await writeAci({ manifest, scratch: path.join(work, 'manifest'), rootfsParent: path.join(work, 'tree'), clampMtime }, fd, compression);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
