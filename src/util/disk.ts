import { statfs } from 'node:fs/promises';
import { UserError } from '../errors.js';

/**
 * GNU tar reports a full disk only as "Wrote only N of M bytes". When the filesystem of
 * `onDisk` has (almost) no room left, `err` becomes a plain "no space left on device while
 * WHAT"; otherwise it is returned as it is.
 */
export async function explainDiskFull(err: unknown, onDisk: string, what: string): Promise<unknown> {
  const room = await statfs(onDisk).then(
    ({ bavail, bsize }) => bavail * bsize,
    () => Infinity,
  );
  return room < 1 << 20 ? new UserError(`no space left on device while ${what}`) : err;
}
