import { readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { UserError } from '../errors.js';
import { shortImageID } from '../image/id.js';
import type { Label } from '../image/manifest.js';
import { formatImageName, looksLikeImageID, matchesQuery, type ImageQuery } from '../image/name.js';
import type { StoreLayout } from './layout.js';
import type { Store, StoredImage } from './store.js';
import { ifExists } from '../util/fs.js';

/**
 * A second name for a stored image (`jetpack tag`): the manifest's name is part of the image
 * ID, so other names live beside the images, in `<root>/tags.json`.
 */
export interface Tag {
  name: string;
  labels: Label[];
  id: string;
  /** When the name was given (RFC 3339): a lookup takes the newest of the images and tags it matches. */
  tagged: string;
}

const tagsFile = (layout: StoreLayout) => path.join(layout.root, 'tags.json');

export async function readTags(layout: StoreLayout): Promise<Tag[]> {
  try {
    const text = await ifExists(readFile(tagsFile(layout), 'utf8'));
    return text === undefined ? [] : (JSON.parse(text) as Tag[]);
  } catch (err) {
    throw new Error(`cannot read ${tagsFile(layout)}`, { cause: err });
  }
}

/**
 * Replaces tags.json whole, by a rename from tmp/ (a crash leaves the old file or the new one,
 * and at worst a leftover in tmp/ that fsck removes). Call with the store lock held.
 */
export async function writeTags(layout: StoreLayout, tags: Tag[]): Promise<void> {
  const tmp = path.join(layout.tmp, `tags-${process.pid}.json`);
  await writeFile(tmp, JSON.stringify(tags, null, 2) + '\n', { mode: 0o644 });
  await rename(tmp, tagsFile(layout));
}

/**
 * The tag `image` gets as `query` (NAME[:version][,label=value…]): the image's labels with
 * those the query gives in their place, as `podman tag` keeps the image and adds a name.
 */
export function tagFor(image: StoredImage, query: ImageQuery): Tag {
  // resolveImage takes such a name for an ID prefix: a lookup would never reach the tag.
  if (looksLikeImageID(query.name)) throw new UserError(`invalid tag "${query.name}": it looks like an image ID`);
  const given = [...query.labels].filter(([name]) => !query.defaulted.has(name));
  const labels = (image.manifest.labels ?? []).filter((l) => !given.some(([name]) => name === l.name)).map((l) => ({ ...l }));
  labels.push(...given.map(([name, value]) => ({ name, value })));
  return { name: query.name, labels, id: image.id, tagged: new Date().toISOString() };
}

/** Same name and the very same labels: one replaces the other. */
function sameName(a: Pick<Tag, 'name' | 'labels'>, b: Pick<Tag, 'name' | 'labels'>): boolean {
  return formatImageName(a) === formatImageName(b);
}

/** The newest tag `query` matches, if any. */
export function findTag(tags: Tag[], query: ImageQuery): Tag | undefined {
  return tags.filter((t) => matchesQuery(t, query)).sort((a, b) => b.tagged.localeCompare(a.tagged))[0];
}

export function noSuchTag(ref: string, image: StoredImage | undefined): UserError {
  if (!image) return new UserError(`no tag ${ref} (see jetpack images)`);
  // As podman untag, removing a name never removes the image; and an image's own name is in its manifest, part of its ID.
  return new UserError(`${ref} is the name in the manifest of ${shortImageID(image.id)}, not a tag: it cannot be removed (jetpack rmi removes the image)`);
}

/** Gives `tag.id` the name of `tag`, taking it from any tag that had it. */
export async function addTag(store: Store, tag: Tag): Promise<void> {
  await store.locked(async () => {
    if (!(await store.info(tag.id))) throw new UserError(`image ${shortImageID(tag.id)} was removed from the store meanwhile`);
    const tags = (await readTags(store.layout)).filter((t) => !sameName(t, tag));
    await writeTags(store.layout, [...tags, tag]);
  });
}

/** Removes `tag` (the name, never the image); false if it was gone already. */
export async function removeTag(store: Store, tag: Tag): Promise<boolean> {
  return store.locked(async () => {
    const tags = await readTags(store.layout);
    const kept = tags.filter((t) => !(t.id === tag.id && sameName(t, tag)));
    if (kept.length === tags.length) return false;
    await writeTags(store.layout, kept);
    return true;
  });
}

/** With the store lock held: removes the tags of an image leaving the store; returns them. */
export async function dropTagsOf(layout: StoreLayout, id: string): Promise<Tag[]> {
  const tags = await readTags(layout);
  const dropped = tags.filter((t) => t.id === id);
  if (dropped.length)
    await writeTags(
      layout,
      tags.filter((t) => t.id !== id),
    );
  return dropped;
}
