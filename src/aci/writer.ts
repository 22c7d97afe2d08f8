import type { Hash } from 'node:crypto';
import { fstatSync, read as readCallback, readFileSync, readSync } from 'node:fs';
import { mkdir, utimes, writeFile } from 'node:fs/promises';
import { setTimeout } from 'node:timers/promises';
import { promisify } from 'node:util';
import path from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { imageIDFromDigest, newImageHash } from './id-hash.js';
import { explainDiskFull } from '../util/disk.js';
import { feedProcess, spawnReader, spawnWriter } from '../util/process.js';
import { Progress } from '../util/progress.js';
import { compressedSink, type Compression } from '../archive/compression.js';
import { clampMtimes, TAR_CREATE } from '../archive/gnu-tar.js';

const read = promisify(readCallback);

type CommandWrapper = (cmd: string, args: string[]) => [string, string[]];

export interface AciSource {
  /** Manifest bytes; written as a root-owned 0644 file dated 1970 so the archive stays deterministic. */
  manifest: string | Buffer;
  /** Scratch directory for the manifest file. */
  scratch: string;
  /** Directory holding the tree as `rootfs`. */
  rootfsParent: string;
  /** Wraps the tar command, e.g. to run it where an overlay of the tree is mounted. */
  wrap?: CommandWrapper;
  /** Only these entries of the tree (paths relative to it, parents first), instead of all of it. */
  members?: string[];
  /** SOURCE_DATE_EPOCH: every mtime newer than it is archived as it (GNU tar's --clamp-mtime). */
  clampMtime?: number;
}

/**
 * Whether `fd` is an empty regular file that can be read back (opened for reading too) and
 * is written from its start, where the read-back begins.
 */
function readableEmptyFile(fd: number): boolean {
  const st = fstatSync(fd);
  if (!st.isFile() || st.size !== 0) return false;
  if (!/^pos:\s+0$/m.test(readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8'))) return false;
  try {
    readSync(fd, Buffer.alloc(1), 0, 1, 0);
    return true;
  } catch {
    return false; // EBADF: write-only (a shell's `> file`)
  }
}

/**
 * Lets tar write the archive straight into `fd`, a file, and hashes what it writes by
 * reading the file back behind it from the page cache. Node then never moves the archive
 * through a pipe and a stream: flat export of a 170 MB rootfs took 0.50 s instead of 0.98 s
 * (docs/BENCHMARKS.md; the hash runs while tar archives, on the other core).
 */
async function archiveIntoFile(cmd: string, args: string[], list: Readable | undefined, fd: number, bar: Progress | undefined): Promise<Hash> {
  const tar = spawnWriter(cmd, args, { what: 'archiving the rootfs', stdout: fd });
  // Settles once tar has exited and the member list is fed (a list tar stopped reading
  // because it failed is no error of its own: tar's status says what went wrong).
  const finished = feedProcess(list ?? Readable.from([]), tar);
  let ended = false;
  const exited = finished.then(
    () => void (ended = true),
    () => void (ended = true),
  );
  const hash = newImageHash();
  // Two buffers: the next read runs on libuv's thread pool while this chunk is hashed.
  const buffers = [Buffer.allocUnsafe(1 << 20), Buffer.allocUnsafe(1 << 20)];
  let pos = 0;
  let current = 0;
  // Whether tar had ended before the pending read began: only then is a 0-byte read the end.
  let tarHadEnded = ended;
  let pending = read(fd, buffers[current], 0, buffers[current].length, pos);
  try {
    for (;;) {
      const { bytesRead } = await pending;
      if (bytesRead === 0 && tarHadEnded) break;
      if (bytesRead === 0) await Promise.race([exited, setTimeout(2)]); // caught up with tar
      const filled = buffers[current].subarray(0, bytesRead);
      pos += bytesRead;
      if (bytesRead > 0) current = 1 - current;
      tarHadEnded = ended;
      pending = read(fd, buffers[current], 0, buffers[current].length, pos);
      hash.update(filled);
      bar?.add(bytesRead);
    }
  } catch (err) {
    tar.kill();
    await exited;
    throw err;
  }
  await finished.catch(async (err: unknown) => {
    throw await explainDiskFull(err, `/proc/self/fd/${fd}`, 'writing the ACI');
  });
  return hash;
}

/** Pipes tar's archive through Node into `fd`, hashing and compressing it on the way. */
async function archiveThroughPipe(
  cmd: string,
  args: string[],
  list: Readable | undefined,
  fd: number,
  compression: Compression,
  bar: Progress | undefined,
): Promise<Hash> {
  const hash = newImageHash();
  const hashing = new Transform({
    highWaterMark: 1 << 20,
    transform(chunk: Buffer, _enc, done) {
      hash.update(chunk);
      bar?.add(chunk.length);
      done(null, chunk);
    },
  });
  const sink = compressedSink(compression, fd);
  await Promise.all([pipeline(spawnReader(cmd, args, { what: 'archiving the rootfs', stdin: list }), hashing, sink.stream), sink.done]);
  return hash;
}

/**
 * Writes `manifest` + `rootfs/` as a deterministic ACI to `fd`, compressed as asked, and
 * returns its image ID (sha512 of the uncompressed stream, hashed as it is written, or read
 * back right behind tar when it goes uncompressed into a new file opened read-write).
 */
export async function writeAci(source: AciSource, fd: number, compression: Compression, progress?: { label: string; total?: number }): Promise<string> {
  await mkdir(source.scratch, { recursive: true });
  const manifestFile = path.join(source.scratch, 'manifest');
  await writeFile(manifestFile, source.manifest, { mode: 0o644 });
  await utimes(manifestFile, 0, 0);

  const tarArgs = [...TAR_CREATE, ...clampMtimes(source.clampMtime), '-C', source.scratch, 'manifest', '-C', source.rootfsParent];
  tarArgs.push(...(source.members ? ['--no-recursion', '--null', '-T', '-'] : ['rootfs']));
  const list = source.members && Readable.from([Buffer.from(['rootfs', ...source.members.map((m) => `rootfs/${m}`)].map((m) => `${m}\0`).join(''))]);
  const [cmd, args] = source.wrap ? source.wrap('tar', tarArgs) : ['tar', tarArgs];
  const bar = progress ? new Progress(progress.label, { total: progress.total }) : undefined;
  const hash = await (
    compression === 'none' && readableEmptyFile(fd) ? archiveIntoFile(cmd, args, list, fd, bar) : archiveThroughPipe(cmd, args, list, fd, compression, bar)
  ).catch((err: unknown) => {
    bar?.fail();
    throw err;
  });
  bar?.finish();
  return imageIDFromDigest(hash);
}
