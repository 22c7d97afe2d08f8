import type { Compression } from './compression.js';

/**
 * GNU tar command lines for whole root filesystems. node-tar is not used for these: it was
 * measured to hang on cross-directory hardlinks, to drop device nodes, FIFOs, xattrs and
 * setuid bits, and to extract ~45x slower (docs/DESIGN-CHOICES.md).
 */

/**
 * Extraction that keeps everything a rootfs needs: numeric owners, modes with setuid bits,
 * xattrs, ACLs. Reads `file` ("-" for stdin), compressed as `compression`.
 */
export function tarExtract(file = '-', compression: Compression = 'none'): string[] {
  return ['-x', '-f', file, ...TAR_DECOMPRESS[compression], '--numeric-owner', '--same-owner', '--same-permissions', '--xattrs', '--xattrs-include=*', '--acls'];
}

/** GNU tar's own option for reading a compressed archive file. */
const TAR_DECOMPRESS: Record<Compression, string[]> = {
  none: [],
  gzip: ['--gzip'],
  bzip2: ['--bzip2'],
  xz: ['--xz'],
  zstd: ['--zstd'],
};

/**
 * Deterministic archives: names sorted, POSIX format with stable extended-header names,
 * no atime/ctime, numeric owners. Equal trees give byte-equal archives and so equal IDs.
 * Overlay bookkeeping xattrs of the store's own layers never leave it.
 */
export const TAR_CREATE = [
  '-c',
  '-f',
  '-',
  '--format=posix',
  '--pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime',
  '--sort=name',
  '--numeric-owner',
  '--xattrs',
  '--xattrs-include=*',
  '--xattrs-exclude=trusted.overlay.*',
  '--acls',
  '--sparse',
];
