import { TOOLS_MOUNT } from './tools.js';

/**
 * The command line that runs one process in a container. Everything happens in child
 * processes (DESIGN.md: an unshare(2) inside Node changes one thread only):
 *
 *   setpriv --pdeathsig KILL          dies with jetpack, even when jetpack is SIGKILLed
 *   unshare --kill-child -m -p -i -u  new mount, PID, IPC, UTS (and optionally net) namespaces;
 *                                     the namespaces die with their first process
 *   sh -ec SETUP                      mounts the rootfs, /proc, a minimal /dev, /sys read-only,
 *                                     resolv.conf; then drops to the command:
 *   env -i … unshare --root --wd      chroot + chdir + exec with a clean environment
 *
 * No mount outlives the container: they all live in its private mount namespace.
 */

export interface NamespaceSpec {
  /** Where the container's root is mounted (overlay) or lives (copy). */
  root: string;
  /** overlayfs mount options for `root`, or undefined when `root` is a plain directory. */
  overlay?: { lowerdirs: string[]; upperdir: string; workdir: string };
  /** Host file bind-mounted over the container's /etc/resolv.conf (must exist as a regular file there). */
  resolvConf?: string;
  /** Host directory bind-mounted read-only at TOOLS_MOUNT (the mount point must exist). */
  tools?: string;
  network: 'host' | 'none';
  hostname: string;
  /** Working directory inside the container. */
  cwd: string;
  env: Record<string, string>;
  command: string[];
}

const DEVICES = ['null', 'zero', 'full', 'random', 'urandom', 'tty'];

const SETUP = `
root=$1; overlay_opts=$2; resolv=$3; tools=$4; net=$5; name=$6; shift 6
if [ -n "$overlay_opts" ]; then mount -t overlay -o "$overlay_opts" overlay "$root"; fi
mount -t proc -o nosuid,nodev,noexec proc "$root/proc"
mount -t sysfs -o ro,nosuid,nodev,noexec sysfs "$root/sys"
mount -t tmpfs -o mode=755,nosuid,size=65536k tmpfs "$root/dev"
for d in ${DEVICES.join(' ')}; do
  if [ -e "/dev/$d" ]; then : > "$root/dev/$d"; mount --bind "/dev/$d" "$root/dev/$d"; fi
done
mkdir "$root/dev/pts" "$root/dev/shm"
mount -t devpts -o newinstance,ptmxmode=0666,mode=620 devpts "$root/dev/pts"
mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs "$root/dev/shm"
ln -s pts/ptmx "$root/dev/ptmx"
ln -s /proc/self/fd "$root/dev/fd"
ln -s /proc/self/fd/0 "$root/dev/stdin"
ln -s /proc/self/fd/1 "$root/dev/stdout"
ln -s /proc/self/fd/2 "$root/dev/stderr"
if [ -n "$resolv" ]; then mount --bind -o ro "$resolv" "$root/etc/resolv.conf"; fi
if [ -n "$tools" ]; then mount --bind -o ro "$tools" "$root${TOOLS_MOUNT}"; fi
if [ "$net" = none ] && command -v ip >/dev/null; then ip link set lo up; fi
hostname "$name" 2>/dev/null || true
exec "$@"
`;

/** The command and arguments that run `spec.command` in a fresh container. */
export function containerCommand(spec: NamespaceSpec): [string, string[]] {
  const overlayOpts = spec.overlay
    ? `lowerdir=${[...spec.overlay.lowerdirs].reverse().join(':')},upperdir=${spec.overlay.upperdir},workdir=${spec.overlay.workdir}`
    : '';
  const namespaces = ['--mount', '--pid', '--ipc', '--uts', '--propagation', 'private', '--kill-child=SIGKILL'];
  if (spec.network === 'none') namespaces.push('--net');
  const env = Object.entries(spec.env).map(([k, v]) => `${k}=${v}`);
  return [
    'setpriv',
    [
      '--pdeathsig',
      'KILL',
      '--',
      'unshare',
      ...namespaces,
      '--',
      'sh',
      '-ec',
      SETUP,
      'jetpack-container',
      spec.root,
      overlayOpts,
      spec.resolvConf ?? '',
      spec.tools ?? '',
      spec.network,
      spec.hostname,
      'env',
      '-i',
      ...env,
      'unshare',
      `--root=${spec.root}`,
      `--wd=${spec.cwd}`,
      '--',
      ...spec.command,
    ],
  ];
}

export const CONTAINER_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** The environment a build or run command starts with, as Jetpack's stage2 sets it. */
export function containerEnv(): Record<string, string> {
  return {
    PATH: CONTAINER_PATH,
    HOME: '/root',
    USER: 'root',
    LOGNAME: 'root',
    SHELL: '/bin/sh',
    TERM: process.env.TERM || 'vt100',
  };
}
