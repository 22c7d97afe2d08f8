import { access, open } from 'node:fs/promises';

/** Whether a failed file-system call means "nothing is there": ENOENT, or ENOTDIR (a component of the path is a file). */
export function isAbsent(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

/**
 * The result of a file-system call, or undefined when its path does not exist. Any other
 * failure (EACCES, EIO, ELOOP…) is thrown: a file that cannot be read is not an absent one.
 * `ifExists(lstat(p))`, `ifExists(readFile(p, 'utf8'))`.
 */
export async function ifExists<T>(call: Promise<T>): Promise<T | undefined> {
  try {
    return await call;
  } catch (err) {
    if (isAbsent(err)) return undefined;
    throw err;
  }
}

/**
 * Whether `file` exists (following symlinks) and, given `mode` (fs.constants.X_OK…), allows it.
 * A failure other than absence or a refused mode is thrown.
 */
export async function pathExists(file: string, mode?: number): Promise<boolean> {
  try {
    await access(file, mode);
    return true;
  } catch (err) {
    if (isAbsent(err) || (mode !== undefined && (err as NodeJS.ErrnoException).code === 'EACCES')) return false;
    throw err;
  }
}

/** fsync(2) of a directory: makes the entries just created or renamed in it durable. */
export async function syncDirectory(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}
