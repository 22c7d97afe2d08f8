import { explainDiskFull } from './disk.js';
import { run } from './process.js';

/**
 * Copies the whole tree `from` into the existing directory `to` with `cp -a`: owners, modes,
 * times to the nanosecond, devices, FIFOs, hardlinks, xattrs (ACLs and file capabilities
 * included) and holes. For a whole tree it is faster than a tar pipe, which reads every file
 * once more to find holes; tar stays the tool for archives and member lists.
 * `wrap` runs cp where `from` is visible (a rendered overlay's namespace).
 */
export async function cloneTree(from: string, to: string, what: string, wrap?: (cmd: string, args: string[]) => [string, string[]]): Promise<void> {
  const args = ['-a', '--no-target-directory', `${from}/.`, to];
  const [cmd, argv] = wrap ? wrap('cp', args) : ['cp', args];
  await run(cmd, argv, { what }).catch(async (err: unknown) => {
    throw await explainDiskFull(err, to, what);
  });
}
