import path from 'node:path/posix';
import { UserError } from '../errors.js';
import { normalizeName, type TarEntry } from '../archive/tar-reader.js';

/** Largest manifest jetpack reads; appc manifests are a few KiB. */
export const MANIFEST_LIMIT = 1 << 20;

function refuse(entry: TarEntry, why: string): UserError {
  return new UserError(`refusing archive entry ${JSON.stringify(entry.rawPath)}: ${why}`);
}

/**
 * Checks the members of an ACI one by one (appc spec "Image Archives"): only `manifest`
 * and `rootfs/…`, no duplicates, and nothing that could reach outside the rootfs when the
 * archive is extracted or the image is rendered: `..`, absolute names, links that escape,
 * or members stored beneath a symlink.
 */
export class AciEntryChecker {
  private readonly seen = new Map<string, TarEntry['type']>();
  private readonly symlinks = new Set<string>();
  private manifestSeen = false;
  /** A `rootfs` directory entry, or members beneath it (which imply the directory). */
  private rootfsSeen = false;

  check(entry: TarEntry): void {
    const raw = entry.rawPath;
    if (raw.startsWith('/')) throw refuse(entry, 'absolute path');
    if (raw.split('/').includes('..')) throw refuse(entry, 'path contains ".."');
    const name = entry.path;
    if (name === '' && entry.type === 'directory') return; // "./", written by `tar -C dir -c .`
    if (this.seen.has(name)) throw refuse(entry, 'duplicate entry');
    for (const key of entry.xattrs.keys()) {
      if (key.startsWith('trusted.overlay.')) throw refuse(entry, `xattr ${key} is reserved for the store's overlay layers`);
    }

    if (name === 'manifest') {
      if (entry.type !== 'file') throw refuse(entry, 'the manifest must be a regular file');
      this.manifestSeen = true;
    } else if (name === 'rootfs') {
      if (entry.type !== 'directory') throw refuse(entry, 'rootfs must be a directory');
      this.rootfsSeen = true;
    } else if (name.startsWith('rootfs/')) {
      this.checkRootfsEntry(entry, name);
      this.rootfsSeen = true;
    } else {
      throw refuse(entry, 'an ACI holds only "manifest" and "rootfs/"');
    }
    this.seen.set(name, entry.type);
    if (entry.type === 'symlink') this.symlinks.add(name);
  }

  /** Call after the last entry. */
  finish(): void {
    if (!this.manifestSeen) throw new UserError('not an ACI: the archive has no "manifest" entry');
    if (!this.rootfsSeen) throw new UserError('not an ACI: the archive has no "rootfs" directory (appc requires one, even when it is empty)');
  }

  private checkRootfsEntry(entry: TarEntry, name: string): void {
    for (let dir = path.dirname(name); dir !== 'rootfs' && dir !== '.'; dir = path.dirname(dir)) {
      if (this.symlinks.has(dir)) throw refuse(entry, `it lies beneath the symlink ${dir}`);
    }
    if (entry.type === 'symlink') {
      if (entry.linkpath === '') throw refuse(entry, 'empty symlink target');
      // Absolute targets resolve inside the rootfs at run time; relative ones must not climb out of it.
      if (!entry.linkpath.startsWith('/')) {
        const target = path.normalize(path.join(path.dirname(name), entry.linkpath));
        if (target !== 'rootfs' && !target.startsWith('rootfs/')) {
          throw refuse(entry, `symlink target ${JSON.stringify(entry.linkpath)} points outside the rootfs`);
        }
      }
    }
    if (entry.type === 'hardlink') {
      const target = normalizeName(entry.linkpath);
      if (entry.linkpath.startsWith('/') || target.split('/').includes('..') || !target.startsWith('rootfs/')) {
        throw refuse(entry, `hardlink target ${JSON.stringify(entry.linkpath)} points outside the rootfs`);
      }
      const targetType = this.seen.get(target);
      if (targetType === undefined) throw refuse(entry, `hardlink target ${JSON.stringify(entry.linkpath)} is not an earlier entry`);
      if (targetType === 'directory') throw refuse(entry, 'hardlink to a directory');
      // A hardlink to a symlink is a symlink: nothing may be stored beneath it either.
      if (this.symlinks.has(target)) this.symlinks.add(name);
    }
    if (entry.type === 'char' && entry.devmajor === 0 && entry.devminor === 0) {
      throw refuse(entry, 'character device 0:0 is reserved for overlay whiteouts');
    }
  }
}
