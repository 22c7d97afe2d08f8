import { run } from '../util/process.js';
import { inUserNamespace } from '../util/userns.js';
import { DEVICE_XATTR } from './device-placeholders.js';

/** A device placeholder (device-placeholders.ts) found in a tree: what root's tree has there as a device node. */
export interface Placeholder {
  /** Relative to the tree's root, without "./". */
  path: string;
  type: 'c' | 'b';
  major: number;
  minor: number;
  /** Permission bits, octal as stat(1) prints them. */
  mode: string;
  uid: number;
  gid: number;
}

/** getfattr's escapes in a name: a backslash and three octal digits for each special byte. */
const unescape = (name: string) =>
  Buffer.from(
    name.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8))),
    'latin1',
  ).toString('utf8');

// Placeholders are empty regular files: only those have their xattrs read.
const LIST = `cd "$1" && shift && find "$@" -type f -size 0 -print0 | xargs -0r getfattr -h --absolute-names -m '^${DEVICE_XATTR.replace(/\./g, '\\.')}$' -d`;

/**
 * The device placeholders under `under` (paths relative to `root`) of the tree `root` as
 * commands run through `wrap` see it, sorted by path. Only a user namespace's store keeps
 * them; elsewhere there are none, and nothing is read.
 */
export async function findPlaceholders(
  root: string,
  wrap: (cmd: string, args: string[]) => [string, string[]],
  under: string[] = ['.'],
): Promise<Placeholder[]> {
  if (!inUserNamespace() || !under.length) return [];
  const dump = await run(...wrap('sh', ['-c', LIST, 'sh', root, ...under.map((p) => (p === '.' ? p : `./${p}`))]), { what: 'looking for device placeholders' });
  const found: Array<{ path: string; device: string }> = [];
  let file: string | undefined;
  for (const line of dump.split('\n')) {
    if (line.startsWith('# file: ')) file = unescape(line.slice(8)).replace(/^\.\//, '');
    else if (file !== undefined && line.startsWith(`${DEVICE_XATTR}="`)) found.push({ path: file, device: line.slice(DEVICE_XATTR.length + 2, -1) });
  }
  if (!found.length) return [];
  const stats = await run(...wrap('stat', ['--printf', '%a %u %g\\0', '--', ...found.map((f) => `${root}/${f.path}`)]), {
    what: 'reading device placeholders',
  });
  const owners = stats.split('\0');
  return found
    .map(({ path, device }, i) => {
      const match = /^([cb]) (\d+) (\d+)$/.exec(device);
      if (!match) throw new Error(`${path}: not a device placeholder (${DEVICE_XATTR}=${JSON.stringify(device)})`);
      const [mode, uid, gid] = owners[i].split(' ');
      return { path, type: match[1] as 'c' | 'b', major: Number(match[2]), minor: Number(match[3]), mode, uid: Number(uid), gid: Number(gid) };
    })
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
