import { lstat, mkdir, open, readdir, rename, rm, rmdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { UserError } from '../errors.js';
import { layerStack } from '../store/layer-stack.js';
import { renderLayers } from '../layers/select.js';
import { resolveImage } from '../store/lookup.js';
import type { Store, StoredImage } from '../store/store.js';
import { cloneTree } from '../util/clone-tree.js';
import { findPlaceholders, type Placeholder } from '../archive/placeholder-scan.js';
import { run } from '../util/process.js';
import { Progress, withProgress } from '../util/progress.js';
import { sourceDateEpoch } from '../util/source-date-epoch.js';
import { checkPortable, prefixOfName, type CheckOptions, type PortableReport } from './rules.js';
import { LayerTree } from '../layers/layer-tree.js';
import { ifExists } from '../util/fs.js';

/** What `portable check` was given: a store image, a directory, or a .raw file (extracted to read). */
interface Target {
  tree: LayerTree;
  /** The name its unit prefix comes from (a file or directory name), if it has one. */
  fileName?: string;
  /** The store image's name, for a store image. */
  imageName?: string;
  raw: boolean;
  /** The format rule's complaint, for a file that is no raw image. */
  formatProblem?: string;
}

export type RawFilesystem = 'squashfs' | 'erofs';

/** The file system of a raw image by its magic: squashfs ("hsqs" at 0), erofs (0xE0F5E1E2 at 1024). */
async function rawFilesystem(file: string): Promise<RawFilesystem | undefined> {
  const fh = await open(file, 'r');
  try {
    const buf = Buffer.alloc(1028);
    await fh.read(buf, 0, 1028, 0);
    if (buf.toString('latin1', 0, 4) === 'hsqs') return 'squashfs';
    if (buf.readUInt32LE(1024) === 0xe0f5e1e2) return 'erofs';
    return undefined;
  } finally {
    await fh.close();
  }
}

async function openTarget(store: Store, target: string, scratch: string): Promise<Target> {
  const st = await ifExists(lstat(target));
  if (st?.isDirectory()) return { tree: new LayerTree([path.resolve(target)]), fileName: path.basename(path.resolve(target)), raw: false };
  if (st?.isFile()) {
    const fs = await rawFilesystem(target);
    const formatProblem = !fs
      ? 'neither squashfs nor erofs (the raw images jetpack reads)'
      : !target.endsWith('.raw')
        ? 'a raw image file must be named NAME.raw'
        : undefined;
    if (!fs) return { tree: new LayerTree([]), fileName: path.basename(target), raw: true, formatProblem };
    const dir = path.join(scratch, 'raw');
    await mkdir(scratch, { recursive: true });
    // Absolute, so that a file named "-…" is never read as an option (neither tool takes "--").
    const file = path.resolve(target);
    if (fs === 'squashfs') await run('unsquashfs', ['-q', '-n', '-d', dir, file], { what: `reading ${target}` });
    else await run('fsck.erofs', [`--extract=${dir}`, file], { what: `reading ${target}` });
    return { tree: new LayerTree([dir]), fileName: path.basename(target), raw: true, formatProblem };
  }
  const image = await resolveImage(store, target);
  return { tree: new LayerTree(await layerStack(store, image)), imageName: image.manifest.name, raw: false };
}

export interface PortableCheckRequest {
  target: string;
  prefixes: string[];
  extension: boolean;
  /** The base an extension is checked against (an image, directory or .raw). */
  base?: string;
}

export async function checkTarget(store: Store, req: PortableCheckRequest): Promise<PortableReport> {
  const staging = await store.stage('portable');
  try {
    const target = await openTarget(store, req.target, staging.path('target'));
    // The PREFIX arguments, else the file's name, else (in checkPortable) os-release's PORTABLE_PREFIXES, else the image name.
    const prefixes = req.prefixes.length ? req.prefixes : target.fileName ? [prefixOfName(target.fileName)] : [];
    const opts: CheckOptions = { prefixes, fallbackPrefixes: target.imageName ? [target.imageName.replace(/\//g, '-')] : undefined, raw: target.raw };
    if (req.extension) {
      const base = req.base ? (await openTarget(store, req.base, staging.path('base'))).tree : undefined;
      opts.extension = { name: target.fileName ? path.basename(target.fileName).replace(/\.raw$/, '') : (prefixes[0] ?? opts.fallbackPrefixes![0]), base };
    }
    const unreadable = target.formatProblem && !target.tree.readable;
    const report: PortableReport = unreadable ? { ok: false, prefixes, units: [], failures: [] } : await checkPortable(target.tree, opts);
    if (target.formatProblem) {
      report.failures.unshift({
        rule: 'format',
        path: req.target,
        message: target.formatProblem,
        fix: 'export it with jetpack export -format=portable IMAGE NAME_VERSION.raw',
      });
      report.ok = false;
    }
    return report;
  } finally {
    await staging.discard();
  }
}

/** The rules an export mends in its output (never in the store): mount points, resolv.conf, machine-id. */
const MENDED = new Set(['mount-points', 'resolv.conf', 'machine-id']);
const MOUNT_POINTS = ['proc', 'sys', 'dev', 'run', 'tmp', 'var/tmp'];

export interface PortableExportOptions {
  fs: RawFilesystem;
}

/**
 * Writes the image as a portable service image: a directory, or NAME_VERSION.raw as squashfs
 * or erofs. The unit prefix is OUT's name up to the first "_". Refuses an image that fails a
 * rule the export cannot mend.
 */
export async function exportPortable(store: Store, image: StoredImage, out: string, opts: PortableExportOptions): Promise<PortableReport> {
  const raw = out.endsWith('.raw');
  const stack = await layerStack(store, image);
  const tree = new LayerTree(stack);
  const report = await checkPortable(tree, { prefixes: [prefixOfName(out)], raw });
  const left = report.failures.filter((f) => !MENDED.has(f.rule));
  if (left.length)
    throw new UserError(
      `${image.manifest.name} is not a portable service image: ${left.map((f) => `${f.path}: ${f.message}`).join('; ')} (jetpack portable check says more)`,
    );
  const mend = await mendPlan(
    tree,
    report.failures.filter((f) => MENDED.has(f.rule)).map((f) => f.path.slice(1)),
  );
  const existing = await ifExists(lstat(out));
  if (!raw && existing && (!existing.isDirectory() || (await readdir(out)).length)) {
    throw new UserError(`${out} is not an empty directory: a portable directory image is written to an absent or empty directory`);
  }
  const staging = await store.stage('portable');
  const tmp = path.join(path.dirname(path.resolve(out)), `.${path.basename(out)}.${process.pid}.tmp`);
  try {
    const rendered = await renderLayers(stack, staging.path('render'));
    const rootfs = path.join(rendered.parent, 'rootfs');
    const epoch = sourceDateEpoch();
    const devices = raw ? await findPlaceholders(rootfs, rendered.wrap) : [];
    if (raw && opts.fs === 'squashfs') {
      // Mended entries as pseudo files: the rendered tree is the store's, never written.
      const pseudo = mend.flatMap(({ path: p, dir }) => ['-p', dir ? `${p} d 755 0 0` : `${p} f 644 0 0 true`]);
      // mksquashfs reads SOURCE_DATE_EPOCH itself (and refuses time options beside it).
      const args = [rootfs, tmp, '-noappend', '-quiet', '-no-progress', ...pseudo, ...(await placeholdersAsPseudoDevices(devices, staging.path('devices')))];
      await run(...rendered.wrap('mksquashfs', args), {
        what: 'writing the squashfs image',
        progress: new Progress(`writing ${out} (squashfs)`),
      });
    } else {
      if (devices.length) throw new UserError(erofsRefusal(devices));
      // A directory image is made beside OUT (the same file system), an erofs one in the store.
      const copy = raw ? staging.path('tree') : tmp;
      await mkdir(copy);
      await withProgress(`copying ${image.manifest.name}`, {}, () => cloneTree(rootfs, copy, `copying ${image.manifest.name}`, rendered.wrap));
      // Every entry and its parents were found absent, and no link on the way (mendPlan):
      // created exclusively, nothing is written through a link.
      for (const { path: p, dir } of mend) {
        if (dir) await mkdir(path.join(copy, p), { mode: 0o755 });
        else await (await open(path.join(copy, p), 'wx', 0o644)).close();
      }
      if (!raw) {
        if (existing) await rmdir(out);
        await rename(copy, out);
        return report;
      }
      const fixed = epoch === undefined ? [] : [`-T${epoch}`, '-U00000000-0000-0000-0000-000000000000'];
      await run('mkfs.erofs', ['--quiet', ...fixed, tmp, copy], { what: 'writing the erofs image', progress: new Progress(`writing ${out} (erofs)`) });
    }
    await rename(tmp, out);
    return report;
  } finally {
    await rm(tmp, { recursive: true, force: true });
    await staging.discard();
  }
}

/**
 * mksquashfs options that write a user namespace's device placeholders as the device nodes
 * root's tree has there: each excluded (mksquashfs ignores a pseudo file where the source has
 * a file) and made again as a pseudo device with the placeholder's mode and owner.
 */
async function placeholdersAsPseudoDevices(devices: Placeholder[], excludeFile: string): Promise<string[]> {
  if (!devices.length) return [];
  const names = devices.map((d) => d.path);
  const unsayable = names.find((n) => /[\n"\\\s]/.test(n));
  if (unsayable) throw new UserError(`the device node /${unsayable} has a name mksquashfs's pseudo files cannot say (white space, a quote or a backslash)`);
  // Root's image would hold one device inode with several names, or with xattrs: pseudo devices have neither.
  const linked = devices.find((d) => d.links > 1);
  if (linked)
    throw new UserError(`the device node /${linked.path} has ${linked.links} names, and mksquashfs's pseudo devices cannot share an inode: export it as root`);
  const labelled = devices.find((d) => d.xattrs.length);
  if (labelled)
    throw new UserError(
      `the device node /${labelled.path} carries xattrs (${labelled.xattrs.join(', ')}), which mksquashfs's pseudo devices cannot: export it as root`,
    );
  await writeFile(excludeFile, names.map((n) => `${n}\n`).join(''));
  return ['-ef', excludeFile, ...devices.flatMap((d) => ['-p', `${d.path} ${d.type} ${d.mode} ${d.uid} ${d.gid} ${d.major} ${d.minor}`])];
}

/** Why a user namespace cannot write an erofs image of a tree with device nodes, in one line. */
function erofsRefusal(devices: Placeholder[]): string {
  const shown =
    devices
      .slice(0, 3)
      .map((d) => `/${d.path}`)
      .join(', ') + (devices.length > 3 ? ', …' : '');
  return `the image has ${devices.length} device node(s) (${shown}), and mkfs.erofs reads them only as device nodes of a directory, which a user namespace cannot make: export it as squashfs, or as root (docs/ROOTLESS.md)`;
}

/**
 * What the export adds for the mended rules, parents first: each a missing directory or an
 * empty file. An entry that is there but is a link (a dangling /etc/machine-id), or a parent
 * that is not a real directory, is refused: writing through it would reach outside the image.
 */
async function mendPlan(tree: LayerTree, paths: string[]): Promise<Array<{ path: string; dir: boolean }>> {
  const plan: Array<{ path: string; dir: boolean }> = [];
  for (const p of paths) {
    const parts = p.split('/');
    for (let n = 1; n <= parts.length; n++) {
      const at = parts.slice(0, n).join('/');
      const found = await tree.lstat(at);
      const last = n === parts.length;
      if (found) {
        if (!last && found.stat.isDirectory()) continue;
        throw new UserError(
          `/${at} is ${found.stat.isSymbolicLink() ? 'a link to something the image does not hold' : 'not a directory'}: replace it ${last ? 'with what the rule asks for' : 'with a directory'}, then export again`,
        );
      }
      if (!found && !plan.some((e) => e.path === at)) plan.push({ path: at, dir: !last || MOUNT_POINTS.includes(p) });
    }
  }
  return plan;
}
