// src/archive/: tar streams and compression: GNU tar, a tar reader, expansion limits, tree entry checks, device placeholders of a user namespace, OCI layer encodings.
import { closeSync, createReadStream, createWriteStream, openSync } from 'node:fs';
import { finished, pipeline } from 'node:stream/promises';
import { open } from 'node:fs/promises';
import { createGunzip, createGzip, constants as zlib } from 'node:zlib';
import { PassThrough, Writable, type Readable } from 'node:stream';
import { UserError } from '../errors.js';
import { spawnReader, spawnWriter } from '../util/process.js';

export const COMPRESSIONS = ['none', 'gzip', 'bzip2', 'xz', 'zstd'] as const;
export type Compression = (typeof COMPRESSIONS)[number];

const MAGIC: ReadonlyArray<[Compression, Buffer]> = [
  ['gzip', Buffer.from([0x1f, 0x8b])],
  ['bzip2', Buffer.from('BZh')],
  ['xz', Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00])],
  ['zstd', Buffer.from([0x28, 0xb5, 0x2f, 0xfd])],
];

/** Tells the compression of a stream from its first bytes; never from a file name. */
export function detectCompression(head: Buffer): Compression {
  for (const [kind, magic] of MAGIC) {
    if (head.length >= magic.length && head.subarray(0, magic.length).equals(magic)) return kind;
  }
  return 'none';
}

export async function detectFileCompression(path: string): Promise<Compression> {
  const fh = await open(path, 'r');
  try {
    const head = Buffer.alloc(8);
    const { bytesRead } = await fh.read(head, 0, head.length, 0);
    return detectCompression(head.subarray(0, bytesRead));
  } finally {
    await fh.close();
  }
}

export function parseCompression(value: string): Compression {
  if ((COMPRESSIONS as readonly string[]).includes(value)) return value as Compression;
  throw new UserError(`unknown compression "${value}" (choose one of ${COMPRESSIONS.join(', ')})`);
}

/** System binaries as stream filters: multi-threaded where the tool allows, and fastest measured. */
const FILTERS: Record<Exclude<Compression, 'none' | 'gzip'>, { cmd: string; compress: string[]; decompress: string[] }> = {
  bzip2: { cmd: 'bzip2', compress: ['-c'], decompress: ['-dc'] },
  xz: { cmd: 'xz', compress: ['-c', '-T0'], decompress: ['-dc', '-T0'] },
  zstd: { cmd: 'zstd', compress: ['-c', '-q', '-T0'], decompress: ['-dc'] },
};

/** The uncompressed bytes of a file, whatever its compression. Corrupt data fails the stream with a UserError. */
export function decompressedFile(path: string, compression: Compression): Readable {
  if (compression === 'none') return createReadStream(path, { highWaterMark: 1 << 20 });
  if (compression === 'gzip') {
    const out = new PassThrough({ highWaterMark: 1 << 20 });
    const gunzip = createGunzip({ chunkSize: 1 << 20 });
    const src = createReadStream(path, { highWaterMark: 1 << 20 });
    src.on('error', (err) => out.destroy(err));
    gunzip.on('error', (err) => out.destroy(new UserError(`corrupt or truncated gzip data: ${err.message}`, 1, { cause: err })));
    out.on('close', () => src.destroy());
    src.pipe(gunzip).pipe(out);
    return out;
  }
  // The file is the tool's stdin, so its messages say "(stdin)" rather than a staging path.
  const fd = openSync(path, 'r');
  try {
    const f = FILTERS[compression];
    return spawnReader(f.cmd, f.decompress, { stdin: fd, what: `corrupt or truncated ${compression} data` });
  } finally {
    closeSync(fd);
  }
}

export interface CompressedSink {
  /** Write uncompressed bytes here; end it when done. */
  stream: Writable;
  /** Settles once everything reached the file descriptor. */
  done: Promise<void>;
}

/**
 * A sink that compresses what is written to it into an open file descriptor. gzip runs
 * in-process (node:zlib beats the gzip binary); bzip2, xz and zstd are the system tools.
 */
export function compressedSink(compression: Compression, fd: number): CompressedSink {
  if (compression === 'none' || compression === 'gzip') {
    const file = fd === 1 ? stdoutWritable() : createWriteStream('', { fd, autoClose: false, highWaterMark: 1 << 20 });
    if (compression === 'none') return { stream: file, done: finished(file) };
    const gzip = createGzip({ level: zlib.Z_DEFAULT_COMPRESSION, chunkSize: 1 << 20 });
    return { stream: gzip, done: pipeline(gzip, file) };
  }
  const f = FILTERS[compression];
  const proc = spawnWriter(f.cmd, f.compress, { stdout: fd, what: `compressing with ${compression}` });
  return { stream: proc.stdin, done: proc.done };
}

/**
 * process.stdout as a sink that can be ended: fs streams on fd 1 fail with EAGAIN when
 * stdout is a non-blocking pipe, and process.stdout itself must never be closed.
 */
function stdoutWritable(): Writable {
  return new Writable({
    highWaterMark: 1 << 20,
    write(chunk: Buffer, _enc, done) {
      if (process.stdout.write(chunk)) done();
      else process.stdout.once('drain', () => done());
    },
    final(done) {
      process.stdout.write('', () => done());
    },
  });
}
