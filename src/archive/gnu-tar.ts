/**
 * GNU tar command lines for whole root filesystems. node-tar is not used for these: it was
 * measured to hang on cross-directory hardlinks, to drop device nodes, FIFOs, xattrs and
 * setuid bits, and to extract ~45x slower (docs/DESIGN-CHOICES.md).
 */

/** Keeps everything a rootfs needs: numeric owners, modes with setuid bits, xattrs, ACLs. */
export const TAR_EXTRACT = [
  '-x',
  '-f',
  '-',
  '--numeric-owner',
  '--same-owner',
  '--same-permissions',
  '--xattrs',
  '--xattrs-include=*',
  '--acls',
];

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
