import { run } from './process.js';

/**
 * Flushes everything written on the filesystem holding `path` (syncfs(2) through
 * `sync -f`): one call for a whole image, however many files it has, where an fsync per
 * file would cost a disk flush each (docs/STORE.md, "Durability").
 */
export async function syncFilesystemOf(path: string): Promise<void> {
  await run('sync', ['-f', path], { what: 'flushing the new image to disk' });
}
