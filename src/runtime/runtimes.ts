import { lstat } from 'node:fs/promises';
import path from 'node:path';
import { enterTree } from '../container/in-tree.js';
import { UserError } from '../errors.js';
import { shortImageID } from '../image/id.js';
import { formatImageName } from '../image/name.js';
import { OstreeRepo, type RepoMode } from '../ostree/ostree.js';
import { layerStack } from '../store/layer-stack.js';
import { findByName, resolveImage } from '../store/lookup.js';
import type { Store, StoredImage } from '../store/store.js';
import { commitRuntime, METADATA, type CommitResult } from './commit.js';
import { Deployment, deployments } from './deployment.js';
import { initializeTree, type InitialBase } from './initialize.js';
import { displayRef, locateRuntime, repoRef, type LocatedRuntime } from './locate.js';
import { parseQualifiedRef, validateRemoteName, validateRuntimeName } from '../ostree/runtime-name.js';
import { ifExists } from '../util/fs.js';
import { withProgress } from '../util/progress.js';

/**
 * The runtime workflow (MaPS) over a store and an OSTree repo: what the `package` and
 * `runtime` commands call. Every function that changes the repo creates it on first use.
 */

export interface RepoChoice {
  /** --repo, else the store's own. */
  dir?: string;
  /** The mode a repo created now gets (--mode); an existing repo must have it when given. */
  mode?: RepoMode;
}

export type Log = (line: string) => void;

export function repoOf(store: Store, choice: RepoChoice): OstreeRepo {
  return new OstreeRepo(path.resolve(choice.dir ?? store.layout.ostreeRepo));
}

async function openRepo(store: Store, choice: RepoChoice): Promise<OstreeRepo> {
  const repo = repoOf(store, choice);
  await repo.ensure(choice.mode);
  return repo;
}

async function withScratch<T>(store: Store, kind: string, fn: (dir: string) => Promise<T>): Promise<T> {
  const staging = await store.stage(kind);
  try {
    return await fn(staging.dir);
  } finally {
    await staging.discard();
  }
}

const DEFAULT_BASE = 'jetpack/debian';

/**
 * The base --from names: a store image (looked up first: it costs no ostree run), else a ref
 * in the repo, else `remote:ref` of a known remote (pulled first).
 */
async function resolveBase(store: Store, choice: RepoChoice, from: string | undefined, log: Log): Promise<{ base: InitialBase; repo?: OstreeRepo }> {
  if (from === undefined) {
    const image = await findByName(store, DEFAULT_BASE, new Map());
    if (!image)
      throw new UserError(`no base to initialize from: ${DEFAULT_BASE} is not in the store (make -C images/debian), or name one with --from IMAGE|REF`);
    return { base: await imageBase(store, image) };
  }
  const image = await resolveImage(store, from).catch(() => undefined);
  if (image) return { base: await imageBase(store, image) };
  const repo = repoOf(store, choice);
  if (await repo.exists()) {
    const rev = await repo.resolve(from);
    if (rev) return { base: { kind: 'ref', rev, label: from }, repo };
    const { remote, ref } = parseQualifiedRef(from);
    if (remote && (await repo.remotes()).some((r) => r.name === remote)) {
      await repo.pull(remote, ref);
      log(`pulled ${from}`);
      return { base: { kind: 'ref', rev: (await repo.resolve(from))!, label: from }, repo };
    }
  }
  throw new UserError(`--from ${from}: no such image in the store nor ref in ${repo.dir}`);
}

async function imageBase(store: Store, image: StoredImage): Promise<InitialBase> {
  return { kind: 'image', layers: await layerStack(store, image), label: `${formatImageName(image.manifest)} (${shortImageID(image.id)})` };
}

export async function initializeRuntime(store: Store, dir: string, from: string | undefined, choice: RepoChoice, log: Log): Promise<void> {
  const { base, repo } = await resolveBase(store, choice, from, log);
  // Only a stack of layers needs a place to be rendered in.
  if (base.kind === 'image' && base.layers.length > 1)
    await withScratch(store, 'initialize', (scratch) => initializeTree(path.resolve(dir), base, repo, scratch, log));
  else await initializeTree(path.resolve(dir), base, repo, undefined, log);
}

/** An interactive shell (or `command`) in the tree, changing it in place; returns the exit status. */
export async function sandboxRuntime(store: Store, dir: string, command: string[]): Promise<number> {
  const argv = command.length ? command : ['/bin/sh', '-c', 'if [ -x /bin/bash ]; then exec /bin/bash; else exec /bin/sh; fi'];
  return withScratch(store, 'sandbox', (scratch) => enterTree(dir, argv, scratch, store.layout.tools, { privateTmp: true }));
}

/** Commits a directory, or a store image when `source` names no directory. */
export async function commitSource(
  store: Store,
  source: string,
  ref: string,
  choice: RepoChoice,
  opts: { subject?: string; body?: string; log: Log },
): Promise<CommitResult> {
  validateRuntimeName(ref);
  const isDir = (await ifExists(lstat(source)))?.isDirectory();
  if (!isDir && /^\.{0,2}\//.test(source)) throw new UserError(`${source} is not a directory`);
  const image = isDir
    ? undefined
    : await resolveImage(store, source).catch((err: Error) => {
        throw new UserError(`${source} is not a directory, and ${err.message}`, 1, { cause: err });
      });
  const repo = repoOf(store, choice);
  const from = image
    ? { layers: await layerStack(store, image), label: `${formatImageName(image.manifest)} (${shortImageID(image.id)})` }
    : { layers: [path.resolve(source)], label: source };
  const metadata: Record<string, string> = image ? { 'jetpack.image.id': image.id, 'jetpack.image.name': formatImageName(image.manifest) } : {};
  return withScratch(store, 'commit', (scratch) => commitRuntime(repo, from, ref, { ...opts, mode: choice.mode, metadata, scratch }));
}

export interface RuntimeListing {
  ref: string;
  remote?: string;
  commit: string;
  /** RFC 3339 */
  date: string;
  subject: string;
  /** Bytes of the tree's files, when jetpack committed it. */
  size?: number;
  deployed: boolean;
}

/** The refs of the repo (local and pulled), each with its commit and whether it is deployed. */
export async function listRuntimes(store: Store, choice: RepoChoice): Promise<RuntimeListing[]> {
  const repo = repoOf(store, choice);
  if (!(await repo.exists())) return [];
  const deployed = new Set((await deployments(store.layout)).map(displayRef));
  return Promise.all(
    (await repo.refs()).map(async (full) => {
      const { remote, ref } = parseQualifiedRef(full);
      const [info, size] = await Promise.all([repo.show(full), repo.stringMetadata(full, METADATA.size)]);
      return {
        ref,
        remote,
        commit: info.checksum,
        date: new Date(info.timestamp * 1000).toISOString().replace(/\.000Z$/, 'Z'),
        subject: info.subject,
        size: size === undefined || !/^\d+$/.test(size) ? undefined : Number(size),
        deployed: deployed.has(displayRef({ remote, ref })),
      };
    }),
  );
}

/** The refs a remote offers, with their commits. */
export async function listRemoteRuntimes(store: Store, choice: RepoChoice, remote: string): Promise<Array<{ ref: string; commit: string }>> {
  const repo = repoOf(store, choice);
  await repo.mustExist();
  return [...(await repo.remoteRefs(remote))].map(([ref, commit]) => ({ ref, commit })).sort((a, b) => a.ref.localeCompare(b.ref));
}

/** Fetches a remote runtime's newest commit (ostree pull: resumable, incremental); a local one needs none. */
async function fetchNewest(repo: OstreeRepo, rt: LocatedRuntime, log: Log): Promise<string> {
  if (rt.remote) {
    log(`pulling ${displayRef(rt)}`);
    await repo.pull(rt.remote, rt.ref);
  }
  const rev = await repo.resolve(repoRef(rt));
  if (!rev) throw new UserError(`no ref ${repoRef(rt)} in ${repo.dir}`);
  return rev;
}

/** Deploys a runtime (or updates it, when deployed already, as MaPS does). */
export async function deployRuntime(
  store: Store,
  text: string,
  choice: RepoChoice,
  log: Log,
): Promise<{ runtime: LocatedRuntime; commit: string; changed: boolean }> {
  const repo = await openRepo(store, choice);
  const runtime = await locateRuntime(repo, text, { askRemotes: true });
  const rev = await fetchNewest(repo, runtime, log);
  const changed = await new Deployment(store.layout, runtime).install(repo, rev);
  return { runtime, commit: rev, changed };
}

async function deployed(store: Store, text: string, choice: RepoChoice): Promise<{ repo: OstreeRepo; deployment: Deployment }> {
  const repo = repoOf(store, choice);
  await repo.mustExist();
  const runtime = await locateRuntime(repo, text, { askRemotes: false });
  const deployment = new Deployment(store.layout, runtime);
  if (!(await deployment.exists())) throw new UserError(`runtime ${displayRef(runtime)} is not deployed (jetpack runtime deploy ${text})`);
  return { repo, deployment };
}

/** Pulls a newer commit of a deployed runtime and checks it out; the user's changes stay. */
export async function updateRuntime(
  store: Store,
  text: string,
  choice: RepoChoice,
  log: Log,
): Promise<{ runtime: LocatedRuntime; commit: string; changed: boolean }> {
  const { repo, deployment } = await deployed(store, text, choice);
  const rev = await fetchNewest(repo, deployment.runtime, log);
  return { runtime: deployment.runtime, commit: rev, changed: await deployment.install(repo, rev) };
}

export async function runRuntime(store: Store, text: string, argv: string[] | undefined, choice: RepoChoice): Promise<number> {
  const { deployment } = await deployed(store, text, choice);
  return deployment.run(argv, store.layout.tools);
}

export async function resetRuntime(store: Store, text: string, choice: RepoChoice): Promise<LocatedRuntime> {
  const { deployment } = await deployed(store, text, choice);
  await deployment.reset();
  return deployment.runtime;
}

/** Removes the deployment and the ref, then the objects no ref needs any more. */
export async function uninstallRuntime(store: Store, text: string, choice: RepoChoice): Promise<LocatedRuntime> {
  const repo = repoOf(store, choice);
  await repo.mustExist();
  const runtime = await locateRuntime(repo, text, { askRemotes: false });
  const deployment = new Deployment(store.layout, runtime);
  const hasRef = (await repo.resolve(repoRef(runtime))) !== undefined;
  if (!hasRef && !(await deployment.exists())) throw new UserError(`runtime ${displayRef(runtime)} is neither deployed nor in ${repo.dir}`);
  await deployment.remove();
  if (hasRef) {
    await repo.deleteRef(repoRef(runtime));
    await repo.prune();
  }
  return runtime;
}

export async function addRemote(store: Store, name: string, url: string, choice: RepoChoice): Promise<void> {
  validateRemoteName(name);
  if (!/^(https?|file):\/\//.test(url)) throw new UserError(`remote URL ${url} must be http://, https:// or file://`);
  const repo = await openRepo(store, choice);
  if ((await repo.remotes()).some((r) => r.name === name)) throw new UserError(`remote ${name} exists already (jetpack runtime remote delete ${name} first)`);
  await repo.addRemote(name, url);
}

export async function deleteRemote(store: Store, name: string, choice: RepoChoice): Promise<void> {
  const repo = repoOf(store, choice);
  await repo.mustExist();
  if (!(await repo.remotes()).some((r) => r.name === name)) throw new UserError(`no remote ${name} (jetpack runtime remote list)`);
  await repo.deleteRemote(name);
}

export async function listRemotes(store: Store, choice: RepoChoice): Promise<Array<{ name: string; url: string }>> {
  const repo = repoOf(store, choice);
  return (await repo.exists()) ? repo.remotes() : [];
}

/**
 * Copies the repo's own refs (or `refs`) into an archive-mode repo at `dir` (created when
 * absent) and writes its summary: a directory any static HTTP server can publish.
 */
export async function exportRepo(store: Store, dir: string, refs: string[], choice: RepoChoice): Promise<string[]> {
  const repo = repoOf(store, choice);
  await repo.mustExist();
  const own = (await repo.refs()).filter((r) => !r.includes(':'));
  for (const r of refs) if (!own.includes(r)) throw new UserError(`no local ref ${r} in ${repo.dir} (jetpack runtime list)`);
  const chosen = refs.length ? refs : own;
  if (!chosen.length) throw new UserError(`${repo.dir} has no runtime committed here to export`);
  const target = new OstreeRepo(path.resolve(dir));
  await target.ensure('archive');
  await withProgress(`exporting ${chosen.join(', ')} to ${dir}`, {}, async () => {
    await target.pullLocal(repo.dir, chosen);
    await target.updateSummary();
  });
  return chosen;
}
