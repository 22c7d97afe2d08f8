// src/derive/: the derivative-build pipeline (Jetpack's build steps) and its manifest defaults.
import { randomUUID } from 'node:crypto';
import { lstat, mkdir, open, readFile, rename, rm, rmdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { writeAci } from '../aci/writer.js';
import { Container } from '../container/container.js';
import { isUserFacing, UserError } from '../errors.js';
import { serializeManifest, type ImageManifest } from '../image/manifest.js';
import { resolveDependency } from '../store/import.js';
import { IMAGE_FILES } from '../store/layout.js';
import { opaqueDirs, walkLayer, type LayerEntry } from '../layers/format.js';
import { layerStack } from '../store/layer-stack.js';
import type { Staging, Store, StoredImage } from '../store/store.js';
import { run } from '../util/process.js';
import { clampTreeTimes, sourceDateEpoch } from '../util/source-date-epoch.js';
import { buildTimestamp, mergeBuildManifest } from './manifest-defaults.js';
import { ifExists } from '../util/fs.js';

export interface BuildOptions {
  /** The build directory whose contents are copied into the work dir (Jetpack's -dir). */
  dir: string;
  /** Extra files (globs allowed) copied into the work dir by basename (-cp). */
  copy: string[];
  command: string[];
  network: 'host' | 'none';
  /** Keep a failed build's container for debugging. */
  keep: boolean;
  /** Called with a line for the user: where a kept container is and how to enter it. */
  notice?: (line: string) => void;
  /** The command's stdout goes to stderr: stdout carries a -json result. */
  stdoutToStderr?: boolean;
  /**
   * What is known of manifest.json before the command runs, and so checked then: `present`
   * (default) a manifest.json the work dir starts with (the build dir's, or a -cp file's) is
   * checked when there is one, as the command may write it; `required` it must be there too;
   * `command` the command writes it, whatever the work dir starts with, and the caller checks
   * what it knows.
   */
  manifest?: 'present' | 'required' | 'command';
}

const STEPS = [
  '',
  'create the build container',
  'copy the build directory',
  'copy -cp files',
  'run the build command',
  'read manifest.json',
  'remove the work directory',
  'save the image',
];

/** A failure tagged with the step of Jetpack's build process it happened in. */
export class BuildError extends UserError {
  constructor(
    readonly step: number,
    message: string,
    exitCode = 1,
    options?: ErrorOptions,
  ) {
    super(`build failed at step ${step} (${STEPS[step]}): ${message}`, exitCode, options);
  }
}

/** Runs step `n`; a failure the user can act on is named with the step, a bug is passed on as it is. */
export async function step<T>(n: number, fn: () => T | Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof BuildError || !isUserFacing(err)) throw err;
    throw new BuildError(n, err.message, err instanceof UserError ? err.exitCode : 1, { cause: err });
  }
}

async function expandCopies(patterns: string[]): Promise<string[]> {
  const files: string[] = [];
  for (const pattern of patterns) {
    if (/[*?[\]{}()!]/.test(pattern)) {
      // globby takes ~0.2 s to load: only when a pattern needs it.
      const { globby } = await import('globby');
      const matches = await globby(pattern, { onlyFiles: false, expandDirectories: false, dot: true, absolute: true });
      if (matches.length === 0) throw new UserError(`-cp ${pattern} matches no file`);
      files.push(...matches.sort());
    } else {
      await stat(pattern).catch(() => {
        throw new UserError(`-cp ${pattern}: no such file`);
      });
      files.push(path.resolve(pattern));
    }
  }
  return files;
}

/** The manifest.json the work dir starts with: a -cp file of that name (copied last, so it wins), else the build dir's. */
async function startingManifest(buildDir: string, copies: string[]): Promise<string | undefined> {
  const candidates = [...copies.filter((f) => path.basename(f) === 'manifest.json').reverse(), path.join(buildDir, 'manifest.json')];
  for (const file of candidates) if (await ifExists(lstat(file))) return file;
  return undefined;
}

/** manifest.json's text merged with the build's defaults and validated (step 5's rules). */
function manifestFromText(text: string, parent: StoredImage, epoch: number | undefined): ImageManifest {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new UserError(`manifest.json is not valid JSON: ${(err as Error).message}`, 1, { cause: err });
  }
  return mergeBuildManifest(raw, parent, buildTimestamp(epoch));
}

/**
 * The manifest checks that need no command run: the manifest.json the work dir starts with
 * must pass step 5 as it is (a link is skipped: it resolves in the container, not here).
 */
async function checkStartingManifest(
  buildDir: string,
  copies: string[],
  parent: StoredImage,
  epoch: number | undefined,
  mode: BuildOptions['manifest'],
): Promise<void> {
  if (mode === 'command') return;
  const file = await startingManifest(buildDir, copies);
  if (!file) {
    if (mode === 'required') throw new UserError(`build not started: ${buildDir} has no manifest.json, and nothing writes one`);
    return;
  }
  if (!(await lstat(file)).isFile()) return;
  try {
    manifestFromText(await readFile(file, 'utf8'), parent, epoch);
  } catch (err) {
    throw new UserError(`build not started: ${file}: ${(err as Error).message.replace(/^manifest\.json (is )?/, '')}`, 1, { cause: err });
  }
}

/**
 * Builds a derivative image the way Jetpack does (seed 004, "Building derivative images"):
 * (1) create a build container from the parent, (2) copy the build dir's contents into a
 * fresh work dir in its root, (3) copy the -cp files there, (4) run the command as root in
 * the work dir, (5) take manifest.json from it and merge defaults, (6) remove the work dir,
 * (7) save the container's changes + manifest as the new image. Any failure leaves no image
 * and no container (unless `keep`), and names the step. What can be checked before the command
 * runs (the build dir, the -cp files, the manifest.json the work dir starts with) is checked
 * before anything is created.
 */
export async function buildImage(store: Store, parent: StoredImage, opts: BuildOptions): Promise<StoredImage> {
  const buildDir = await step(2, async () => {
    const st = await ifExists(stat(opts.dir));
    if (!st?.isDirectory()) throw new UserError(`build directory ${opts.dir} does not exist`);
    return path.resolve(opts.dir);
  });
  const copies = await step(3, () => expandCopies(opts.copy));
  const epoch = await step(5, () => sourceDateEpoch());
  await checkStartingManifest(buildDir, copies, parent, epoch, opts.manifest);
  await store.tidy(); // a build killed earlier left its container in tmp/
  const staging = await store.stage('build');
  let container: Container | undefined;
  try {
    container = await step(1, async () => Container.create(staging.dir, await layerStack(store, parent), store.layout.tools));
    const c = container;
    const workDir = await step(2, async () => {
      let name = '.jetpack.build.';
      while (await c.parentHas(name)) name = `.jetpack.build.${randomUUID()}`;
      const host = c.hostPath(name);
      await mkdir(host, { mode: 0o700 });
      await run('cp', ['-a', '--', `${buildDir}/.`, host], { what: 'copying the build directory' });
      return name;
    });
    await step(3, async () => {
      if (copies.length) await run('cp', ['-a', '--', ...copies, c.hostPath(workDir)], { what: 'copying -cp files' });
    });
    await c.seal();
    const status = await step(4, () => c.run(opts.command, { cwd: `/${workDir}`, network: opts.network, stdoutToStderr: opts.stdoutToStderr }));
    // jetpack exits with the build command's own status, as the caller would expect of `make`.
    if (status !== 0) throw new BuildError(4, `${opts.command[0]} exited with status ${status}`, status);

    const manifest = await step(5, async () => {
      const file = path.join(c.hostPath(workDir), 'manifest.json');
      const text = await readFile(file, 'utf8').catch(() => {
        throw new UserError('the build left no manifest.json in the work directory');
      });
      return manifestFromText(text, parent, epoch);
    });
    const dependencies = await step(5, async () => [parent, ...(await Promise.all(manifest.dependencies!.slice(1).map((d) => resolveDependency(store, d))))]);

    await step(6, () => rm(c.hostPath(workDir), { recursive: true, force: true }));
    return await step(7, () => saveImage(store, staging, c, { manifest, dependencies, workDir, epoch }));
  } catch (err) {
    // The build's own failure is what the user needs to see: cleaning up after it may fail
    // too (a full disk), and then only adds a line, or leaves tmp/ to fsck.
    const discard = () => staging.discard().catch(() => {});
    if (opts.keep && container && !container.finished) {
      await keepContainer(store, staging, container, opts).catch(async (keepErr: Error) => {
        opts.notice?.(`-keep: nothing kept: ${keepErr.message}`);
        await discard();
      });
    } else {
      if (opts.keep && container) opts.notice?.('-keep: nothing kept, the container was already taken apart to save the image');
      await discard();
    }
    throw err;
  }
}

async function saveImage(
  store: Store,
  staging: Staging,
  container: Container,
  made: { manifest: ImageManifest; dependencies: StoredImage[]; workDir: string; epoch: number | undefined },
): Promise<StoredImage> {
  const { manifest: merged, dependencies, workDir, epoch } = made;
  await container.finishLayer([workDir]);
  // The stored layer carries the clamped times too, so that flat exports and children agree with the ACI.
  if (epoch !== undefined) await clampTreeTimes(container.layerDir, epoch);
  const entries = await walkLayer(container.layerDir);
  const deletes = entries.some((e) => e.isWhiteout) || (await hidesParentDirs(container, entries));
  // appc has no whiteouts: deletions reach the layered ACI as a pathWhitelist of the whole
  // new tree, as in Jetpack. The stored layer keeps its whiteouts for rendering.
  const manifest = deletes ? { ...merged, pathWhitelist: ['/', ...(await container.renderedPaths()).map((p) => `/${p}`)] } : merged;
  const manifestBytes = serializeManifest(manifest);
  const aciPath = staging.path(IMAGE_FILES.aci);
  const fh = await open(aciPath, 'w+', 0o644); // w+: writeAci reads the archive back to hash it
  let id: string;
  try {
    id = await writeAci(
      {
        manifest: manifestBytes,
        scratch: staging.path('scratch'),
        rootfsParent: staging.dir,
        members: entries.filter((e) => !e.isWhiteout).map((e) => e.path),
        clampMtime: epoch,
      },
      fh.fd,
      'none',
    );
  } finally {
    await fh.close();
  }
  await rm(staging.path('scratch'), { recursive: true, force: true });
  await writeFile(staging.path(IMAGE_FILES.manifest), manifestBytes, { mode: 0o444 });
  const size = (await stat(aciPath)).size;
  await store.commit(staging, {
    id,
    compression: 'none',
    size,
    stored: new Date().toISOString(),
    dependencies: dependencies.map((d) => d.id),
    name: manifest.name,
    labels: manifest.labels,
  });
  const image = await store.get(id);
  if (!image) throw new Error(`image ${id} vanished right after it was stored`);
  return image;
}

/**
 * Whether the layer hides a directory of the parent: overlayfs marks new directories opaque
 * too, and only those the parent has delete anything. Only their marks are read (usually
 * none or few); below a directory the parent lacks, nothing is looked up.
 */
async function hidesParentDirs(container: Container, entries: LayerEntry[]): Promise<boolean> {
  const newDirs = new Set<string>();
  const inParent: string[] = [];
  for (const e of entries) {
    if (!e.isDirectory) continue;
    const parentDir = path.dirname(e.path);
    if (newDirs.has(parentDir) || !(await container.parentHas(e.path))) newDirs.add(e.path);
    else inParent.push(e.path);
  }
  return (await opaqueDirs(container.layerDir, inParent)).length > 0;
}

/**
 * Moves a failed build's container out of tmp/ (where fsck would reap it) with a script to
 * enter it. If that fails (a full disk), nothing is kept and the error says why.
 */
async function keepContainer(store: Store, staging: Staging, container: Container, opts: BuildOptions): Promise<void> {
  const kept = path.join(store.layout.root, 'containers');
  await mkdir(kept, { recursive: true, mode: 0o700 });
  const dir = path.join(kept, path.basename(staging.dir));
  try {
    await rename(staging.dir, dir);
    const enter = path.join(dir, 'enter');
    await container.relocated(dir).writeEnterScript(enter, opts.network);
    opts.notice?.(`kept the build container in ${dir}`);
    opts.notice?.(`enter it with ${enter}; remove it with rm -rf ${dir}`);
  } catch (err) {
    await rm(dir, { recursive: true, force: true }).catch(() => {});
    await rmdir(kept).catch(() => {}); // only if no other container is kept there
    throw err;
  } finally {
    await staging.released();
  }
}
