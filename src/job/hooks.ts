import { spawn } from 'node:child_process';
import { lstat, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { runInTree } from '../container/in-tree.js';
import { resolveInImage } from '../container/mount-points.js';
import { LayerTree } from '../layers/layer-tree.js';
import { UserError } from '../errors.js';
import { diesWithJetpack, exitStatus } from '../util/process.js';
import { isolated } from './isolate.js';
import type { Bind, Hook, HookFile, HookType } from './spec.js';
import { ifExists } from '../util/fs.js';

export interface HookContext {
  rootfs: string;
  env: Record<string, string>;
  jobBinds: Bind[];
  /** Where inner hooks' containers keep their scratch files (a staging dir of the store). */
  scratch: string;
  /** The store's cache of what containers get (the /dev template). */
  cacheDir: string;
  quiet: boolean;
  /** Told each inner command before it runs (--fchroot-debug). */
  debug?: (line: string) => void;
}

/** The hooks of these types from every file, in file order then hook order. */
export function hooksOf(files: HookFile[], types: HookType[]): Array<{ file: string; hook: Hook }> {
  return files.flatMap((f) => f.hooks.filter((h) => types.includes(h.type)).map((hook) => ({ file: f.file, hook })));
}

function hookFailure(file: string, hook: Hook, index: number, status: number): UserError {
  return new UserError(`hook ${hook.name || '(unnamed)'} (${hook.type}, ${file}): command ${index + 1} exited with status ${status}`, status || 1);
}

/**
 * Runs one host process with jetpack's stdio (stdout and stderr dropped when quiet), isolated:
 * its mounts and the processes it leaves go when it ends or jetpack dies. Returns its status.
 */
function runOnHost(argv: string[], env: Record<string, string>, quiet: boolean): Promise<number> {
  return new Promise((resolve, reject) => {
    const [cmd, args] = diesWithJetpack(...isolated(argv[0], argv.slice(1)));
    const child = spawn(cmd, args, { env, stdio: ['inherit', quiet ? 'ignore' : 'inherit', quiet ? 'ignore' : 'inherit'] });
    child.on('error', (err) => reject(new UserError(`cannot run ${argv[0]}: ${err.message}`, 1, { cause: err })));
    child.on('close', (code, signal) => resolve(exitStatus(code, signal)));
  });
}

/**
 * An outer hook: each command is one host process, `entrypoint… command` (default
 * entrypoint /bin/bash -c, as mark-devkit's host executor), in namespaces of its own: what it
 * mounts is gone when it ends, and so is any process it started and left running.
 */
export async function runOuterHook(file: string, hook: Hook, ctx: HookContext, extraEnv: Record<string, string> = {}): Promise<void> {
  const entrypoint = hook.entrypoint.length ? hook.entrypoint : ['/bin/bash', '-c'];
  for (const [i, command] of hook.commands.entries()) {
    const status = await runOnHost([...entrypoint, command], { ...ctx.env, ...extraEnv }, ctx.quiet);
    if (status !== 0) throw hookFailure(file, hook, i, status);
  }
}

/**
 * Checks a bind's source and makes its target in the rootfs, where it stays (mark-devkit
 * makes it so). The rootfs's links are followed inside the rootfs, as the container does for
 * its own mount points (an absolute target from the rootfs's root, `..` stopping there), so
 * `var -> /etc` in an untrusted tarball makes /var/cache/pkg at the rootfs's /etc/cache/pkg,
 * never on the host.
 */
async function prepareBindTarget(rootfs: string, bind: { source: string; target: string }, what: string): Promise<void> {
  if (!(await ifExists(lstat(bind.source)))?.isDirectory()) throw new UserError(`${what}: chroot_binds source ${bind.source} is not a directory`);
  const at = await resolveInImage(new LayerTree([rootfs]), bind.target);
  if (at.kind === 'loop') throw new UserError(`${what}: chroot_binds target ${bind.target}: too many levels of symbolic links in the rootfs`);
  if (at.kind === 'blocked') throw new UserError(`${what}: chroot_binds target ${bind.target}: /${at.rel} is not a directory in the rootfs`);
  if (at.kind === 'missing') await mkdir(path.join(rootfs, at.rel), { recursive: true, mode: 0o755 });
}

/**
 * An inner hook: each command runs in a fresh container on the rootfs itself (jetpack's
 * container machinery: private mount, PID, IPC and UTS namespaces, /proc, /dev, read-only
 * /sys, the host's resolv.conf), with the job's and the hook's chroot_binds mounted, their
 * targets made in the rootfs when missing.
 */
export async function runInnerHook(file: string, hook: Hook, ctx: HookContext): Promise<void> {
  const bySource = new Map<string, Bind>();
  for (const b of [...ctx.jobBinds, ...hook.chroot_binds]) bySource.set(b.source, b);
  const binds = [...bySource.values()].map((b) => ({
    source: path.resolve(b.source),
    target: path.posix.normalize(`/${b.target}`),
    readOnly: false,
    file: false,
  }));
  for (const [i, command] of hook.commands.entries()) {
    // Before each command: an earlier one may have changed the rootfs.
    for (const b of binds) await prepareBindTarget(ctx.rootfs, b, `hook ${hook.name} (${file})`);
    const argv = [...hook.entrypoint, command];
    ctx.debug?.(`inner ${ctx.rootfs}: ${JSON.stringify(argv)}${binds.length ? ` binds ${binds.map((b) => `${b.source}:${b.target}`).join(' ')}` : ''}`);
    const status = await runInTree(ctx.rootfs, argv, ctx.scratch, ctx.cacheDir, { env: ctx.env, binds, quiet: ctx.quiet });
    if (status !== 0) throw hookFailure(file, hook, i, status);
  }
}
