import { createHash } from 'node:crypto';
import { mkdir, readdir, rename, rm, rmdir, writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { UserError } from '../errors.js';
import { labelMap } from '../image/manifest.js';
import { layerStack } from '../store/layer-stack.js';
import { renderLayers } from '../layers/select.js';
import type { Store, StoredImage } from '../store/store.js';
import { spawnWriter } from '../util/process.js';
import { sourceDateEpoch } from '../util/source-date-epoch.js';
import { writeOutput } from '../util/output-file.js';
import { cloneTree } from '../util/clone-tree.js';
import { withProgress } from '../util/progress.js';
import { mapLimited } from '../util/settle.js';
import { cachedLayerBlob } from './blob-cache.js';
import { createdOf, ociAnnotations, ociConfig, ociPlatform } from './oci-config.js';
import { layerMediaType, type LayerCodec } from '../archive/layer-codec.js';
import { writeLayerBlob, writeTreeBlob, type LayerBlob } from './oci-layer.js';

export const OCI_FORMATS = ['oci', 'oci-archive', 'docker-archive'] as const;
export type OciFormat = (typeof OCI_FORMATS)[number];

export interface OciExportOptions {
  format: OciFormat;
  /** The ref name (OCI) or tag (docker): default the image's version label, else "latest". */
  tag?: string;
  /** One layer of the rendered tree instead of one per jetpack layer. */
  squash: boolean;
  codec: LayerCodec;
  /** The layout is read by jetpack's own tools and removed (push, archives): kept blobs are linked, not copied. */
  transient?: boolean;
}

const MEDIA = {
  manifest: 'application/vnd.oci.image.manifest.v1+json',
  config: 'application/vnd.oci.image.config.v1+json',
} as const;

/** Writes JSON as a blob (canonical: no spaces, keys in the order given) and returns its descriptor. */
async function jsonBlob(blobs: string, mediaType: string, value: object): Promise<{ mediaType: string; digest: string; size: number }> {
  const bytes = Buffer.from(JSON.stringify(value));
  const hex = createHash('sha256').update(bytes).digest('hex');
  await writeFile(path.join(blobs, hex), bytes);
  return { mediaType, digest: `sha256:${hex}`, size: bytes.length };
}

async function layerBlobs(
  store: Store,
  image: StoredImage,
  blobs: string,
  scratch: string,
  opts: OciExportOptions,
  epoch: number | undefined,
): Promise<LayerBlob[]> {
  const stack = await layerStack(store, image);
  const label = `writing the layers of ${image.manifest.name}`;
  if (opts.squash && stack.length > 1) {
    const rendered = await renderLayers(stack, path.join(scratch, 'squash'));
    return [
      await withProgress(label, {}, () => writeTreeBlob({ rootfs: path.join(rendered.parent, 'rootfs'), wrap: rendered.wrap }, blobs, opts.codec, epoch)),
    ];
  }
  // Side by side: a base layer's compression need not wait for its children's. A layer with
  // a kept blob is a copy; the others are what takes long.
  return withProgress(label, { items: 'layers', total: stack.length }, (progress) =>
    mapLimited(stack, availableParallelism(), async (layer, i) => {
      const make = () => writeLayerBlob(layer, blobs, opts.codec, path.join(scratch, `layer-${i}`), epoch);
      const blob = await cachedLayerBlob(layer, opts.codec, epoch, blobs, make, opts.transient);
      progress.add();
      return blob;
    }),
  );
}

/** An OCI image layout of the image in `dir` (which must not exist); returns the manifest digest. */
async function writeLayout(store: Store, image: StoredImage, dir: string, scratch: string, opts: OciExportOptions, epoch: number | undefined): Promise<string> {
  const blobs = path.join(dir, 'blobs', 'sha256');
  await mkdir(blobs, { recursive: true });
  const layers = await layerBlobs(store, image, blobs, scratch, opts, epoch);
  const created = createdOf(image.manifest, epoch);
  const config = await jsonBlob(
    blobs,
    MEDIA.config,
    ociConfig(
      image.manifest,
      layers.map((l) => l.diffID),
      created,
    ),
  );
  const manifest = await jsonBlob(blobs, MEDIA.manifest, {
    schemaVersion: 2,
    mediaType: MEDIA.manifest,
    config,
    layers: layers.map((l) => ({ mediaType: layerMediaType(opts.codec), digest: l.digest, size: l.size })),
    annotations: ociAnnotations(image.manifest, created),
  });
  const { os, architecture, variant } = ociPlatform(image.manifest);
  const ref = tagOf(image, opts.tag);
  await writeFile(path.join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  await writeFile(
    path.join(dir, 'index.json'),
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.index.v1+json',
      manifests: [{ ...manifest, platform: { architecture, os, ...(variant ? { variant } : {}) }, annotations: { 'org.opencontainers.image.ref.name': ref } }],
    }),
  );
  return manifest.digest;
}

function tagOf(image: StoredImage, tag: string | undefined): string {
  const t = tag ?? labelMap(image.manifest).version ?? 'latest';
  if (!/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/.test(t))
    throw new UserError(`"${t}" is not a valid tag (letters, digits, "_", ".", "-"; at most 128): name one with -tag`);
  return t;
}

/**
 * A docker-archive (`docker load`'s format) of the image in `dir`: manifest.json naming the
 * config and one uncompressed layer tar each, and the legacy `repositories`.
 */
async function writeDockerArchiveTree(
  store: Store,
  image: StoredImage,
  dir: string,
  scratch: string,
  opts: OciExportOptions,
  epoch: number | undefined,
): Promise<string> {
  await mkdir(dir, { recursive: true });
  const layers = await layerBlobs(store, image, dir, scratch, { ...opts, codec: { compression: 'none' } }, epoch);
  const names = await Promise.all(
    layers.map(async (l) => {
      const hex = l.digest.slice('sha256:'.length);
      await rename(path.join(dir, hex), path.join(dir, `${hex}.tar`));
      return `${hex}.tar`;
    }),
  );
  const config = await jsonBlob(
    dir,
    MEDIA.config,
    ociConfig(
      image.manifest,
      layers.map((l) => l.diffID),
      createdOf(image.manifest, epoch),
    ),
  );
  const configHex = config.digest.slice('sha256:'.length);
  await rename(path.join(dir, configHex), path.join(dir, `${configHex}.json`));
  const repoTag = `${image.manifest.name}:${tagOf(image, opts.tag)}`;
  await writeFile(path.join(dir, 'manifest.json'), JSON.stringify([{ Config: `${configHex}.json`, RepoTags: [repoTag], Layers: names }]));
  await writeFile(path.join(dir, 'repositories'), JSON.stringify({ [image.manifest.name]: { [tagOf(image, opts.tag)]: configHex } }));
  return config.digest;
}

/**
 * A tar of a directory's contents, the same bytes for the same files (owner 0, one time, names
 * sorted); symbolic links (to kept blobs) are archived as the files they point to.
 */
async function writeDirTar(dir: string, fd: number, epoch: number | undefined): Promise<void> {
  // Members named as docker load and skopeo look them up ("manifest.json", not "./manifest.json").
  const members = (await readdir(dir)).sort();
  // 128 KiB records instead of tar's 10 KiB: a third of the time to write ~100 MB of blobs
  // (docs/DESIGN-CHOICES.md); the archive ends padded to a whole record, as every tar does.
  const args = [
    '-c',
    '-f',
    '-',
    '--blocking-factor=256',
    '--dereference',
    '--format=posix',
    '--pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime',
    '--sort=name',
    '--numeric-owner',
    '--owner=0',
    '--group=0',
    `--mtime=@${epoch ?? 0}`,
    '-C',
    dir,
    '--',
    ...members,
  ];
  const tar = spawnWriter('tar', args, { what: 'writing the archive', stdout: fd });
  tar.stdin.end();
  await tar.done;
}

/** Writes the image as an OCI layout (DIR), oci-archive or docker-archive (FILE); returns the manifest (or config) digest. */
export async function exportOci(store: Store, image: StoredImage, out: string, opts: OciExportOptions): Promise<string> {
  const epoch = sourceDateEpoch();
  const staging = await store.stage('export');
  try {
    const tree = staging.path('out');
    const scratch = staging.path('scratch');
    // An archive's layout is read by tar and removed: its blobs may be links to the kept ones.
    const archived = { ...opts, transient: true };
    if (opts.format === 'docker-archive') {
      const digest = await writeDockerArchiveTree(store, image, tree, scratch, archived, epoch);
      await writeOutput(out, (fd) => writeDirTar(tree, fd, epoch));
      return digest;
    }
    const digest = await writeLayout(store, image, tree, scratch, opts.format === 'oci-archive' ? archived : opts, epoch);
    if (opts.format === 'oci-archive') {
      await writeOutput(out, (fd) => writeDirTar(tree, fd, epoch));
      return digest;
    }
    const existing = await readdir(out).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return undefined;
      throw new UserError(`cannot write the layout to ${out}: ${err.message}`, 1, { cause: err });
    });
    if (existing?.length) throw new UserError(`${out} is not empty: an OCI layout is written to an absent or empty directory`);
    if (existing) await rmdir(out);
    await mkdir(path.dirname(path.resolve(out)), { recursive: true });
    await rename(tree, out).catch(async (err: NodeJS.ErrnoException) => {
      if (err.code !== 'EXDEV') throw err;
      // Another filesystem than the store's: copied, and nothing left behind if that fails.
      await mkdir(out);
      await cloneTree(tree, out, `writing the layout to ${out}`).catch(async (copyErr: unknown) => {
        await rm(out, { recursive: true, force: true });
        throw copyErr;
      });
    });
    return digest;
  } finally {
    await staging.discard();
  }
}
