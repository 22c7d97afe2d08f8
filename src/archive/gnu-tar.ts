import { Readable } from 'node:stream';
import { decompressedFile, detectFileCompression, type Compression } from './compression.js';
import { explainDiskFull } from '../util/disk.js';
import { feedProcess, spawnReader, spawnWriter } from '../util/process.js';
import { overlayXattrPrefix } from '../util/userns.js';

/**
 * GNU tar command lines for whole root filesystems. node-tar is not used for these: it was
 * measured to hang on cross-directory hardlinks, to drop device nodes, FIFOs, xattrs and
 * setuid bits, and to extract ~45x slower (docs/DESIGN-CHOICES.md).
 */

/**
 * What archiving keeps: numeric owners, xattrs (the overlay bookkeeping of the store's own
 * layers excepted), ACLs, holes of sparse files.
 */
const TAR_KEEP = ['--numeric-owner', '--xattrs', '--xattrs-include=*', `--xattrs-exclude=${overlayXattrPrefix()}*`, '--acls', '--sparse'];

/** Where an archive keeps ACLs: GNU tar's and bsdtar's SCHILY.acl records, or xattrs as Go's tar writers do. */
export type AclRecords = 'tar' | 'xattrs';

/**
 * Extraction that keeps everything a rootfs needs: numeric owners, modes with setuid bits,
 * xattrs, ACLs. Reads the uncompressed archive `file` ("-" for stdin). ACLs come from GNU
 * tar's SCHILY.acl records (ACIs, which jetpack and bsdtar write), or for OCI layers from
 * their system.posix_acl_* xattrs: with --acls GNU tar ignores those and leaves such a file
 * without its ACL.
 */
export function tarExtract(file = '-', acls: AclRecords = 'tar'): string[] {
  return ['-x', '-f', file, '--numeric-owner', '--same-owner', '--same-permissions', '--xattrs', '--xattrs-include=*', ...(acls === 'tar' ? ['--acls'] : [])];
}

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
  ...TAR_KEEP,
];

/**
 * TAR_CREATE for OCI layers: ACLs only as the system.posix_acl_* xattrs, the records Go's
 * tools (containers/storage, umoci, docker) read and write; GNU tar's own SCHILY.acl records,
 * which those tools ignore, would be a second copy, and reading them is a quarter of tar's
 * time on a Debian tree (docs/DESIGN-CHOICES.md, "ACLs in OCI layers"). A tree without ACLs
 * gives the same bytes either way.
 */
export const OCI_LAYER_CREATE = TAR_CREATE.filter((arg) => arg !== '--acls');

/** GNU tar's options that archive every mtime newer than SOURCE_DATE_EPOCH as it (none when unset). */
export function clampMtimes(epoch: number | undefined): string[] {
  return epoch === undefined ? [] : [`--mtime=@${epoch}`, '--clamp-mtime'];
}

/**
 * Extracts a tarball of any compression (detected from its bytes unless the caller already
 * knows it) into `dest`, keeping everything a rootfs has.
 */
export async function extractTarball(tarball: string, dest: string, what: string, opts: { compression?: Compression; acls?: AclRecords } = {}): Promise<void> {
  const compression = opts.compression ?? (await detectFileCompression(tarball));
  await feedProcess(decompressedFile(tarball, compression), spawnWriter('tar', tarExtract('-', opts.acls), { cwd: dest, what }));
}

/**
 * Copies a tree, or only `members` of it (paths relative to `fromRoot`, copied without
 * their contents), onto `toRoot` with everything a rootfs needs kept, as GNU tar keeps it
 * and Node's fs does not: owners, modes, times, devices, hardlinks, xattrs, ACLs.
 */
export async function copyTree(
  fromRoot: string,
  toRoot: string,
  what: string,
  members?: string[],
  wrap?: (cmd: string, args: string[]) => [string, string[]],
): Promise<void> {
  const select = members ? ['--no-recursion', '--null', '-T', '-'] : ['.'];
  const list = members && Readable.from([Buffer.from(members.map((m) => `${m}\0`).join(''))]);
  const reader: [string, string[]] = ['tar', ['-c', '-f', '-', '-C', fromRoot, ...TAR_KEEP, ...select]];
  // `wrap` runs the reading tar where `fromRoot` is visible (a rendered overlay's namespace).
  const archive = spawnReader(...(wrap ? wrap(...reader) : reader), { stdin: list, what });
  await feedProcess(archive, spawnWriter('tar', [...tarExtract(), '-C', toRoot], { what })).catch(async (err: unknown) => {
    throw await explainDiskFull(err, toRoot, what);
  });
}
