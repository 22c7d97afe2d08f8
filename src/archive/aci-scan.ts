import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { MANIFEST_LIMIT } from '../image/aci-entries.js';
import { imageIDFromDigest, newImageHash } from '../image/id.js';
import { decompressedFile, type Compression } from './compression.js';
import { TarReader, type TarEntry } from './tar-reader.js';

export interface ScannedAci {
  /** The image ID: sha512 of the uncompressed ACI. */
  id: string;
  /** Bytes of the uncompressed ACI. */
  size: number;
  /** The bytes of the `manifest` member, if there is one. */
  manifest: Buffer | undefined;
  entries: number;
}

/**
 * Reads an ACI file once: hashes the uncompressed stream and walks every entry header
 * (handed to `onEntry`, which may throw to refuse it) without copying file data.
 */
export async function scanAci(file: string, compression: Compression, onEntry: (entry: TarEntry) => void = () => {}): Promise<ScannedAci> {
  const hash = newImageHash();
  let size = 0;
  let manifest: Buffer | undefined;
  const reader = new TarReader({
    onEntry,
    wantData: (entry) => (entry.path === 'manifest' ? MANIFEST_LIMIT : 0),
    onData: (_entry, data) => (manifest = data),
  });
  await pipeline(
    decompressedFile(file, compression),
    new Writable({
      highWaterMark: 1 << 20,
      write(chunk: Buffer, _enc, done) {
        try {
          hash.update(chunk);
          size += chunk.length;
          reader.write(chunk);
          done();
        } catch (err) {
          done(err as Error);
        }
      },
      final(done) {
        try {
          reader.end();
          done();
        } catch (err) {
          done(err as Error);
        }
      },
    }),
  );
  return { id: imageIDFromDigest(hash), size, manifest, entries: reader.entryCount };
}
