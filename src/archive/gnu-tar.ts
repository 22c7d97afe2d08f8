import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { decompressedFile, detectFileCompression, type Compression } from './compression.js';
import { explainDiskFull } from '../util/disk.js';
import { feedProcess, spawnReader, spawnWriter } from '../util/process.js';
import { inUserNamespace, overlayXattrPrefix } from '../util/userns.js';

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

const shellQuote = (word: string) => `'${word.replace(/'/g, `'\\''`)}'`;

/**
 * In a user namespace, where the store keeps device nodes as placeholders
 * (device-placeholders.ts), the program GNU tar passes what it archives through (devices
 * again) and, run with -d, what it extracts (devices as placeholders): dist/device-filter.mjs
 * by this Node. GNU tar runs it through `sh -c`. None for root.
 */
function deviceFilter(): string | undefined {
  if (!inUserNamespace()) return undefined;
  return [process.execPath, fileURLToPath(new URL('./device-filter.mjs', import.meta.url))].map(shellQuote).join(' ');
}

const DEVICE_FILTER = deviceFilter();
const DEVICE_FILTER_ARGS = DEVICE_FILTER ? [`--use-compress-program=${DEVICE_FILTER}`] : [];

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
  return [
    '-x',
    '-f',
    file,
    '--numeric-owner',
    '--same-owner',
    '--same-permissions',
    '--xattrs',
    '--xattrs-include=*',
    ...(acls === 'tar' ? ['--acls'] : []),
    ...DEVICE_FILTER_ARGS,
  ];
}

/**
 * Deterministic archives: names sorted, POSIX format with stable extended-header names,
 * no atime/ctime, numeric owners. Equal trees give byte-equal archives and so equal IDs.
 * Holes are not kept: GNU tar's PAX sparse members are named after tar's PID
 * (`GNUSparseFile.PID/…`), and whether a file has holes depends on how it was written, not on
 * its bytes (two builds of one image differed by both).
 * Overlay bookkeeping xattrs of the store's own layers never leave it, and in a user
 * namespace device placeholders leave it as the devices they record.
 */
export const TAR_CREATE = [
  '-c',
  '-f',
  '-',
  '--format=posix',
  '--pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime',
  '--sort=name',
  ...TAR_KEEP.filter((arg) => arg !== '--sparse'),
  ...DEVICE_FILTER_ARGS,
];

/**
 * TAR_CREATE for OCI layers: ACLs only as the system.posix_acl_* xattrs, the records Go's
 * tools (containers/storage, umoci, docker) read and write; GNU tar's own SCHILY.acl records,
 * which those tools ignore, would be a second copy, and reading them is a quarter of tar's
 * time on a Debian tree (docs/DESIGN-CHOICES.md, "ACLs in OCI layers"). A tree without ACLs
 * gives the same bytes either way.
 */
export const OCI_LAYER_CREATE = TAR_CREATE.filter((arg) => arg !== '--acls');

/** Archiving options (TAR_CREATE, OCI_LAYER_CREATE) whose archive leaves tar compressed by `program` (after the device filter, where there is one). */
export function compressedBy(args: string[], program: string[]): string[] {
  const pipeline = [...(DEVICE_FILTER ? [DEVICE_FILTER] : []), program.join(' ')].join(' | ');
  return [...args.filter((arg) => !DEVICE_FILTER_ARGS.includes(arg)), `--use-compress-program=${pipeline}`];
}

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
 * and Node's fs does not: owners, modes, times, devices, hardlinks, xattrs, ACLs. Device
 * placeholders are copied as they are; in a user namespace a real device becomes one.
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
