import { mkdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { copyTree } from '../archive/gnu-tar.js';
import { extractUntrustedTarball } from '../archive/tree-entries.js';
import { UserError } from '../errors.js';
import { fetchLocation } from '../registry/location.js';
import { layerStack } from '../store/layer-stack.js';
import { resolveImage } from '../store/lookup.js';
import { renderLayers } from '../layers/select.js';
import type { Store } from '../store/store.js';
import { notInstalled, run } from '../util/process.js';
import { Progress } from '../util/progress.js';
import { inUserNamespace } from '../util/userns.js';
import { addDebianDevFiles } from './debian-dev.js';
import { isolated, missingCommand } from './isolate.js';
import type { JobSource } from './spec.js';
import { ifExists } from '../util/fs.js';

/** What a source needs beyond its spec: where the rootfs is, and the store for `image`. */
export interface SourceContext {
  rootfs: string;
  store: () => Promise<Store>;
  /** A scratch directory for the image source's render. */
  scratch: string;
}

/**
 * The http source's produce step: downloads `uri` to `target`, a cache: a target that exists
 * is used as it is (mark-devkit's sourcer), and a download lands there only when complete.
 */
async function produceHttp(source: JobSource): Promise<string> {
  if (!source.uri) throw new UserError('source.uri is required for an http source');
  const target = source.target || path.resolve(path.basename(new URL(source.uri).pathname) || 'source.tar');
  if ((await ifExists(stat(target)))?.isFile()) return target;
  await mkdir(path.dirname(target), { recursive: true });
  const partial = `${target}.part`;
  try {
    await fetchLocation(source.uri, partial);
    await rename(partial, target);
  } catch (err) {
    await rm(partial, { force: true });
    throw err;
  }
  return target;
}

/**
 * mmdebstrap into the rootfs, isolated: what it mounts there (/proc, /sys, /dev) and the
 * processes it starts go when it ends or jetpack dies. Its own output, the packages it fetches
 * and unpacks, is shown as it comes (rate-limited in a log).
 * `suite`, `variant` (default minbase), `packages`, `components`, `mirror`.
 *
 * In a user namespace (an ordinary user's jetpack, docs/ROOTLESS.md) it runs in its unshare
 * mode: as the namespace's uid 0 it makes no namespace of its own (jetpack's already maps the
 * user's subordinate IDs) and binds the host's /sys, which cannot be mounted anew for the
 * host's network namespace. There it cannot mknod, so /dev is completed after it as root's run
 * leaves it, with device placeholders.
 */
async function debootstrap(source: JobSource, rootfs: string): Promise<void> {
  if (!source.suite) throw new UserError('source.suite is required for a debian source (e.g. bookworm)');
  const userns = inUserNamespace();
  const args = [`--mode=${userns ? 'unshare' : 'root'}`, `--variant=${source.variant || 'minbase'}`];
  if (source.packages?.length) args.push(`--include=${source.packages.join(',')}`);
  if (source.components?.length) args.push(`--components=${source.components.join(',')}`);
  // After --, a suite or mirror such as --customize-hook=… is an operand, never an option.
  args.push('--', source.suite, rootfs);
  if (source.mirror) args.push(source.mirror);
  const progress = new Progress(`mmdebstrap ${source.suite}`);
  await run(...isolated('mmdebstrap', args), { what: `mmdebstrap ${source.suite}`, progress }).catch((err: Error) => {
    if (missingCommand(err, 'mmdebstrap')) throw notInstalled('mmdebstrap');
    throw err;
  });
  if (userns) await addDebianDevFiles(rootfs);
}

/** anise as mark-devkit runs it: repo update, install the repositories, install the packages, cleanup. */
async function aniseInstall(source: JobSource, rootfs: string): Promise<void> {
  const base = [`--system-target=${rootfs}`, ...(source.anise_config ? [`--config=${source.anise_config}`] : [])];
  // Repositories and packages after --: operands, whatever they start with.
  const steps = [
    ['repo', 'update'],
    ['install', '-y', '--skip-config-protect', '--', ...(source.anise_repos ?? [])],
    ['install', '--sync-repos', '-y', '--skip-config-protect', '--', ...(source.anise_packages ?? [])],
    ['cleanup'],
  ];
  for (const step of steps) {
    await run(...isolated('anise', [...base, ...step]), { what: `anise ${step[0]}` }).catch((err: Error) => {
      if (missingCommand(err, 'anise'))
        throw new UserError(
          'anise is not installed on this host: the anise source needs it (https://github.com/geaaru/luet); or use a debian, http or image source',
        );
      throw err;
    });
  }
}

/** The rendered rootfs of a store image, copied into the rootfs with everything kept. */
async function imageInto(source: JobSource, ctx: SourceContext): Promise<void> {
  if (!source.image) throw new UserError('source.image is required for an image source (a name or ID in the store)');
  const store = await ctx.store();
  const image = await resolveImage(store, source.image);
  const tree = await renderLayers(await layerStack(store, image), ctx.scratch);
  await copyTree(path.join(tree.parent, 'rootfs'), ctx.rootfs, `copying ${image.manifest.name} into the rootfs`, undefined, tree.wrap);
}

/** The source phase (produce, then consume into the rootfs) of a job. */
export async function runSource(source: JobSource, ctx: SourceContext): Promise<void> {
  switch (source.type) {
    case 'http': {
      const tarball = await produceHttp(source);
      // A download: its members checked and its expansion bounded (JETPACK_MAX_UNPACKED) first.
      return extractUntrustedTarball(tarball, ctx.rootfs, `extracting ${tarball}`);
    }
    case 'debian':
      return debootstrap(source, ctx.rootfs);
    case 'anise':
      return aniseInstall(source, ctx.rootfs);
    case 'image':
      return imageInto(source, ctx);
  }
}
