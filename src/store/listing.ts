import { UserError } from '../errors.js';
import { annotationValue } from '../image/manifest.js';
import { formatImageName } from '../image/name.js';
import { isInternalLayer, liveNames } from './gc.js';
import type { Store, StoredImage } from './store.js';
import { readTags, type Tag } from './tags.js';

/** One name of an image: its own, or a tag (an image with tags is listed once for each). */
export interface ListedImage {
  image: StoredImage;
  /** The tag this row lists, else the image's own name. */
  tag?: Tag;
  /** name:version,label=value… of the row. */
  name: string;
  /** A newer image or tag has the same name and labels: lookups by this name never reach the image. */
  shadowed: boolean;
  /** A layer an OCI import stored below the image it imported (an `oci-layer/…` name). */
  internal: boolean;
  /** When the image was made: its timestamp or created annotation, else when it was stored. */
  created: string;
}

export interface ListOptions {
  /** Names to list, shell globs (`*`, `?`, `[…]`) over the name or name:version,label=value…; none: every name. */
  patterns: string[];
  shadowed: boolean;
  internal: boolean;
}

/** The images `jetpack images` lists, sorted by name, and how many the options left out. */
export async function listImages(store: Store, opts: ListOptions): Promise<{ listed: ListedImage[]; hidden: { shadowed: number; internal: number } }> {
  const matchers = opts.patterns.map(globMatcher);
  const [images, tags] = await Promise.all([store.list(), readTags(store.layout)]);
  const live = liveNames(images, tags);
  const byID = new Map(images.map((i) => [i.id, i]));
  const rows = [
    ...images.map((image) => ({ image, name: formatImageName(image.manifest), bare: image.manifest.name, shadowed: !live.images.has(image.id) })),
    ...tags.flatMap((tag) => {
      const image = byID.get(tag.id);
      return image ? [{ image, tag, name: formatImageName(tag), bare: tag.name, shadowed: !live.tags.has(tag) }] : [];
    }),
  ];
  const all = rows
    .filter((r) => matchers.length === 0 || matchers.some((m) => m.test(r.bare) || m.test(r.name)))
    .map(({ bare: _, ...r }) => ({ ...r, internal: isInternalLayer(r.image), created: createdOf(r.image) }))
    .sort((a, b) => a.name.localeCompare(b.name));
  const listed = all.filter((i) => (opts.internal || !i.internal) && (opts.shadowed || !i.shadowed));
  const left = all.filter((i) => !listed.includes(i));
  return { listed, hidden: { shadowed: left.filter((i) => i.shadowed && !i.internal).length, internal: left.filter((i) => i.internal).length } };
}

function createdOf(image: StoredImage): string {
  return annotationValue(image.manifest, 'timestamp') ?? annotationValue(image.manifest, 'created') ?? image.info.stored;
}

/** A shell glob as a RegExp over a whole name: `*` any run of characters (`/` too), `?` one, `[…]` a class. */
export function globMatcher(glob: string): RegExp {
  let source = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*') source += '.*';
    else if (c === '?') source += '.';
    else if (c === '[') {
      const end = glob.indexOf(']', i + 2);
      if (end === -1) throw new UserError(`image name pattern ${JSON.stringify(glob)} has a [ without its ]`);
      source += `[${glob
        .slice(i + 1, end)
        .replace(/^!/, '^')
        .replace(/\\/g, '\\\\')}]`;
      i = end;
    } else source += c.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`);
}
