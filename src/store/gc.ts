import type { StoredImage } from './store.js';

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
 * The name prefix of the images an OCI import stores for the layers below the top one
 * (src/import/oci.ts): the store's own entries, listed only when asked for.
 */
export const INTERNAL_LAYER_PREFIX = 'oci-layer/';

export function isInternalLayer(image: StoredImage): boolean {
  return image.manifest.name.startsWith(INTERNAL_LAYER_PREFIX);
}

/**
 * The images nothing needs, in an order they can be removed in: shadowed images and internal
 * layers that no image depends on. Removing an old child can free its old parent, so the walk
 * repeats until nothing more is freed.
 */
export function collectableImages(images: StoredImage[]): StoredImage[] {
  const shadowed = shadowedImages(images);
  let live = images;
  const out: StoredImage[] = [];
  for (;;) {
    const needed = new Set(live.flatMap((i) => i.info.dependencies));
    const free = live.filter((i) => (shadowed.has(i.id) || isInternalLayer(i)) && !needed.has(i.id));
    if (free.length === 0) return out;
    out.push(...free);
    live = live.filter((i) => !free.includes(i));
  }
}
