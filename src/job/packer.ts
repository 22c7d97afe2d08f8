import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { compressedSink, type Compression } from '../archive/compression.js';
import { clampMtimes, TAR_CREATE } from '../archive/gnu-tar.js';
import { UserError } from '../errors.js';
import { BLANK_AC_VERSION, validateImageManifest, type ImageManifest } from '../image/manifest.js';
import { hostArch, hostOS } from '../image/platform.js';
import { importTree } from '../store/import.js';
import type { Store, StoredImage } from '../store/store.js';
import { explainDiskFull } from '../util/disk.js';
import { writeOutput } from '../util/output-file.js';
import { spawnReader } from '../util/process.js';
import { sourceDateEpoch } from '../util/source-date-epoch.js';
import type { JobOutput } from './spec.js';

/** The compression an output name asks for by its suffix, as mark-devkit's packer reads it. */
export function compressionOfName(name: string): Compression {
  if (/\.(tar\.gz|tgz|tar\.gzip)$/.test(name)) return 'gzip';
  if (/\.(tar\.bz2|tar\.bzip2|tbz2)$/.test(name)) return 'bzip2';
  if (/\.(tar\.xz|txz)$/.test(name)) return 'xz';
  if (/\.(tar\.zst|tar\.zstd|tzst)$/.test(name)) return 'zstd';
  if (/\.tar$/.test(name)) return 'none';
  throw new UserError(`output.name ${name}: the suffix says no tarball format (.tar, .tar.gz, .tar.bz2, .tar.xz or .tar.zst)`);
}

/** The file output's compression: output.name must be a file name whose suffix names a tarball format. */
export function tarballCompression(output: JobOutput): Compression {
  if (!output.name) throw new UserError('output.name is required');
  if (output.name.includes('/')) throw new UserError(`output.name ${output.name}: a file name, not a path (the directory is output.dir)`);
  return compressionOfName(output.name);
}

/**
 * The file output: the rootfs as a tarball of `./…` members at `dir/name`, with owners,
 * modes, xattrs, ACLs, devices and hardlinks, names sorted, mtimes clamped to
 * SOURCE_DATE_EPOCH when set (same job, same bytes), written under a temporary name,
 * fsynced and renamed into place.
 */
export async function packTarball(rootfs: string, output: JobOutput): Promise<string> {
  const compression = tarballCompression(output);
  const dir = output.dir || process.cwd();
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, output.name);
  const tarArgs = [...TAR_CREATE, ...clampMtimes(sourceDateEpoch()), '-C', rootfs, '.'];
  await writeOutput(
    file,
    async (fd) => {
      const sink = compressedSink(compression, fd);
      const tar = spawnReader('tar', tarArgs, { what: 'archiving the rootfs' });
      await Promise.all([pipeline(tar, sink.stream), sink.done]).catch(async (err: unknown) => {
        throw await explainDiskFull(err, dir, `writing ${file}`);
      });
    },
    { durable: true },
  );
  return file;
}

/**
 * The image output (jetpack's): the rootfs becomes a base image in the store, named
 * `output.name`, with `output.labels` and the host's os and arch labels unless given.
 */
export async function packImage(store: Store, workspace: string, output: JobOutput): Promise<StoredImage> {
  return importTree(store, workspace, outputManifest(output));
}

/** The image output's manifest, validated: `output.name`, `output.labels` and the host's os and arch labels unless given. */
export function outputManifest(output: JobOutput): ImageManifest {
  const labels = { os: hostOS(), arch: hostArch(), ...output.labels };
  return validateImageManifest({
    acKind: 'ImageManifest',
    acVersion: BLANK_AC_VERSION,
    name: output.name,
    labels: Object.entries(labels).map(([name, value]) => ({ name, value })),
  });
}
