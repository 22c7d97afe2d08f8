/**
 * `jetpack script`: an image directory whose image.mjs (zx) takes the place of a Makefile,
 * with the make macros' semantics: `prepare` steps on the host, the directory copied into a
 * build container of `parent`, `build` and `manifest` run there as root by the lent Node and
 * zx (src/script/runner.ts), rebuilt only when an input, the parent or a value changed.
 * docs/SCRIPTS.md.
 */
import { existsSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Jetpack } from '../api/index.js';
import { buildImage } from '../build/build.js';
import { UserError } from '../errors.js';
import { exportFlat, exportLayered } from '../export/export.js';
import { formatImageName } from '../image/name.js';
import type { Store, StoredImage } from '../store/store.js';
import { writeOutput } from '../util/output-file.js';
import { changeSince, listInputs, readState, STATE_FILE, writeState } from './state.js';

export const SCRIPT_FILE = 'image.mjs';
export const TARGETS = ['image', 'prepare', 'clean', 'aci', 'flat-aci'] as const;
export type Target = (typeof TARGETS)[number];

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
  log: (line: string) => void;
}

function loadScript(dir: string): ImageScript {
  const file = path.resolve(dir, SCRIPT_FILE);
  if (!existsSync(file)) throw new UserError(`${dir} has no ${SCRIPT_FILE}`);
  try {
    // require() of an ES module (Node 20.19): the CLI runs as one CommonJS bundle.
    return createRequire(import.meta.url)(file) as ImageScript;
  } catch (err) {
    throw new UserError(`${file}: ${(err as Error).message.split('\n')[0]}`);
  }
}

function hostSteps(script: ImageScript): Array<[string, HostStep]> {
  const { prepare } = script;
  if (prepare === undefined) return [];
  if (typeof prepare === 'function') return [['prepare', prepare]];
  if (typeof prepare !== 'object' || Object.values(prepare).some((f) => typeof f !== 'function')) throw new UserError(`${SCRIPT_FILE}: prepare must be a function or an object of functions`);
  return Object.entries(prepare).map(([name, fn]) => [`prepare.${name}`, fn]);
}

async function zx(dir: string): Promise<unknown> {
  const { $ } = await import('zx');
  return $({ cwd: dir, verbose: true });
}

/** The build step's values: the host's buildVars, then the command line's NAME=VALUE. */
function valuesFor(script: ImageScript, given: Record<string, string>): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const name of script.buildVars ?? []) if (process.env[name] !== undefined) vars[name] = process.env[name]!;
  return { ...vars, ...given };
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

  async run(): Promise<StoredImage | undefined> {
    switch (this.req.target) {
      case 'prepare':
        await this.prepare();
        return undefined;
      case 'clean':
        await this.clean();
        return undefined;
      case 'image':
        return (await this.image()).image;
      case 'aci':
      case 'flat-aci':
        return this.exported(this.req.target);
    }
  }

  private async prepare(): Promise<void> {
    const steps = hostSteps(this.script);
    if (steps.length === 0) return;
    const context = { $: await zx(this.req.dir), vars: this.vars, dir: this.req.dir, jetpack: new Jetpack() };
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
  private async image(): Promise<{ image: StoredImage; built: boolean }> {
    const parent = await this.resolveParent(this.parentRef);
    const old = await readState(this.req.dir);
    const why = changeSince(old, { parent: parent.id, vars: this.vars, inputs: await this.inputs() });
    const stored = old && (await this.store.get(old.id));
    if (!why && stored) return { image: stored, built: false };
    this.req.log(`script: building on ${formatImageName(parent.manifest)} (${why ?? 'the image is no longer in the store'})`);
    await this.prepare();
    const inputs = await this.inputs(); // what prepare added counts as made by it, as make's macros do
    if (typeof this.script.build !== 'function' && this.script.build !== undefined) throw new UserError(`${SCRIPT_FILE}: build must be a function`);
    const image = await buildImage(this.store, parent, {
      dir: this.req.dir,
      copy: [runnerFile()],
      command: ['/.jetpack.tools/node', 'script-runner.mjs', JSON.stringify(this.vars)],
      network: this.req.network,
      keep: false,
      notice: this.req.log,
    });
    await writeFile(path.join(this.req.dir, OUTPUTS.id), `${image.id}\n`);
    await writeState(this.req.dir, { id: image.id, parent: parent.id, vars: this.vars, inputs });
    return { image, built: true };
  }

  private async exported(target: 'aci' | 'flat-aci'): Promise<StoredImage> {
    const { image, built } = await this.image();
    const file = path.join(this.req.dir, target === 'aci' ? OUTPUTS.aci : OUTPUTS.flat);
    if (!built && existsSync(file)) return image;
    if (target === 'aci') await writeOutput(file, (fd) => exportLayered(image, fd));
    else await writeOutput(file, (fd) => exportFlat(this.store, image, fd, 'none'));
    this.req.log(`script: wrote ${path.relative(process.cwd(), file) || file}`);
    return image;
  }

  private async clean(): Promise<void> {
    const { clean } = this.script;
    if (typeof clean === 'function') {
      this.req.log('script: clean');
      await clean({ $: await zx(this.req.dir), vars: this.vars, dir: this.req.dir, jetpack: new Jetpack() });
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
