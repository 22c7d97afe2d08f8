import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { OstreeRepo } from '../ostree/ostree.js';
import { copyEntry, makeWhiteouts, statInStack } from '../store/layers.js';
import { run } from '../util/process.js';
import { sourceDateEpoch } from '../util/source-date-epoch.js';
import { validateRuntimeName } from './name.js';
import { sourceManifest, visibleTree, type RuntimeSource } from './tree.js';

export interface CommitOptions {
  subject?: string;
  body?: string;
  /** Extra string metadata (the image a runtime was made from). */
  metadata?: Record<string, string>;
  /** A directory of the caller's for scratch files, removed by the caller. */
  scratch: string;
  log: (line: string) => void;
}

export interface CommitResult {
  checksum: string;
  /** Device nodes, FIFOs and sockets left out: OSTree stores none. */
  leftOut: string[];
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

/** Lists the tree's special files and adds up its file sizes, in one find(1) where the tree is visible. */
async function scanTree(root: string, wrap: (cmd: string, args: string[]) => [string, string[]]): Promise<Scan> {
  const out = await run(...wrap('find', [root, '-mindepth', '1', '(', '-type', 'f', '-printf', 'f %i %s %P\\0', ')', '-o', '(', '-type', 'b,c,p,s', '-printf', 's 0 0 %P\\0', ')']), {
    what: 'reading the tree',
  });
  const special: string[] = [];
  const inodes = new Set<string>();
  let size = 0;
  for (const entry of out.split('\0')) {
    const m = /^(.) (\d+) (\d+) (.*)$/s.exec(entry);
    if (!m) continue;
    if (m[1] === 's') special.push(m[4]!);
    else if (!inodes.has(m[2]!)) {
      inodes.add(m[2]!);
      size += Number(m[3]);
    }
  }
  return { special: special.sort(), size };
}

/**
 * A layer that hides `paths` of `layers` when stacked on top of them: overlay whiteouts in
 * parent directories that carry the metadata of the ones they cover (in overlayfs the
 * topmost directory's owner, mode and xattrs win, and OSTree records them).
 */
async function hidingLayer(layers: string[], paths: string[], dir: string): Promise<string> {
  await mkdir(dir);
  await copyEntry(layers[layers.length - 1]!, '.', dir);
  const parents = new Set<string>();
  for (const p of paths) for (let d = path.posix.dirname(p); d !== '.'; d = path.posix.dirname(d)) parents.add(d);
  for (const parent of [...parents].sort()) {
    const below = await statInStack(layers, parent);
    await copyEntry(below!.layer, parent, dir);
  }
  await makeWhiteouts(dir, paths);
  return dir;
}

/**
 * Commits a runtime source to `repo` under `ref`, with no parent, the timestamp from
 * SOURCE_DATE_EPOCH when set, ostree's `version` from the ref, and the tree's manifest.toml
 * as metadata: the same tree committed twice gives the same checksum.
 */
export async function commitRuntime(repo: OstreeRepo, source: RuntimeSource, ref: string, opts: CommitOptions): Promise<CommitResult> {
  validateRuntimeName(ref);
  const [manifest, first] = await Promise.all([sourceManifest(source), visibleTree(source.layers, path.join(opts.scratch, 'scan'))]);
  const scan = await scanTree(first.root, first.wrap);
  let tree = first;
  if (scan.special.length) {
    const shown = scan.special.slice(0, 4).join(', ') + (scan.special.length > 4 ? ', …' : '');
    opts.log(`leaving out ${scan.special.length} device node(s), FIFO(s) or socket(s) (${shown}): OSTree stores none; a runtime gets its /dev when it runs`);
    const hiding = await hidingLayer(source.layers, scan.special, path.join(opts.scratch, 'hide'));
    tree = await visibleTree([...source.layers, hiding], path.join(opts.scratch, 'commit'));
  }
  const strings: Record<string, string> = { version: ref.split('/')[2]!, ...opts.metadata };
  if (manifest?.command !== undefined) strings[METADATA.command] = manifest.command;
  for (const [k, v] of Object.entries(manifest?.meta ?? {})) strings[`${METADATA.metaPrefix}${k}`] = v;
  opts.log(`committing ${source.label} as ${ref} to ${repo.dir}`);
  const checksum = await repo.commit({
    branch: ref,
    tree: tree.root,
    wrap: tree.wrap,
    subject: opts.subject,
    body: opts.body,
    timestamp: sourceDateEpoch(),
    strings: { ...strings, [METADATA.size]: String(scan.size) },
  });
  if ((await repo.mode()) !== 'bare') await repo.updateSummary();
  return { checksum, leftOut: scan.special, size: scan.size };
}
