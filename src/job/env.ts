import { rootless } from '../util/userns.js';
import type { Job } from './spec.js';

/** The mark-devkit version whose job contract jetpack follows (MARKDEVKIT_VERSION). */
export const MARKDEVKIT_VERSION = '0.32.0';

/** The directories of root's PATH that an ordinary user's PATH usually leaves out. */
const SBIN_DIRS = ['/usr/local/sbin', '/usr/sbin', '/sbin'];

/**
 * An ordinary user's PATH with root's sbin directories it lacks added at its end: its job's
 * hooks run as root (of its user namespace) and call root's tools by name (useradd), as they
 * do when mark-devkit runs under sudo, whose secure_path has them.
 */
function withSbin(path = ''): string {
  const dirs = path.split(':').filter(Boolean);
  return [...dirs, ...SBIN_DIRS.filter((d) => !dirs.includes(d))].join(':');
}

/**
 * The environment of every hook (mark-devkit's RunJob): the host's (an ordinary user's PATH
 * with root's sbin directories), then each option whose value is an int or a string (`-` in
 * its name as `_`, which shells cannot take), then the job's `environments`, then
 * MARKDEVKIT_VERSION, MARKDEVKIT_WORKSPACE and MARKDEVKIT_ROOTFS.
 */
export function jobEnv(job: Job, rootfs: string, host: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(host)) if (v !== undefined) env[k] = v;
  if (rootless()) env.PATH = withSbin(env.PATH);
  for (const [k, v] of Object.entries(job.options)) {
    if (typeof v === 'string' || typeof v === 'bigint') env[k.replace(/-/g, '_')] = String(v);
  }
  for (const { key, value } of job.environments) env[key] = value;
  env.MARKDEVKIT_VERSION = MARKDEVKIT_VERSION;
  env.MARKDEVKIT_WORKSPACE = job.workspacedir;
  env.MARKDEVKIT_ROOTFS = rootfs;
  return env;
}
