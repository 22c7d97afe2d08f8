import { lstat, mkdir, readFile, rm, symlink } from 'node:fs/promises';
import path from 'node:path';
import { copyTree } from '../archive/gnu-tar.js';
import { run } from '../util/process.js';
import { opaqueDirs, walkLayer } from './layers.js';
import { ifExists } from '../util/fs.js';

/** Whether overlay mounts are to be used: the kernel has overlayfs and JETPACK_NO_OVERLAY is unset. */
export async function overlayAvailable(): Promise<boolean> {
  if (process.env.JETPACK_NO_OVERLAY && process.env.JETPACK_NO_OVERLAY !== '0') return false;
  const filesystems = (await ifExists(readFile('/proc/filesystems', 'utf8'))) ?? '';
  return /\toverlay$/m.test(filesystems);
}

/** A command line, possibly wrapped so that it runs where the rendered tree is visible. */
export type CommandWrapper = (cmd: string, args: string[]) => [string, string[]];

export interface RenderedTree {
  /** The directory that holds the rendered tree as `rootfs`. */
  parent: string;
  /** Wraps a command that reads `parent/rootfs`. */
  wrap: CommandWrapper;
}

const unwrapped: CommandWrapper = (cmd, args) => [cmd, args];

/**
 * Short names for overlay lower dirs: symlinks `SUB/0`, `SUB/1`, … in `dir`, returned
 * relative to it, for a mount made with `dir` as the working directory. overlayfs takes its
 * options in one 4 KiB page: full store paths (~180 bytes each) would stop a stack at ~22
 * layers, short names at ~370 (overlayfs itself allows 500).
 */
export async function linkLowerDirs(dir: string, sub: string, layers: string[]): Promise<string[]> {
  await mkdir(path.join(dir, sub));
  const names = layers.map((_, i) => `${sub}/${i}`);
  await Promise.all(layers.map((layer, i) => symlink(layer, path.join(dir, names[i]))));
  return names;
}

/**
 * Makes the merged tree of `layers` (bottom first) readable as `workDir/rootfs` by a
 * command. One layer is used in place; several are stacked read-only with overlayfs in a
 * private mount namespace that lives exactly as long as the command, so no mount can
 * leak; without overlay they are copied into `workDir/rootfs`.
 */
export async function renderLayers(layers: string[], workDir: string): Promise<RenderedTree> {
  if (layers.length === 1) {
    const only = layers[0];
    if (path.basename(only) === 'rootfs') return { parent: path.dirname(only), wrap: unwrapped };
  }
  const mountpoint = path.join(workDir, 'rootfs');
  await mkdir(mountpoint, { recursive: true });
  if (layers.length > 1 && (await overlayAvailable())) {
    const lowerdir = (await linkLowerDirs(workDir, 'layers', layers)).reverse().join(':');
    const script = 'cd "$1"; mount -t overlay -o "ro,lowerdir=$2" overlay rootfs; cd "$OLDPWD"; shift 2; exec "$@"';
    return {
      parent: workDir,
      wrap: (cmd, args) => ['unshare', ['--mount', '--propagation', 'private', 'sh', '-ec', script, 'sh', workDir, lowerdir, cmd, ...args]],
    };
  }
  for (const layer of layers) await copyLayerOnto(layer, mountpoint);
  return { parent: workDir, wrap: unwrapped };
}

/**
 * Applies one layer onto a directory the way overlayfs would show it: whiteouts delete,
 * opaque directories hide what was below, a non-directory replaces a directory, and
 * directories merge with the upper one's metadata.
 */
export async function copyLayerOnto(layer: string, dest: string): Promise<void> {
  const whiteouts: string[] = []; // paths in dest
  const opaque = new Set(await opaqueDirs(layer));
  // Parents first (walkLayer): when an entry is looked up in `dest`, each directory above it
  // there is a real one (a link the layer replaces with a directory went before its
  // children), so nothing is reached through a link of the tree, whose target may be absolute.
  for (const entry of await walkLayer(layer)) {
    const target = path.join(dest, entry.path);
    const below = await ifExists(lstat(target));
    if (entry.isWhiteout) whiteouts.push(target);
    if (!below) continue;
    const replaced = entry.isWhiteout || (entry.isDirectory ? !below.isDirectory() || opaque.has(entry.path) : below.isDirectory());
    if (replaced) await rm(target, { recursive: true, force: true });
  }
  await copyTree(layer, dest, `copying layer ${layer}`);
  for (const target of whiteouts) await rm(target, { force: true });
  // Removing the whiteouts touched their directories; give them back the layer's times.
  const parents = [...new Set(whiteouts.map((w) => path.dirname(w)))];
  for (const dir of parents) await run('touch', ['-h', '-r', path.join(layer, path.relative(dest, dir)), dir]);
}
