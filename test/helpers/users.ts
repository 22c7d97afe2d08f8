import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { JETPACK, sh, type Result } from './cli.js';

/**
 * Ordinary users for the rootless tests (docs/ROOTLESS.md): made with useradd, which gives
 * each a 65536-ID subordinate range in /etc/subuid and /etc/subgid (or none, when asked),
 * and removed with everything they own, processes included, by removeTestUser.
 */
export interface TestUser {
  name: string;
  uid: number;
  gid: number;
  home: string;
  /** The user's default store (docs/ROOTLESS.md): ~/.local/share/jetpack. */
  store: string;
}

let made = 0;

/** A new user with a home of its own; `subordinateIds: false` gives it none. */
export function createTestUser(opts: { subordinateIds?: boolean } = {}): TestUser {
  const name = `jpt${process.pid % 100000}x${made++}`;
  const none = opts.subordinateIds === false ? '-K SUB_UID_COUNT=0 -K SUB_GID_COUNT=0' : '';
  // useradd refuses while another holds /etc/passwd's lock (suites and helpers run side by side).
  for (let tries = 0; ; tries++) {
    const r = spawnSync('sh', ['-c', `useradd -m -s /bin/sh ${none} ${name}`], { encoding: 'utf8' });
    if (r.status === 0) break;
    if (tries === 50 || !/lock/i.test(r.stderr)) throw new Error(`useradd ${name}: ${r.stderr}`);
    spawnSync('sleep', ['0.2']);
  }
  const [uid, gid] = sh(`id -u ${name}; id -g ${name}`).trim().split('\n').map(Number);
  const home = sh(`getent passwd ${name} | cut -d: -f6`).trim();
  return { name, uid, gid, home, store: path.join(home, '.local', 'share', 'jetpack') };
}

/** Kills the user's processes, then removes the user, its home (files of its subordinate IDs too) and its subordinate ranges. */
export function removeTestUser(user: TestUser): void {
  spawnSync('pkill', ['-KILL', '-u', user.name]);
  for (let i = 0; i < 50 && spawnSync('pgrep', ['-u', user.name]).status === 0; i++) spawnSync('sleep', ['0.1']);
  spawnSync('userdel', ['-r', '-f', user.name], { stdio: 'ignore' });
  spawnSync('rm', ['-rf', user.home]);
}

/** The user's subordinate range in `file` (/etc/subuid or /etc/subgid). */
export function subordinateRange(user: TestUser, file = '/etc/subuid'): { start: number; count: number } | undefined {
  const line = readFileSync(file, 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${user.name}:`));
  if (!line) return undefined;
  const [, start, count] = line.split(':').map(Number);
  return { start, count };
}

/** The command line that runs `argv` as the user, with a login's environment (HOME, USER, PATH) plus `env`. */
export function asUserArgv(user: TestUser, argv: string[], env: Record<string, string> = {}): string[] {
  const vars = { HOME: user.home, USER: user.name, LOGNAME: user.name, PATH: process.env.PATH ?? '/usr/bin:/bin', CI: 'true', JETPACK_NO_FETCH: '1', ...env };
  return [
    'setpriv',
    `--reuid=${user.uid}`,
    `--regid=${user.gid}`,
    '--init-groups',
    '--reset-env',
    'env',
    ...Object.entries(vars).map(([k, v]) => `${k}=${v}`),
    ...argv,
  ];
}

/** Runs `argv` as the user to completion (cwd: the user's home unless given). */
export function runAs(user: TestUser, argv: string[], opts: { env?: Record<string, string>; cwd?: string; input?: string } = {}): Result {
  const [cmd, ...args] = asUserArgv(user, argv, opts.env);
  const r = spawnSync(cmd, args, { cwd: opts.cwd ?? user.home, input: opts.input, encoding: 'utf8', maxBuffer: 1 << 30, timeout: 600_000 });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** Runs a shell script as the user; throws with its stderr when it fails. */
export function shAs(user: TestUser, script: string, opts: { env?: Record<string, string>; cwd?: string } = {}): string {
  const r = runAs(user, ['bash', '-euo', 'pipefail', '-c', script], opts);
  if (r.status !== 0) throw new Error(`as ${user.name}: ${script}\nexited ${r.status}: ${r.stderr}`);
  return r.stdout;
}

/** bin/jetpack as the user, on its default store unless `args` name another. */
export function jetpackAs(user: TestUser, args: string[], opts: { env?: Record<string, string>; cwd?: string; input?: string } = {}): Result {
  return runAs(user, [JETPACK, ...args], opts);
}

/** Like jetpackAs, but throws with stderr when jetpack fails. */
export function jetpackAsOk(user: TestUser, args: string[], opts: { env?: Record<string, string>; cwd?: string; input?: string } = {}): string {
  const r = jetpackAs(user, args, opts);
  if (r.status !== 0) throw new Error(`as ${user.name}: jetpack ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return r.stdout;
}

/** Starts `argv` as the user without waiting (for kills and concurrent builds). */
export function spawnAs(user: TestUser, argv: string[], opts: { env?: Record<string, string>; cwd?: string } = {}): ChildProcess {
  const [cmd, ...args] = asUserArgv(user, argv, opts.env);
  return spawn(cmd, args, { cwd: opts.cwd ?? user.home, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** A copy of `file` the user owns in its home (test fixtures live in root's 0700 scratch dirs), by its path. */
export function giveToUser(user: TestUser, file: string, name = path.basename(file)): string {
  const dest = path.join(user.home, name);
  sh(`cp -a "${file}" "${dest}" && chown -R ${user.uid}:${user.gid} "${dest}"`);
  return dest;
}
