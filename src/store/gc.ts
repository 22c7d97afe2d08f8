import type { ImageManifest } from '../image/manifest.js';
import type { Tag } from './tags.js';
import type { StoredImage } from './store.js';

/** Name and labels as one key: images and tags with equal keys answer the same lookups. */
function identityKey(named: Pick<ImageManifest, 'name' | 'labels'>): string {
  const labels = (named.labels ?? []).map((l) => `${l.name}=${l.value}`).sort();
  return JSON.stringify([named.name, labels]);
}

/**
 * The names lookups reach: for each name and labels, the image or tag given it last (the newest
 * wins, lookup.ts). Returns the images whose own name is reached, and the tags that are.
 */
export function liveNames(images: StoredImage[], tags: Tag[] = []): { images: Set<string>; tags: Set<Tag> } {
  const ids = new Set(images.map((i) => i.id));
  // A tag of an image a crash took out of images/ before tags.json was rewritten names nothing.
  const named = tags.filter((t) => ids.has(t.id));
  const entries = [
    ...images.map((i) => ({ key: identityKey(i.manifest), time: i.info.stored, image: i.id, tag: undefined })),
    ...named.map((t) => ({ key: identityKey(t), time: t.tagged, image: undefined, tag: t })),
  ];
  const newest = new Map<string, (typeof entries)[number]>();
  for (const e of entries) {
    const seen = newest.get(e.key);
    if (!seen || e.time > seen.time) newest.set(e.key, e);
  }
  const live = [...newest.values()];
  return { images: new Set(live.flatMap((e) => (e.image ? [e.image] : []))), tags: new Set(live.flatMap((e) => (e.tag ? [e.tag] : []))) };
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
 * The images nothing needs, in an order they can be removed in: images that neither their own
 * name nor a tag reaches, and untagged internal layers, that no image depends on. Removing an
 * old child can free its old parent, so the walk repeats until nothing more is freed.
 */
export function collectableImages(images: StoredImage[], tags: Tag[] = []): StoredImage[] {
  const live = liveNames(images, tags);
  const tagged = new Set([...live.tags].map((t) => t.id));
  const shadowed = new Set(images.filter((i) => !live.images.has(i.id) && !tagged.has(i.id)).map((i) => i.id));
  let kept = images;
  const out: StoredImage[] = [];
  for (;;) {
    const needed = new Set(kept.flatMap((i) => i.info.dependencies));
    const free = kept.filter((i) => (shadowed.has(i.id) || (isInternalLayer(i) && !tagged.has(i.id))) && !needed.has(i.id));
    if (free.length === 0) return out;
    out.push(...free);
    kept = kept.filter((i) => !free.includes(i));
  }
}
