// src/flatpak/: Flatpak runtimes: import as build bases, export, metadata.
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { UserError } from '../errors.js';
import { annotationValue, labelValue } from '../image/manifest.js';
import { hostArch } from '../image/platform.js';
import { OstreeRepo, type CommitTree } from '../ostree/ostree.js';
import { findPlaceholders } from '../archive/placeholder-scan.js';
import { LayerTree } from '../layers/layer-tree.js';
import { layerStack } from '../store/layer-stack.js';
import type { RenderedTree } from '../layers/driver.js';
import { renderLayers } from '../layers/select.js';
import type { Store, StoredImage } from '../store/store.js';
import { run } from '../util/process.js';
import { withProgress } from '../util/progress.js';
import { sourceDateEpoch } from '../util/source-date-epoch.js';
import { REF_ANNOTATION } from './import.js';
import { flatpakArch, formatRef, parseRef, runtimeMetadata, type FlatpakRef } from './metadata.js';

export type FlatpakExportKind = 'runtime' | 'app';

export interface FlatpakExportOptions {
  kind: FlatpakExportKind;
  /** The ref to commit; default from the image (docs/FLATPAK.md). */
  ref?: string;
  /** An app's runtime, ID/ARCH/BRANCH; default the hybrid image it was built on. */
  runtime?: string;
  /** Also write a single-file bundle (`flatpak build-bundle`). */
  bundle?: string;
}

/** The annotation naming the Flatpak ID of a plain image (the runtime or app it exports as). */
export const ID_ANNOTATION = 'flatpak-id';
/** The annotation naming an app's command (default: app.exec[0]). */
export const COMMAND_ANNOTATION = 'flatpak-command';

/** Where build-finish looks for what an app exports to the host (desktop files, icons, D-Bus services). */
const EXPORTED_DIRS = ['share/applications', 'share/icons', 'share/dbus-1/services'];

/**
 * Commits the image to the OSTree repo `repoDir` (an archive repo is made when absent) as a
 * Flatpak runtime or app, with `xa.metadata`, and updates the summary, so that `flatpak
 * remote-add` + `install` take it. Returns the ref and commit.
 */
export async function exportFlatpak(store: Store, image: StoredImage, repoDir: string, opts: FlatpakExportOptions): Promise<{ ref: string; commit: string }> {
  const stack = await layerStack(store, image);
  const staging = await store.stage('flatpak-export');
  try {
    const rendered = await renderLayers(stack, staging.path('render'));
    const top = staging.path('top');
    await mkdir(top);
    const tarball = staging.path('files.tar');
    const plan = opts.kind === 'runtime' ? await runtimePlan(store, image, stack, opts) : await appPlan(store, image, stack, rendered, top, opts);
    await writeFile(path.join(top, 'metadata'), plan.metadata);
    await withProgress(`archiving ${plan.members.join(' and ')} as files/`, {}, () => tarMembers(rendered, plan.members, tarball));
    const repo = new OstreeRepo(repoDir);
    if (!(await repo.exists())) await repo.ensure('archive');
    const ref = formatRef(plan.ref);
    const trees: CommitTree[] = [{ dir: top }, { tar: tarball }];
    const commit = await withProgress(`committing ${ref} to ${repoDir}`, {}, async () => {
      const made = await repo.commit({
        target: { branch: ref },
        tree: trees,
        autocreateParents: true,
        canonical: true,
        subject: `${image.manifest.name} (jetpack image ${image.id})`,
        timestamp: sourceDateEpoch(),
        strings: [['xa.metadata', plan.metadata]],
      });
      await repo.updateSummary();
      return made;
    });
    if (opts.bundle) await withProgress(`writing the bundle ${opts.bundle}`, {}, () => writeBundle(repo, plan.ref, opts.bundle!));
    return { ref, commit };
  } finally {
    await staging.discard();
  }
}

interface Plan {
  ref: FlatpakRef;
  metadata: string;
  /** The image's top-level directories that become files/ (etc: files/etc). */
  members: string[];
}

/**
 * A hybrid image exports its own `metadata` and `files/`; a plain one becomes a runtime the
 * way flatpak-module-tools maps a root: `/usr` → `files/`, `/etc` → `files/etc`.
 */
async function runtimePlan(store: Store, image: StoredImage, stack: string[], opts: FlatpakExportOptions): Promise<Plan> {
  const tree = new LayerTree(stack);
  const own = await tree.lstat('metadata');
  const files = await tree.lstat('files');
  if (own?.stat.isFile() && files?.stat.isDirectory()) {
    const text = await readFile(path.join(own.layer, 'metadata'), 'utf8');
    const metadata = runtimeMetadata(text, `${image.manifest.name}: /metadata`);
    const ref = opts.ref ? parseRef(opts.ref, 'runtime') : await inheritedRef(store, image, 'runtime');
    if (!ref) throw new UserError(`${image.manifest.name} carries no ${REF_ANNOTATION}: give -ref=runtime/${metadata.name}/ARCH/BRANCH`);
    if (ref.id !== metadata.name) throw new UserError(`the image's /metadata names ${metadata.name}, the ref ${formatRef(ref)}`);
    return { ref, metadata: text, members: ['files'] };
  }
  const usr = await tree.lstat('usr');
  if (!usr?.stat.isDirectory()) throw new UserError(`${image.manifest.name} has no /usr directory to make a runtime of`);
  const usrEtc = await tree.lstat('usr/etc');
  if (usrEtc && (!usrEtc.stat.isDirectory() || (await tree.readdir('usr/etc')).length)) {
    throw new UserError(`${image.manifest.name}: /usr/etc is not empty, and a runtime's /etc is files/etc (/etc of the image)`);
  }
  const ref = opts.ref ? parseRef(opts.ref, 'runtime') : defaultRef('runtime', image);
  const metadata = `[Runtime]\nname=${ref.id}\nruntime=${ref.id}/${ref.arch}/${ref.branch}\n`;
  return { ref, metadata, members: ['usr', 'etc'] };
}

/**
 * An app keeps only `/app` (as `files/`), with the metadata `flatpak build-finish` writes and
 * its `export/` (desktop files, icons, D-Bus services named after the app).
 */
async function appPlan(store: Store, image: StoredImage, stack: string[], rendered: RenderedTree, top: string, opts: FlatpakExportOptions): Promise<Plan> {
  if (!(await new LayerTree(stack).lstat('app'))?.stat.isDirectory())
    throw new UserError(`${image.manifest.name} has no /app directory: an application is installed into /app`);
  const ref = opts.ref ? parseRef(opts.ref, 'app') : defaultRef('app', image);
  const runtime = opts.runtime ?? (await inheritedRuntime(store, image));
  if (!runtime) throw new UserError(`${image.manifest.name} is not built on a hybrid runtime image (import-flatpak): give -runtime=ID/ARCH/BRANCH`);
  parseRef(`runtime/${runtime}`);
  const command = annotationValue(image.manifest, COMMAND_ANNOTATION) ?? image.manifest.app?.exec?.[0];
  if (!command) throw new UserError(`${image.manifest.name} names no command: set app.exec or the ${COMMAND_ANNOTATION} annotation`);
  // A line break would write other metadata lines; any control character (NUL above all) has no
  // place in a command and could not pass on ostree's command line (--add-metadata-string).
  // eslint-disable-next-line no-control-regex -- refuses the control characters a command cannot carry
  if (/[\x00-\x1f\x7f]/.test(command))
    throw new UserError(
      `${image.manifest.name}: the command ${JSON.stringify(command)} holds a control character (a line break would write other metadata lines)`,
    );
  await copyExports(rendered, ref.id, path.join(top, 'export'));
  const metadata = `[Application]\nname=${ref.id}\nruntime=${runtime}\ncommand=${command}\n`;
  return { ref, metadata, members: ['app'] };
}

/** The ref from the image's flatpak-id annotation, the host's arch and its version label (else master). */
function defaultRef(kind: FlatpakRef['kind'], image: StoredImage): FlatpakRef {
  const id = annotationValue(image.manifest, ID_ANNOTATION);
  if (!id) throw new UserError(`${image.manifest.name} has no ${ID_ANNOTATION} annotation: give -ref=${kind}/ID/ARCH/BRANCH`);
  return parseRef(`${kind}/${id}/${flatpakArch(labelValue(image.manifest, 'arch') ?? hostArch())}/${labelValue(image.manifest, 'version') ?? 'master'}`);
}

/** The flatpak-ref of the image or of the nearest image it was built on. */
async function inheritedRef(store: Store, image: StoredImage, kind: FlatpakRef['kind']): Promise<FlatpakRef | undefined> {
  const queue = [image];
  for (let next = queue.shift(); next; next = queue.shift()) {
    const value = annotationValue(next.manifest, REF_ANNOTATION);
    if (value?.startsWith(`${kind}/`)) return parseRef(value, kind);
    for (const id of next.info.dependencies) {
      const dep = await store.get(id);
      if (dep) queue.push(dep);
    }
  }
  return undefined;
}

async function inheritedRuntime(store: Store, image: StoredImage): Promise<string | undefined> {
  const ref = await inheritedRef(store, image, 'runtime');
  return ref && `${ref.id}/${ref.arch}/${ref.branch}`;
}

/**
 * Archives `members` of the rendered tree with `app`/`usr` renamed to files/ and `etc` to
 * files/etc, modes as flatpak build-export leaves them: 0755 when the owner may execute (and
 * for directories), else 0644; no setuid, setgid or sticky bits.
 */
async function tarMembers(rendered: RenderedTree, members: string[], tarball: string): Promise<void> {
  const transform = members.map((m) => (m === 'etc' ? 's,^\\./etc,files/etc,rh' : `s,^\\./${m},files,rh`));
  const modes = '--mode=a-st,u+rw,go=u,go-w';
  const left = await unstorable(rendered, members);
  const args = [
    '-c',
    '-f',
    tarball,
    '--format=posix',
    '--sort=name',
    '--numeric-owner',
    modes,
    ...transform.map((t) => `--transform=${t}`),
    ...(left.length ? ['--anchored', '--no-wildcards', ...left.map((p) => `--exclude=./${p}`)] : []),
    '-C',
    path.join(rendered.parent, 'rootfs'),
    ...members.map((m) => `./${m}`),
  ];
  await run(...rendered.wrap('tar', args), { what: 'archiving the Flatpak tree' });
}

/**
 * The device nodes, FIFOs and sockets of `members`, which the export leaves out as a runtime
 * commit does: OSTree stores none (its tar import aborts on one). In a user namespace the
 * device placeholders stand for root's device nodes, and are left out too.
 */
async function unstorable(rendered: RenderedTree, members: string[]): Promise<string[]> {
  const rootfs = path.join(rendered.parent, 'rootfs');
  const script = 'cd "$1" && shift && find "$@" -type b,c,p,s -print0';
  const special = await run(...rendered.wrap('sh', ['-c', script, 'sh', rootfs, ...members.map((m) => `./${m}`)]), { what: 'reading the Flatpak tree' });
  const placeholders = await findPlaceholders(rootfs, rendered.wrap, members);
  return [
    ...special
      .split('\0')
      .filter(Boolean)
      .map((p) => p.slice(2)),
    ...placeholders.map((p) => p.path),
  ];
}

/** Copies /app/share's exported files named after the app into `exportDir` (share/…), as build-finish does. */
async function copyExports(rendered: RenderedTree, id: string, exportDir: string): Promise<void> {
  const rootfs = path.join(rendered.parent, 'rootfs');
  // find from /app itself (a real directory: appPlan checked it) descends no link, so a link
  // among share/… never leads it out of the image.
  const paths = EXPORTED_DIRS.flatMap((d, i) => [...(i ? ['-o'] : []), '-path', `./${d}/*`]);
  const script = 'cd "$1/app" && shift && find . \\( "$@" \\) \\( -type f -o -type l \\) -name "$ID*" -print0 | xargs -0r cp -a --parents -t "$OUT"';
  await mkdir(exportDir);
  const [cmd, args] = rendered.wrap('env', [`ID=${id}`, `OUT=${exportDir}`, 'sh', '-c', script, 'sh', rootfs, ...paths]);
  await run(cmd, args, { what: 'copying the exported files' });
}

async function writeBundle(repo: OstreeRepo, ref: FlatpakRef, file: string): Promise<void> {
  const tmp = path.join(path.dirname(path.resolve(file)), `.${path.basename(file)}.${process.pid}.tmp`);
  const args = ['build-bundle', ...(ref.kind === 'runtime' ? ['--runtime'] : []), `--arch=${ref.arch}`, repo.dir, tmp, ref.id, ref.branch];
  try {
    await run('flatpak', args, { what: 'writing the bundle (flatpak build-bundle)' });
    await rename(tmp, file);
  } finally {
    await rm(tmp, { force: true });
  }
}
