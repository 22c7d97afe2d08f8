import { readFileSync } from 'node:fs';

/**
 * Where jetpack runs as an ordinary user (docs/ROOTLESS.md): inside a user namespace whose
 * uid/gid 0 is that user. What changes there is the kernel's, not the store's: overlayfs keeps
 * its bookkeeping in `user.overlay.*` xattrs (the `userxattr` mount option), device nodes
 * cannot be made, sysfs cannot be mounted for the host's network namespace.
 */

interface IdMap {
  inner: number;
  outer: number;
  count: number;
}

const idMaps = new Map<string, IdMap[]>();

/** /proc/self/uid_map or gid_map, read once: a process's maps never change once written. */
function idMap(file: '/proc/self/uid_map' | '/proc/self/gid_map'): IdMap[] {
  let map = idMaps.get(file);
  if (!map) {
    map = readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((line) => {
        const [inner, outer, count] = line.trim().split(/\s+/).map(Number);
        return { inner, outer, count };
      });
    idMaps.set(file, map);
  }
  return map;
}

/** Whether this process runs in a user namespace other than the initial one (whose map is the identity of every ID). */
export function inUserNamespace(): boolean {
  const [first, ...rest] = idMap('/proc/self/uid_map');
  return !(rest.length === 0 && first.inner === 0 && first.outer === 0 && first.count === 4294967295);
}

/** Whether this jetpack works for an ordinary user: entered the user namespace (JETPACK_USERNS) or was started without root. */
export function rootless(): boolean {
  return process.env.JETPACK_USERNS === '1' || process.getuid!() !== 0;
}

/** The user ID of the initial namespace that this namespace's root is (the user who ran jetpack, in its user namespace). */
export function hostUserId(): number {
  const root = idMap('/proc/self/uid_map').find((m) => m.inner === 0);
  return root ? root.outer : process.getuid!();
}

/** The highest user and group IDs this process's namespace maps (an owner above them cannot be stored). */
export function mappedIdLimits(): { uid: number; gid: number } {
  const top = (map: IdMap[]) => Math.max(...map.map((m) => m.inner + m.count - 1));
  return { uid: top(idMap('/proc/self/uid_map')), gid: top(idMap('/proc/self/gid_map')) };
}

/** The xattr namespace overlayfs keeps its bookkeeping in (opaque directories…): `user.overlay.` in a user namespace (the userxattr option), else `trusted.overlay.`. */
export function overlayXattrPrefix(): string {
  return inUserNamespace() ? 'user.overlay.' : 'trusted.overlay.';
}

/** What an overlay mount's options end with here: `,userxattr` in a user namespace (where trusted.* cannot be set), else nothing. */
export function overlayOptionSuffix(): string {
  return inUserNamespace() ? ',userxattr' : '';
}
