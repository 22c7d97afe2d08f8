import { chmod, mkdir, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { DEVICE_XATTR } from '../archive/device-placeholders.js';
import { run } from '../util/process.js';

type DevEntry = { name: string } & ({ type: 'dir' } | { type: 'link'; target: string } | { type: 'char'; major: number; minor: number });

/** mmdebstrap's @devfiles: what it puts in the rootfs's /dev when it can make device nodes, as root can. */
const DEV_FILES: DevEntry[] = [
  { name: 'console', type: 'char', major: 5, minor: 1 },
  { name: 'fd', type: 'link', target: '/proc/self/fd' },
  { name: 'full', type: 'char', major: 1, minor: 7 },
  { name: 'null', type: 'char', major: 1, minor: 3 },
  { name: 'ptmx', type: 'char', major: 5, minor: 2 },
  { name: 'pts', type: 'dir' },
  { name: 'random', type: 'char', major: 1, minor: 8 },
  { name: 'shm', type: 'dir' },
  { name: 'stderr', type: 'link', target: '/proc/self/fd/2' },
  { name: 'stdin', type: 'link', target: '/proc/self/fd/0' },
  { name: 'stdout', type: 'link', target: '/proc/self/fd/1' },
  { name: 'tty', type: 'char', major: 5, minor: 0 },
  { name: 'urandom', type: 'char', major: 1, minor: 9 },
  { name: 'zero', type: 'char', major: 1, minor: 5 },
];

/**
 * Completes the /dev that mmdebstrap leaves empty where it cannot mknod (a user namespace):
 * the directories and links it would have made, and each device node as the store's
 * placeholder for it (archive/device-placeholders.ts), which GNU tar archives as the device,
 * so the stage's tarball holds the very /dev root's does.
 */
export async function addDebianDevFiles(rootfs: string): Promise<void> {
  const dev = path.join(rootfs, 'dev');
  await mkdir(dev, { recursive: true });
  await chmod(dev, 0o755);
  for (const entry of DEV_FILES) {
    const file = path.join(dev, entry.name);
    if (entry.type === 'link') {
      await symlink(entry.target, file);
      continue;
    }
    if (entry.type === 'dir') await mkdir(file);
    else {
      await writeFile(file, '', { flag: 'wx' });
      await run('setfattr', ['-n', DEVICE_XATTR, '-v', `c ${entry.major} ${entry.minor}`, '--', file], { what: `recording ${file}` });
    }
    await chmod(file, entry.type === 'dir' ? 0o755 : 0o666);
  }
}
