import { readFile, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { checkTransport, skopeoCopy, type TransportOptions } from '../registry/skopeo.js';
import type { Store, StoredImage } from '../store/store.js';
import { sourceDateEpoch } from '../util/source-date-epoch.js';
import { keptKey } from '../archive/layer-codec.js';
import type { OciExportOptions } from './oci.js';

const KEPT_TAG = 'jetpack';

/**
 * The image as an OCI layout kept in its store directory (`oci-layout-CODEC-EPOCH`, gone
 * with the image), made once: an image never changes, so its layout for one codec and
 * one SOURCE_DATE_EPOCH is always the same. Its blobs are links to the kept layer blobs. Only
 * jetpack and skopeo read it; a registry checks every blob's digest as it receives it.
 */
async function keptLayout(
  store: Store,
  image: StoredImage,
  opts: Omit<OciExportOptions, 'format' | 'tag' | 'transient'>,
): Promise<{ dir: string; digest: string }> {
  const dir = path.join(image.dir, `oci-layout-${keptKey(opts.codec, sourceDateEpoch())}${opts.squash ? '-squashed' : ''}`);
  const kept = await intactLayout(dir);
  if (kept) return { dir, digest: kept };
  await rm(dir, { recursive: true, force: true });
  const tmp = `${dir}.${process.pid}.tmp`;
  await rm(tmp, { recursive: true, force: true });
  const { exportOci } = await import('./oci.js');
  const digest = await exportOci(store, image, tmp, { ...opts, format: 'oci', tag: KEPT_TAG, transient: true });
  await rename(tmp, dir).catch(async (err: NodeJS.ErrnoException) => {
    await rm(tmp, { recursive: true, force: true });
    if (err.code !== 'ENOTEMPTY' && err.code !== 'EEXIST') throw err; // another push made it first
  });
  return { dir, digest };
}

/**
 * The manifest digest of a kept layout that has all its blobs, else undefined: its layer blobs
 * are links to the kept ones, which a user may have removed (`rm -r IMAGE/oci-blobs`).
 */
async function intactLayout(dir: string): Promise<string | undefined> {
  const blob = (digest: string) => path.join(dir, 'blobs', 'sha256', digest.replace(/^sha256:/, ''));
  try {
    const index = JSON.parse(await readFile(path.join(dir, 'index.json'), 'utf8')) as { manifests: Array<{ digest: string }> };
    const digest = index.manifests[0].digest;
    const manifest = JSON.parse(await readFile(blob(digest), 'utf8')) as { config: { digest: string }; layers: Array<{ digest: string }> };
    await Promise.all([manifest.config, ...manifest.layers].map((d) => stat(blob(d.digest))));
    return digest;
  } catch {
    return undefined;
  }
}

/**
 * Pushes an image to any location skopeo takes (a registry: docker://HOST/REPO:TAG): `skopeo
 * copy` of the image's kept OCI layout. The layers are the same bytes each time, so the
 * registry already has a parent's layers when its child is pushed and skopeo uploads only the
 * new ones. Returns the manifest digest.
 */
export async function pushImage(
  store: Store,
  image: StoredImage,
  dest: string,
  transport: TransportOptions,
  opts: Omit<OciExportOptions, 'format' | 'tag' | 'transient'>,
): Promise<string> {
  checkTransport(dest);
  const { dir, digest } = await keptLayout(store, image, opts);
  await skopeoCopy(`oci:${dir}:${KEPT_TAG}`, dest, 'dest', transport);
  return digest;
}
