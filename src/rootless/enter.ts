// src/rootless/: running as an ordinary user: the user namespace jetpack enters, mapped from /etc/subuid and /etc/subgid.
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import type { Writable } from 'node:stream';
import { UserError } from '../errors.js';
import { ifExists } from '../util/fs.js';
import { freeRange, idMapArgs, SUBGID_FILE, SUBUID_FILE, subordinateRanges, type IdRange } from './subids.js';

/**
 * What an ordinary user's jetpack does first when bin/jetpack did not (it enters the namespace
 * itself with `unshare --map-users` where the user has one range each and nothing forbids it,
 * so that Node starts once; docs/BENCHMARKS.md, "Rootless builds"): starts itself again in a new user namespace
 * whose ID 0 is the user and whose IDs 1… are the user's subordinate ranges, mapped by the
 * system's setuid newuidmap/newgidmap (no helper of our own), and waits for it. Inside,
 * jetpack is root of everything it makes: owners across the range, overlay and other mounts
 * in namespaces of its own, ostree and tar as root would run them (docs/ROOTLESS.md).
 *
 * The child waits on fd 3 until its maps are written (a process cannot map its own
 * namespace's IDs beyond its own), then execs, tied to this process by PR_SET_PDEATHSIG:
 * entering the namespace clears a death signal set before it, so it is set after.
 */
const WAIT_FOR_MAPS = 'read _ <&3 || exit 137; exec 3<&-; exec "$@"';

/** Command lines that touch nothing, answered without a namespace (a user without ranges can still read the help). */
const HELP = new Set(['-h', '-help', '--help']);
const ONLY_ASKING = new Set(['help', 'version', '-version', '--version', ...HELP]);

/** Whether this command line is run in the user namespace: not root, not already inside, not only asking for help or the version. */
export function needsUserNamespace(args: string[]): boolean {
  if (process.getuid!() === 0 || process.env.JETPACK_USERNS === '1') return false;
  const onlyAsking = args.length === 0 || ONLY_ASKING.has(args[0]) || (args.length === 2 && HELP.has(args[1]));
  return !onlyAsking;
}

async function sysctl(name: string): Promise<string | undefined> {
  return (await ifExists(readFile(`/proc/sys/${name}`, 'utf8')))?.trim();
}

/** The one-line reason a kernel or policy forbids this user new user namespaces, if one is found. */
async function userNamespacesForbidden(): Promise<string | undefined> {
  if ((await sysctl('user/max_user_namespaces')) === '0')
    return 'user namespaces are disabled (user.max_user_namespaces=0; as root: sysctl -w user.max_user_namespaces=15000)';
  if ((await sysctl('kernel/unprivileged_userns_clone')) === '0')
    return 'unprivileged user namespaces are disabled (kernel.unprivileged_userns_clone=0; as root: sysctl -w kernel.unprivileged_userns_clone=1)';
  if ((await sysctl('kernel/apparmor_restrict_unprivileged_userns')) === '1')
    return 'AppArmor restricts unprivileged user namespaces (kernel.apparmor_restrict_unprivileged_userns=1; as root: sysctl -w kernel.apparmor_restrict_unprivileged_userns=0, or give node an AppArmor profile with "userns,")';
  return undefined;
}

async function rangesOf(file: string, user: os.UserInfo<string>): Promise<IdRange[]> {
  const ranges = await subordinateRanges(file, user.username, user.uid);
  if (ranges.length) return ranges;
  const free = await freeRange(file);
  const span = `${free.start}-${free.start + free.count - 1}`;
  throw new UserError(
    `running as ${user.username} needs subordinate IDs, and ${file} gives ${user.username} none (as root: usermod --add-subuids ${span} --add-subgids ${span} ${user.username})`,
  );
}

/** Runs this jetpack's command line again inside the user's namespace; resolves to its exit status. */
export async function runInUserNamespace(): Promise<number> {
  // dist/boot.cjs holds this module: what only entering needs is loaded here, so that root's
  // commands and `version` start without child_process (test/cli/cli.test.ts).
  const [{ spawn }, { diesWithJetpack, exitStatus, notInstalled, run }] = await Promise.all([import('node:child_process'), import('../util/process.js')]);
  const user = os.userInfo();
  // subgid(5) names its owners by user, like subuid(5): newgidmap looks the caller's name or uid up in both.
  const [uids, gids] = [await rangesOf(SUBUID_FILE, user), await rangesOf(SUBGID_FILE, user)];
  const forbidden = await userNamespacesForbidden();
  if (forbidden) throw new UserError(`cannot run as ${user.username}: ${forbidden}`);

  const [cmd, args] = diesWithJetpack(process.execPath, [...process.execArgv, ...process.argv.slice(1)]);
  const child = spawn('unshare', ['--user', '--', 'sh', '-c', WAIT_FOR_MAPS, 'jetpack-userns', cmd, ...args], {
    stdio: ['inherit', 'inherit', 'inherit', 'pipe'],
    env: { ...process.env, JETPACK_USERNS: '1' },
  });
  const exited = new Promise<number>((resolve, reject) => {
    child.on('error', (err: NodeJS.ErrnoException) => reject(err.code === 'ENOENT' ? notInstalled('unshare') : err));
    child.on('close', (code, signal) => resolve(exitStatus(code, signal)));
  });
  const forward = (signal: NodeJS.Signals) => () => child.kill(signal);
  const handlers = (['SIGINT', 'SIGTERM', 'SIGHUP'] as const).map((s) => [s, forward(s)] as const);
  for (const [s, h] of handlers) process.on(s, h);
  try {
    try {
      await Promise.all([
        run('newuidmap', [String(child.pid), ...idMapArgs(user.uid, uids)], { what: `mapping ${SUBUID_FILE}'s IDs of ${user.username}` }),
        run('newgidmap', [String(child.pid), ...idMapArgs(user.gid, gids)], { what: `mapping ${SUBGID_FILE}'s IDs of ${user.username}` }),
      ]);
    } catch (err) {
      child.kill('SIGKILL');
      await exited.catch(() => 0);
      throw err;
    }
    (child.stdio[3] as Writable).end('\n');
    return await exited;
  } finally {
    for (const [s, h] of handlers) process.off(s, h);
  }
}
