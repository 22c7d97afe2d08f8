import { mkdir } from 'node:fs/promises';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { decompressedFile, type Compression } from '../archive/compression.js';
import { TAR_EXTRACT } from '../archive/gnu-tar.js';
import { TarReader } from '../archive/tar-reader.js';
import { AciEntryChecker, MANIFEST_LIMIT } from '../image/aci-entries.js';
import { imageIDFromDigest, newImageHash } from '../image/id.js';
import { spawnWriter } from '../util/process.js';

export interface UnpackedAci {
  id: string;
  /** Bytes of the uncompressed ACI. */
  size: number;
  manifest: Buffer;
  entries: number;
}

/**
 * One pass over an ACI file: the uncompressed stream is hashed (the image ID), every
 * entry is checked (AciEntryChecker), and GNU tar extracts the same bytes into `dest`
 * at the same time. GNU tar's own guards (no "..", placeholders for symlinks that point
 * away) keep a hostile entry inside `dest` in the moment before the checker refuses it;
 * the caller discards `dest` on any error.
 */
export async function unpackAci(aciFile: string, compression: Compression, dest: string): Promise<UnpackedAci> {
  await mkdir(dest, { recursive: true });
  const hash = newImageHash();
  const checker = new AciEntryChecker();
  let manifest: Buffer | undefined;
  const reader = new TarReader({
    onEntry: (entry) => checker.check(entry),
    wantData: (entry) => (entry.path === 'manifest' ? MANIFEST_LIMIT : 0),
    onData: (_entry, data) => (manifest = data),
  });
  const tar = spawnWriter('tar', TAR_EXTRACT, { cwd: dest, what: 'extracting the archive' });
  let size = 0;
  const sink = new Writable({
    highWaterMark: 1 << 20,
    write(chunk: Buffer, _enc, done) {
      try {
        hash.update(chunk);
        size += chunk.length;
        reader.write(chunk);
      } catch (err) {
        done(err as Error);
        return;
      }
      if (tar.stdin.destroyed || tar.stdin.write(chunk)) done();
      else {
        const go = () => {
          tar.stdin.off('drain', go).off('close', go);
          done();
        };
        tar.stdin.on('drain', go).on('close', go);
      }
    },
    final(done) {
      try {
        reader.end();
        checker.finish();
      } catch (err) {
        done(err as Error);
        return;
      }
      tar.stdin.end();
      done();
    },
  });
  try {
    await pipeline(decompressedFile(aciFile, compression), sink);
  } catch (err) {
    tar.kill();
    await tar.done.catch(() => {});
    throw err;
  }
  await tar.done;
  return { id: imageIDFromDigest(hash), size, manifest: manifest!, entries: reader.entryCount };
}
