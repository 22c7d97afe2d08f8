import { createReadStream } from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { writeAci } from '../aci/writer.js';
import { compressedSink, decompressedFile, type Compression } from '../archive/compression.js';
import { serializeManifest } from '../image/manifest.js';
import { IMAGE_FILES } from '../store/layout.js';
import { layerStack } from '../store/layer-stack.js';
import { renderLayers } from '../layers/select.js';
import type { Store, StoredImage } from '../store/store.js';
import { sourceDateEpoch } from '../util/source-date-epoch.js';

/**
 * Writes the image's own ACI (its layer and manifest, as stored) to `fd`. Without a
 * compression the stored bytes are copied as they are; with one they are recompressed,
 * which leaves the ID unchanged since it hashes the uncompressed stream.
 */
export async function exportLayered(image: StoredImage, fd: number, compression?: Compression): Promise<void> {
  const aci = path.join(image.dir, IMAGE_FILES.aci);
  const source =
    compression === undefined || compression === image.info.compression
      ? createReadStream(aci, { highWaterMark: 1 << 20 })
      : decompressedFile(aci, image.info.compression);
  const sink = compressedSink(compression ?? 'none', fd);
  await Promise.all([pipeline(source, sink.stream), sink.done]);
}

/**
 * Writes the whole rendered rootfs of the image as one ACI with no dependencies and no
 * pathWhitelist, and returns that ACI's ID. Exporting the same image twice gives the
 * same bytes.
 */
export async function exportFlat(store: Store, image: StoredImage, fd: number, compression: Compression): Promise<string> {
  const clampMtime = sourceDateEpoch();
  const staging = await store.stage('export');
  try {
    const { dependencies: _deps, pathWhitelist: _whitelist, ...flat } = image.manifest;
    const tree = await renderLayers(await layerStack(store, image), staging.path('render'));
    return await writeAci(
      { manifest: serializeManifest(flat), scratch: staging.path('manifest'), rootfsParent: tree.parent, wrap: tree.wrap, clampMtime },
      fd,
      compression,
      { label: `exporting ${image.manifest.name}`, total: image.info.size },
    );
  } finally {
    await staging.discard();
  }
}
