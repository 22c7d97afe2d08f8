// src/aci/: ACI, appc's image format: entry checks, scanning, writing (hashing the image ID) and makeaci.
import { UserError } from '../errors.js';
import type { TarEntry } from '../archive/tar-reader.js';
import { refuseEntry, TreeEntryChecker } from '../archive/tree-entries.js';

/** Largest manifest jetpack reads; appc manifests are a few KiB. */
export const MANIFEST_LIMIT = 1 << 20;

/**
 * Checks the members of an ACI one by one (appc spec "Image Archives"): only `manifest`
 * and `rootfs/…`, no duplicates, and nothing that could reach outside the rootfs when the
 * archive is extracted or the image is rendered: `..`, absolute names, links that escape,
 * or members stored beneath a symlink.
 */
export class AciEntryChecker {
  private readonly tree = new TreeEntryChecker('rootfs');
  private manifestSeen = false;
  /** A `rootfs` directory entry, or members beneath it (which imply the directory). */
  private rootfsSeen = false;

  check(entry: TarEntry): void {
    const name = entry.path;
    if (name === '' && entry.type === 'directory' && !entry.rawPath.split('/').includes('..') && !entry.rawPath.startsWith('/')) return; // "./", written by `tar -C dir -c .`
    if (name.startsWith('rootfs/')) {
      this.tree.check(entry);
      this.rootfsSeen = true;
      return;
    }
    this.tree.checkName(entry);
    if (name === 'manifest') {
      if (entry.type !== 'file') throw refuseEntry(entry, 'the manifest must be a regular file');
      this.manifestSeen = true;
    } else if (name === 'rootfs') {
      if (entry.type !== 'directory') throw refuseEntry(entry, 'rootfs must be a directory');
      this.rootfsSeen = true;
    } else {
      throw refuseEntry(entry, 'an ACI holds only "manifest" and "rootfs/"');
    }
    this.tree.record(entry);
  }

  /** Call after the last entry. */
  finish(): void {
    if (!this.manifestSeen) throw new UserError('not an ACI: the archive has no "manifest" entry');
    if (!this.rootfsSeen) throw new UserError('not an ACI: the archive has no "rootfs" directory (appc requires one, even when it is empty)');
  }
}
