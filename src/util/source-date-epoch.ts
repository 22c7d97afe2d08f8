import { UserError } from '../errors.js';
import { run } from './process.js';

/**
 * SOURCE_DATE_EPOCH (reproducible-builds.org) in seconds, or undefined when unset or empty.
 * Anything but a plain non-negative integer is refused: a silently ignored typo would make
 * builds quietly unreproducible.
 */
export function sourceDateEpoch(env: NodeJS.ProcessEnv = process.env): number | undefined {
  const epoch = env.SOURCE_DATE_EPOCH;
  if (epoch === undefined || epoch === '') return undefined;
  if (!/^\d+$/.test(epoch)) throw new UserError(`SOURCE_DATE_EPOCH must be a number of seconds, not "${epoch}"`);
  return Number(epoch);
}

/**
 * Sets every mtime in the tree at `dir` (its root included, symlinks themselves, never what
 * they point to) that is newer than `epoch` to `epoch`, as buildah's --rewrite-timestamp
 * does: what a build wrote then carries the same times on every rebuild, and older files
 * (the parent's) keep theirs. Changing a child's times leaves its directory's mtime alone.
 */
export async function clampTreeTimes(dir: string, epoch: number): Promise<void> {
  await run('find', [dir, '-newermt', `@${epoch}`, '-exec', 'touch', '-h', '-m', '-d', `@${epoch}`, '--', '{}', '+'], {
    what: 'clamping mtimes to SOURCE_DATE_EPOCH',
  });
}
