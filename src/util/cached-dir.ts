// src/util/: processes, files, durability, progress, sizes.
import { mkdir, mkdtemp, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { pathExists } from './fs.js';

/**
 * A directory made once by `fill` and reused after: filled under a scratch name and renamed
 * into place, so it is complete whenever it exists, and two processes making it at once
 * both end up with one (the loser's scratch copy is dropped).
 */
export async function cachedDir(dir: string, fill: (scratch: string) => Promise<void>): Promise<string> {
  if (await pathExists(dir)) return dir;
  await mkdir(path.dirname(dir), { recursive: true, mode: 0o755 });
  const scratch = await mkdtemp(`${dir}.tmp-`);
  try {
    await fill(scratch);
    await rename(scratch, dir).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOTEMPTY' && err.code !== 'EEXIST') throw err;
    });
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
  return dir;
}
