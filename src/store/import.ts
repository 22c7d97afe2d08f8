import { open, rename, rm, writeFile } from 'node:fs/promises';
import { writeAci } from '../aci/writer.js';
import { detectFileCompression } from '../archive/compression.js';
import { expansionLimits, UNBOUNDED, type ExpansionLimits } from '../archive/limits.js';
import { UserError } from '../errors.js';
import { parseImageManifest, serializeManifest, type Dependency, type ImageManifest } from '../image/manifest.js';
import { sourceDateEpoch } from '../util/source-date-epoch.js';
import { IMAGE_FILES } from './layout.js';
import { findByName } from './lookup.js';
import type { StoredImage, Store, Staging } from './store.js';
import { unpackAci } from './unpack.js';
import { applyPathWhitelist } from './whitelist.js';

export interface ImportResult {
  image: StoredImage;
  /** False when the store already held an image with this ID. */
  added: boolean;
}

export interface ImportOptions {
  /** The name the manifest must carry (import -name). */
  expectName?: string;
  /** Runs once the manifest is read, before anything is stored (signature and name checks); throws to refuse. */
  check?: (aciFile: string, manifest: ImageManifest) => Promise<void>;
  /** Gets a dependency the store does not have (fetch); without it, a missing one is an error. */
  fetchDependency?: (dep: Dependency) => Promise<StoredImage>;
  /** How far the ACI may expand: default the limits in force for archives from outside (expansionLimits). */
  limits?: ExpansionLimits;
}

/**
 * Stores the ACI that `fill` writes into the staging file it is given. Nothing reaches
 * images/ unless every step succeeds; the staging dir is removed on any failure.
 */
export async function importAci(store: Store, fill: (file: string) => Promise<void>, opts: ImportOptions = {}): Promise<ImportResult> {
  const staging = await store.stage('import');
  try {
    const aciFile = staging.path(IMAGE_FILES.aci);
    await fill(aciFile);
    return await storeStagedAci(store, staging, opts);
  } catch (err) {
    await staging.discard();
    throw err;
  }
}

async function storeStagedAci(store: Store, staging: Staging, opts: ImportOptions): Promise<ImportResult> {
  const compression = await detectFileCompression(staging.path(IMAGE_FILES.aci));
  const unpacked = await unpackAci(staging.path(IMAGE_FILES.aci), compression, staging.path('tree'), opts.limits ?? expansionLimits());
  const manifest = parseImageManifest(unpacked.manifest);
  if (opts.expectName && manifest.name !== opts.expectName) {
    throw new UserError(`ACI name mismatch: expected ${opts.expectName}, the manifest says ${manifest.name}`);
  }
  await opts.check?.(staging.path(IMAGE_FILES.aci), manifest);
  const existing = await store.get(unpacked.id);
  if (existing) {
    await staging.discard();
    return { image: existing, added: false };
  }
  // One after another: a dependency fetched may ask on the terminal whether to trust its key.
  const dependencies: StoredImage[] = [];
  for (const dep of manifest.dependencies ?? []) dependencies.push(await resolveDependency(store, dep, opts.fetchDependency));

  await writeFile(staging.path(IMAGE_FILES.manifest), unpacked.manifest, { mode: 0o444 });
  const rootfs = staging.path(IMAGE_FILES.rootfs);
  await rename(staging.path('tree', 'rootfs'), rootfs);
  await rm(staging.path('tree'), { recursive: true });
  if (manifest.pathWhitelist?.length) await applyPathWhitelist(store, dependencies, rootfs, manifest.pathWhitelist);

  const info = {
    id: unpacked.id,
    compression,
    size: unpacked.size,
    stored: new Date().toISOString(),
    dependencies: dependencies.map((d) => d.id),
    name: manifest.name,
    labels: manifest.labels,
  };
  const added = await store.commit(staging, info);
  const image = await store.get(unpacked.id);
  if (!image) throw new Error(`image ${unpacked.id} vanished right after it was stored`);
  return { image, added };
}

/**
 * Stores the tree `rootfsParent`/rootfs as a base image with `manifest`: written as an ACI
 * (times clamped to SOURCE_DATE_EPOCH when set) and imported, so that it gets the ID and the
 * checks of any imported ACI. A tree that came from outside (a Flatpak bundle) is stored
 * within `limits`; one jetpack made (a job's result) without.
 */
export async function importTree(store: Store, rootfsParent: string, manifest: ImageManifest, limits: ExpansionLimits = UNBOUNDED): Promise<StoredImage> {
  const { image } = await importAci(
    store,
    async (aciFile) => {
      const fh = await open(aciFile, 'w+', 0o644);
      try {
        await writeAci({ manifest: serializeManifest(manifest), scratch: `${aciFile}.manifest`, rootfsParent, clampMtime: sourceDateEpoch() }, fh.fd, 'none');
      } finally {
        await fh.close();
        await rm(`${aciFile}.manifest`, { recursive: true, force: true });
      }
    },
    { limits },
  );
  return image;
}

/**
 * Finds a manifest dependency in the store: by imageID when given, else by name and labels.
 * One the store lacks comes from `fetchMissing` when given.
 */
export async function resolveDependency(store: Store, dep: Dependency, fetchMissing?: (dep: Dependency) => Promise<StoredImage>): Promise<StoredImage> {
  const labels = (dep.labels ?? []).map((l) => `,${l.name}=${l.value}`).join('');
  if (dep.imageID) {
    const image = (await store.get(dep.imageID)) ?? (await fetchMissing?.(dep));
    if (!image) throw new UserError(`dependency ${dep.imageName}${labels} (${dep.imageID}) is not in the store; import it first`);
    if (image.manifest.name !== dep.imageName) {
      throw new UserError(`dependency ${dep.imageID} is ${image.manifest.name}, but the manifest names it ${dep.imageName}`);
    }
    return image;
  }
  const image = (await findByName(store, dep.imageName, new Map((dep.labels ?? []).map((l) => [l.name, l.value])))) ?? (await fetchMissing?.(dep));
  if (!image) throw new UserError(`dependency ${dep.imageName}${labels} is not in the store; import it first`);
  return image;
}
