/**
 * Which names discovery may fetch, and what jetpack says when a name answers nothing in the
 * store: the closest names the store holds or images/ builds (did you mean…?), and the
 * `make -C images/DIR` that builds one (docs/FETCH.md, "Fetching").
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { UserError } from '../errors.js';
import { pathExists, ifExists } from '../util/fs.js';
import { PACKAGE_DIR } from '../util/package-dir.js';
import type { Store } from './store.js';
import { readTags } from './tags.js';

/** The example and base image directories, each built by `make -C` (installed with the package). */
const IMAGES_DIR = path.join(PACKAGE_DIR, 'images');

/** Where a directory of images/ names its image: a manifest, or the script that writes one. */
const MANIFEST_SOURCES = ['manifest.json', 'manifest.json.sh', 'mkmanifest.sh'];

const MAX_SUGGESTIONS = 3;

/**
 * The first component of `name` when it cannot be a domain (it has no dot: jetpack/busybox,
 * busybox), which discovery would ask for by https://FIRST/…; undefined for example.com/app.
 */
export function notADomain(name: string): string | undefined {
  const first = name.split('/')[0];
  return first.includes('.') ? undefined : first;
}

/**
 * The error for `name` (asked for as `asked`, labels and all) when the store lacks it, as one
 * line: `no image ASKED in the store`, then `because` (why it was not fetched) if given, then
 * the make -C that builds it, or else the closest names the store holds or images/ builds.
 */
export async function missingImage(store: Store, name: string, asked: string, because?: string): Promise<UserError> {
  const [stored, builds] = await Promise.all([storedNames(store), imageDirectories()]);
  const makeHint = (n: string): string | undefined => {
    const dir = builds.get(n);
    return dir && !stored.has(n) ? `make -C ${shownPath(dir)} builds it` : undefined;
  };
  const hint = makeHint(name) ?? didYouMean(closestNames(name, new Set([...stored, ...builds.keys()])), makeHint);
  const line = `no image ${asked} in the store${because ? `, ${because}` : ''}`;
  return new UserError(hint ? `${line}; ${hint}` : because ? line : `${line} (see jetpack images)`);
}

/** `did you mean A (make -C … builds it), B or C?`, or undefined for no names. */
function didYouMean(names: string[], makeHint: (name: string) => string | undefined): string | undefined {
  if (names.length === 0) return undefined;
  const shown = names.map((n) => {
    const make = makeHint(n);
    return make ? `${n} (${make})` : n;
  });
  return `did you mean ${shown.length === 1 ? shown[0] : `${shown.slice(0, -1).join(', ')} or ${shown.at(-1)}`}?`;
}

/** The names of the store's images and tags. */
async function storedNames(store: Store): Promise<Set<string>> {
  const names = await Promise.all((await store.ids()).map(async (id) => (await store.info(id))?.name ?? (await store.get(id))?.manifest.name));
  const tags = (await readTags(store.layout)).map((t) => t.name);
  return new Set([...names.filter((name) => name !== undefined), ...tags]);
}

/** Each image name images/ builds, with the directory whose Makefile builds it (the first in order). */
async function imageDirectories(): Promise<Map<string, string>> {
  const builds = new Map<string, string>();
  const entries = (await ifExists(readdir(IMAGES_DIR, { withFileTypes: true }))) ?? [];
  const dirs = entries.filter((e) => e.isDirectory()).map((e) => path.join(IMAGES_DIR, e.name));
  for (const dir of dirs.sort()) {
    const name = await builtName(dir);
    if (name !== undefined && !builds.has(name)) builds.set(name, dir);
  }
  return builds;
}

/** The name of the image `make -C DIR` builds, or undefined when DIR has no Makefile or no name is found. */
async function builtName(dir: string): Promise<string | undefined> {
  if (!(await pathExists(path.join(dir, 'Makefile')))) return undefined;
  for (const file of MANIFEST_SOURCES) {
    const text = await ifExists(readFile(path.join(dir, file), 'utf8'));
    const name = text === undefined ? undefined : file.endsWith('.json') ? jsonName(text) : /"name"\s*:\s*"([^"$]+)"/.exec(text)?.[1];
    if (name) return name;
  }
  return undefined;
}

/** The "name" of a manifest.json, if it is JSON with one. */
function jsonName(text: string): string | undefined {
  try {
    const { name } = JSON.parse(text) as { name?: unknown };
    return typeof name === 'string' ? name : undefined;
  } catch {
    return undefined;
  }
}

/** `dir` relative to the working directory when it is below it (images/busybox), else absolute. */
function shownPath(dir: string): string {
  const relative = path.relative(process.cwd(), dir);
  return relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : dir;
}

/**
 * Up to MAX_SUGGESTIONS of `candidates` (other than `name`), closest first: a typo away (one
 * edit per 6 characters, 1 to 3) or with the same last component (busybox: jetpack/busybox).
 */
export function closestNames(name: string, candidates: Iterable<string>): string[] {
  const last = (n: string): string => n.slice(n.lastIndexOf('/') + 1);
  const limit = Math.min(3, Math.max(1, Math.floor(name.length / 6)));
  return [...candidates]
    .filter((c) => c !== name)
    .map((c) => ({ c, d: editDistance(name, c) }))
    .filter(({ c, d }) => d <= limit || last(c) === last(name))
    .sort((a, b) => a.d - b.d || (a.c < b.c ? -1 : 1))
    .slice(0, MAX_SUGGESTIONS)
    .map(({ c }) => c);
}

/** Edits (insert, delete, substitute, swap two neighbours) that turn `a` into `b`. */
export function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}
