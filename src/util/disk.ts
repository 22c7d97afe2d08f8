import { statfs } from 'node:fs/promises';
import { UserError } from '../errors.js';

/** How GNU tar reports a write that did not fit. */
const SHORT_WRITE = /Wrote only \d+ of \d+ bytes|No space left on device/i;

/**
 * GNU tar reports a full disk only as "Wrote only N of M bytes". When `err` says that and
 * the filesystem of `onDisk` has (almost) no room left, even for root, `err` becomes a plain
 * "no space left on device while WHAT" that keeps tar's words; otherwise it is returned as it is.
 */
export async function explainDiskFull(err: unknown, onDisk: string, what: string): Promise<unknown> {
  if (!(err instanceof Error) || !SHORT_WRITE.test(err.message)) return err;
  const room = await statfs(onDisk).then(
    ({ bfree, bsize }) => bfree * bsize,
    () => Infinity,
  );
  const said = SHORT_WRITE.exec(err.message)![0];
  return room < 1 << 20 ? new UserError(`no space left on device while ${what} (tar: ${said})`) : err;
}
