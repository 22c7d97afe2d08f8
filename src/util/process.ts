import { spawn, type StdioOptions } from 'node:child_process';
import os from 'node:os';
import { PassThrough, type Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { UserError } from '../errors.js';
import type { Progress } from './progress.js';

/** Debian packages that provide the tools jetpack runs, for "not installed" hints. */
const PACKAGE_OF: Record<string, string> = {
  tar: 'tar',
  xz: 'xz-utils',
  zstd: 'zstd',
  bzip2: 'bzip2',
  flock: 'util-linux',
  unshare: 'util-linux',
  setpriv: 'util-linux',
  mount: 'mount',
  mknod: 'coreutils',
  getfattr: 'attr',
  setfattr: 'attr',
  ostree: 'ostree',
  flatpak: 'flatpak',
  igzip: 'isal',
  skopeo: 'skopeo',
  gpg: 'gpg',
  gpgv: 'gpgv',
  newuidmap: 'uidmap',
  newgidmap: 'uidmap',
};

const STDERR_LIMIT = 64 * 1024;

export interface RunOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** What the command does, for error messages ("extracting the archive"). */
  what?: string;
}

export interface RunReportingOptions extends RunOptions {
  /** Shows the command's stderr, its own progress, line by line; finished or failed with it. */
  progress?: Progress;
}

function commandFailure(cmd: string, opts: RunOptions, code: number | null, signal: string | null, stderr: string): UserError {
  // Tools prefix their real complaint with their name; the rest is often advice (bzip2's).
  const lines = stderr.trim().split('\n').filter(Boolean);
  const own = lines.filter((l) => l.startsWith(`${cmd}: `));
  // sh's words when the exec in diesWithJetpack finds no such command.
  if (code === 127 && lines.some((l) => /exec: .*: not found$/.test(l))) return notInstalled(cmd);
  const detail = (own.length ? own : lines).slice(-3).join('; ');
  const how = signal ? `killed by ${signal}` : `exited with status ${code}`;
  const what = opts.what ? `${opts.what}: ` : '';
  return new UserError(`${what}${cmd} ${how}${detail ? `: ${detail}` : ''}`);
}

/** "CMD is not installed", with the Debian package that has it when jetpack knows it. */
export function notInstalled(cmd: string): UserError {
  const pkg = PACKAGE_OF[cmd];
  return new UserError(`${cmd} is not installed${pkg ? ` (apt-get install ${pkg})` : ''}`);
}

function spawnFailure(cmd: string, err: NodeJS.ErrnoException): UserError {
  return err.code === 'ENOENT' ? notInstalled(cmd) : new UserError(`cannot run ${cmd}: ${err.message}`, 1, { cause: err });
}

function collectStderr(stream: Readable | null, progress?: Progress): () => string {
  let text = '';
  let partial = '';
  stream?.on('data', (chunk: Buffer) => {
    const piece = chunk.toString();
    if (text.length < STDERR_LIMIT) text += piece;
    if (!progress) return;
    // Progress bars redraw with \r: each redraw is a line of its own.
    const lines = (partial + piece).split(/\r\n|\r|\n/);
    partial = lines.pop()!;
    for (const line of lines) progress.line(line);
  });
  stream?.on('end', () => partial && progress?.line(partial));
  return () => text;
}

/**
 * Run as `sh -c TIED_CHECK JETPACK_PID CMD ARGS…` under `setpriv --pdeathsig KILL`: execs
 * CMD only if jetpack is still the parent. PR_SET_PDEATHSIG set after jetpack already died
 * would never fire (the child has been reparented), and on a busy machine that window
 * between fork and prctl is real; checking the parent after the prctl closes it.
 */
const TIED_CHECK = '[ "$PPID" = "$0" ] && exec "$@"; exit 137';

/**
 * The command line that runs `cmd` so that it is killed when jetpack dies, even by SIGKILL
 * and even when jetpack dies while it starts: a tar or cp left running would go on writing
 * into a staging directory that fsck or the next build is removing.
 */
export function diesWithJetpack(cmd: string, args: readonly string[]): [string, string[]] {
  return ['setpriv', ['--pdeathsig', 'KILL', '--', 'sh', '-c', TIED_CHECK, String(process.pid), cmd, ...args]];
}

/** A child's exit status as a shell gives it: its code, or 128+N when signal N killed it. */
export function exitStatus(code: number | null, signal: NodeJS.Signals | null): number {
  return code ?? 128 + (signal ? os.constants.signals[signal] : 0);
}

export interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  /** The first 64 KiB of it. */
  stderr: string;
}

/** Runs a command to completion, whatever its exit status: for tools whose status is an answer (gpgv). */
export function runToEnd(cmd: string, args: readonly string[], opts: RunReportingOptions & { input?: string | Buffer } = {}): Promise<Finished> {
  return new Promise((resolve, reject) => {
    const child = spawn(...diesWithJetpack(cmd, args), { cwd: opts.cwd, env: opts.env, stdio: ['pipe', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => chunks.push(c));
    const stderr = collectStderr(child.stderr, opts.progress);
    child.on('error', (err) => reject(spawnFailure('setpriv', err))); // what runs first: diesWithJetpack
    child.on('close', (code, signal) => resolve({ code, signal, stdout: Buffer.concat(chunks).toString(), stderr: stderr() }));
    child.stdin.on('error', () => {}); // the exit status tells what went wrong
    child.stdin.end(opts.input ?? '');
  });
}

/** Runs a command to completion and returns its stdout; fails with its stderr. */
export async function run(cmd: string, args: readonly string[], opts: RunReportingOptions & { input?: string | Buffer } = {}): Promise<string> {
  const done = await runToEnd(cmd, args, opts).catch((err: unknown) => {
    opts.progress?.fail();
    throw err;
  });
  if (done.code !== 0) {
    opts.progress?.fail();
    throw commandFailure(cmd, opts, done.code, done.signal, done.stderr);
  }
  opts.progress?.finish();
  return done.stdout;
}

/**
 * Starts a command and returns its stdout as a stream that ends only when the command
 * succeeded; a non-zero exit destroys the stream with the command's stderr. Destroying the
 * stream early kills the command.
 */
export function spawnReader(cmd: string, args: readonly string[], opts: RunOptions & { stdin?: Readable | number | 'ignore' } = {}): Readable {
  const stdinIsStream = typeof opts.stdin === 'object';
  const stdio: StdioOptions = [typeof opts.stdin === 'number' ? opts.stdin : stdinIsStream ? 'pipe' : 'ignore', 'pipe', 'pipe'];
  const child = spawn(...diesWithJetpack(cmd, args), { cwd: opts.cwd, env: opts.env, stdio });
  const out = new PassThrough({ highWaterMark: 1 << 20 });
  const stderr = collectStderr(child.stderr);
  child.stdout!.pipe(out, { end: false });
  if (typeof opts.stdin === 'object') {
    const input = opts.stdin;
    child.stdin!.on('error', () => {});
    input.on('error', (err) => out.destroy(err));
    input.pipe(child.stdin!);
  }
  child.on('error', (err) => out.destroy(spawnFailure('setpriv', err))); // what runs first: diesWithJetpack
  child.on('close', (code, signal) => {
    if (code === 0) out.end();
    else if (!out.destroyed) out.destroy(commandFailure(cmd, opts, code, signal, stderr()));
  });
  out.on('close', () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  return out;
}

export interface WriterProcess {
  stdin: Writable;
  /** Settles when the command exits: resolves on status 0, rejects with its stderr otherwise. */
  done: Promise<void>;
  kill(): void;
}

/** Starts a command that reads from the returned stdin; stdout goes to `stdout` (a fd) or is discarded. */
export function spawnWriter(cmd: string, args: readonly string[], opts: RunOptions & { stdout?: number | 'inherit' } = {}): WriterProcess {
  const child = spawn(...diesWithJetpack(cmd, args), { cwd: opts.cwd, env: opts.env, stdio: ['pipe', opts.stdout ?? 'ignore', 'pipe'] });
  const stderr = collectStderr(child.stderr);
  child.stdin!.on('error', () => {}); // EPIPE when the command fails early: its status says why
  const done = new Promise<void>((resolve, reject) => {
    child.on('error', (err) => reject(spawnFailure('setpriv', err))); // what runs first: diesWithJetpack
    child.on('close', (code, signal) => (code === 0 ? resolve() : reject(commandFailure(cmd, opts, code, signal, stderr()))));
  });
  return {
    stdin: child.stdin!,
    done,
    kill: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
}

/**
 * Runs a command with its stdout on jetpack's stderr (a tool's progress, shown on a terminal)
 * and its stderr kept for the caller's error line; resolves with both once it exits. A
 * command that is not installed is the usual "not installed" error.
 */
export function runShowingProgress(cmd: string, args: readonly string[], env?: NodeJS.ProcessEnv): Promise<{ status: number; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(...diesWithJetpack(cmd, args), { env, stdio: ['ignore', 2, 'pipe'] });
    const stderr = collectStderr(child.stderr);
    child.on('error', (err) => reject(spawnFailure('setpriv', err))); // what runs first: diesWithJetpack
    child.on('close', (code, signal) => {
      const status = exitStatus(code, signal);
      if (status === 127 && /not found/.test(stderr())) reject(notInstalled(cmd));
      else resolve({ status, stderr: stderr() });
    });
  });
}

const BROKEN_PIPE = new Set(['EPIPE', 'ERR_STREAM_PREMATURE_CLOSE', 'ERR_STREAM_DESTROYED']);

/**
 * Pipes `source` into a command and waits for both. A failing source (corrupt data) is
 * reported first, then a failing command.
 */
export async function feedProcess(source: Readable, proc: WriterProcess): Promise<void> {
  const [fed, exited] = await Promise.allSettled([pipeline(source, proc.stdin), proc.done]);
  if (fed.status === 'rejected' && !BROKEN_PIPE.has((fed.reason as NodeJS.ErrnoException).code ?? '')) throw fed.reason;
  if (exited.status === 'rejected') throw exited.reason;
  // The command succeeded without reading everything (tar stops at the end-of-archive
  // blocks, before the padding): the broken pipe is no failure then.
}
