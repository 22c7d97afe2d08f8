import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { lstat, mkdir, rename, writeFile, utimes } from 'node:fs/promises';
import path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { clampMtimes, TAR_CREATE } from '../archive/gnu-tar.js';
import { copyEntry, keepingMtimes, opaqueDirs, parentDirs, whiteoutPaths } from '../store/layers.js';
import { renderLayers } from '../store/render.js';
import { spawnReader } from '../util/process.js';
import { compressLayer, type LayerCodec } from './layer-codec.js';

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
  const [whiteouts, opaque] = await Promise.all([whiteoutPaths(layer), opaqueDirs(layer)]);
  const markers = [
    ...whiteouts.map((at) => ({ at, file: path.posix.join(path.posix.dirname(at), `.wh.${path.posix.basename(at)}`) })),
    ...opaque.map((d) => ({ at: d, file: path.posix.join(d, '.wh..wh..opq') })),
  ];
  if (!markers.length) return false;
  await mkdir(dir);
  const dirs = parentDirs(markers.map(({ file }) => file));
  for (const d of ['.', ...dirs]) await copyEntry(layer, d, dir);
  await keepingMtimes(dir, ['.', ...dirs], async () => {
    for (const { at, file } of markers) {
      const target = path.join(dir, file);
      await writeFile(target, '', { mode: 0o644 });
      const { mtime } = await lstat(path.join(layer, at));
      await utimes(target, mtime, mtime);
    }
  });
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

/**
 * Writes a tree as a layer blob: a tar with names sorted and times clamped to SOURCE_DATE_EPOCH
 * when set, so the same tree gives the same digest; returns its digest, size and diff ID.
 */
export async function writeTreeBlob(tree: ReadableTree, blobs: string, codec: LayerCodec, epoch: number | undefined): Promise<LayerBlob> {
  const args = [...TAR_CREATE, ...clampMtimes(epoch), '-C', tree.rootfs, '.'];
  const [cmd, argv] = tree.wrap ? tree.wrap('tar', args) : ['tar', args];
  const tmp = path.join(blobs, `.blob-${process.pid}-${Math.random().toString(36).slice(2)}.tmp`);
  let diffID = '';
  let digest = '';
  let size = 0;
  const tar = spawnReader(cmd, argv, { what: `archiving ${tree.rootfs}` });
  const uncompressed = hashing((hex) => (diffID = hex));
  const stored = hashing((hex, n) => ((digest = hex), (size = n)));
  await Promise.all([pipeline(tar, uncompressed), pipeline(compressLayer(codec, uncompressed), stored, createWriteStream(tmp))]);
  await rename(tmp, path.join(blobs, digest));
  return { digest: `sha256:${digest}`, size, diffID: `sha256:${diffID}` };
}
