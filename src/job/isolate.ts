import { readFile, realpath } from 'node:fs/promises';
import { UserError } from '../errors.js';
import { run } from '../util/process.js';
import { ifExists } from '../util/fs.js';

/**
 * The command line that runs a host command of a job (a source tool, an outer hook) in a
 * private mount namespace and a PID namespace of its own, as builds run (by a child process,
 * never by unshare(2) in Node, which would change one thread only; docs/DESIGN-CHOICES.md):
 *
 *   unshare --mount --propagation private   what it mounts (mmdebstrap's /proc, /sys, /dev/pts
 *                                           in the rootfs) lives in its namespace and goes with it
 *   --pid --kill-child=SIGKILL              it is PID 1 of a namespace that dies with unshare;
 *                                           the kernel kills every process left in it
 *
 * Callers start it through diesWithJetpack (as `run` does), which ties unshare itself to
 * jetpack (PR_SET_PDEATHSIG): a SIGKILLed jetpack takes the command, its children and its
 * mounts with it. The command sees the host's files and /proc; only its mounts and its
 * children are its own.
 */
export function isolated(cmd: string, args: readonly string[]): [string, string[]] {
  return ['unshare', ['--mount', '--propagation', 'private', '--pid', '--kill-child=SIGKILL', '--', cmd, ...args]];
}

/** unshare's words when the command it was to run does not exist. */
export function missingCommand(err: Error, cmd: string): boolean {
  return err.message.includes(`unshare: failed to execute ${cmd}: No such file or directory`);
}

/** A mount point field of /proc/self/mountinfo, its octal escapes (\040 for a space) decoded. */
function mountPoint(line: string): string {
  return line.split(' ')[4].replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
}

async function mountsUnder(dir: string): Promise<string[]> {
  const points = (await readFile('/proc/self/mountinfo', 'utf8')).split('\n').filter(Boolean).map(mountPoint);
  return [...new Set(points.filter((p) => p === dir || p.startsWith(`${dir}/`)))].sort((a, b) => b.length - a.length);
}

/**
 * Detaches every mount at or under `dir` in jetpack's mount namespace, deepest first (and
 * again while mounts stacked on one point remain): what a job run by an older jetpack,
 * mounting on the host, left when it was killed. The rootfs can then be removed without
 * EBUSY and without reaching through a bind mount into the host. Returns what was detached.
 */
export async function unmountStale(dir: string): Promise<string[]> {
  const real = await ifExists(realpath(dir));
  if (!real) return [];
  const detached: string[] = [];
  for (let round = 0; round < 64; round++) {
    const points = await mountsUnder(real);
    if (!points.length) return detached;
    // --lazy: a busy mount (a process of the killed job still in it) goes as well.
    for (const p of points) {
      await run('umount', ['--lazy', '--', p], { what: `unmounting ${p}, left by a killed job` });
      detached.push(p);
    }
  }
  throw new UserError(`${dir}: mounts remain after 64 rounds of unmounting; unmount them (findmnt -R ${dir}) and run again`);
}
