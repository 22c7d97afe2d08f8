import { spawn } from 'node:child_process';
import { closeSync, openSync, constants as fs } from 'node:fs';
import { UserError } from '../errors.js';
import { diesWithJetpack, notInstalled } from '../util/process.js';

export interface Lock {
  release(): Promise<void>;
}

const BUSY = 75;

/**
 * An fd on `file` to lock: a lock file, created if missing, or a directory (a staging dir,
 * which must exist). libuv opens every fd close-on-exec.
 */
function openForLock(file: string, create: boolean): number {
  try {
    return openSync(file, fs.O_RDONLY);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT' || !create) throw err;
    return openSync(file, fs.O_RDONLY | fs.O_CREAT, 0o644);
  }
}

/** Runs flock(1) on `fd` (as its fd 3) and returns its exit status: 0, or BUSY. */
function flockStatus(file: string, cmd: string, args: readonly string[], fd: number): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe', fd] });
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', (err: NodeJS.ErrnoException) =>
      reject(err.code === 'ENOENT' ? notInstalled(cmd) : new UserError(`cannot lock ${file}: ${err.message}`, 1, { cause: err })),
    );
    child.on('close', (code) => {
      if (code === 0 || code === BUSY) resolve(code);
      else reject(new UserError(`cannot lock ${file}: ${stderr.trim() || `flock exited with status ${code}`}`));
    });
  });
}

/**
 * Takes a flock(2) on `file` for jetpack itself. Node has no flock, so flock(1) takes it on
 * an fd jetpack opened and hands down: a flock belongs to the open file, not to the process
 * that asked, so the lock stays after flock(1) exits, for as long as jetpack keeps the fd
 * open. The kernel closes it when jetpack dies, even by SIGKILL, so a crash never leaves a
 * stale lock; and the fd is close-on-exec, so no other child (a container) inherits it.
 * Returns null when `wait` is false and someone else holds the lock.
 */
export async function acquireLock(file: string, mode: 'shared' | 'exclusive', opts: { wait?: boolean; create?: boolean } = {}): Promise<Lock | null> {
  const { wait = true, create = false } = opts;
  let fd: number;
  try {
    fd = openForLock(file, create);
  } catch (err) {
    throw new UserError(`cannot lock ${file}: ${(err as Error).message}`, 1, { cause: err });
  }
  const flock = (blocking: boolean) => {
    const args = [mode === 'shared' ? '-s' : '-x', '-E', String(BUSY), ...(blocking ? [] : ['-n']), '3'];
    // A flock that waits could outlive a killed jetpack (and then take the lock for a
    // moment): only that one is tied to jetpack; the usual, uncontended try is not.
    const [cmd, argv] = blocking ? diesWithJetpack('flock', args) : ['flock', args];
    return flockStatus(file, cmd, argv, fd);
  };
  let status: number;
  try {
    status = await flock(false);
    if (status === BUSY && wait) status = await flock(true);
  } catch (err) {
    closeSync(fd);
    throw err;
  }
  if (status === BUSY) {
    closeSync(fd);
    return null;
  }
  let held = true;
  return {
    release: () => {
      if (held) closeSync(fd);
      held = false;
      return Promise.resolve();
    },
  };
}
