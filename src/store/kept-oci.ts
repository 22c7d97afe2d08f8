import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { keptKey, parseLayerCodec } from '../archive/layer-codec.js';
import { ifExists } from '../util/fs.js';

/**
 * What an image directory keeps for OCI exports and pushes (src/export/blob-cache.ts,
 * push.ts) that no export will read again: blobs and layouts named by an encoding this jetpack
 * no longer writes (`gzip-as-stored` before levels were part of the name), a blob without its
 * record or a record without its blob, and the scratch files of exports that were killed.
 * Paths relative to the image directory.
 */
export async function unusedOciEntries(imageDir: string): Promise<string[]> {
  const blobs = (await ifExists(readdir(path.join(imageDir, 'oci-blobs')))) ?? [];
  const layouts = (await readdir(imageDir)).filter((n) => n.startsWith('oci-layout-'));
  const unused: string[] = [];
  const kept = new Set(blobs);
  for (const name of blobs) {
    const scratch = /^\.(.+)\.(\d+)\.(blob|json)$/.exec(name);
    const own = /^(.+)\.(blob|json)$/.exec(name);
    const pair = own && `${own[1]}.${own[2] === 'blob' ? 'json' : 'blob'}`;
    const dead = scratch ? !isRunning(Number(scratch[2])) : !own || !isCurrentKey(own[1]) || !kept.has(pair!);
    if (dead) unused.push(path.join('oci-blobs', name));
  }
  for (const name of layouts) {
    const scratch = /^oci-layout-(.+)\.(\d+)\.tmp$/.exec(name);
    const key = name.slice('oci-layout-'.length).replace(/-squashed$/, '');
    if (scratch ? !isRunning(Number(scratch[2])) : !isCurrentKey(key)) unused.push(name);
  }
  return unused.sort();
}

/** Whether `key` (CODEC-EPOCH) is a name keptKey gives today. */
function isCurrentKey(key: string): boolean {
  const m = /^([a-z]+)(\d*)-(as-stored|\d+)$/.exec(key);
  if (!m) return false;
  try {
    const codec = parseLayerCodec(m[1], m[2] || undefined);
    return keptKey(codec, m[3] === 'as-stored' ? undefined : Number(m[3])) === key;
  } catch {
    return false; // a codec or level this jetpack does not know
  }
}

/** Whether a process with this ID exists (a kept file's writer that may still be at work). */
function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
