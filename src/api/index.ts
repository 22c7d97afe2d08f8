// src/api/: the typed API that drives the CLI.
/**
 * The typed API for scripts: `import { Jetpack } from 'jetpack-linux'`. Every call runs the
 * jetpack CLI named by JETPACK (default `jetpack`; `JETPACK='sudo jetpack'` works as for make)
 * and reads its -json output, never its text. A failure is a JetpackError with the command's
 * exit status and, for builds, the step of Jetpack's build process that failed. docs/API.md.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

export interface JetpackOptions {
  /** The CLI, split on spaces: "sudo jetpack", "/opt/jetpack/bin/jetpack". Default $JETPACK, else "jetpack". */
  jetpack?: string;
  /** The image store (-root); default the CLI's ($JETPACK_ROOT, else /var/lib/jetpack). */
  root?: string;
  /** Extra environment for every command (SOURCE_DATE_EPOCH, JETPACK_NO_FETCH…). */
  env?: Record<string, string>;
}

/** An image of the store, as `jetpack images -json` and `show-image -json` describe it. */
export interface Image {
  id: string;
  name: string;
  labels: Record<string, string>;
  /** Bytes of its uncompressed ACI. */
  size: number;
  /** When it was stored (RFC 3339). */
  stored: string;
  /** IDs of the images it is layered on, nearest first. */
  dependencies: string[];
}

export interface ImageDetails extends Image {
  /** The appc image manifest. */
  manifest: ImageManifest;
}

/** The appc ImageManifest, as far as scripts usually need it; other fields pass through. */
export interface ImageManifest {
  acKind?: 'ImageManifest';
  acVersion?: string;
  name: string;
  labels?: Array<{ name: string; value: string }>;
  annotations?: Array<{ name: string; value: string }>;
  dependencies?: Array<{ imageName: string; imageID?: string; labels?: Array<{ name: string; value: string }> }>;
  app?: {
    exec?: string[];
    user: string;
    group: string;
    workingDirectory?: string;
    environment?: Array<{ name: string; value: string }>;
    ports?: Array<{ name: string; protocol: string; port: number }>;
    mountPoints?: Array<{ name: string; path: string; readOnly?: boolean }>;
    [field: string]: unknown;
  };
  [field: string]: unknown;
}

export interface StoredResult extends Image {
  /** False when the store already held the image. */
  added: boolean;
}

/** The seven steps of a build (`jetpack build`), as arguments. */
export interface BuildRequest {
  /** (1) The parent: an ID, or name[:version][,label=value…] (fetched when the store lacks it). */
  parent: string;
  /** (2) The build directory copied into the work dir; default the current directory. */
  dir?: string;
  /** (3) Extra files copied into the work dir by basename (globs allowed). */
  copy?: string[];
  /** (4) The command run as root in the work dir. */
  command: string[];
  /**
   * (5) The manifest, merged with jetpack's defaults (acKind, acVersion, os/arch, the parent as
   * dependency, timestamp). Without it the build dir's manifest.json (or the command's) is used.
   */
  manifest?: ImageManifest;
  /** (7) Also write the new image's ID to this file, as -saveid does. */
  saveid?: string;
  /** The container's network: the host's (default) or none. */
  network?: 'host' | 'none';
}

export type ExportFormat = 'aci' | 'oci' | 'oci-archive' | 'docker-archive' | 'flatpak' | 'flatpak-app' | 'portable';

export interface ExportRequest {
  format?: ExportFormat;
  /** aci: the whole rendered rootfs without dependencies. */
  flat?: boolean;
  /** oci formats: one layer instead of one per jetpack layer. */
  squash?: boolean;
  /** oci formats: the tag. */
  tag?: string;
  /** aci: none, gzip, bzip2, xz, zstd; oci: gzip, zstd, none. */
  compress?: string;
  /** flatpak formats: the ref, the runtime an app runs on. */
  ref?: string;
  runtime?: string;
  /** portable: squashfs or erofs. */
  fs?: 'squashfs' | 'erofs';
}

export interface ExportResult {
  format: ExportFormat;
  output: string;
  /** aci: the ID of what was written (the image's own, or the flat ACI's). */
  id?: string;
  /** oci formats: the manifest digest (docker-archive: the config's). */
  digest?: string;
  /** flatpak formats. */
  ref?: string;
  commit?: string;
  /** portable: the unit files found. */
  units?: string[];
}

export interface RunRequest {
  env?: Record<string, string>;
  user?: string;
  workdir?: string;
  network?: 'host' | 'none';
  binds?: string[];
}

export interface RunResult {
  status: number;
  stdout: string;
  stderr: string;
}

/** A jetpack command that failed: which, its exit status, its message, its output and, for builds, the step. */
export class JetpackError extends Error {
  constructor(
    message: string,
    readonly command: string[],
    readonly status: number,
    /** What it printed: a build's command writes to both. */
    readonly stdout: string,
    readonly stderr: string,
    /** The step of Jetpack's build process (1-7) a build failed at. */
    readonly step?: number,
  ) {
    super(message);
    this.name = 'JetpackError';
  }
}

interface Finished {
  status: number;
  stdout: string;
  stderr: string;
}

function failure(argv: string[], done: Finished): JetpackError {
  const last = done.stderr.trimEnd().split('\n').pop() ?? '';
  try {
    const { error } = JSON.parse(last) as { error: { message: string; status: number; step?: number } };
    return new JetpackError(error.message, argv, done.status, done.stdout, done.stderr, error.step);
  } catch {
    const line = done.stderr
      .trim()
      .split('\n')
      .filter((l) => l.startsWith('jetpack: '))
      .pop()
      ?.slice(9);
    return new JetpackError(line ?? `jetpack exited with status ${done.status}`, argv, done.status, done.stdout, done.stderr);
  }
}

export class Jetpack {
  private readonly command: string[];

  constructor(readonly options: JetpackOptions = {}) {
    this.command = (options.jetpack ?? process.env.JETPACK ?? 'jetpack').trim().split(/\s+/);
  }

  /** Runs `jetpack ARGS…`; resolves whatever its status. */
  private exec(args: string[]): Promise<Finished & { argv: string[] }> {
    const argv = [...this.command, ...(this.options.root ? [`-root=${this.options.root}`] : []), ...args];
    return new Promise((resolve, reject) => {
      const child = spawn(argv[0], argv.slice(1), { env: { ...process.env, ...this.options.env }, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
      child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
      child.on('error', (err) => reject(new JetpackError(`cannot run ${argv[0]}: ${err.message}`, argv, 127, '', '')));
      child.on('close', (code, signal) => resolve({ argv, status: code ?? 128 + (signal ? os.constants.signals[signal] : 0), stdout, stderr }));
    });
  }

  /** Runs a -json command and parses its last stdout line; throws a JetpackError on failure. */
  private async json<T>(args: string[]): Promise<T> {
    const done = await this.exec([...args, '-json']);
    if (done.status !== 0) throw failure(done.argv, done);
    return JSON.parse(done.stdout.trimEnd().split('\n').pop()!) as T;
  }

  /** Every image of the store (`jetpack images -a -json`). */
  async images(): Promise<Array<Image & { shadowed: boolean }>> {
    const done = await this.exec(['images', '-a', '-json']);
    if (done.status !== 0) throw failure(done.argv, done);
    return JSON.parse(done.stdout) as Array<Image & { shadowed: boolean }>;
  }

  /** The image IMAGE names (an ID, a unique prefix, or name[:version][,label=value…]), with its manifest. */
  showImage(image: string): Promise<ImageDetails> {
    return this.json(['show-image', image]);
  }

  /** Like showImage, but undefined when the store has no such image. */
  async findImage(image: string): Promise<ImageDetails | undefined> {
    try {
      return await this.showImage(image);
    } catch (err) {
      if (err instanceof JetpackError && /^no image/.test(err.message)) return undefined;
      throw err;
    }
  }

  /** Stores an ACI, OCI layout or archive (`jetpack import`); `sig` checks a detached signature. */
  importImage(location: string, opts: { name?: string; sig?: string } = {}): Promise<StoredResult> {
    return this.json(['import', ...(opts.name ? [`-name=${opts.name}`] : []), ...(opts.sig ? [`-sig=${opts.sig}`] : []), location]);
  }

  /** An image by name, from the store or, for a name under a domain (example.com/app), by appc discovery with its signature checked (`jetpack fetch`). */
  fetch(image: string, opts: { force?: boolean; fingerprint?: string } = {}): Promise<StoredResult> {
    return this.json(['fetch', ...(opts.force ? ['-force'] : []), ...(opts.fingerprint ? [`-fingerprint=${opts.fingerprint}`] : []), image]);
  }

  /** Builds an image in a container made from the parent (`jetpack build`); the build's output is in a failure's stdout and stderr. */
  async build(req: BuildRequest): Promise<StoredResult> {
    const scratch = req.manifest ? await mkdtemp(path.join(os.tmpdir(), 'jetpack-api-')) : undefined;
    try {
      const copy = [...(req.copy ?? [])];
      if (scratch) {
        await writeFile(path.join(scratch, 'manifest.json'), JSON.stringify(req.manifest));
        copy.push(path.join(scratch, 'manifest.json'));
      }
      const args = [
        'build',
        '-json',
        ...copy.map((f) => `-cp=${f}`),
        ...(req.dir ? [`-dir=${req.dir}`] : []),
        ...(req.saveid ? [`-saveid=${req.saveid}`] : []),
        ...(req.network ? [`-net=${req.network}`] : []),
        '--',
        req.parent,
        ...req.command,
      ];
      const done = await this.exec(args);
      if (done.status !== 0) throw failure(done.argv, done);
      return JSON.parse(done.stdout.trimEnd().split('\n').pop()!) as StoredResult;
    } finally {
      if (scratch) await rm(scratch, { recursive: true, force: true });
    }
  }

  /** Runs the image's app, or `command` as root (`jetpack run`); resolves with its exit status and output. */
  async run(image: string, command: string[] = [], req: RunRequest = {}): Promise<RunResult> {
    await this.showImage(image); // a missing image is a JetpackError, not a status
    const flags = [
      ...Object.entries(req.env ?? {}).map(([k, v]) => `-env=${k}=${v}`),
      ...(req.user ? [`-user=${req.user}`] : []),
      ...(req.workdir ? [`-workdir=${req.workdir}`] : []),
      ...(req.network ? [`-net=${req.network}`] : []),
      ...(req.binds ?? []).map((b) => `-bind=${b}`),
    ];
    const { status, stdout, stderr } = await this.exec(['run', ...flags, image, ...command]);
    return { status, stdout, stderr };
  }

  /** Writes the image in any format the CLI has (`jetpack export -format=…`). */
  exportImage(image: string, output: string, req: ExportRequest = {}): Promise<ExportResult> {
    const flags = [
      `-format=${req.format ?? 'aci'}`,
      ...(req.flat ? ['-flat'] : []),
      ...(req.squash ? ['-squash'] : []),
      ...(req.tag ? [`-tag=${req.tag}`] : []),
      ...(req.compress ? [`-compress=${req.compress}`] : []),
      ...(req.ref ? [`-ref=${req.ref}`] : []),
      ...(req.runtime ? [`-runtime=${req.runtime}`] : []),
      ...(req.fs ? [`-fs=${req.fs}`] : []),
    ];
    return this.json(['export', ...flags, image, output]);
  }

  /** Removes images (`jetpack destroy-image`); refused while another image depends on one. */
  async destroy(...images: string[]): Promise<void> {
    const done = await this.exec(['destroy-image', '-json', ...images]);
    if (done.status !== 0) throw failure(done.argv, done);
  }
}
