import { chmod, chown, mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { UserError } from '../errors.js';
import type { Store } from '../store/store.js';
import { jobEnv } from './env.js';
import { hooksOf, runInnerHook, runOuterHook, type HookContext } from './hooks.js';
import { unmountStale } from './isolate.js';
import { outputManifest, packImage, packTarball, tarballCompression } from './packer.js';
import { runSource } from './sources.js';
import type { RenderedJob } from './spec.js';

export interface RunFlags {
  /** Wipe the rootfs at the start and remove it at the end (mark-devkit's --cleanup, default true). */
  cleanup: boolean;
  skipSource: boolean;
  skipPacker: boolean;
  skipHooks: boolean;
  quiet: boolean;
  /** Say each inner hook command as it starts (--fchroot-debug). */
  debug: boolean;
  /** Called with a line for the user about each phase. */
  log: (line: string) => void;
}

/**
 * What the output needs that the job file already says (a tarball name with a known suffix,
 * a valid image name and labels), checked before anything is made: its templates and hook
 * files were rendered and read when the job was loaded.
 */
function checkOutput(rendered: RenderedJob): void {
  const { output } = rendered.job;
  try {
    if (output.type === 'image') outputManifest(output);
    else tarballCompression(output);
  } catch (err) {
    if (!(err instanceof UserError)) throw err;
    // The tarball's messages name output.name; the manifest's name its own fields.
    throw new UserError(`${rendered.specFile}: job ${rendered.job.name}: ${output.type === 'image' ? 'output: ' : ''}${err.message}`);
  }
}

/**
 * mark-devkit's RunJob, phase by phase: (1) the rootfs, <workspacedir>/rootfs (0700, root),
 * rid of mounts a killed older run left, wiped first with cleanup; (2) the job's bind sources made; (3) outer-pre-sourcer hooks;
 * (4) the source; (5) outer-pre-chroot; (6) inner-chroot and outer-chroot hooks in
 * declaration order; (7) outer-post-chroot; (8) the output; (9) outer-post-output. With
 * cleanup the rootfs is removed at the end, whether the job succeeded or not. The output is
 * checked first, unless the packer phase is skipped.
 */
export async function runJob(rendered: RenderedJob, store: () => Promise<Store>, flags: RunFlags): Promise<string> {
  if (!flags.skipPacker) checkOutput(rendered);
  const { job, hooks } = rendered;
  const rootfs = path.join(job.workspacedir, 'rootfs');
  const stale = await unmountStale(rootfs);
  if (stale.length) flags.log(`unmounted ${stale.length} mount(s) a killed job left in ${rootfs}`);
  if (flags.cleanup) await rm(rootfs, { recursive: true, force: true });
  await mkdir(rootfs, { recursive: true, mode: 0o700 });
  await chmod(rootfs, 0o700);
  await chown(rootfs, 0, 0);
  const s = await store();
  const staging = await s.stage('job');
  try {
    for (const b of job.chroot_binds) await mkdir(b.source, { recursive: true });
    const ctx: HookContext = {
      rootfs,
      env: jobEnv(job, rootfs),
      jobBinds: job.chroot_binds,
      scratch: staging.dir,
      cacheDir: s.layout.tools,
      quiet: flags.quiet,
      debug: flags.debug ? flags.log : undefined,
    };
    const hooksPhase = async (types: Parameters<typeof hooksOf>[1], extraEnv: Record<string, string> = {}) => {
      if (flags.skipHooks) return;
      for (const { file, hook } of hooksOf(hooks, types)) {
        flags.log(`hook ${hook.name || '(unnamed)'} (${hook.type})`);
        if (hook.type === 'inner-chroot') await runInnerHook(file, hook, ctx);
        else await runOuterHook(file, hook, ctx, extraEnv);
      }
    };
    await hooksPhase(['outer-pre-sourcer']);
    if (!flags.skipSource) {
      flags.log(`source: ${job.source.type}`);
      await runSource(job.source, { rootfs, store, scratch: staging.path('source') });
    }
    await hooksPhase(['outer-pre-chroot']);
    await hooksPhase(['inner-chroot', 'outer-chroot']);
    await hooksPhase(['outer-post-chroot']);
    if (flags.skipPacker) return rootfs;
    let result: string;
    if (job.output.type === 'image') {
      const image = await packImage(s, job.workspacedir, job.output);
      result = image.id;
      flags.log(`stored image ${job.output.name} ${image.id}`);
    } else {
      result = await packTarball(rootfs, job.output);
      flags.log(`wrote ${result}`);
    }
    await hooksPhase(['outer-post-output'], { MARKDEVKIT_OUTPUTDIR: job.output.dir ?? '', MARKDEVKIT_OUTPUTNAME: job.output.name });
    return result;
  } finally {
    await staging.discard();
    if (flags.cleanup) await rm(rootfs, { recursive: true, force: true });
  }
}
