/** The entries of an image's /etc/passwd and /etc/group that starting an app needs. */

export interface PasswdEntry {
  name: string;
  uid: number;
  gid: number;
  home: string;
}

export interface GroupEntry {
  name: string;
  gid: number;
}

const ID = /^\d+$/;

/** passwd(5) lines `name:password:uid:gid:gecos:home:shell`; malformed lines are skipped, as libc does. */
export function parsePasswd(text: string): PasswdEntry[] {
  const out: PasswdEntry[] = [];
  for (const line of text.split('\n')) {
    const f = line.split(':');
    if (f.length < 7 || !f[0] || !ID.test(f[2]) || !ID.test(f[3])) continue;
    out.push({ name: f[0], uid: Number(f[2]), gid: Number(f[3]), home: f[5] });
  }
  return out;
}

/** group(5) lines `name:password:gid:members`. */
export function parseGroup(text: string): GroupEntry[] {
  const out: GroupEntry[] = [];
  for (const line of text.split('\n')) {
    const f = line.split(':');
    if (f.length < 4 || !f[0] || !ID.test(f[2])) continue;
    out.push({ name: f[0], gid: Number(f[2]) });
  }
  return out;
}

/** A user or group as appc spells it: a number, a name, or an absolute path whose owner is meant. */
export type IdSpec = { kind: 'number'; id: number } | { kind: 'name'; name: string } | { kind: 'path'; path: string };

export function parseIdSpec(value: string): IdSpec {
  if (ID.test(value)) return { kind: 'number', id: Number(value) };
  if (value.startsWith('/')) return { kind: 'path', path: value };
  return { kind: 'name', name: value };
}
