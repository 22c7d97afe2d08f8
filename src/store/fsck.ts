import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { scanAci } from '../aci/scan.js';
import { isImageID } from '../image/id.js';
import { formatImageName } from '../image/name.js';
import { withProgress } from '../util/progress.js';
import { IMAGE_FILES } from './layout.js';
import type { Store } from './store.js';

export interface FsckReport {
  checked: number;
  problems: string[];
  removed: string[];
}

/**
 * Checks the whole store under the exclusive lock: every image's ACI re-hashed against its
 * ID, its manifest against the one inside the ACI, its dependencies present; unlocked
 * entries of tmp/ (left by killed operations) removed. Shows how many images are checked.
 */
export async function fsck(store: Store, log: (line: string) => void): Promise<FsckReport> {
  return store.locked(async () => {
    const report: FsckReport = { checked: 0, problems: [], removed: [] };
    for (const name of await store.reapLeftovers()) {
      report.removed.push(`tmp/${name}`);
      log(`removed leftover tmp/${name}`);
    }
    const ids = new Set<string>();
    for (const name of await readdir(store.layout.images)) {
      if (!isImageID(name)) {
        report.problems.push(`images/${name}: not an image directory`);
        continue;
      }
      ids.add(name);
    }
    await withProgress('checking the store', { items: 'images', total: ids.size }, async (progress) => {
      for (const id of ids) {
        await checkImage(store, id, ids, report);
        report.checked++;
        progress.add();
      }
    });
    return report;
  });
}

/** Re-hashes one image's ACI and checks its manifest, name and dependencies, into `report`. */
async function checkImage(store: Store, id: string, ids: Set<string>, report: FsckReport): Promise<void> {
  const image = await store.get(id).catch((err: Error) => {
    report.problems.push(`${id}: unreadable: ${err.message}`);
    return undefined;
  });
  if (!image) {
    if (!report.problems.some((p) => p.startsWith(id))) report.problems.push(`${id}: manifest or info.json missing`);
    return;
  }
  try {
    const aci = await scanAci(path.join(image.dir, IMAGE_FILES.aci), image.info.compression);
    if (aci.id !== id) report.problems.push(`${id}: content hash mismatch (the stored ACI hashes to ${aci.id.slice(0, 39)}…)`);
    const stored = await readFile(path.join(image.dir, IMAGE_FILES.manifest));
    if (!aci.manifest || !aci.manifest.equals(stored)) report.problems.push(`${id}: manifest differs from the one in the ACI`);
  } catch (err) {
    report.problems.push(`${id}: cannot read the stored ACI: ${(err as Error).message}`);
  }
  const { name, labels } = image.info;
  if (name !== undefined) {
    const [fromInfo, fromManifest] = [formatImageName({ name, labels }), formatImageName(image.manifest)];
    if (fromInfo !== fromManifest) report.problems.push(`${id}: info.json names it ${fromInfo}, its manifest ${fromManifest}`);
  }
  for (const dep of image.info.dependencies) {
    if (!ids.has(dep)) report.problems.push(`${id}: dependency ${dep.slice(0, 39)} is missing`);
  }
}
