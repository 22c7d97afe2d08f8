import { UserError } from '../errors.js';
import { isImageID, shortImageID } from '../image/id.js';
import { formatImageName, looksLikeImageID, matchesQuery, parseImageQuery, type ImageQuery } from '../image/name.js';
import { missingImage } from './missing-image.js';
import { readTags, type Tag } from './tags.js';
import type { Store, StoredImage } from './store.js';

/**
 * The newest stored image that matches `query` by its own name or a tag (when several match,
 * the one stored or tagged last wins), with the tag when that is how it was reached. Reads
 * every image's info.json, which names it, and only the winner's manifest.
 */
export async function findNamed(store: Store, query: ImageQuery): Promise<{ image: StoredImage; tag?: Tag } | undefined> {
  const ids = await store.ids();
  const infos = await Promise.all(
    ids.map(async (id) => {
      const info = await store.info(id);
      if (!info) return undefined;
      const named = info.name !== undefined ? { name: info.name, labels: info.labels } : (await store.get(id))?.manifest;
      return named && matchesQuery(named, query) ? { id, stored: info.stored, tag: undefined } : undefined;
    }),
  );
  // A tag of an image a crash took out of images/ before tags.json was rewritten reaches nothing.
  const tagged = (await readTags(store.layout))
    .filter((t) => ids.includes(t.id) && matchesQuery(t, query))
    .map((tag) => ({ id: tag.id, stored: tag.tagged, tag }));
  const newest = [...infos.filter((i) => i !== undefined), ...tagged].sort((a, b) => b.stored.localeCompare(a.stored))[0];
  const image = newest && (await store.get(newest.id));
  return image && { image, tag: newest.tag };
}

/** The image findNamed finds. */
export async function findByQuery(store: Store, query: ImageQuery): Promise<StoredImage | undefined> {
  return (await findNamed(store, query))?.image;
}

/** Finds the newest stored image with this name whose labels include `labels`. */
export function findByName(store: Store, name: string, labels: Map<string, string>): Promise<StoredImage | undefined> {
  return findByQuery(store, { name, labels, defaulted: new Set() });
}

/**
 * Resolves IMAGE as the CLI accepts it: a full ID, a unique ID prefix, or
 * name[:version][,label=value…] (os and arch default to the host's), with the tag when a
 * name reached the image through one.
 */
export async function resolveImageRef(store: Store, ref: string): Promise<{ image: StoredImage; tag?: Tag }> {
  if (isImageID(ref)) {
    const image = await store.get(ref);
    if (!image) throw new UserError(`no image ${shortImageID(ref)} in the store`);
    return { image };
  }
  if (looksLikeImageID(ref)) {
    const ids = (await store.ids()).filter((id) => id.startsWith(ref));
    if (ids.length === 0) throw new UserError(`no image with ID ${ref} in the store`);
    if (ids.length > 1) throw new UserError(`image ID ${ref} is ambiguous: ${ids.map(shortImageID).join(', ')}`);
    return { image: (await store.get(ids[0]))! };
  }
  const query = parseImageQuery(ref);
  const found = await findNamed(store, query);
  if (!found) throw await missingImage(store, query.name, ref);
  return found;
}

export async function resolveImage(store: Store, ref: string): Promise<StoredImage> {
  return (await resolveImageRef(store, ref)).image;
}

export function describeImage(image: StoredImage): string {
  return `${shortImageID(image.id)} ${formatImageName(image.manifest)}`;
}
