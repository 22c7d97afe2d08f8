import type { Job } from './spec.js';

/** The mark-devkit version whose job contract jetpack follows (MARKDEVKIT_VERSION). */
export const MARKDEVKIT_VERSION = '0.32.0';

/**
 * The environment of every hook (mark-devkit's RunJob): the host's, then each option whose
 * value is an int or a string (`-` in its name as `_`, which shells cannot take), then the
 * job's `environments`, then MARKDEVKIT_VERSION, MARKDEVKIT_WORKSPACE and MARKDEVKIT_ROOTFS.
 */
export function jobEnv(job: Job, rootfs: string, host: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(host)) if (v !== undefined) env[k] = v;
  for (const [k, v] of Object.entries(job.options)) {
    if (typeof v === 'string' || typeof v === 'bigint') env[k.replace(/-/g, '_')] = String(v);
  }
  for (const { key, value } of job.environments) env[key] = value;
  env.MARKDEVKIT_VERSION = MARKDEVKIT_VERSION;
  env.MARKDEVKIT_WORKSPACE = job.workspacedir;
  env.MARKDEVKIT_ROOTFS = rootfs;
  return env;
}
