import path from 'node:path';
import { diesWithJetpack } from '../util/process.js';
import { inUserNamespace, overlayOptionSuffix } from '../util/userns.js';

/**
 * The command line that runs one process in a container. Everything happens in child
 * processes (an unshare(2) inside Node would change one thread only; docs/DESIGN-CHOICES.md):
 *
 *   setpriv --pdeathsig KILL          dies with jetpack, even when jetpack is SIGKILLed
 *                                     (diesWithJetpack: also when jetpack dies as it starts)
 *   unshare --kill-child -m -p -i -u  new mount, PID, IPC, UTS (and optionally net) namespaces;
 *                                     the namespaces die with their first process
 *   sh -ec SETUP                      checks that unshare is still there and still jetpack's
 *                                     child (--kill-child's PR_SET_PDEATHSIG has the same
 *                                     start-up window: /proc here is still the host's, so the
 *                                     host-side parents can be read); then one `mount -a`
 *                                     of the container's fstab (the rootfs,
 *                                     /proc, /sys read-only, /dev, resolv.conf, the tools;
 *                                     two, around a copy of the /dev template, in copy mode),
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
   * Where things are mounted, as paths relative to `root` with the image's links already
   * followed inside the image (mount-points.ts): mount(8) follows links on the host, so no
   * target here may hold one. Each mount point must exist.
   */
  proc: string;
  sys: string;
  /**
   * The container's /dev (at `target`), made from a template holding the device nodes,
   * symlinks and the pts/ and shm/ mount points (devices.ts): with overlayfs, an overlay of
   * the template with a private upper dir; without, a tmpfs the template is copied into.
   * `hostDevices` (in a user namespace) are the host's /dev nodes bind-mounted over the
   * template's placeholders.
   */
  dev: { target: string; template: string; overlay?: { upperdir: string; workdir: string }; hostDevices: string[] };
  /** A tmpfs of the container's own here (MaPS's sandbox /tmp). */
  privateTmp?: string;
  /** The host's resolv.conf (`source`), bind-mounted read-only over a regular file. */
  resolvConf?: { source: string; target: string };
  /** The host directory of lent tools (`source`), bind-mounted read-only (TOOLS_MOUNT in the container). */
  tools?: { source: string; target: string };
  /** Host files and directories mounted over placeholders of the tools (tools.ts LentBind). */
  toolBinds?: Array<{ source: string; target: string }>;
  /** Host paths bind-mounted in the container (`target` as the others above), parents first. */
  binds: Array<{ source: string; target: string; readOnly: boolean }>;
  network: 'host' | 'none';
  hostname: string;
  /** Working directory inside the container. */
  cwd: string;
  env: Record<string, string>;
  command: string[];
  /**
   * Whether the container dies with this jetpack process (always, but for the enter script
   * of a kept container, which the user runs later from a shell).
   */
  tied: boolean;
}

const SETUP = `
fstab=$1; devcopy=$2; dir=$3; root=$4; dev=$5; proc=$6; net=$7; name=$8; jetpack=$9; shift 9
if [ -n "$jetpack" ]; then
  read -r _ _ _ up _ < /proc/self/stat
  read -r _ _ _ upup _ < "/proc/$up/stat" || exit 137
  [ "$upup" = "$jetpack" ] || exit 137
fi
cd "$dir"
mount -a --fstab "$fstab"
if [ -n "$devcopy" ]; then cp -a "$devcopy/." "$root/$dev/"; mount -a --fstab "$fstab.dev"; fi
if [ "$net" = none ] && command -v ip >/dev/null; then ip link set lo up; fi
{ echo "$name" > "$root/$proc/sys/kernel/hostname"; } 2>/dev/null || true
exec "$@"
`;

/** fstab(5) escapes for a field: whitespace and backslashes as octal. */
function fstabField(p: string): string {
  return p.replace(/[\\ \t\n]/g, (c) => `\\${c.charCodeAt(0).toString(8).padStart(3, '0')}`);
}

function overlayOptions(o: { lowerdirs: string[]; upperdir: string; workdir: string }): string {
  return `lowerdir=${[...o.lowerdirs].reverse().join(':')},upperdir=${o.upperdir},workdir=${o.workdir}${overlayOptionSuffix()}`;
}

type Mount = [source: string, target: string, type: string, options: string];

function fstabText(mounts: Mount[]): string {
  return mounts.map(([source, target, type, options]) => `${fstabField(source)} ${fstabField(target)} ${type} ${fstabField(options)} 0 0\n`).join('');
}

/**
 * The container's mounts, in order, as fstab text for `mount -a` in SETUP: `main`, and in
 * copy mode `dev`, mounted once the /dev template has been copied into the tmpfs /dev
 * (SETUP reads it from the main file's name + ".dev").
 */
export function containerFstab(spec: NamespaceSpec): { main: string; dev?: string } {
  const at = (rel: string) => path.join(spec.root, rel);
  const main: Mount[] = [];
  if (spec.overlay) main.push(['overlay', spec.root, 'overlay', overlayOptions(spec.overlay)]);
  main.push(['proc', at(spec.proc), 'proc', 'nosuid,nodev,noexec']);
  // sysfs belongs to a network namespace: a user namespace may mount one only for a network
  // namespace of its own, and lends the host's read-only where the container shares the host's.
  if (inUserNamespace() && spec.network === 'host') main.push(['/sys', at(spec.sys), 'none', 'rbind,ro']);
  else main.push(['sysfs', at(spec.sys), 'sysfs', 'ro,nosuid,nodev,noexec']);
  if (spec.privateTmp) main.push(['tmpfs', at(spec.privateTmp), 'tmpfs', 'mode=1777,nosuid,nodev']);
  const { target: dev, template, overlay } = spec.dev;
  if (overlay) main.push(['overlay', at(dev), 'overlay', `${overlayOptions({ ...overlay, lowerdirs: [template] })},nosuid`]);
  else main.push(['tmpfs', at(dev), 'tmpfs', 'mode=755,nosuid,size=65536k']);
  const onDev: Mount[] = [
    ...spec.dev.hostDevices.map((name): Mount => [`/dev/${name}`, at(`${dev}/${name}`), 'none', 'bind']),
    ['devpts', at(`${dev}/pts`), 'devpts', 'newinstance,ptmxmode=0666,mode=620,nosuid,noexec'],
    ['tmpfs', at(`${dev}/shm`), 'tmpfs', 'mode=1777,nosuid,nodev'],
  ];
  if (spec.resolvConf) onDev.push([spec.resolvConf.source, at(spec.resolvConf.target), 'none', 'bind,ro']);
  if (spec.tools) {
    onDev.push([spec.tools.source, at(spec.tools.target), 'none', 'bind,ro']);
    for (const b of spec.toolBinds ?? []) onDev.push([b.source, at(`${spec.tools.target}/${b.target}`), 'none', 'bind,ro']);
  }
  for (const b of spec.binds) onDev.push([b.source, at(b.target), 'none', b.readOnly ? 'bind,ro' : 'bind']);
  return overlay ? { main: fstabText([...main, ...onDev]) } : { main: fstabText(main), dev: fstabText(onDev) };
}

/**
 * The command and arguments that run `spec.command` in a fresh container; `fstab` names the
 * file holding containerFstab(spec).main (and `fstab`.dev its `dev` part, if any).
 */
export function containerCommand(spec: NamespaceSpec, fstab: string): [string, string[]] {
  const namespaces = ['--mount', '--pid', '--ipc', '--uts', '--propagation', 'private', '--kill-child=SIGKILL'];
  if (spec.network === 'none') namespaces.push('--net');
  const env = Object.entries(spec.env).map(([k, v]) => `${k}=${v}`);
  const args = [
    ...namespaces,
    '--',
    'sh',
    '-ec',
    SETUP,
    'jetpack-container',
    fstab,
    spec.dev.overlay ? '' : spec.dev.template,
    spec.dir,
    spec.root,
    spec.dev.target,
    spec.proc,
    spec.network,
    spec.hostname,
    spec.tied ? String(process.pid) : '',
    'env',
    '-i',
    ...env,
    'unshare',
    `--root=${spec.root}`,
    `--wd=${spec.cwd}`,
    '--',
    ...spec.command,
  ];
  return spec.tied ? diesWithJetpack('unshare', args) : ['unshare', args];
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
