import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

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
  sh(`tar -C "${work}" --format=posix --xattrs --xattrs-include='*' --numeric-owner -cf - manifest rootfs ${filter} > "${out}"`);
  return out;
}

export const MINIMAL_MANIFEST = { acKind: 'ImageManifest', acVersion: '0.8.11', name: 'example.com/test' };
