// src/runtime/: MaPS runtimes: initialised, committed to OSTree, deployed, located.
import { mkdir, symlink } from 'node:fs/promises';
import path from 'node:path';
import type { OstreeRepo, RepoMode } from '../ostree/ostree.js';
import { copyTree } from '../archive/gnu-tar.js';
import { findPlaceholders } from '../archive/placeholder-scan.js';
import { makeWhiteouts, parentDirs, statInStack } from '../layers/format.js';
import { run } from '../util/process.js';
import { settleAll } from '../util/settle.js';
import { sourceDateEpoch } from '../util/source-date-epoch.js';
import { overlayOptionSuffix } from '../util/userns.js';
import { validateRuntimeName } from '../ostree/runtime-name.js';
import { layerDriver } from '../layers/select.js';
import { sourceManifest, visibleTree, type RuntimeSource, type VisibleTree } from './tree.js';

export interface CommitOptions {
  subject?: string;
  body?: string;
  /** Extra string metadata (the image a runtime was made from). */
  metadata?: Record<string, string>;
  /** The mode of the repo when the commit creates it. */
  mode?: RepoMode;
  /** A directory of the caller's for scratch files, removed by the caller. */
  scratch: string;
  log: (line: string) => void;
}

export interface CommitResult {
  checksum: string;
  /** Bytes of regular files, each hardlinked file counted once. */
  size: number;
}

/** Commit metadata keys jetpack writes beside ostree's own `version`. */
export const METADATA = {
  size: 'jetpack.size',
  command: 'jetpack.runtime.command',
  metaPrefix: 'jetpack.runtime.meta.',
} as const;

interface Scan {
  special: string[];
  size: number;
}

/**
 * Lists the tree's special files and adds up its file sizes, in one find(1) where the tree is
 * visible. A user namespace's device placeholders count as the device nodes root's tree has.
 */
async function scanTree(root: string, wrap: (cmd: string, args: string[]) => [string, string[]]): Promise<Scan> {
  const out = await run(
    ...wrap('find', [root, '-mindepth', '1', '(', '-type', 'f', '-printf', 'f %i %s %P\\0', ')', '-o', '(', '-type', 'b,c,p,s', '-printf', 's 0 0 %P\\0', ')']),
    {
      what: 'reading the tree',
    },
  );
  const special: string[] = [];
  const inodes = new Set<string>();
  let size = 0;
  for (const entry of out.split('\0')) {
    const m = /^(.) (\d+) (\d+) (.*)$/s.exec(entry);
    if (!m) continue;
    if (m[1] === 's') special.push(m[4]);
    else if (!inodes.has(m[2])) {
      inodes.add(m[2]);
      size += Number(m[3]);
    }
  }
  special.push(...(await findPlaceholders(root, wrap)).map((p) => p.path));
  return { special: special.sort(), size };
}

/**
 * A layer that hides `paths` of `layers` when stacked on top of them: overlay whiteouts in
 * parent directories that carry the metadata of the ones they cover (in overlayfs the
 * topmost directory's owner, mode and xattrs win, and OSTree records them).
 */
async function hidingLayer(layers: string[], paths: string[], dir: string): Promise<string> {
  await mkdir(dir);
  // One copy per layer that provides some of them, parents before children.
  const byLayer = new Map<string, string[]>([[layers[layers.length - 1], ['.']]]);
  for (const parent of parentDirs(paths)) {
    const { layer } = (await statInStack(layers, parent))!;
    byLayer.set(layer, [...(byLayer.get(layer) ?? []), parent]);
  }
  for (const [layer, members] of byLayer) await copyTree(layer, dir, `copying directories of ${layer}`, members);
  await makeWhiteouts(dir, paths);
  return dir;
}

/** The directories holding `paths` that no other of them is inside: where hiding overlays go. */
function topmostParents(paths: string[]): string[] {
  const parents = [...new Set(paths.map((p) => path.posix.dirname(p)))].sort();
  return parents.filter((p) => !parents.some((q) => q !== p && (q === '.' || p.startsWith(`${q}/`))));
}

// Mounts, in a private mount namespace, one read-only overlay of HIDE_i over TARGET_i on
// TARGET_i for each pair, then runs the command. Lower dirs are named by short symlinks in
// the scratch dir, so no path can break the mount options.
const hideMounts = () =>
  `cd "$1"; n=$2; shift 2; i=0; while [ $i -lt $n ]; do mount -t overlay -o "ro,lowerdir=hide-$i:lower-$i${overlayOptionSuffix()}" overlay "$1"; shift; i=$((i+1)); done; exec "$@"`;

/**
 * The tree `root` with the hiding layer's whiteouts applied only where they are: an overlay
 * on each directory holding special files, not on the whole tree, so that ostree reads
 * every other file directly (an overlay costs every open and stat).
 */
async function hidingMounts(root: string, hiding: string, dirs: string[], scratch: string): Promise<VisibleTree> {
  const targets = dirs.map((d) => path.join(root, d));
  await Promise.all(
    dirs.flatMap((d, i) => [symlink(path.join(hiding, d), path.join(scratch, `hide-${i}`)), symlink(targets[i], path.join(scratch, `lower-${i}`))]),
  );
  return {
    root,
    wrap: (cmd, args) => [
      'unshare',
      ['--mount', '--propagation', 'private', 'sh', '-ec', hideMounts(), 'sh', scratch, String(dirs.length), ...targets, cmd, ...args],
    ],
  };
}

/**
 * Commits a runtime source to `repo` under `ref`, with no parent, the timestamp from
 * SOURCE_DATE_EPOCH when set, ostree's `version` from the ref, and the tree's manifest.toml
 * as metadata: the same tree committed twice gives the same checksum.
 */
export async function commitRuntime(repo: OstreeRepo, source: RuntimeSource, ref: string, opts: CommitOptions): Promise<CommitResult> {
  validateRuntimeName(ref);
  const prepared = (async () => {
    const first = await visibleTree(source.layers, path.join(opts.scratch, 'scan'));
    const scan = await scanTree(first.root, first.wrap);
    if (!scan.special.length) return { scan, tree: first };
    const shown = scan.special.slice(0, 4).join(', ') + (scan.special.length > 4 ? ', …' : '');
    opts.log(`leaving out ${scan.special.length} device node(s), FIFO(s) or socket(s) (${shown}): OSTree stores none; a runtime gets its /dev when it runs`);
    const hiding = await hidingLayer(source.layers, scan.special, path.join(opts.scratch, 'hide'));
    const tops = topmostParents(scan.special);
    // The hiding mounts are overlays of their own: used only where layers are made with overlay.
    if (source.layers.length === 1 && !tops.includes('.') && (await layerDriver()).name === 'overlay') {
      return { scan, tree: await hidingMounts(source.layers[0], hiding, tops, opts.scratch) };
    }
    return { scan, tree: await visibleTree([...source.layers, hiding], path.join(opts.scratch, 'commit')) };
  })();
  // The repo is made ready (created on first use) while the tree is read.
  const [manifest, { scan, tree }, mode] = await settleAll([sourceManifest(source), prepared, repo.ensure(opts.mode)]);
  const strings: Array<[string, string]> = [['version', ref.split('/')[2]], ...Object.entries(opts.metadata ?? {})];
  if (manifest?.command !== undefined) strings.push([METADATA.command, manifest.command]);
  for (const [k, v] of Object.entries(manifest?.meta ?? {})) strings.push([`${METADATA.metaPrefix}${k}`, v]);
  strings.push([METADATA.size, String(scan.size)]);
  opts.log(`committing ${source.label} as ${ref} to ${repo.dir}`);
  const checksum = await repo.commit({
    target: { branch: ref },
    tree: { dir: tree.root },
    wrap: tree.wrap,
    subject: opts.subject,
    body: opts.body,
    timestamp: sourceDateEpoch(),
    strings,
  });
  if (mode !== 'bare') await repo.updateSummary();
  return { checksum, size: scan.size };
}
