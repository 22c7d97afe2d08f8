import { createHash } from 'node:crypto';
import { createReadStream, type Stats } from 'node:fs';
import { lstat, mkdir, open, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { writeAci } from '../aci/writer.js';
import { detectFileCompression } from '../archive/compression.js';
import { extractTarball } from '../archive/gnu-tar.js';
import { expansionLimits } from '../archive/limits.js';
import { normalizeName, TarReader, type EntryType } from '../archive/tar-reader.js';
import { checkTreeTarball } from '../archive/tree-entries.js';
import { UserError } from '../errors.js';
import { isACIdentifier } from '../image/identifiers.js';
import { hostArch } from '../image/platform.js';
import { serializeManifest, type ImageManifest } from '../image/manifest.js';
import { importAci } from '../store/import.js';
import { keepingMtimes, renderedPaths, walkLayer } from '../layers/format.js';
import { layerStack } from '../store/layer-stack.js';
import { findByName } from '../store/lookup.js';
import type { Store, StoredImage } from '../store/store.js';
import { sha256OfFile } from '../util/file-digest.js';
import { pathExists, ifExists } from '../util/fs.js';
import { acName, appcArch, appcManifest, type OciConfig } from './oci-manifest.js';

/** What `jetpack import` was given, when it is not an ACI. */
export type OciSource = { kind: 'layout'; dir: string; tag?: string } | { kind: 'oci-archive' | 'docker-archive'; file: string; tag?: string };

/** `oci:DIR[:TAG]`, `oci-archive:FILE[:TAG]`, `docker-archive:FILE[:NAME:TAG]` (containers-transports(5)). */
function transport(location: string): OciSource | undefined {
  const m = /^(oci|oci-archive|docker-archive):([^:]+)(?::(.+))?$/.exec(location);
  if (!m) return undefined;
  const tag = m[3];
  return m[1] === 'oci' ? { kind: 'layout', dir: m[2], tag } : { kind: m[1] as 'oci-archive' | 'docker-archive', file: m[2], tag };
}

const DECIDED = new Error('decided');

/** Whether an uncompressed tar is an oci-archive, a docker-archive or (anything else) an ACI, from its first telling member. */
async function archiveKind(file: string): Promise<'oci-archive' | 'docker-archive' | undefined> {
  let kind: 'oci-archive' | 'docker-archive' | 'aci' | undefined;
  const reader = new TarReader({
    onEntry: (e) => {
      const name = e.path;
      if (name === 'manifest' || name === 'rootfs' || name.startsWith('rootfs/')) kind = 'aci';
      else if (name === 'oci-layout' || name === 'index.json' || name.startsWith('blobs/')) kind = 'oci-archive';
      else if (name === 'manifest.json' || name === 'repositories') kind = 'docker-archive';
      if (kind) throw DECIDED;
    },
  });
  await pipeline(createReadStream(file, { highWaterMark: 1 << 20 }), reader.writable()).catch((err: unknown) => {
    if (err !== DECIDED) kind = 'aci'; // not a tar jetpack can read: the ACI path says why
  });
  return kind === 'aci' ? undefined : kind;
}

/** Recognises an OCI layout, oci-archive or docker-archive by its location or content; undefined for an ACI. */
export async function ociSource(location: string): Promise<OciSource | undefined> {
  const named = transport(location);
  if (named) return named;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(location) || location === '-') return undefined;
  const st = await ifExists(lstat(location));
  if (st?.isDirectory()) {
    if (await pathExists(path.join(location, 'oci-layout'))) return { kind: 'layout', dir: location };
    throw new UserError(`${location} is a directory but not an OCI image layout (no oci-layout file)`);
  }
  if (!st?.isFile() || (await detectFileCompression(location)) !== 'none') return undefined;
  const kind = await archiveKind(location);
  return kind && { kind, file: location };
}

interface Descriptor {
  mediaType?: string;
  digest: string;
  size?: number;
  annotations?: Record<string, string>;
  platform?: { os?: string; architecture?: string; variant?: string };
}

/** The image to import: its config, layer files (base first) and annotations, read from a layout or docker-archive tree. */
interface OciImage {
  config: OciConfig;
  layers: string[];
  annotations: Record<string, string>;
  /** The name the source gives it (docker RepoTags, a layout's title annotation). */
  name?: string;
  tag?: string;
}

/** Where the image's files are: a layout directory, or an archive extracted into one (with its members' kinds from their headers). */
interface ImageFiles {
  dir: string;
  what: string;
  members?: Map<string, EntryType>;
}

/** Largest JSON document (index, manifest, config) read; real ones are a few KiB. */
const JSON_LIMIT = 16 << 20;

function kindOf(st: Stats): string {
  if (st.isSymbolicLink()) return 'a symlink';
  if (st.isDirectory()) return 'a directory';
  if (st.isCharacterDevice() || st.isBlockDevice()) return 'a device';
  if (st.isFIFO()) return 'a FIFO';
  return 'a socket';
}

/**
 * A file of the image, read only as a regular file of its archive or layout: a name that
 * leaves it, or a member that is a link, device or FIFO (which would read the host, or never
 * end), is refused by name. Returns the path and size.
 */
async function memberFile(files: ImageFiles, name: string, role: string): Promise<{ file: string; size: number }> {
  if (name.startsWith('/') || name.split('/').includes('..')) throw new UserError(`${files.what} names its ${role} ${JSON.stringify(name)}, a path outside it`);
  const parts = normalizeName(name).split('/').filter(Boolean);
  if (!parts.length) throw new UserError(`${files.what} names no ${role}`);
  const kind = files.members?.get(parts.join('/'));
  if (files.members && kind === undefined) throw new UserError(`${files.what} has no ${role} ${JSON.stringify(name)}`);
  if (kind !== undefined && kind !== 'file')
    throw new UserError(`refusing the ${role} ${JSON.stringify(name)} of ${files.what}: it is a ${kind}, not a regular file`);
  let file = files.dir;
  for (const [i, part] of parts.entries()) {
    file = path.join(file, part);
    const st = await ifExists(lstat(file));
    if (!st) throw new UserError(`${files.what} has no ${role} ${JSON.stringify(name)}`);
    const last = i === parts.length - 1;
    if (last ? !st.isFile() : !st.isDirectory())
      throw new UserError(
        `refusing the ${role} ${JSON.stringify(name)} of ${files.what}: ${last ? '' : `${parts.slice(0, i + 1).join('/')} is `}${kindOf(st)}, not a regular file`,
      );
    if (last) return { file, size: st.size };
  }
  throw new Error('unreachable: a name has a last part');
}

async function readJSON<T>(files: ImageFiles, name: string, what: string): Promise<T> {
  const { file, size } = await memberFile(files, name, what);
  if (size > JSON_LIMIT) throw new UserError(`${what} of ${files.what} is ${size} bytes, more than the ${JSON_LIMIT}-byte limit of a JSON document`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(file, 'utf8'));
  } catch {
    throw new UserError(`${what} of ${files.what} (${name}) is not valid JSON`);
  }
  if (typeof parsed !== 'object' || parsed === null) throw new UserError(`${what} of ${files.what} (${name}) is not a JSON object or list`);
  return parsed as T;
}

/** The name of a layout's blob, checked against its digest when read (the layout's contents must hash to their names). */
function blobName(d: Descriptor): string {
  const m = /^sha256:([0-9a-f]{64})$/.exec(d.digest ?? '');
  if (!m) throw new UserError(`unsupported or malformed digest ${JSON.stringify(d.digest)} (jetpack reads sha256 blobs)`);
  return `blobs/sha256/${m[1]}`;
}

async function blob(files: ImageFiles, d: Descriptor, role: string): Promise<string> {
  const name = blobName(d);
  const { file, size } = await memberFile(files, name, role).catch((err: unknown) => {
    if (err instanceof UserError && / has no /.test(err.message)) throw new UserError(`${files.what} has no blob ${d.digest}`);
    throw err;
  });
  if (d.size !== undefined && d.size !== size)
    throw new UserError(`blob ${d.digest} does not match its descriptor (${size} bytes, not ${d.size}): ${files.what} is corrupt`);
  if ((await sha256OfFile(file)) !== name.slice('blobs/sha256/'.length))
    throw new UserError(`blob ${d.digest} does not match its digest: ${files.what} is corrupt`);
  return file;
}

async function blobJSON<T>(files: ImageFiles, d: Descriptor, role: string): Promise<T> {
  await blob(files, d, role);
  return readJSON<T>(files, blobName(d), role);
}

const INDEX_TYPES = new Set(['application/vnd.oci.image.index.v1+json', 'application/vnd.docker.distribution.manifest.list.v2+json']);

async function readLayout(files: ImageFiles, tag: string | undefined): Promise<OciImage> {
  const index = await readJSON<{ manifests?: Descriptor[] }>(files, 'index.json', 'index');
  if (!Array.isArray(index.manifests ?? [])) throw new UserError(`index.json of ${files.what} has no list of manifests`);
  let candidates = index.manifests ?? [];
  if (tag) candidates = candidates.filter((d) => d.annotations?.['org.opencontainers.image.ref.name'] === tag);
  if (candidates.length === 0) throw new UserError(tag ? `the layout has no image tagged ${tag}` : 'the layout holds no image');
  if (candidates.length > 1) {
    const tags = candidates.map((d) => d.annotations?.['org.opencontainers.image.ref.name'] ?? d.digest);
    throw new UserError(`the layout holds several images (${tags.join(', ')}): name one as oci:DIR:TAG`);
  }
  let descriptor = candidates[0];
  if (descriptor.mediaType && INDEX_TYPES.has(descriptor.mediaType)) {
    const nested = await blobJSON<{ manifests?: Descriptor[] }>(files, descriptor, 'image index');
    const host = hostArch();
    const match = (nested.manifests ?? []).find(
      (d) => (d.platform?.os ?? 'linux') === 'linux' && appcArch(d.platform?.architecture, d.platform?.variant) === host,
    );
    if (!match) throw new UserError(`the image index has no image for linux/${host}`);
    descriptor = { ...match, annotations: { ...descriptor.annotations, ...match.annotations } };
  }
  const manifest = await blobJSON<{ config?: Descriptor; layers?: Descriptor[]; annotations?: Record<string, string> }>(files, descriptor, 'image manifest');
  if (!manifest.config) throw new UserError('the image manifest has no config');
  const config = await blobJSON<OciConfig>(files, manifest.config, 'image config');
  const layers = [];
  for (const layer of manifest.layers ?? []) layers.push(await blob(files, layer, 'layer'));
  const annotations = { ...manifest.annotations };
  return {
    config,
    layers,
    annotations,
    name: annotations['org.opencontainers.image.title'] ?? config.config?.Labels?.['org.opencontainers.image.title'],
    tag: tag ?? descriptor.annotations?.['org.opencontainers.image.ref.name'],
  };
}

async function readDockerArchive(files: ImageFiles, wanted: string | undefined): Promise<OciImage> {
  const entries = await readJSON<Array<{ Config?: string; RepoTags?: string[] | null; Layers?: string[] }>>(files, 'manifest.json', 'manifest.json');
  if (!Array.isArray(entries) || !entries.every((e) => typeof e === 'object' && e !== null && (e.Layers === undefined || Array.isArray(e.Layers)))) {
    throw new UserError(`manifest.json of ${files.what} is not a list of images`);
  }
  const entry = wanted
    ? entries.find((e) => (e.RepoTags ?? []).some((t) => t === wanted || t.endsWith(`:${wanted}`)))
    : entries.length === 1
      ? entries[0]
      : undefined;
  if (!entry)
    throw new UserError(
      wanted ? `the docker-archive has no image ${wanted}` : `the docker-archive holds ${entries.length} images: name one as docker-archive:FILE:NAME:TAG`,
    );
  if (typeof entry.Config !== 'string') throw new UserError('the docker-archive manifest names no config');
  const config = await readJSON<OciConfig>(files, entry.Config, 'config');
  const layers = [];
  for (const layer of entry.Layers ?? []) layers.push((await memberFile(files, String(layer), 'layer')).file);
  const repoTag = entry.RepoTags?.[0];
  const colon = repoTag ? repoTag.lastIndexOf(':') : -1;
  return {
    config,
    layers,
    annotations: {},
    name: repoTag && colon > 0 ? repoTag.slice(0, colon) : repoTag,
    tag: repoTag && colon > 0 ? repoTag.slice(colon + 1) : undefined,
  };
}

/**
 * Turns one OCI layer into the appc way of saying the same: the layer's files without its
 * `.wh.` markers, and when it deletes anything, a pathWhitelist of the whole rendered tree
 * (which the store's import turns back into overlay whiteouts). The layer has passed
 * checkTreeTarball.
 */
async function layerTree(file: string, tree: string, lower: string[]): Promise<string[] | undefined> {
  const rootfs = path.join(tree, 'rootfs');
  await mkdir(rootfs, { recursive: true });
  await extractTarball(file, rootfs, `unpacking layer ${path.basename(file)}`, { acls: 'xattrs' });
  const deleted: string[] = [];
  const opaque: string[] = [];
  const markers = (await walkLayer(rootfs)).filter((e) => path.posix.basename(e.path).startsWith('.wh.'));
  // Removing a marker must not look like a change of its directory.
  await keepingMtimes(rootfs, [...new Set(markers.map((m) => path.posix.dirname(m.path)))], async () => {
    for (const entry of markers) {
      const base = path.posix.basename(entry.path);
      const dir = path.posix.dirname(entry.path);
      if (base === '.wh..wh..opq') opaque.push(dir === '.' ? '' : dir);
      else deleted.push(path.posix.join(dir, base.slice(4)));
      await rm(path.join(rootfs, entry.path), { recursive: true, force: true });
    }
  });
  if (!deleted.length && !opaque.length) return undefined;
  const own = (await walkLayer(rootfs)).map((e) => e.path);
  const under = (p: string, dir: string) => dir === '' || p === dir || p.startsWith(`${dir}/`);
  const kept = [...(await renderedPaths(lower)).keys()].filter((p) => !deleted.some((d) => under(p, d)) && !opaque.some((d) => p !== d && under(p, d)));
  return ['/', ...[...new Set([...kept, ...own])].sort().map((p) => `/${p}`)];
}

async function storeLayer(store: Store, file: string, manifest: ImageManifest, below: StoredImage | undefined, scratch: string): Promise<StoredImage> {
  const tree = path.join(scratch, 'tree');
  await rm(tree, { recursive: true, force: true });
  const whitelist = await layerTree(file, tree, below ? await layerStack(store, below) : []);
  const full: ImageManifest = whitelist ? { ...manifest, pathWhitelist: whitelist } : manifest;
  const { image } = await importAci(store, async (aci) => {
    const fh = await open(aci, 'w+');
    try {
      await writeAci({ manifest: serializeManifest(full), scratch: path.join(scratch, 'manifest'), rootfsParent: tree }, fh.fd, 'none');
    } finally {
      await fh.close();
    }
  });
  await rm(tree, { recursive: true, force: true });
  return image;
}

export interface OciImportOptions {
  /** -name: the stored name of the top image. */
  name?: string;
  /** The name when the image names itself nowhere (a pulled image: its repository). */
  fallbackName?: string;
  /** The tag the image came by, for its version label when it has none (a pulled image's, not the staging layout's). */
  tag?: string;
  log: (line: string) => void;
}

/**
 * Imports an OCI layout, oci-archive or docker-archive: one stored image per layer, each
 * depending on the one below, so that a later import sharing base layers finds them stored (by
 * their chain of diff IDs); the top one named from -name or the source, with the manifest made
 * from the config. Returns the top image.
 */
export async function importOci(store: Store, source: OciSource, opts: OciImportOptions): Promise<StoredImage> {
  const staging = await store.stage('import-oci');
  try {
    const limits = expansionLimits();
    let files: ImageFiles;
    if (source.kind === 'layout') {
      files = { dir: source.dir, what: `the layout ${source.dir}` };
    } else {
      files = { dir: staging.path('archive'), what: `the ${source.kind} ${source.file}`, members: new Map() };
      await mkdir(files.dir);
      await checkTreeTarball(source.file, { noDevices: true, limits, what: files.what, onEntry: (e) => files.members!.set(e.path, e.type) });
      await extractTarball(source.file, files.dir, `unpacking ${source.file}`);
    }
    const image = source.kind === 'docker-archive' ? await readDockerArchive(files, source.tag) : await readLayout(files, source.tag);
    if (!image.layers.length) throw new UserError('the image has no layers');
    if (opts.tag !== undefined) image.tag = opts.tag;
    const nameSource = opts.name ?? image.name ?? opts.fallbackName;
    if (!nameSource) throw new UserError('the image names itself nowhere (no title annotation, no RepoTags): name it with -name');
    const name = opts.name ?? acName(nameSource);
    if (!isACIdentifier(name)) throw new UserError(`-name ${name} is not an AC identifier (lowercase letters, digits, -._~/)`);
    const platform = [
      { name: 'os', value: image.config.os ?? 'linux' },
      { name: 'arch', value: appcArch(image.config.architecture, image.config.variant) },
    ];
    let below: StoredImage | undefined;
    let chain = '';
    for (const [i, file] of image.layers.entries()) {
      const top = i === image.layers.length - 1;
      // One pass checks the members and gives the diff ID: computed, never taken from the config,
      // since it names the stored layers that later imports reuse.
      const { sha256: id } = await checkTreeTarball(file, { noDevices: false, limits, what: `layer ${i + 1} of ${files.what}` });
      chain = chain ? createHash('sha256').update(`sha256:${chain} sha256:${id}`).digest('hex') : id;
      const dependency = below && { imageName: below.manifest.name, imageID: below.id };
      if (top) {
        opts.log(`layer ${i + 1} of ${image.layers.length}: ${name}`);
        below = await storeLayer(store, file, appcManifest(name, image.config, image.annotations, image.tag, dependency), below, staging.path(`layer-${i}`));
        continue;
      }
      const layerName = `oci-layer/sha256-${chain}`;
      const stored = await findByName(store, layerName, new Map(platform.map((l) => [l.name, l.value])));
      if (stored) {
        opts.log(`layer ${i + 1} of ${image.layers.length}: in the store already`);
        below = stored;
        continue;
      }
      opts.log(`layer ${i + 1} of ${image.layers.length}`);
      below = await storeLayer(
        store,
        file,
        { acKind: 'ImageManifest', acVersion: '0.8.11', name: layerName, labels: platform, ...(dependency ? { dependencies: [dependency] } : {}) },
        below,
        staging.path(`layer-${i}`),
      );
    }
    return below!;
  } finally {
    await staging.discard();
  }
}
