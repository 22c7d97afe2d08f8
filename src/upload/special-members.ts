import { pipeline } from 'node:stream/promises';
import { decompressedFile, detectFileCompression } from '../archive/compression.js';
import { TarReader } from '../archive/tar-reader.js';
import { UserError } from '../errors.js';

/**
 * The device nodes and FIFOs of an upload's tarball (already checked by checkTreeTarball), as
 * the paths `ostree commit --skip-list` takes: the server leaves them out, as `jetpack runtime
 * commit` does, since OSTree stores none (docs/RUNTIMES.md).
 */
export async function specialMembers(file: string, prefix: string): Promise<string[]> {
  const found: string[] = [];
  const reader = new TarReader({
    onEntry: (entry) => {
      if (!['char', 'block', 'fifo'].includes(entry.type)) return;
      if (entry.path.includes('\n'))
        throw new UserError(`refusing archive entry ${JSON.stringify(entry.rawPath)}: a device node or FIFO with a newline in its name`);
      const inTree = prefix && (entry.path === prefix || entry.path.startsWith(`${prefix}/`)) ? entry.path.slice(prefix.length) : entry.path;
      found.push(`/${inTree.replace(/^\/+/, '')}`);
    },
    wantData: () => 0,
    onData: () => {},
  });
  await pipeline(decompressedFile(file, await detectFileCompression(file)), reader.writable());
  return found;
}
