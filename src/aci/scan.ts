import type { Hash } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import { pipeline } from 'node:stream/promises';
import { MANIFEST_LIMIT } from './entries.js';
import { imageIDFromDigest, newImageHash } from './id-hash.js';
import { decompressedFile, type Compression } from '../archive/compression.js';
import type { ExpansionLimits } from '../archive/limits.js';
import { TarReader, type TarEntry } from '../archive/tar-reader.js';

export interface ScannedAci {
  /** The image ID: sha512 of the uncompressed ACI. */
  id: string;
  /** Bytes of the uncompressed ACI. */
  size: number;
  /** The bytes of the `manifest` member, if there is one. */
  manifest: Buffer | undefined;
  entries: number;
}

/** sha512 of a file, computed in a worker thread; `stop` abandons it. */
function hashFileInWorker(file: string): { result: Promise<{ id: string; size: number }>; stop: () => void } {
  const worker = new Worker(new URL('./hash-worker.js', import.meta.url), { workerData: { file } });
  const result = new Promise<{ id: string; size: number }>((resolve, reject) => {
    worker.once('message', (m: { digest: string; size: number }) => resolve({ id: `sha512-${m.digest}`, size: m.size }));
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`hash worker exited with status ${code}`)));
  });
  result.catch(() => {}); // awaited by the caller once the walk is done; the walk's errors come first
  return { result, stop: () => void worker.terminate() };
}

/**
 * Reads an ACI file: hashes the uncompressed stream (the image ID) and walks every entry
 * header (handed to `onEntry`, which may throw to refuse it) without copying file data.
 * An uncompressed file is hashed by a worker thread while the main thread walks it. An ACI
 * from outside the store is read within `limits`.
 */
export async function scanAci(
  file: string,
  compression: Compression,
  onEntry: (entry: TarEntry) => void = () => {},
  limits?: ExpansionLimits,
): Promise<ScannedAci> {
  if (compression === 'none') {
    const hashing = hashFileInWorker(file);
    try {
      const walked = await walkAci(file, compression, onEntry, undefined, limits);
      const { id, size } = await hashing.result;
      return { ...walked, id, size };
    } finally {
      hashing.stop();
    }
  }
  const hash = newImageHash();
  return walkAci(file, compression, onEntry, hash, limits);
}

async function walkAci(
  file: string,
  compression: Compression,
  onEntry: (entry: TarEntry) => void,
  hash: Hash | undefined,
  limits: ExpansionLimits | undefined,
): Promise<ScannedAci> {
  let size = 0;
  let manifest: Buffer | undefined;
  const reader = new TarReader({
    onEntry,
    wantData: (entry) => (entry.path === 'manifest' ? MANIFEST_LIMIT : 0),
    onData: (_entry, data) => (manifest = data),
    limits,
    what: 'the ACI',
  });
  await pipeline(
    decompressedFile(file, compression),
    reader.writable((chunk) => {
      hash?.update(chunk);
      size += chunk.length;
    }),
  );
  return { id: hash ? imageIDFromDigest(hash) : '', size, manifest, entries: reader.entryCount };
}
