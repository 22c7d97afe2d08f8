import { spawn } from 'node:child_process';
import { UserError } from '../errors.js';

export interface Lock {
  release(): Promise<void>;
}

const BUSY = 75;

/**
 * Takes a flock(2) on `file` (created if missing) and holds it in a child process:
 * Node has no flock, and a helper whose stdin is our pipe releases the lock by itself the
 * moment jetpack dies, even by SIGKILL, so a crash never leaves a stale lock.
 * Returns null when `wait` is false and someone else holds the lock.
 */
export function acquireLock(file: string, mode: 'shared' | 'exclusive', wait = true): Promise<Lock | null> {
  const args = [mode === 'shared' ? '-s' : '-x', '-E', String(BUSY)];
  if (!wait) args.push('-n');
  args.push(file, 'sh', '-c', 'echo locked; exec cat >/dev/null');
  const child = spawn('flock', args, { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  return new Promise((resolve, reject) => {
    child.on('error', (err: NodeJS.ErrnoException) =>
      reject(new UserError(err.code === 'ENOENT' ? 'flock is not installed (apt-get install util-linux)' : `cannot lock ${file}: ${err.message}`)),
    );
    child.stdout.once('data', () => {
      // A held lock must not keep jetpack alive (a forgotten release would hang it); while
      // it is being released, the helper is referenced again so the wait can finish.
      child.unref();
      for (const stream of [child.stdin, child.stdout, child.stderr] as unknown as Array<{ unref(): void }>) stream.unref();
      resolve({
        release: async () => {
          child.ref();
          child.stdin.end();
          await exited;
        },
      });
    });
    child.on('close', (code) => {
      if (code === BUSY) resolve(null);
      else reject(new UserError(`cannot lock ${file}: ${stderr.trim() || `flock exited with status ${code}`}`));
    });
  });
}
