import { access, open } from 'node:fs/promises';

/** Whether `file` exists (following symlinks) and, given `mode` (fs.constants.X_OK…), allows it. */
export function pathExists(file: string, mode?: number): Promise<boolean> {
  return access(file, mode).then(
    () => true,
    () => false,
  );
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
