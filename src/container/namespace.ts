import { TOOLS_MOUNT } from './tools.js';

/**
 * The command line that runs one process in a container. Everything happens in child
 * processes (DESIGN.md: an unshare(2) inside Node changes one thread only):
 *
 *   setpriv --pdeathsig KILL          dies with jetpack, even when jetpack is SIGKILLed
 *   unshare --kill-child -m -p -i -u  new mount, PID, IPC, UTS (and optionally net) namespaces;
 *                                     the namespaces die with their first process
 *   sh -ec SETUP                      one `mount -a` of the container's fstab (the rootfs,
 *                                     /proc, /sys read-only, /dev, resolv.conf, the tools),
 *                                     the hostname; then drops to the command:
 *   env -i … unshare --root --wd      chroot + chdir + exec with a clean environment
 *
 * No mount outlives the container: they all live in its private mount namespace. One
 * mount(8) for all of them, rather than one per mount, is most of the container's start-up
 * time saved (docs/BENCHMARKS.md).
 */

export interface NamespaceSpec {
  /** The container's directory; relative paths in `overlay` and `dev` are relative to it. */
  dir: string;
  /** Where the container's root is mounted (overlay) or lives (copy). */
  root: string;
  /** overlayfs mount options for `root`, or undefined when `root` is a plain directory. */
  overlay?: { lowerdirs: string[]; upperdir: string; workdir: string };
  /**
   * The container's /dev: an overlay of a template holding the device nodes, symlinks and
   * the pts/ and shm/ mount points (devices.ts), with a private upper dir.
   */
  dev: { template: string; upperdir: string; workdir: string };
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

const SETUP = `
fstab=$1; dir=$2; root=$3; net=$4; name=$5; shift 5
cd "$dir"
mount -a --fstab "$fstab"
if [ "$net" = none ] && command -v ip >/dev/null; then ip link set lo up; fi
{ echo "$name" > "$root/proc/sys/kernel/hostname"; } 2>/dev/null || true
exec "$@"
`;

/** fstab(5) escapes for a field: whitespace and backslashes as octal. */
function fstabField(p: string): string {
  return p.replace(/[\\ \t\n]/g, (c) => `\\${c.charCodeAt(0).toString(8).padStart(3, '0')}`);
}

function overlayOptions(o: { lowerdirs: string[]; upperdir: string; workdir: string }): string {
  return `lowerdir=${[...o.lowerdirs].reverse().join(':')},upperdir=${o.upperdir},workdir=${o.workdir}`;
}

/** The container's mounts, in order, as an fstab for the one `mount -a` of SETUP. */
export function containerFstab(spec: NamespaceSpec): string {
  const r = spec.root;
  const mounts: Array<[string, string, string, string]> = [];
  if (spec.overlay) mounts.push(['overlay', r, 'overlay', overlayOptions(spec.overlay)]);
  mounts.push(
    ['proc', `${r}/proc`, 'proc', 'nosuid,nodev,noexec'],
    ['sysfs', `${r}/sys`, 'sysfs', 'ro,nosuid,nodev,noexec'],
    ['overlay', `${r}/dev`, 'overlay', `${overlayOptions({ ...spec.dev, lowerdirs: [spec.dev.template] })},nosuid`],
    ['devpts', `${r}/dev/pts`, 'devpts', 'newinstance,ptmxmode=0666,mode=620,nosuid,noexec'],
    ['tmpfs', `${r}/dev/shm`, 'tmpfs', 'mode=1777,nosuid,nodev'],
  );
  if (spec.resolvConf) mounts.push([spec.resolvConf, `${r}/etc/resolv.conf`, 'none', 'bind,ro']);
  if (spec.tools) mounts.push([spec.tools, `${r}${TOOLS_MOUNT}`, 'none', 'bind,ro']);
  return mounts.map(([source, target, type, options]) => `${fstabField(source)} ${fstabField(target)} ${type} ${fstabField(options)} 0 0\n`).join('');
}

/** The command and arguments that run `spec.command` in a fresh container; `fstab` holds containerFstab(spec). */
export function containerCommand(spec: NamespaceSpec, fstab: string): [string, string[]] {
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
      fstab,
      spec.dir,
      spec.root,
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
