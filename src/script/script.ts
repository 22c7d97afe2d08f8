/**
 * `jetpack script`: an image directory whose image.mjs (zx) takes the place of a Makefile,
 * with the make macros' semantics: `prepare` steps on the host, the directory copied into a
 * build container of `parent`, `build` and `manifest` run there as root by the lent Node and
 * zx (src/script/runner.ts), rebuilt only when an input, the parent or a value changed.
 * docs/SCRIPTS.md.
 */
import { existsSync } from 'node:fs';
import { rm, stat, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Jetpack } from '../api/index.js';
import { buildImage, type BuildOptions } from '../derive/build.js';
import { buildTimestamp, mergeBuildManifest } from '../derive/manifest-defaults.js';
import { TOOLS_MOUNT } from '../container/tools.js';
import { UserError } from '../errors.js';
import { exportFlat, exportLayered } from '../export/export.js';
import { formatImageName } from '../image/name.js';
import type { Store, StoredImage } from '../store/store.js';
import { writeOutput } from '../util/output-file.js';
import { sourceDateEpoch } from '../util/source-date-epoch.js';
import { changeSince, listInputs, readState, STATE_FILE, writeState } from './state.js';
import type { Target } from './targets.js';
import { ifExists } from '../util/fs.js';

export const SCRIPT_FILE = 'image.mjs';

const OUTPUTS = { id: 'image.aci.id', aci: 'image.aci', flat: 'image.flat.aci' } as const;

type HostStep = (context: { $: unknown; vars: Record<string, string>; dir: string; jetpack: Jetpack }) => unknown;

/** What an image.mjs exports (docs/SCRIPTS.md). */
interface ImageScript {
  parent?: unknown;
  prepare?: HostStep | Record<string, HostStep>;
  build?: unknown;
  manifest?: unknown;
  clean?: string[] | HostStep;
  /** Names of host environment variables passed to build and manifest, as BUILD_VARS. */
  buildVars?: string[];
}

export interface ScriptRequest {
  dir: string;
  target: Target;
  /** NAME=VALUE given on the command line: passed in verbatim, over buildVars. */
  vars: Record<string, string>;
  network: 'host' | 'none';
  /** What host steps get as `jetpack`: the CLI named by JETPACK, else this one on this store. */
  jetpack: Jetpack;
  /** The build command's stdout goes to stderr (-json: stdout carries the result). */
  stdoutToStderr: boolean;
  log: (line: string) => void;
}

/** An image a target made or found: `built` is false when it was up to date. */
export interface ScriptResult {
  image: StoredImage;
  built: boolean;
}

function loadScript(dir: string): ImageScript {
  const file = path.resolve(dir, SCRIPT_FILE);
  if (!existsSync(file)) throw new UserError(`${dir} has no ${SCRIPT_FILE}`);
  try {
    // require() of an ES module (Node 20.19): the CLI runs as one CommonJS bundle.
    return createRequire(import.meta.url)(file) as ImageScript;
  } catch (err) {
    throw new UserError(`${file}: ${(err as Error).message.split('\n')[0]}`, 1, { cause: err });
  }
}

function hostSteps(script: ImageScript): Array<[string, HostStep]> {
  const { prepare } = script;
  if (prepare === undefined) return [];
  if (typeof prepare === 'function') return [['prepare', prepare]];
  if (typeof prepare !== 'object' || Object.values(prepare).some((f) => typeof f !== 'function'))
    throw new UserError(`${SCRIPT_FILE}: prepare must be a function or an object of functions`);
  return Object.entries(prepare).map(([name, fn]) => [`prepare.${name}`, fn]);
}

async function zx(dir: string): Promise<unknown> {
  const { $ } = await import('zx');
  return $({ cwd: dir, verbose: true });
}

/**
 * Checks what build and manifest are before anything runs, and says where the manifest comes
 * from: the runner writes what `manifest` gives (an object is checked here, with the parent's
 * defaults, as step 5 would); without it DIR's manifest.json is needed.
 */
function manifestSource(script: ImageScript, parent: StoredImage): NonNullable<BuildOptions['manifest']> {
  if (script.build !== undefined && typeof script.build !== 'function') throw new UserError(`${SCRIPT_FILE}: build must be a function`);
  const { manifest } = script;
  if (manifest === undefined) return 'required';
  if (typeof manifest === 'function') return 'command';
  if (typeof manifest !== 'object' || manifest === null || Array.isArray(manifest))
    throw new UserError(`${SCRIPT_FILE}: manifest must be a function or an object`);
  try {
    mergeBuildManifest(JSON.parse(JSON.stringify(manifest)), parent, buildTimestamp(sourceDateEpoch()));
  } catch (err) {
    throw new UserError(`${SCRIPT_FILE}: manifest: ${(err as Error).message}`);
  }
  return 'command';
}

/** The build step's values: the host's buildVars, then the command line's NAME=VALUE; sorted, so order is no change. */
function valuesFor(script: ImageScript, given: Record<string, string>): Record<string, string> {
  if (script.buildVars !== undefined && !(Array.isArray(script.buildVars) && script.buildVars.every((v) => typeof v === 'string'))) {
    throw new UserError(`${SCRIPT_FILE}: buildVars must be a list of variable names`);
  }
  const vars: Record<string, string> = {};
  for (const name of script.buildVars ?? []) if (process.env[name] !== undefined) vars[name] = process.env[name]!;
  const all = { ...vars, ...given };
  return Object.fromEntries(
    Object.keys(all)
      .sort()
      .map((k) => [k, all[k]]),
  );
}

/** The in-container runner, copied into the work dir beside image.mjs. */
function runnerFile(): string {
  return path.join(path.dirname(fileURLToPath(import.meta.url)), 'script-runner.mjs');
}

export class ScriptRun {
  private readonly script: ImageScript;
  private readonly vars: Record<string, string>;

  constructor(
    private readonly store: Store,
    private readonly resolveParent: (ref: string) => Promise<StoredImage>,
    private readonly req: ScriptRequest,
  ) {
    this.script = loadScript(req.dir);
    this.vars = valuesFor(this.script, req.vars);
  }

  private get parentRef(): string {
    const { parent } = this.script;
    if (typeof parent !== 'string' || !parent) throw new UserError(`${SCRIPT_FILE} exports no parent (export const parent = 'jetpack/busybox')`);
    return parent;
  }

  async run(): Promise<ScriptResult | undefined> {
    switch (this.req.target) {
      case 'prepare':
        await this.prepare();
        return undefined;
      case 'clean':
        await this.clean();
        return undefined;
      case 'image':
        return this.image();
      case 'aci':
      case 'flat-aci':
        return this.exported(this.req.target);
    }
  }

  private async prepare(): Promise<void> {
    const steps = hostSteps(this.script);
    if (steps.length === 0) return;
    const context = { $: await zx(this.req.dir), vars: this.vars, dir: this.req.dir, jetpack: this.req.jetpack };
    for (const [name, step] of steps) {
      this.req.log(`script: ${name}`);
      try {
        await step(context);
      } catch (err) {
        throw new UserError(`${SCRIPT_FILE} ${name} failed: ${((err as Error).message ?? String(err)).trim().split('\n')[0]}`);
      }
    }
  }

  private async inputs(): Promise<Record<string, string>> {
    return listInputs(this.req.dir, new Set(Object.values(OUTPUTS)));
  }

  /** The image, built when the last build is out of date. */
  private async image(): Promise<ScriptResult> {
    const parent = await this.resolveParent(this.parentRef);
    const old = await readState(this.req.dir);
    const why = changeSince(old, { parent: parent.id, vars: this.vars, inputs: await this.inputs() });
    const stored = old && (await this.store.get(old.id));
    if (!why && stored) return { image: stored, built: false };
    const manifest = manifestSource(this.script, parent);
    this.req.log(`script: building on ${formatImageName(parent.manifest)} (${why ?? 'the image is no longer in the store'})`);
    await this.prepare();
    const inputs = await this.inputs(); // what prepare added counts as made by it, as make's macros do
    const image = await buildImage(this.store, parent, {
      dir: this.req.dir,
      copy: [runnerFile()],
      command: [`${TOOLS_MOUNT}/node`, 'script-runner.mjs', JSON.stringify(this.vars)],
      network: this.req.network,
      keep: false,
      manifest,
      notice: this.req.log,
      stdoutToStderr: this.req.stdoutToStderr,
    });
    await writeFile(path.join(this.req.dir, OUTPUTS.id), `${image.id}\n`);
    await writeState(this.req.dir, { id: image.id, parent: parent.id, vars: this.vars, inputs });
    return { image, built: true };
  }

  private async exported(target: 'aci' | 'flat-aci'): Promise<ScriptResult> {
    const result = await this.image();
    const { image, built } = result;
    const file = path.join(this.req.dir, target === 'aci' ? OUTPUTS.aci : OUTPUTS.flat);
    // Up to date when written after the image last changed (image.aci.id is rewritten by each build).
    const [written, idWritten] = await Promise.all([ifExists(stat(file)), stat(path.join(this.req.dir, OUTPUTS.id))]);
    if (!built && written && written.mtimeMs >= idWritten.mtimeMs) return result;
    if (target === 'aci') await writeOutput(file, (fd) => exportLayered(image, fd));
    else await writeOutput(file, (fd) => exportFlat(this.store, image, fd, 'none'));
    this.req.log(`script: wrote ${path.relative(process.cwd(), file) || file}`);
    return result;
  }

  private async clean(): Promise<void> {
    const { clean } = this.script;
    if (typeof clean === 'function') {
      this.req.log('script: clean');
      await clean({ $: await zx(this.req.dir), vars: this.vars, dir: this.req.dir, jetpack: this.req.jetpack });
    } else if (clean !== undefined && !(Array.isArray(clean) && clean.every((f) => typeof f === 'string'))) {
      throw new UserError(`${SCRIPT_FILE}: clean must be a list of files or a function`);
    }
    const files = [...Object.values(OUTPUTS), STATE_FILE, ...(Array.isArray(clean) ? clean : [])];
    for (const f of files) {
      const target = path.resolve(this.req.dir, f);
      if (!target.startsWith(path.resolve(this.req.dir) + path.sep)) throw new UserError(`${SCRIPT_FILE}: clean names ${f}, outside ${this.req.dir}`);
      await rm(target, { recursive: true, force: true });
    }
  }
}
