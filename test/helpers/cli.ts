import { spawn, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

// Tests reach no address but loopback: a name the store lacks is an error, not a discovery on
// the internet. The fetch tests turn fetching on for their own loopback site.
process.env.JETPACK_NO_FETCH ??= '1';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const JETPACK = path.join(REPO, 'bin', 'jetpack');

export interface Result {
  status: number;
  stdout: string;
  stderr: string;
}

/** Runs bin/jetpack (the compiled CLI) with the given store root. */
export function jetpack(root: string, args: string[], opts: { input?: string | Buffer; env?: NodeJS.ProcessEnv; cwd?: string } = {}): Result {
  const r: SpawnSyncReturns<string> = spawnSync(JETPACK, [`-root=${root}`, ...args], {
    input: opts.input,
    encoding: 'utf8',
    cwd: opts.cwd,
    env: { ...process.env, CI: 'true', JETPACK_DEBUG: '', ...opts.env },
    maxBuffer: 1 << 30,
    timeout: 300_000, // a hung jetpack fails its test instead of stalling the suite
  });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** Like jetpack() but fails the test with the command's stderr when it exits non-zero. */
export function jetpackOk(root: string, args: string[], opts: Parameters<typeof jetpack>[2] = {}): string {
  const r = jetpack(root, args, opts);
  if (r.status !== 0) throw new Error(`jetpack ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return r.stdout;
}

/** Runs a shell command line; throws with stderr on failure. */
export function sh(script: string, opts: { cwd?: string; input?: string | Buffer } = {}): string {
  const r = spawnSync('bash', ['-euo', 'pipefail', '-c', script], { cwd: opts.cwd, input: opts.input, encoding: 'utf8', maxBuffer: 1 << 30 });
  if (r.status !== 0) throw new Error(`${script}\nexited ${r.status}: ${r.stderr}`);
  return r.stdout;
}

/**
 * A copy of images/NAME at `dest` without what a build in the checkout left there (the README's
 * quick start builds images/busybox and example.hello in place before the tests run).
 */
export function copyImageDir(name: string, dest: string): void {
  sh(`rm -rf "${dest}" && mkdir -p "$(dirname "${dest}")" && cp -r "${REPO}/images/${name}" "${dest}"`);
  // An image script's directory is tidied by its own clean target, a Makefile's by make's.
  sh(
    existsSync(path.join(dest, 'Makefile')) ? `make -s -C "${dest}" JETPACK="${JETPACK}" clean >/dev/null` : `"${JETPACK}" script "${dest}" clean 2>/dev/null`,
  );
}

export function tempDir(prefix = 'jetpack-test-'): string {
  return mkdtempSync(path.join(os.tmpdir(), prefix));
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** A snapshot of a store's visible state: its image directories and tmp/ entries. */
export function storeState(root: string): { images: string[]; tmp: string[] } {
  const list = (dir: string) => {
    try {
      return readdirSync(path.join(root, dir)).sort();
    } catch {
      return [];
    }
  };
  return { images: list('images'), tmp: list('tmp') };
}

/**
 * Makes an ACI with GNU tar from a rootfs directory and a manifest object: the way other
 * tools (and Jetpack's makeaci.sh) write them. Returns the path of the ACI.
 */
export function makeAciWithTar(dir: string, rootfs: string, manifest: object, compress: '' | 'gzip' | 'bzip2' | 'xz' | 'zstd' = ''): string {
  const work = path.join(dir, `aci-${Math.random().toString(36).slice(2)}`);
  sh(`mkdir -p "${work}" && cp -a "${rootfs}" "${work}/rootfs"`);
  sh(`cat > "${work}/manifest"`, { input: JSON.stringify(manifest) });
  const out = `${work}.aci`;
  const filter = compress ? `| ${compress} -c` : '';
  sh(`tar -C "${work}" --format=posix --xattrs --xattrs-include='*' --acls --numeric-owner -cf - manifest rootfs ${filter} > "${out}"`);
  return out;
}

export const MINIMAL_MANIFEST = { acKind: 'ImageManifest', acVersion: '0.8.11', name: 'example.com/test' };

/** Runs bin/jetpack without blocking the event loop (for tests that serve HTTP themselves). */
export function jetpackAsync(root: string, args: string[], opts: { env?: NodeJS.ProcessEnv } = {}): Promise<Result> {
  return new Promise((resolve) => {
    const child = spawn(JETPACK, [`-root=${root}`, ...args], { env: { ...process.env, CI: 'true', JETPACK_DEBUG: '', ...opts.env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ status: code ?? -1, stdout, stderr }));
  });
}

/**
 * Every entry of a tree with what must survive a round trip: type, mode (with setuid,
 * setgid, sticky), numeric owner, size, mtime in ns, device numbers, link target, the
 * hardlink group and all xattrs (security.capability and ACLs included).
 */
export function describeTree(dir: string): Map<string, string> {
  const stats = sh(`cd "${dir}" && find . -mindepth 1 -print0 | sort -z | xargs -0 -r stat -c '%n|%F|%a|%u|%g|%s|%.9Y|%t:%T|%h|%i|%N'`);
  const xattrs = new Map<string, string[]>();
  let current = '';
  for (const line of sh(`cd "${dir}" && getfattr -R -P -h -d -m - -e hex . 2>/dev/null || true`).split('\n')) {
    if (line.startsWith('# file: ')) current = `./${line.slice(8)}`;
    else if (line.trim()) xattrs.set(current, [...(xattrs.get(current) ?? []), line.trim()]);
  }
  const firstOfInode = new Map<string, string>();
  const out = new Map<string, string>();
  for (const line of stats.trim().split('\n').filter(Boolean)) {
    const [name, type, mode, uid, gid, size, mtime, dev, nlink, inode, quoted] = line.split('|');
    const group = type === 'directory' ? '' : (firstOfInode.get(inode) ?? name);
    if (!firstOfInode.has(inode)) firstOfInode.set(inode, name);
    const target = type === 'symbolic link' ? quoted.split(' -> ')[1] : '';
    const shownSize = type === 'directory' ? '' : size;
    const attrs = (xattrs.get(name) ?? []).sort().join(',');
    out.set(name, [type, mode, uid, gid, shownSize, mtime, dev, nlink, group, target, attrs].join('|'));
  }
  return out;
}

/** Polls `ok` every 50 ms until it holds; fails the test naming `what` after `ms`. */
export async function until(what: string, ok: () => boolean, ms = 10_000): Promise<void> {
  for (const end = Date.now() + ms; Date.now() < end; await sleep(50)) if (ok()) return;
  throw new Error(`timed out waiting: ${what}`);
}
