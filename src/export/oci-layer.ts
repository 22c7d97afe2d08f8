import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { lstat, mkdir, open, rename, rm, stat, writeFile, utimes } from 'node:fs/promises';
import path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { crc32 } from 'node:zlib';
import { clampMtimes, compressedBy, OCI_LAYER_CREATE } from '../archive/gnu-tar.js';
import { UserError } from '../errors.js';
import { copyEntry, keepingMtimes, overlayMarks, parentDirs } from '../layers/format.js';
import { renderLayers } from '../layers/select.js';
import { sha256OfFile } from '../util/file-digest.js';
import { spawnReader, spawnWriter } from '../util/process.js';
import { igzipCommand, type LayerCodec } from '../archive/layer-codec.js';
import { compressLayer } from './layer-compress.js';

export interface LayerBlob {
  /** sha256 of the blob as stored (compressed): its name in blobs/sha256/. */
  digest: string;
  size: number;
  /** sha256 of the uncompressed tar: the config's rootfs.diff_ids. */
  diffID: string;
}

/** A stream that hashes what passes through it. */
function hashing(onDone: (hex: string, size: number) => void): Transform {
  const hash = createHash('sha256');
  let size = 0;
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      hash.update(chunk);
      size += chunk.length;
      done(null, chunk);
    },
    flush(done) {
      onDone(hash.digest('hex'), size);
      done();
    },
  });
}

/**
 * The OCI whiteout markers of an overlay layer, as regular files in `dir`: `.wh.NAME` beside
 * each whiteout (a 0:0 character device), `.wh..wh..opq` in each opaque directory. Their
 * directories carry the layer's owners, modes, xattrs and times, so that the layer stacked under
 * them reads as itself. Returns false when the layer has none.
 */
async function whiteoutMarkers(layer: string, dir: string): Promise<boolean> {
  const { whiteouts, opaque } = await overlayMarks(layer);
  const markers = [
    ...whiteouts.map((at) => ({ at, file: path.posix.join(path.posix.dirname(at), `.wh.${path.posix.basename(at)}`) })),
    ...opaque.map((d) => ({ at: d, file: path.posix.join(d, '.wh..wh..opq') })),
  ];
  if (!markers.length) return false;
  await mkdir(dir);
  const dirs = parentDirs(markers.map(({ file }) => file));
  for (const d of ['.', ...dirs]) await copyEntry(layer, d, dir);
  // Copying a directory into its parent changed the parent's time: each gets the layer's back.
  await keepingMtimes(
    dir,
    ['.', ...dirs],
    async () => {
      for (const { at, file } of markers) {
        const target = path.join(dir, file);
        await writeFile(target, '', { mode: 0o644 });
        const { mtime } = await lstat(path.join(layer, at));
        await utimes(target, mtime, mtime);
      }
    },
    layer,
  );
  return true;
}

/** A tree a command can read: `rootfs`, through `wrap` when it is an overlay of a namespace's own. */
export interface ReadableTree {
  rootfs: string;
  wrap?: (cmd: string, args: string[]) => [string, string[]];
}

/**
 * Writes one store layer as an OCI layer blob into `blobs` (blobs/sha256 of a layout): its
 * overlay whiteouts turned into OCI ones. `scratch` is the caller's (it holds the markers and,
 * without overlayfs, a copy).
 */
export async function writeLayerBlob(layer: string, blobs: string, codec: LayerCodec, scratch: string, epoch: number | undefined): Promise<LayerBlob> {
  await mkdir(scratch, { recursive: true });
  const markers = path.join(scratch, 'markers');
  if (!(await whiteoutMarkers(layer, markers))) return writeTreeBlob({ rootfs: layer }, blobs, codec, epoch);
  const rendered = await renderLayers([layer, markers], path.join(scratch, 'render'));
  return writeTreeBlob({ rootfs: path.join(rendered.parent, 'rootfs'), wrap: rendered.wrap }, blobs, codec, epoch);
}

type CommandLine = [string, string[]];

/**
 * Writes a tree as a layer blob: a tar with names sorted and times clamped to SOURCE_DATE_EPOCH
 * when set, so the same tree gives the same digest; returns its digest, size and diff ID.
 */
export async function writeTreeBlob(tree: ReadableTree, blobs: string, codec: LayerCodec, epoch: number | undefined): Promise<LayerBlob> {
  const tar = (compressor?: string[]): CommandLine => {
    const args = [...(compressor ? compressedBy(OCI_LAYER_CREATE, compressor) : OCI_LAYER_CREATE), ...clampMtimes(epoch), '-C', tree.rootfs, '.'];
    return tree.wrap ? tree.wrap('tar', args) : ['tar', args];
  };
  const tmp = path.join(blobs, `.blob-${process.pid}-${Math.random().toString(36).slice(2)}.tmp`);
  const what = `archiving ${tree.rootfs}`;
  const igzip = igzipCommand(codec);
  const made = await (igzip ? gzipByTar(tar, igzip, tmp, what) : streamedThrough(tar(), codec, tmp, what)).catch(async (err: unknown) => {
    await rm(tmp, { force: true });
    throw err;
  });
  await rename(tmp, path.join(blobs, made.digest));
  return { digest: `sha256:${made.digest}`, size: made.size, diffID: `sha256:${made.diffID}` };
}

/** A LayerBlob's fields with the digests in bare hex, before the blob is named. */
type MadeBlob = LayerBlob;

/** The tar read once through jetpack: hashed, compressed by the codec, hashed again, written to `tmp`. */
async function streamedThrough([cmd, args]: CommandLine, codec: LayerCodec, tmp: string, what: string): Promise<MadeBlob> {
  let diffID = '';
  let digest = '';
  let size = 0;
  const tar = spawnReader(cmd, args, { what });
  const uncompressed = hashing((hex) => (diffID = hex));
  const stored = hashing((hex, n) => ((digest = hex), (size = n)));
  await Promise.all([pipeline(tar, uncompressed), pipeline(compressLayer(codec, uncompressed), stored, createWriteStream(tmp))]);
  return { digest, size, diffID };
}

/**
 * The gzip blob made by tar's own pipe to igzip, straight into `tmp`, and the diff ID from a
 * second tar of the same tree hashed here, side by side. On 2 CPUs a second read of the tree
 * costs less than passing the whole tar through jetpack on its way to the compressor
 * (docs/DESIGN-CHOICES.md, "An OCI layer's tar read twice"). Both reads must give the same
 * bytes: the blob's trailer (CRC-32 and size of what igzip compressed) is checked against the
 * second read, so a tree that read differently fails the export instead of giving a diff ID
 * that does not match the layer.
 */
async function gzipByTar(tar: (compressor?: string[]) => CommandLine, igzip: string[], tmp: string, what: string): Promise<MadeBlob> {
  const out = await open(tmp, 'wx');
  let read: TarRead;
  try {
    const [cmd, args] = tar(igzip);
    const compressing = spawnWriter(cmd, args, { what, stdout: out.fd });
    compressing.stdin.end();
    [, read] = await Promise.all([compressing.done, readTar(tar(), what)]);
  } finally {
    await out.close();
  }
  const trailer = await lastBytes(tmp, 8);
  if (trailer.readUInt32LE(0) !== read.crc || trailer.readUInt32LE(4) !== read.size % 2 ** 32) {
    throw new UserError(`${what}: the tree read differently twice (was it changed during the export?); nothing was exported`);
  }
  return { digest: await sha256OfFile(tmp), size: (await stat(tmp)).size, diffID: read.sha256 };
}

interface TarRead {
  sha256: string;
  crc: number;
  size: number;
}

async function readTar([cmd, args]: CommandLine, what: string): Promise<TarRead> {
  const hash = createHash('sha256');
  let crc = 0;
  let size = 0;
  for await (const chunk of spawnReader(cmd, args, { what }) as AsyncIterable<Buffer>) {
    hash.update(chunk);
    crc = crc32(chunk, crc);
    size += chunk.length;
  }
  return { sha256: hash.digest('hex'), crc, size };
}

async function lastBytes(file: string, n: number): Promise<Buffer> {
  const fh = await open(file, 'r');
  try {
    const { size } = await fh.stat();
    const buf = Buffer.alloc(n);
    if (size >= n) await fh.read(buf, 0, n, size - n);
    return buf;
  } finally {
    await fh.close();
  }
}
