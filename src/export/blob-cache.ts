import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { constants as fsConstants } from 'node:fs';
import { copyFile, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { LayerBlob, LayerCompression } from './oci-layer.js';

/**
 * OCI layer blobs kept beside the store layer they were made from (`<image>/oci-blobs/`, gone
 * with the image): a store layer never changes, so its blob for one compression and one
 * SOURCE_DATE_EPOCH is made once; later exports and pushes copy it instead of compressing
 * the layer again (a copy, which costs far less). A kept blob is checked against its digest
 * before each use.
 */
export async function cachedLayerBlob(
  layer: string,
  compression: LayerCompression,
  epoch: number | undefined,
  blobs: string,
  make: () => Promise<LayerBlob>,
): Promise<LayerBlob> {
  const dir = path.join(path.dirname(layer), 'oci-blobs');
  const key = `${compression}-${epoch ?? 'as-stored'}`;
  const kept = await readFile(path.join(dir, `${key}.json`), 'utf8').then((t) => JSON.parse(t) as LayerBlob, () => undefined);
  const hex = (d: string) => d.slice('sha256:'.length);
  if (kept && (await digestOf(path.join(dir, `${key}.blob`))) === hex(kept.digest)) {
    await copyBlob(path.join(dir, `${key}.blob`), path.join(blobs, hex(kept.digest)));
    return kept;
  }
  const made = await make();
  await mkdir(dir, { recursive: true });
  const tmp = path.join(dir, `.${key}.${process.pid}`);
  await rm(tmp, { force: true });
  await copyBlob(path.join(blobs, hex(made.digest)), `${tmp}.blob`);
  await rename(`${tmp}.blob`, path.join(dir, `${key}.blob`));
  await writeFile(`${tmp}.json`, JSON.stringify(made));
  await rename(`${tmp}.json`, path.join(dir, `${key}.json`));
  return made;
}

async function digestOf(file: string): Promise<string | undefined> {
  const hash = createHash('sha256');
  return pipeline(createReadStream(file, { highWaterMark: 1 << 20 }), hash).then(
    () => hash.digest('hex'),
    () => undefined,
  );
}

/** A copy of its own (a reflink where the filesystem has them): a layout written for a user shares no inode with the kept blob. */
async function copyBlob(from: string, to: string): Promise<void> {
  await rm(to, { force: true });
  await copyFile(from, to, fsConstants.COPYFILE_FICLONE);
}
