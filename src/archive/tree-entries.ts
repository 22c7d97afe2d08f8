import { createHash } from 'node:crypto';
import path from 'node:path/posix';
import { pipeline } from 'node:stream/promises';
import { decompressedFile, detectFileCompression, type Compression } from './compression.js';
import { extractTarball } from './gnu-tar.js';
import { expansionLimits, type ExpansionLimits } from './limits.js';
import { UserError } from '../errors.js';
import { mappedIdLimits, overlayXattrPrefix } from '../util/userns.js';
import { RESERVED_XATTR_PREFIX } from './device-placeholders.js';
import { normalizeName, TarReader, type TarEntry } from './tar-reader.js';

export function refuseEntry(entry: TarEntry, why: string): UserError {
  return new UserError(`refusing archive entry ${JSON.stringify(entry.rawPath)}: ${why}`);
}

let idLimits: { uid: number; gid: number } | undefined;

/**
 * What any member jetpack extracts must pass, wherever it comes from: no xattr the store
 * keeps for itself (overlay bookkeeping, jetpack's own device records), and an owner this
 * process's user namespace maps (an ordinary user's maps 0 and its subordinate range,
 * docs/ROOTLESS.md), which tar could not otherwise give it.
 */
export function checkMemberRecords(entry: TarEntry): void {
  for (const key of entry.xattrs.keys()) {
    if (key.startsWith('trusted.overlay.') || key.startsWith(overlayXattrPrefix()))
      throw refuseEntry(entry, `xattr ${key} is reserved for the store's overlay layers`);
    if (key.startsWith(RESERVED_XATTR_PREFIX)) throw refuseEntry(entry, `xattr ${key} is reserved for jetpack's own records (docs/ROOTLESS.md)`);
  }
  idLimits ??= mappedIdLimits();
  for (const kind of ['uid', 'gid'] as const) {
    if (entry[kind] > idLimits[kind]) {
      throw refuseEntry(
        entry,
        `owner ${kind} ${entry[kind]} does not fit: ${idLimits[kind]} is the highest ${kind} this user namespace maps (/etc/sub${kind})`,
      );
    }
  }
}

/**
 * Checks the members of a tarball of a tree one by one: nothing that could reach outside the
 * tree when it is extracted or rendered: `..`, absolute names, duplicates, symlinks or
 * hardlinks that escape, members stored beneath a symlink, overlay bookkeeping. `root` is the
 * tree's directory in the archive ("rootfs" in an ACI, "" for an archive of the tree itself).
 */
export class TreeEntryChecker {
  private readonly seen = new Map<string, TarEntry['type']>();
  private readonly symlinks = new Set<string>();

  constructor(private readonly root: string) {}

  private inside(name: string): boolean {
    return this.root === '' ? name !== '..' && !name.startsWith('../') && !path.isAbsolute(name) : name === this.root || name.startsWith(`${this.root}/`);
  }

  /** Names, xattrs and owners: what every member of the archive must pass. */
  checkName(entry: TarEntry): void {
    if (entry.rawPath.startsWith('/')) throw refuseEntry(entry, 'absolute path');
    if (entry.rawPath.split('/').includes('..')) throw refuseEntry(entry, 'path contains ".."');
    if (this.seen.has(entry.path)) throw refuseEntry(entry, 'duplicate entry');
    checkMemberRecords(entry);
  }

  /** Records a member that passed (the tree's own root directory, or a member outside it). */
  record(entry: TarEntry): void {
    this.seen.set(entry.path, entry.type);
    if (entry.type === 'symlink') this.symlinks.add(entry.path);
  }

  /** A member of the tree: checkName, then where it lies and where its links point. */
  check(entry: TarEntry): void {
    this.checkName(entry);
    const name = entry.path;
    for (let dir = path.dirname(name); dir !== this.root && dir !== '.'; dir = path.dirname(dir)) {
      if (this.symlinks.has(dir)) throw refuseEntry(entry, `it lies beneath the symlink ${dir}`);
    }
    if (entry.type === 'symlink') {
      if (entry.linkpath === '') throw refuseEntry(entry, 'empty symlink target');
      // Absolute targets resolve inside the tree at run time; relative ones must not climb out of it.
      if (!entry.linkpath.startsWith('/') && !this.inside(path.normalize(path.join(path.dirname(name), entry.linkpath)))) {
        throw refuseEntry(entry, `symlink target ${JSON.stringify(entry.linkpath)} points outside the ${this.root || 'tree'}`);
      }
    }
    if (entry.type === 'hardlink') {
      const target = normalizeName(entry.linkpath);
      if (entry.linkpath.startsWith('/') || target.split('/').includes('..') || !this.inside(target)) {
        throw refuseEntry(entry, `hardlink target ${JSON.stringify(entry.linkpath)} points outside the ${this.root || 'tree'}`);
      }
      const targetType = this.seen.get(target);
      if (targetType === undefined) throw refuseEntry(entry, `hardlink target ${JSON.stringify(entry.linkpath)} is not an earlier entry`);
      if (targetType === 'directory') throw refuseEntry(entry, 'hardlink to a directory');
      // A hardlink to a symlink is a symlink: nothing may be stored beneath it either.
      if (this.symlinks.has(target)) this.symlinks.add(name);
    }
    if (entry.type === 'char' && entry.devmajor === 0 && entry.devminor === 0) {
      throw refuseEntry(entry, 'character device 0:0 is reserved for overlay whiteouts');
    }
    this.record(entry);
  }
}

function commonStart(a: string[], b: string[]): string[] {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return a.slice(0, i);
}

/**
 * Checks a tarball of a tree (any compression) before anything reads or extracts it: the
 * refusals of an ACI's rootfs (`..`, absolute names, links out of the tree, members beneath a
 * symlink), and with `noDevices` no device nodes or FIFOs. Returns the directory every member
 * lies in ("" when there is none: MaPS's client archives its checkout by its full path) and
 * the sha256 of the uncompressed tar (an OCI layer's diff ID), both from the one pass. The
 * archive comes from a stranger: it is read only within `limits`.
 */
export async function checkTreeTarball(
  file: string,
  opts: { noDevices: boolean; limits: ExpansionLimits; what?: string; onEntry?: (entry: TarEntry) => void },
): Promise<{ prefix: string; sha256: string }> {
  const compression = await detectFileCompression(file);
  const what = opts.what ?? path.basename(file);
  const checker = new TreeEntryChecker('');
  let prefix: string[] | undefined;
  const reader = new TarReader({
    onEntry: (entry) => {
      checker.check(entry);
      if (opts.noDevices && ['char', 'block', 'fifo'].includes(entry.type)) throw refuseEntry(entry, `${what} may hold no device nodes or FIFOs`);
      const dirs = (entry.type === 'directory' ? entry.path : entry.path.split('/').slice(0, -1).join('/')).split('/');
      prefix = prefix === undefined ? dirs : commonStart(prefix, dirs);
      opts.onEntry?.(entry);
    },
    limits: opts.limits,
    what,
  });
  const hash = createHash('sha256');
  await readTarball(file, compression, reader, (chunk) => hash.update(chunk));
  return { prefix: (prefix ?? []).filter(Boolean).join('/'), sha256: hash.digest('hex') };
}

async function readTarball(file: string, compression: Compression, reader: TarReader, observe?: (chunk: Buffer) => void): Promise<void> {
  await pipeline(decompressedFile(file, compression), reader.writable(observe)).catch((err: unknown) => {
    if (err instanceof UserError) throw err;
    throw new UserError(`not a readable tarball: ${(err as Error).message}`, 1, { cause: err });
  });
}

/**
 * Reads every member of a tarball the user makes an image of (makeaci) through
 * checkMemberRecords before tar extracts any: an owner the user namespace cannot hold is
 * named as such, not left to a tar error, and jetpack's own xattrs stay its own.
 */
export async function checkTarballMembers(file: string, compression: Compression): Promise<void> {
  await readTarball(file, compression, new TarReader({ onEntry: checkMemberRecords, what: path.basename(file) }));
}

/**
 * Extracts a tarball from an untrusted source (a job's http download) into `dest` once it has
 * passed checkTreeTarball within the expansion limits in force (JETPACK_MAX_UNPACKED,
 * JETPACK_MAX_ENTRIES): nothing escapes `dest`, and a bomb is refused before tar runs.
 */
export async function extractUntrustedTarball(tarball: string, dest: string, what: string): Promise<void> {
  const compression = await detectFileCompression(tarball);
  await checkTreeTarball(tarball, { noDevices: false, limits: expansionLimits(), what: path.basename(tarball) });
  await extractTarball(tarball, dest, what, { compression });
}
