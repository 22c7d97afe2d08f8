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
  /** Names of the tree that share this inode (link count). */
  links: number;
  /** Its other xattrs' names, which root's device node carries too. */
  xattrs: string[];
}

/** getfattr's escapes in a name: a backslash and three octal digits for each special byte. */
const unescape = (name: string) =>
  Buffer.from(
    name.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8))),
    'latin1',
  ).toString('utf8');

// Placeholders are empty regular files: only those have their xattrs read.
const LIST = 'cd "$1" && shift && find "$@" -type f -size 0 -print0 | xargs -0r getfattr -h --absolute-names -m - -d';

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
  const found: Array<{ path: string; device: string; xattrs: string[] }> = [];
  for (const block of dump.split('\n\n')) {
    const [head, ...lines] = block.split('\n').filter(Boolean);
    const names = lines.map((l) => l.slice(0, l.indexOf('=')));
    const device = lines.find((l) => l.startsWith(`${DEVICE_XATTR}="`));
    if (!head?.startsWith('# file: ') || !device) continue;
    const path = unescape(head.slice(8)).replace(/^\.\//, '');
    found.push({ path, device: device.slice(DEVICE_XATTR.length + 2, -1), xattrs: names.filter((n) => n !== DEVICE_XATTR) });
  }
  if (!found.length) return [];
  const stats = await run(...wrap('stat', ['--printf', '%a %u %g %h\\0', '--', ...found.map((f) => `${root}/${f.path}`)]), {
    what: 'reading device placeholders',
  });
  const owners = stats.split('\0');
  return found
    .map(({ path, device, xattrs }, i) => {
      const match = /^([cb]) (\d+) (\d+)$/.exec(device);
      if (!match) throw new Error(`${path}: not a device placeholder (${DEVICE_XATTR}=${JSON.stringify(device)})`);
      const [mode, uid, gid, links] = owners[i].split(' ');
      const type = match[1] as 'c' | 'b';
      return { path, type, major: Number(match[2]), minor: Number(match[3]), mode, uid: Number(uid), gid: Number(gid), links: Number(links), xattrs };
    })
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
