import { chmod, mkdir, symlink } from 'node:fs/promises';
import path from 'node:path';

export const HYBRID_LAYOUTS = ['shipped', 'experiment'] as const;
export type HybridLayout = (typeof HYBRID_LAYOUTS)[number];

type Entry = { link: string; to: string } | { dir: string; mode: number };

const MOUNT_POINTS: Entry[] = ['dev', 'proc', 'sys'].map((dir) => ({ dir, mode: 0o755 }));

/**
 * What makes a runtime (`metadata` + `files/`) a root filesystem. `shipped`: the relative
 * links flatpak-module-tools appends to runtime images (commit 353bd84c), with the stub
 * directories a container needs. `experiment`: the absolute links and stubs of the original
 * experiment (flatpak-module-tools issue #32), var/tmp 1755 as it was.
 * docs/FLATPAK.md says why shipped is the default.
 */
const LAYOUTS: Record<HybridLayout, Entry[]> = {
  shipped: [
    { link: 'usr', to: 'files' },
    { link: 'bin', to: 'files/bin' },
    { link: 'etc', to: 'files/etc' },
    { link: 'lib', to: 'files/lib' },
    { link: 'lib64', to: 'files/lib64' },
    { link: 'sbin', to: 'files/sbin' },
    { dir: 'root', mode: 0o700 },
    { dir: 'run', mode: 0o755 },
    { dir: 'tmp', mode: 0o1777 },
    { dir: 'var', mode: 0o755 },
    { dir: 'var/tmp', mode: 0o1777 },
    { link: 'var/run', to: '../run' },
    ...MOUNT_POINTS,
  ],
  experiment: [
    { link: 'bin', to: '/usr/bin' },
    { link: 'etc', to: '/files/etc' },
    { link: 'lib', to: '/usr/lib' },
    { link: 'lib64', to: '/usr/lib64' },
    { link: 'usr', to: '/files' },
    { dir: 'root', mode: 0o700 },
    { dir: 'run', mode: 0o755 },
    { dir: 'tmp', mode: 0o1777 },
    { dir: 'var', mode: 0o755 },
    { dir: 'var/db', mode: 0o755 },
    { link: 'var/db/zoneinfo', to: '/etc/localtime' },
    { link: 'var/run', to: '../run' },
    { dir: 'var/tmp', mode: 0o1755 },
    ...MOUNT_POINTS,
  ],
};

/** The names the layout adds at the root (none of them may be in the runtime already). */
export function hybridTopLevel(layout: HybridLayout): string[] {
  return [...new Set(LAYOUTS[layout].map((e) => ('link' in e ? e.link : e.dir).split('/')[0]))];
}

/** Adds the layout's links and directories to `rootfs`, which holds the runtime's `metadata` and `files/`. */
export async function addHybridEntries(rootfs: string, layout: HybridLayout): Promise<void> {
  for (const entry of LAYOUTS[layout]) {
    if ('link' in entry) {
      await symlink(entry.to, path.join(rootfs, entry.link));
    } else {
      await mkdir(path.join(rootfs, entry.dir));
      await chmod(path.join(rootfs, entry.dir), entry.mode); // mkdir's mode goes through the umask
    }
  }
}
