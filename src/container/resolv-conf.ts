import { lstat, mkdir, readlink, rm, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';

/** Whether the host's resolv.conf can be bind-mounted over `root`'s: it has a file there, none, or a symlink. */
export async function canLendResolvConf(root: string): Promise<boolean> {
  const st = await lstat(path.join(root, 'etc', 'resolv.conf')).catch(() => undefined);
  return !st || st.isFile() || st.isSymbolicLink();
}

/**
 * Runs `fn` with a regular /etc/resolv.conf in the tree at `root`, for the host's to be
 * bind-mounted over (a bind mount needs a file to cover): a missing one, or a symlink, becomes
 * an empty file meanwhile and is put back as it was after; a regular file is never changed.
 */
export async function withResolvConfFile<T>(root: string, fn: () => Promise<T>): Promise<T> {
  const file = path.join(root, 'etc', 'resolv.conf');
  const st = await lstat(file).catch(() => undefined);
  if (st?.isFile()) return fn();
  const link = st?.isSymbolicLink() ? await readlink(file) : undefined;
  await mkdir(path.dirname(file), { recursive: true, mode: 0o755 });
  await rm(file, { force: true });
  await writeFile(file, '', { mode: 0o644 });
  try {
    return await fn();
  } finally {
    await rm(file, { force: true });
    if (link) await symlink(link, file);
  }
}
