import { UserError } from '../errors.js';
import { isImageID, shortImageID } from '../image/id.js';
import { formatImageName, looksLikeImageID, matchesQuery, parseImageQuery, type ImageQuery } from '../image/name.js';
import type { Store, StoredImage } from './store.js';

/** The newest image first: when several match a name, the one stored last wins. */
function newestFirst(a: StoredImage, b: StoredImage): number {
  return b.info.stored.localeCompare(a.info.stored);
}

/** Finds the newest stored image with this name whose labels include `labels`. */
export async function findByName(store: Store, name: string, labels: Map<string, string>): Promise<StoredImage | undefined> {
  const query: ImageQuery = { name, labels, defaulted: new Set() };
  return (await store.list()).filter((i) => matchesQuery(i.manifest, query)).sort(newestFirst)[0];
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
    return (await store.get(ids[0]!))!;
  }
  const query = parseImageQuery(ref);
  const matches = (await store.list()).filter((i) => matchesQuery(i.manifest, query)).sort(newestFirst);
  if (matches.length === 0) throw new UserError(`no image ${ref} in the store (see jetpack images)`);
  return matches[0]!;
}

export function describeImage(image: StoredImage): string {
  return `${shortImageID(image.id)} ${formatImageName(image.manifest)}`;
}
