import type { Store, StoredImage } from './store.js';

/** Name and labels as one key: images with equal keys answer the same lookups. */
function identityKey(image: StoredImage): string {
  const labels = (image.manifest.labels ?? []).map((l) => `${l.name}=${l.value}`).sort();
  return JSON.stringify([image.manifest.name, labels]);
}

/**
 * Images that a lookup by name can no longer reach: another image with the same name and
 * the very same labels was stored after them (the newest wins, lookup.ts).
 */
export function shadowedImages(images: StoredImage[]): Set<string> {
  const newest = new Map<string, StoredImage>();
  for (const image of images) {
    const key = identityKey(image);
    const seen = newest.get(key);
    if (!seen || image.info.stored > seen.info.stored) newest.set(key, image);
  }
  return new Set(images.filter((i) => newest.get(identityKey(i)) !== i).map((i) => i.id));
}

/**
 * The shadowed images that nothing depends on, in an order they can be removed in: removing
 * an old child can free its old parent, so the walk repeats until nothing more is freed.
 */
export function collectableImages(images: StoredImage[]): StoredImage[] {
  const shadowed = shadowedImages(images);
  let live = images;
  const out: StoredImage[] = [];
  for (;;) {
    const needed = new Set(live.flatMap((i) => i.info.dependencies));
    const free = live.filter((i) => shadowed.has(i.id) && !needed.has(i.id));
    if (free.length === 0) return out;
    out.push(...free);
    live = live.filter((i) => !free.includes(i));
  }
}

/** Removes (or with `dryRun` only lists) the collectable images; destroy re-checks dependents under the lock. */
export async function collectImages(store: Store, dryRun: boolean, log: (image: StoredImage) => void): Promise<StoredImage[]> {
  const doomed = collectableImages(await store.list());
  for (const image of doomed) {
    if (!dryRun) await store.destroy(image);
    log(image);
  }
  return doomed;
}
