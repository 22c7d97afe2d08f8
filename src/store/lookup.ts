import { UserError } from '../errors.js';
import { isImageID, shortImageID } from '../image/id.js';
import { formatImageName, looksLikeImageID, matchesQuery, parseImageQuery, type ImageQuery } from '../image/name.js';
import { missingImage } from './missing-image.js';
import type { Store, StoredImage } from './store.js';

/**
 * The newest stored image that matches `query` (when several match, the one stored last
 * wins). Reads every image's info.json, which names it, and only the winner's manifest.
 */
export async function findByQuery(store: Store, query: ImageQuery): Promise<StoredImage | undefined> {
  const infos = await Promise.all(
    (await store.ids()).map(async (id) => {
      const info = await store.info(id);
      if (!info) return undefined;
      const named = info.name !== undefined ? { name: info.name, labels: info.labels } : (await store.get(id))?.manifest;
      return named && matchesQuery(named, query) ? { id, stored: info.stored } : undefined;
    }),
  );
  const newest = infos.filter((i) => i !== undefined).sort((a, b) => b.stored.localeCompare(a.stored))[0];
  return newest && store.get(newest.id);
}

/** Finds the newest stored image with this name whose labels include `labels`. */
export function findByName(store: Store, name: string, labels: Map<string, string>): Promise<StoredImage | undefined> {
  return findByQuery(store, { name, labels, defaulted: new Set() });
}

/**
 * Resolves IMAGE as the CLI accepts it: a full ID, a unique ID prefix, or
 * name[:version][,label=value…] (os and arch default to the host's).
 */
export async function resolveImage(store: Store, ref: string): Promise<StoredImage> {
  if (isImageID(ref)) {
    const image = await store.get(ref);
    if (!image) throw new UserError(`no image ${shortImageID(ref)} in the store`);
    return image;
  }
  if (looksLikeImageID(ref)) {
    const ids = (await store.ids()).filter((id) => id.startsWith(ref));
    if (ids.length === 0) throw new UserError(`no image with ID ${ref} in the store`);
    if (ids.length > 1) throw new UserError(`image ID ${ref} is ambiguous: ${ids.map(shortImageID).join(', ')}`);
    return (await store.get(ids[0]))!;
  }
  const query = parseImageQuery(ref);
  const image = await findByQuery(store, query);
  if (!image) throw await missingImage(store, query.name, ref);
  return image;
}

export function describeImage(image: StoredImage): string {
  return `${shortImageID(image.id)} ${formatImageName(image.manifest)}`;
}
