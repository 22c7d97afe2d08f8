import { chmod, mkdir, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { cachedDir } from '../util/cached-dir.js';
import { pathExists } from '../util/fs.js';
import { run } from '../util/process.js';
import { inUserNamespace } from '../util/userns.js';

/** The host devices every container gets (as nodes with the host's numbers and modes). */
const DEVICES = ['null', 'zero', 'full', 'random', 'urandom', 'tty'];

const LINKS: Array<[string, string]> = [
  ['ptmx', 'pts/ptmx'],
  ['fd', '/proc/self/fd'],
  ['stdin', '/proc/self/fd/0'],
  ['stdout', '/proc/self/fd/1'],
  ['stderr', '/proc/self/fd/2'],
];

/**
 * The template of a container's /dev, made once per store under `cacheDir`: the minimal
 * device nodes, the usual symlinks and the pts/ and shm/ mount points. Each container
 * mounts it as the lower layer of an overlay with a private upper dir, so the whole /dev is
 * one mount and nothing a container writes there reaches another. The "1" in the name is
 * the template's version: a jetpack that changes it uses a new name.
 *
 * In a user namespace no device node can be made (mknod needs CAP_MKNOD of the initial
 * namespace): the template holds empty files where the nodes go, and each container
 * bind-mounts the host's nodes over them (hostDevices), as rootless podman does.
 */
export const DEVICES_DIR = inUserNamespace() ? 'dev-1-bound' : 'dev-1';

/** The template's directory and, in a user namespace, the names of the host's /dev nodes to bind over its placeholders. */
export interface DevicesTemplate {
  dir: string;
  hostDevices: string[];
}

/** The names of DEVICES the host has in /dev. */
async function hostDeviceNames(): Promise<string[]> {
  const present: string[] = [];
  for (const name of DEVICES) {
    if (await pathExists(`/dev/${name}`)) present.push(name);
  }
  return present;
}

export async function cachedDevices(cacheDir: string): Promise<DevicesTemplate> {
  const dir = await cachedDir(path.join(cacheDir, DEVICES_DIR), async (dir) => {
    await chmod(dir, 0o755);
    await mkdir(path.join(dir, 'pts'), { mode: 0o755 });
    await mkdir(path.join(dir, 'shm'), { mode: 0o755 });
    for (const [name, target] of LINKS) await symlink(target, path.join(dir, name));
    const present = await hostDeviceNames();
    if (inUserNamespace()) {
      for (const name of present) await writeFile(path.join(dir, name), '', { mode: 0o666 });
    } else if (present.length) {
      // cp -a makes device nodes (mknod) with the host's numbers, modes and owners.
      await run('cp', ['-a', '--', ...present.map((name) => `/dev/${name}`), dir], { what: 'making the container /dev template' });
    }
  });
  // Root's template holds the nodes themselves: only a user namespace binds the host's at each run.
  return { dir, hostDevices: inUserNamespace() ? await hostDeviceNames() : [] };
}
