import type { Stats } from 'node:fs';
import { chmod, lstat, mkdir, readlink, rm, rmdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { UserError } from '../errors.js';
import type { LayerTree } from '../layers/layer-tree.js';
import { copyTree } from '../archive/gnu-tar.js';
import { ifExists } from '../util/fs.js';

/** As the kernel's limit on links followed in one lookup (ELOOP past it). */
const MAX_LINKS = 40;

/** A path of an image with every link on the way, the last one too, followed inside the image. */
export type InImage =
  | { kind: 'found'; rel: string; layer: string; stat: Stats }
  | { kind: 'missing'; rel: string }
  /** `rel` is neither a directory nor a link, and the path goes on below it. */
  | { kind: 'blocked'; rel: string }
  | { kind: 'loop' };

/**
 * Follows `rel` in the image as a process chrooted into it would: an absolute link target
 * starts again at the image's root, `..` never climbs above it, and every entry is looked
 * up in the merged tree, never on the host. A missing entry and what follows it are kept as
 * named (a mount point to make there). `rel` in the result holds no link and no `..`; ''
 * is the root.
 */
export async function resolveInImage(tree: LayerTree, rel: string): Promise<InImage> {
  let pending = rel.split('/');
  let done: string[] = [];
  // The entry reached so far; undefined once a component is missing.
  let at = await tree.lstat('');
  for (let hops = 0; pending.length;) {
    const name = pending.shift()!;
    if (name === '' || name === '.') continue;
    if (name === '..') {
      done.pop();
      at = await tree.lstat(done.join('/'));
      continue;
    }
    if (at && !at.stat.isDirectory()) return { kind: 'blocked', rel: done.join('/') };
    const next = [...done, name].join('/');
    const entry = at && (await tree.lstat(next));
    if (entry?.stat.isSymbolicLink()) {
      if (++hops > MAX_LINKS) return { kind: 'loop' };
      const target = await readlink(path.join(entry.layer, next));
      if (target.startsWith('/')) done = [];
      pending = [...target.split('/'), ...pending];
      at = await tree.lstat(done.join('/'));
      continue;
    }
    done.push(name);
    at = entry;
  }
  const resolved = done.join('/');
  return at ? { kind: 'found', rel: resolved, ...at } : { kind: 'missing', rel: resolved };
}

/** Something the container mounts at `path` (absolute, as the container names it). */
export interface MountPoint {
  path: string;
  /** A regular file is mounted there (else a directory). */
  file: boolean;
  /** Lent only where the image allows it (the host's resolv.conf): otherwise it is left out, not refused. */
  optional?: boolean;
  /** The mode of the directory when it has to be made (else 0755). */
  mode?: number;
}

/**
 * Where `mp` is mounted in the image: at the end of the image's links, so that a link stays a
 * link and what is mounted shows through it. Undefined for an optional mount point the image
 * has no place for; a UserError for a required one.
 */
export async function placeMountPoint(tree: LayerTree, mp: MountPoint): Promise<{ rel: string; missing: boolean } | undefined> {
  const r = await resolveInImage(tree, mp.path);
  const refuse = (why: string) => {
    if (mp.optional) return undefined;
    throw new UserError(`cannot mount on ${mp.path} in the container: ${why}`);
  };
  if (r.kind === 'loop') return refuse(`the image's links on the way loop`);
  if (r.kind === 'blocked') return refuse(`/${r.rel} is not a directory in the image`);
  if (r.rel === '') return refuse(`it leads to the image's root`);
  if (r.kind === 'missing') return { rel: r.rel, missing: true };
  if (mp.file ? !r.stat.isFile() : !r.stat.isDirectory()) {
    const shown = r.rel === mp.path.slice(1) ? '' : ` (where its links lead: /${r.rel})`;
    return refuse(`it is not a ${mp.file ? 'regular file' : 'directory'} in the image${shown}`);
  }
  return { rel: r.rel, missing: false };
}

/** What makeMountPoint made, parents first, and the directories of the image among them. */
export interface Made {
  made: string[];
  /** Made as plain directories, to be given the image's metadata (withImageMetadata). */
  imageDirs: Array<{ dir: string; layer: string }>;
}

/**
 * Makes the missing mount point `rel` (links already followed: placeMountPoint) in `dest`,
 * with the directories above it that `dest` lacks. With `image` (`dest` is a layer over the
 * image), the directories the image has are listed for withImageMetadata.
 */
export async function makeMountPoint(dest: string, rel: string, mp: MountPoint, image?: LayerTree): Promise<Made> {
  const parts = rel.split('/');
  const out: Made = { made: [], imageDirs: [] };
  for (let i = 1; i < parts.length; i++) {
    const dir = parts.slice(0, i).join('/');
    if (await ifExists(lstat(path.join(dest, dir)))) continue;
    await mkdir(path.join(dest, dir), { mode: 0o755 });
    const below = image && (await image.lstat(dir));
    if (below?.stat.isDirectory()) out.imageDirs.push({ dir, layer: below.layer });
    else out.made.push(dir);
  }
  const at = path.join(dest, rel);
  if (mp.file) await writeFile(at, '', { mode: 0o644, flag: 'wx' });
  else {
    await mkdir(at);
    await chmod(at, mp.mode ?? 0o755); // mkdir's mode goes through the umask
  }
  out.made.push(rel);
  return out;
}

/**
 * Gives directories made in `dest` the owner, mode, times and xattrs of the image's (GNU tar
 * sets them on a directory that is there, keeping what it holds), so that a layer over the
 * image merges with it as if it were not there: one copy per layer they come from.
 */
export async function withImageMetadata(dest: string, dirs: Array<{ dir: string; layer: string }>): Promise<void> {
  const byLayer = new Map<string, string[]>();
  for (const { dir, layer } of dirs) byLayer.set(layer, [...(byLayer.get(layer) ?? []), dir]);
  for (const [layer, list] of byLayer) await copyTree(layer, dest, `copying directories of ${layer}`, list.sort());
}

/**
 * Removes what makeMountPoint made in `dest` for one run, children first, and only what the
 * run left as it was made: an empty file, an empty directory.
 */
export async function unmakeMountPoints(dest: string, made: string[]): Promise<void> {
  for (const rel of [...made].reverse()) {
    const at = path.join(dest, rel);
    const st = await ifExists(lstat(at));
    if (st?.isDirectory()) await rmdir(at).catch(() => {});
    else if (st?.isFile() && st.size === 0) await rm(at, { force: true });
  }
}
