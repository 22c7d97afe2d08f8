import { lstat, mkdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { expansionLimits } from '../archive/limits.js';
import { UserError } from '../errors.js';
import { BLANK_AC_VERSION, validateImageManifest } from '../image/manifest.js';
import { hostArch } from '../image/platform.js';
import { importTree } from '../store/import.js';
import type { Store, StoredImage } from '../store/store.js';
import { addHybridEntries, type HybridLayout } from './hybrid.js';
import { appcArch, flatpakArch, formatRef, parseRef, runtimeMetadata, type FlatpakRef } from './metadata.js';
import { checkOutRuntime, extraTopLevel, type RuntimeSourceRequest } from './source.js';
import { ifExists } from '../util/fs.js';

export interface FlatpakImportOptions extends RuntimeSourceRequest {
  /** The image name; default the runtime's ID in lowercase (appc names have no capitals). */
  name?: string;
  layout: HybridLayout;
  /** The ref a directory source is (it names none): default runtime/NAME/HOST-ARCH/master. */
  ref?: string;
  log: (line: string) => void;
}

/** The annotation that records a hybrid image's Flatpak ref (its children find their runtime by it). */
export const REF_ANNOTATION = 'flatpak-ref';

/**
 * Stores a Flatpak runtime as a hybrid image: its `metadata` and `files/` as they are, plus
 * the layout's links and stub directories, so that it is a root filesystem to build on.
 */
export async function importFlatpak(store: Store, opts: FlatpakImportOptions): Promise<StoredImage> {
  const staging = await store.stage('flatpak');
  try {
    const rootfs = staging.path('tree', 'rootfs');
    await mkdir(staging.path('tree'));
    const sourceRef = await checkOutRuntime(opts, rootfs, staging.path('scratch'), opts.log);
    const where = `${opts.source}: metadata`;
    if (!(await lstat(rootfs)).isDirectory()) throw new Error(`${rootfs} is not a directory of the staging area`);
    if (!(await ifExists(lstat(path.join(rootfs, 'metadata'))))?.isFile()) {
      throw new UserError(`${opts.source} has no metadata file: not a Flatpak runtime (metadata + files/)`);
    }
    const text = await readFile(path.join(rootfs, 'metadata'), 'utf8');
    const metadata = runtimeMetadata(text, where);
    if (!(await ifExists(lstat(path.join(rootfs, 'files'))))?.isDirectory())
      throw new UserError(`${opts.source} has no files/ directory: not a Flatpak runtime`);
    const extra = await extraTopLevel(rootfs);
    if (extra.length) opts.log(`left out beside metadata and files/: ${extra.join(', ')}`);
    for (const name of extra) await rm(path.join(rootfs, name), { recursive: true, force: true });
    const ref = sourceRef ?? (opts.ref ? parseRef(opts.ref, 'runtime') : parseRef(`runtime/${metadata.name}/${flatpakArch(hostArch())}/master`));
    if (ref.id !== metadata.name) throw new UserError(`${where} names ${metadata.name}, the ref ${formatRef(ref)}`);
    await addHybridEntries(rootfs, opts.layout);
    return await importTree(store, staging.path('tree'), hybridManifest(ref, opts.name), expansionLimits());
  } finally {
    await staging.discard();
  }
}

function hybridManifest(ref: FlatpakRef, name: string | undefined) {
  return validateImageManifest({
    acKind: 'ImageManifest',
    acVersion: BLANK_AC_VERSION,
    name: name ?? ref.id.toLowerCase(),
    labels: [
      { name: 'version', value: ref.branch },
      { name: 'os', value: 'linux' },
      { name: 'arch', value: appcArch(ref.arch) },
    ],
    annotations: [{ name: REF_ANNOTATION, value: formatRef(ref) }],
  });
}
