import { lstat } from 'node:fs/promises';
import path from 'node:path';
import { UserError } from '../errors.js';
import { Container, type RunOptions } from './container.js';
import { ifExists } from '../util/fs.js';

export interface InTreeOptions extends Omit<RunOptions, 'cwd' | 'network'> {
  /** A tmpfs of the container's own on /tmp. */
  privateTmp?: boolean;
}

/**
 * Runs one command in a fresh container whose root is `rootfs` itself, changed in place, as
 * root with the host's network; `scratch` holds the container's files while it runs.
 * Returns the command's exit status.
 */
export async function runInTree(rootfs: string, argv: string[], scratch: string, cacheDir: string, opts: InTreeOptions = {}): Promise<number> {
  const { privateTmp, ...run } = opts;
  const container = await Container.inTree(scratch, rootfs, cacheDir, { privateTmp });
  try {
    return await container.run(argv, { cwd: '/', network: 'host', ...run });
  } finally {
    await container.cleanScratch();
  }
}

/** runInTree for a directory a user names: it must be one. */
export async function enterTree(rootfs: string, argv: string[], scratch: string, cacheDir: string, opts: InTreeOptions = {}): Promise<number> {
  const st = await ifExists(lstat(rootfs));
  if (!st?.isDirectory()) throw new UserError(`${rootfs} is not a directory`);
  return runInTree(path.resolve(rootfs), argv, scratch, cacheDir, opts);
}
