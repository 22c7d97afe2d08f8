// src/export/: what leaves the store: ACI and OCI output, pushes, and publishing (signatures, discovery pages).
import { constants as fsConstants } from 'node:fs';
import { copyFile, mkdir, readFile, rename, rm, stat, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { sha256OfFile } from '../util/file-digest.js';
import { keptKey, type LayerCodec } from '../archive/layer-codec.js';
import type { LayerBlob } from './oci-layer.js';
import { ifExists } from '../util/fs.js';

/**
 * OCI layer blobs kept beside the store layer they were made from (`<image>/oci-blobs/`, gone
 * with the image): a store layer never changes, so its blob for one codec and one
 * SOURCE_DATE_EPOCH is made once; later exports and pushes copy it instead of compressing
 * the layer again (a copy, which costs far less). A kept blob that may have been written to
 * since (another inode, size or change time) is checked against its digest before use.
 */
export async function cachedLayerBlob(
  layer: string,
  codec: LayerCodec,
  epoch: number | undefined,
  blobs: string,
  make: () => Promise<LayerBlob>,
  /**
   * A symbolic link to the kept blob instead of a copy: for a layout that only jetpack's tools
   * read (push, archives). Not a hard link: linking and unlinking change the kept file's change
   * time, and with it the check below.
   */
  share = false,
): Promise<LayerBlob> {
  const dir = path.join(path.dirname(layer), 'oci-blobs');
  const key = keptKey(codec, epoch);
  const kept = await readFile(path.join(dir, `${key}.json`), 'utf8').then(
    (t) => JSON.parse(t) as KeptBlob,
    () => undefined,
  );
  const hex = (d: string) => d.slice('sha256:'.length);
  const file = path.join(dir, `${key}.blob`);
  if (kept && (await unchanged(file, kept))) {
    const into = path.join(blobs, hex(kept.digest));
    await (share ? symlink(file, into) : copyBlob(file, into));
    return { digest: kept.digest, size: kept.size, diffID: kept.diffID };
  }
  const made = await make();
  const madeFile = path.join(blobs, hex(made.digest));
  await mkdir(dir, { recursive: true });
  const tmp = path.join(dir, `.${key}.${process.pid}`);
  await rm(`${tmp}.blob`, { force: true });
  await (share ? rename(madeFile, `${tmp}.blob`) : copyBlob(madeFile, `${tmp}.blob`));
  await rename(`${tmp}.blob`, file);
  await writeFile(`${tmp}.json`, JSON.stringify({ ...made, stat: statOf(await stat(file, { bigint: true })) } satisfies KeptBlob));
  await rename(`${tmp}.json`, path.join(dir, `${key}.json`));
  if (share) await symlink(file, madeFile);
  return made;
}

interface KeptBlob extends LayerBlob {
  /** The kept file's inode, size and change time when it was written: any write changes them. */
  stat: string;
}

function statOf(st: { ino: bigint; size: bigint; ctimeNs: bigint }): string {
  return `${st.ino}:${st.size}:${st.ctimeNs}`;
}

/**
 * Whether the kept blob is as it was written: the same inode, size and change time (as git's
 * index checks files), else its digest computed again.
 */
async function unchanged(file: string, kept: KeptBlob): Promise<boolean> {
  const st = await ifExists(stat(file, { bigint: true }));
  if (!st) return false;
  if (statOf(st) === kept.stat) return true;
  return (await ifExists(sha256OfFile(file))) === kept.digest.slice('sha256:'.length);
}

/** A copy of its own (a reflink where the filesystem has them): a layout written for a user shares no inode with the kept blob. */
async function copyBlob(from: string, to: string): Promise<void> {
  await rm(to, { force: true });
  await copyFile(from, to, fsConstants.COPYFILE_FICLONE);
}
