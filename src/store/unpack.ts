import { createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { scanAci } from '../aci/scan.js';
import { decompressedFile, type Compression } from '../archive/compression.js';
import { tarExtract } from '../archive/gnu-tar.js';
import { byteLimit, type ExpansionLimits } from '../archive/limits.js';
import { UserError } from '../errors.js';
import { AciEntryChecker } from '../aci/entries.js';
import { spawnWriter } from '../util/process.js';

export interface UnpackedAci {
  id: string;
  /** Bytes of the uncompressed ACI. */
  size: number;
  manifest: Buffer;
  entries: number;
}

/**
 * Unpacks an ACI file into `dest` while checking it: GNU tar extracts the file as jetpack
 * reads it in parallel, hashing the uncompressed stream (the image ID) and checking every
 * entry (AciEntryChecker). The sha512 pass is the long pole, so the two run side by side
 * on separate cores rather than one feeding the other. GNU tar's own guards (no "..",
 * placeholders for symlinks that point away) keep a hostile entry inside `dest` until the
 * checker refuses it; the caller discards `dest` on any error. The ACI may come from anyone:
 * its decompressed size, members and their claimed sizes stay within `limits`.
 */
export async function unpackAci(aciFile: string, compression: Compression, dest: string, limits: ExpansionLimits): Promise<UnpackedAci> {
  await mkdir(dest, { recursive: true });
  if (compression === 'none') return unpackTar(aciFile, dest, limits);
  // Decompressed once, so that tar, the hash and the checks all read the same plain file.
  const plain = `${dest}.tar`;
  try {
    await pipeline(decompressedFile(aciFile, compression), byteLimit(limits, 'the ACI'), createWriteStream(plain));
    return await unpackTar(plain, dest, limits);
  } finally {
    await rm(plain, { force: true });
  }
}

async function unpackTar(tarFile: string, dest: string, limits: ExpansionLimits): Promise<UnpackedAci> {
  const tar = spawnWriter('tar', tarExtract(tarFile), { cwd: dest, what: 'extracting the archive' });
  tar.stdin.end();
  // tar may fail while the scan still runs: hold its outcome until the scan is done, when
  // a refused entry (the clearer message) takes precedence over tar's complaint about it.
  const extracted = tar.done.then(
    () => undefined,
    (err: Error) => err,
  );
  const checker = new AciEntryChecker();
  let scanned;
  try {
    scanned = await scanAci(tarFile, 'none', (entry) => checker.check(entry), limits);
    checker.finish();
  } catch (err) {
    tar.kill();
    await extracted;
    throw err;
  }
  const tarError = await extracted;
  if (tarError) throw tarError;
  if (!scanned.manifest) throw new UserError('not an ACI: the archive has no "manifest" entry');
  return { ...scanned, manifest: scanned.manifest };
}
