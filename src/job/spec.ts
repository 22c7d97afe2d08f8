import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { UserError } from '../errors.js';
import { renderTemplate } from '../template/engine.js';
import type { GoValue } from '../template/format.js';
import { fromYamlValue } from '../template/values.js';
import { parseJobYaml } from './yaml.js';

/** mark-devkit's job file (pkg/specs/definition.go), as jetpack reads it; see docs/JOBS.md. */

export const HOOK_TYPES = ['outer-pre-sourcer', 'outer-pre-chroot', 'inner-chroot', 'outer-chroot', 'outer-post-chroot', 'outer-post-output'] as const;
export type HookType = (typeof HOOK_TYPES)[number];

export const SOURCE_TYPES = ['http', 'anise', 'debian', 'image'] as const;
export const OUTPUT_TYPES = ['file', 'image'] as const;

export interface Bind {
  source: string;
  target: string;
}

export interface JobSource {
  type: (typeof SOURCE_TYPES)[number];
  uri?: string;
  path?: string;
  target?: string;
  anise_config?: string;
  anise_repos?: string[];
  anise_packages?: string[];
  /** type debian (jetpack): mmdebstrap's suite, variant, packages, components, mirror. */
  suite?: string;
  variant?: string;
  packages?: string[];
  components?: string[];
  mirror?: string;
  /** type image (jetpack): a store image whose rendered rootfs is the source. */
  image?: string;
}

export interface JobOutput {
  type: (typeof OUTPUT_TYPES)[number];
  name: string;
  dir?: string;
  /** type image (jetpack): labels of the stored image. */
  labels?: Record<string, string>;
}

export interface Job {
  name: string;
  source: JobSource;
  output: JobOutput;
  options: Record<string, GoValue>;
  environments: Array<{ key: string; value: string }>;
  workspacedir: string;
  chroot_binds: Bind[];
  hooks_basedir: string;
  hooks_files: string[];
}

export interface Hook {
  type: HookType;
  name: string;
  description: string;
  entrypoint: string[];
  commands: string[];
  chroot_binds: Bind[];
}

export interface HookFile {
  file: string;
  hooks: Hook[];
}

/** A job as it runs: templates rendered, paths absolute, hook files read. */
export interface RenderedJob {
  specFile: string;
  job: Job;
  hooks: HookFile[];
}

type Raw = Record<string, unknown>;

class Fields {
  constructor(private readonly where: string) {}

  fail(field: string, why: string): never {
    throw new UserError(`${this.where}: ${field}: ${why}`);
  }

  object(v: unknown, field: string): Raw {
    if (v === undefined || v === null) return {};
    if (typeof v !== 'object' || Array.isArray(v)) this.fail(field, 'must be a map');
    return v as Raw;
  }

  string(v: unknown, field: string, fallback = ''): string {
    if (v === undefined || v === null) return fallback;
    if (typeof v === 'string') return v;
    if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean') return String(v);
    this.fail(field, 'must be a string');
  }

  strings(v: unknown, field: string): string[] {
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v)) this.fail(field, 'must be a list of strings');
    return v.map((x, i) => this.string(x, `${field}[${i}]`));
  }

  binds(v: unknown, field: string): Bind[] {
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v)) this.fail(field, 'must be a list of {source, target}');
    return v.map((b, i) => {
      const o = this.object(b, `${field}[${i}]`);
      const source = this.string(o.source, `${field}[${i}].source`);
      const target = this.string(o.target, `${field}[${i}].target`);
      if (!source || !target) this.fail(`${field}[${i}]`, 'needs both source and target');
      return { source, target };
    });
  }

  oneOf<T extends string>(v: unknown, field: string, choices: readonly T[], fallback?: T): T {
    const s = this.string(v, field, fallback);
    if (!(choices as readonly string[]).includes(s)) this.fail(field, `${s ? `unknown type "${s}"` : 'missing'} (one of ${choices.join(', ')})`);
    return s as T;
  }
}

/** Job, hook and config files are a few KiB; this bounds what a mistaken or hostile path makes jetpack read. */
export const MAX_JOB_FILE_BYTES = 1 << 20;

export async function readJobText(file: string, what: string): Promise<string> {
  try {
    const st = await stat(file);
    if (!st.isFile()) throw new UserError(`${what} ${file} is not a regular file`);
    if (st.size > MAX_JOB_FILE_BYTES) throw new UserError(`${what} ${file} is larger than ${MAX_JOB_FILE_BYTES >> 20} MiB: not read`);
    return await readFile(file, 'utf8');
  } catch (err) {
    if (err instanceof UserError) throw err;
    const e = err as NodeJS.ErrnoException;
    throw new UserError(e.code === 'ENOENT' ? `${what} ${file} does not exist` : `cannot read ${what} ${file}: ${e.message}`);
  }
}

function render(text: string | undefined, name: string, values: GoValue): string | undefined {
  return text === undefined ? undefined : renderTemplate(text, { name, values });
}

/** mark-devkit's Job.Render path rule: a relative path is relative to the spec file's directory. */
function fromSpecDir(specDir: string, p: string | undefined): string | undefined {
  return p === undefined || p === '' ? p : path.isAbsolute(p) ? path.normalize(p) : path.join(specDir, p);
}

function readJob(raw: Raw, f: Fields): Job {
  const source = f.object(raw.source, 'source');
  const output = f.object(raw.output, 'output');
  const environments = raw.environments === undefined || raw.environments === null ? [] : raw.environments;
  if (!Array.isArray(environments)) f.fail('environments', 'must be a list of {key, value}');
  const labels = f.object(output.labels, 'output.labels');
  return {
    name: f.string(raw.name, 'name'),
    source: {
      type: f.oneOf(source.type, 'source.type', SOURCE_TYPES),
      uri: source.uri === undefined ? undefined : f.string(source.uri, 'source.uri'),
      path: source.path === undefined ? undefined : f.string(source.path, 'source.path'),
      target: source.target === undefined ? undefined : f.string(source.target, 'source.target'),
      anise_config: source.anise_config === undefined ? undefined : f.string(source.anise_config, 'source.anise_config'),
      anise_repos: f.strings(source.anise_repos, 'source.anise_repos'),
      anise_packages: f.strings(source.anise_packages, 'source.anise_packages'),
      suite: source.suite === undefined ? undefined : f.string(source.suite, 'source.suite'),
      variant: source.variant === undefined ? undefined : f.string(source.variant, 'source.variant'),
      packages: f.strings(source.packages, 'source.packages'),
      components: f.strings(source.components, 'source.components'),
      mirror: source.mirror === undefined ? undefined : f.string(source.mirror, 'source.mirror'),
      image: source.image === undefined ? undefined : f.string(source.image, 'source.image'),
    },
    output: {
      type: f.oneOf(output.type, 'output.type', OUTPUT_TYPES, 'file'),
      name: f.string(output.name, 'output.name'),
      dir: output.dir === undefined ? undefined : f.string(output.dir, 'output.dir'),
      labels: Object.fromEntries(Object.entries(labels).map(([k, v]) => [k, f.string(v, `output.labels.${k}`)])),
    },
    options: fromYamlValue(f.object(raw.options, 'options')) as Record<string, GoValue>,
    environments: environments.map((e, i) => {
      const o = f.object(e, `environments[${i}]`);
      return { key: f.string(o.key, `environments[${i}].key`), value: f.string(o.value, `environments[${i}].value`) };
    }),
    workspacedir: f.string(raw.workspacedir, 'workspacedir'),
    chroot_binds: f.binds(raw.chroot_binds, 'chroot_binds'),
    hooks_basedir: f.string(raw.hooks_basedir, 'hooks_basedir'),
    hooks_files: f.strings(raw.hooks_files, 'hooks_files'),
  };
}

/** A hook file, rendered as whole text with the job's options before it is parsed (as mark-devkit does). */
async function readHookFile(file: string, values: GoValue): Promise<HookFile> {
  const text = render(await readJobText(file, 'hook file'), file, values)!;
  const raw = parseJobYaml(text, file);
  const f = new Fields(file);
  // A file without a hooks list is no hook file (a wrong path, ../../etc/shadow): refused, not read as none.
  const top = raw && typeof raw === 'object' && !Array.isArray(raw) ? (raw as Raw) : {};
  if (!('hooks' in top)) throw new UserError(`${file}: not a hook file: it holds no "hooks:" list`);
  const list: unknown[] = top.hooks === null ? [] : Array.isArray(top.hooks) ? top.hooks : f.fail('hooks', 'must be a list');
  return {
    file,
    hooks: list.map((h, i) => {
      const o = f.object(h, `hooks[${i}]`);
      const name = f.string(o.name, `hooks[${i}].name`);
      const field = `hooks[${i}]${name ? ` (${name})` : ''}`;
      return {
        type: f.oneOf(o.type, `${field}.type`, HOOK_TYPES, 'inner-chroot'),
        name,
        description: f.string(o.description, `${field}.description`),
        entrypoint: f.strings(o.entrypoint, `${field}.entrypoint`),
        commands: f.strings(o.commands, `${field}.commands`),
        chroot_binds: f.binds(o.chroot_binds, `${field}.chroot_binds`),
      };
    }),
  };
}

/**
 * Loads job `name` of `specFile` and renders it as mark-devkit's Job.Render does: the
 * templated fields (source uri, path, target, output name, dir), relative paths from the
 * spec file's directory, and every hook file read and rendered.
 */
export async function loadJob(specFile: string, name: string): Promise<RenderedJob> {
  const file = path.resolve(specFile);
  const raw = parseJobYaml(await readJobText(file, 'job file'), file);
  const top = new Fields(file).object(raw, '(top level)');
  const jobs = top.jobs;
  if (!Array.isArray(jobs)) throw new UserError(`${file}: jobs: must be a list of jobs`);
  const found = jobs.find((j) => j && typeof j === 'object' && (j as Raw).name === name) as Raw | undefined;
  if (!found) {
    const names = jobs.map((j) => (j && typeof j === 'object' ? String((j as Raw).name) : '?')).join(', ') || 'none';
    throw new UserError(`${file}: no job "${name}" (the file has: ${names})`);
  }
  const where = `${file}: job ${name}`;
  const job = readJob(found, new Fields(where));
  const specDir = path.dirname(file);
  const values = job.options;
  const field = (f: string) => `${file}: job ${name}: ${f}`;
  job.source.uri = render(job.source.uri, field('source.uri'), values);
  job.source.path = render(job.source.path, field('source.path'), values);
  job.source.target = fromSpecDir(specDir, render(job.source.target, field('source.target'), values));
  job.output.name = render(job.output.name, field('output.name'), values)!;
  job.output.dir = fromSpecDir(specDir, render(job.output.dir, field('output.dir'), values));
  job.workspacedir = fromSpecDir(specDir, job.workspacedir || 'workspace')!;
  // Joined even when absolute, as mark-devkit's filepath.Join(specDir, hooks_basedir) does.
  job.hooks_basedir = path.join(specDir, job.hooks_basedir);
  job.hooks_files = job.hooks_files.map((h) => path.join(job.hooks_basedir, h));
  for (const [i, hookFile] of job.hooks_files.entries()) {
    if (
      !(await stat(hookFile).then(
        (s) => s.isFile(),
        () => false,
      ))
    )
      throw new UserError(`${where}: hooks_files[${i}]: ${hookFile} does not exist`);
  }
  const hooks: HookFile[] = [];
  for (const hookFile of job.hooks_files) hooks.push(await readHookFile(hookFile, values));
  return { specFile: file, job, hooks };
}
