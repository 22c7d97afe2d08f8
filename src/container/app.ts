// src/container/: build containers: namespaces, mounts, users, devices, the tools lent into them.
import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import path from 'node:path/posix';
import { UserError } from '../errors.js';
import type { App } from '../image/manifest.js';
import { CONTAINER_PATH } from './namespace.js';
import { parseGroup, parseIdSpec, parsePasswd, type IdSpec, type PasswdEntry } from './users.js';
import { ifExists } from '../util/fs.js';
import { inUserNamespace } from '../util/userns.js';

/** The view of an image's rendered tree that starting its app needs. */
export interface ImageTree {
  /** The entry `rel` (relative to the root) names as the image renders it, links followed inside the image, or undefined. */
  stat(rel: string): Promise<{ uid: number; gid: number; isDirectory: boolean } | undefined>;
  readFile(rel: string): Promise<Buffer | undefined>;
}

export interface Identity {
  uid: number;
  gid: number;
  groups: number[];
}

export interface Bind {
  /** Host path (absolute). */
  source: string;
  /** Path inside the container (absolute). */
  target: string;
  readOnly: boolean;
  /** Whether the source is a regular file (its mount point must be one too). */
  file: boolean;
}

/** What `jetpack run` was asked beyond the image: its flags and an optional command. */
export interface RunRequest {
  command: string[];
  env: string[];
  user?: string;
  workdir?: string;
  binds: string[];
  volumes: string[];
}

/** How to start the process: everything the container needs beyond its image. */
export interface RunPlan {
  command: string[];
  cwd: string;
  /** Added to the container's environment (after the defaults). */
  env: Record<string, string>;
  /** Undefined: root, as builds run. */
  identity?: Identity;
  binds: Bind[];
  /** The app's pre-start and post-stop event handlers (only when the app itself runs). */
  preStart?: string[];
  postStop?: string[];
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

function parseEnv(pairs: string[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    const name = eq < 0 ? pair : pair.slice(0, eq);
    if (eq < 0 || !ENV_NAME.test(name)) throw new UserError(`-env ${JSON.stringify(pair)}: give NAME=VALUE with a NAME of letters, digits, _ . -`);
    env[name] = pair.slice(eq + 1);
  }
  return env;
}

async function readTable<T>(tree: ImageTree, file: string, parse: (text: string) => T[]): Promise<T[]> {
  const bytes = await tree.readFile(file);
  return bytes ? parse(bytes.toString('utf8')) : [];
}

/** A uid from a user spec, and the passwd entry it names when there is one. */
async function resolveUser(tree: ImageTree, spec: IdSpec, field: string): Promise<{ uid: number; entry?: PasswdEntry }> {
  const users = await readTable(tree, 'etc/passwd', parsePasswd);
  if (spec.kind === 'number') return { uid: spec.id, entry: users.find((u) => u.uid === spec.id) };
  if (spec.kind === 'path') {
    const st = await tree.stat(spec.path.slice(1));
    if (!st) throw new UserError(`${field} ${spec.path}: no such path in the image (appc: a path names its owner)`);
    return { uid: st.uid, entry: users.find((u) => u.uid === st.uid) };
  }
  const entry = users.find((u) => u.name === spec.name);
  if (!entry) throw new UserError(`${field} "${spec.name}": no such user in the image's /etc/passwd`);
  return { uid: entry.uid, entry };
}

async function resolveGroup(tree: ImageTree, spec: IdSpec, field: string): Promise<number> {
  if (spec.kind === 'number') return spec.id;
  if (spec.kind === 'path') {
    const st = await tree.stat(spec.path.slice(1));
    if (!st) throw new UserError(`${field} ${spec.path}: no such path in the image (appc: a path names its group)`);
    return st.gid;
  }
  const entry = (await readTable(tree, 'etc/group', parseGroup)).find((g) => g.name === spec.name);
  if (!entry) throw new UserError(`${field} "${spec.name}": no such group in the image's /etc/group`);
  return entry.gid;
}

/** HOME, USER and LOGNAME of a passwd entry, as login(1) would set them. */
function userEnv(entry: PasswdEntry | undefined): Record<string, string> {
  return entry ? { HOME: entry.home || '/', USER: entry.name, LOGNAME: entry.name } : {};
}

/** -user=USER[:GROUP]: the group defaults to the user's primary group from /etc/passwd. */
async function identityFromFlag(tree: ImageTree, value: string): Promise<{ identity: Identity; env: Record<string, string> }> {
  const [user, group, extra] = value.split(':');
  if (!user || group === '' || extra !== undefined) throw new UserError(`-user ${JSON.stringify(value)}: give USER or USER:GROUP`);
  const { uid, entry } = await resolveUser(tree, parseIdSpec(user), '-user');
  let gid: number;
  if (group !== undefined) gid = await resolveGroup(tree, parseIdSpec(group), '-user group');
  else if (entry) gid = entry.gid;
  else throw new UserError(`-user ${user}: uid ${uid} has no /etc/passwd entry in the image to take a group from; give -user=${user}:GROUP`);
  return { identity: { uid, gid, groups: [] }, env: userEnv(entry) };
}

async function identityOfApp(tree: ImageTree, app: App): Promise<{ identity: Identity; env: Record<string, string> }> {
  const { uid, entry } = await resolveUser(tree, parseIdSpec(app.user), 'app.user');
  const gid = await resolveGroup(tree, parseIdSpec(app.group), 'app.group');
  return { identity: { uid, gid, groups: app.supplementaryGIDs ?? [] }, env: userEnv(entry) };
}

function absolute(p: string, what: string): string {
  if (!p.startsWith('/')) throw new UserError(`${what} ${JSON.stringify(p)}: must be an absolute path in the container`);
  return path.normalize(p);
}

async function hostSource(p: string, what: string, readOnly: boolean): Promise<{ source: string; file: boolean }> {
  const st = await ifExists(stat(p));
  if (!st) throw new UserError(`${what}: ${p} does not exist on the host`);
  if (!st.isDirectory() && !st.isFile()) throw new UserError(`${what}: ${p} is neither a directory nor a regular file`);
  if (inUserNamespace()) await refuseUnreachable(p, st.isDirectory(), readOnly, what);
  return { source: resolve(p), file: st.isFile() };
}

/**
 * In a user namespace a bind mount needs no permission on what it mounts, and the build's
 * root would then get at it with the namespace's capabilities: so a path the user could not
 * read (or, mounted read-write, write) outside is refused here, before anything runs.
 */
async function refuseUnreachable(p: string, directory: boolean, readOnly: boolean, what: string): Promise<void> {
  const mode = constants.R_OK | (directory ? constants.X_OK : 0) | (readOnly ? 0 : constants.W_OK);
  try {
    await access(p, mode);
  } catch (err) {
    const how = readOnly ? 'read' : 'read and write';
    throw new UserError(`${what}: ${p}: the user running jetpack may not ${how} it (${(err as NodeJS.ErrnoException).code})`, 1, { cause: err });
  }
}

/** -bind=HOST:CONTAINER[:ro] and -volume=NAME:HOSTPATH (a mount point of the app) as binds. */
async function binds(request: RunRequest, app: App | undefined): Promise<Bind[]> {
  const out: Bind[] = [];
  for (const spec of request.binds) {
    const parts = spec.split(':');
    const ro = parts.length === 3 && parts[2] === 'ro';
    if (parts.length < 2 || parts.length > 3 || (parts.length === 3 && !ro) || !parts[0] || !parts[1]) {
      throw new UserError(`-bind ${JSON.stringify(spec)}: give HOST:CONTAINER or HOST:CONTAINER:ro`);
    }
    out.push({ ...(await hostSource(parts[0], `-bind ${spec}`, ro)), target: absolute(parts[1], '-bind target'), readOnly: ro });
  }
  const mountPoints = app?.mountPoints ?? [];
  for (const spec of request.volumes) {
    const colon = spec.indexOf(':');
    if (colon <= 0 || colon === spec.length - 1) throw new UserError(`-volume ${JSON.stringify(spec)}: give NAME:HOSTPATH`);
    const name = spec.slice(0, colon);
    const mp = mountPoints.find((m) => m.name === name);
    if (!mp) {
      const known = mountPoints.map((m) => m.name).join(', ') || 'none';
      throw new UserError(`-volume ${name}: the image's app.mountPoints has no "${name}" (it has: ${known})`);
    }
    out.push({
      ...(await hostSource(spec.slice(colon + 1), `-volume ${name}`, mp.readOnly ?? false)),
      target: absolute(mp.path, `app.mountPoints ${name} path`),
      readOnly: mp.readOnly ?? false,
    });
  }
  // Parents before children, so that a bind inside another bind lands on top of it.
  return out.sort((a, b) => a.target.split('/').length - b.target.split('/').length);
}

/**
 * Refuses a command the container could not start, before any container is made: a path
 * (with a slash, from `cwd`) that is no file in the image, or a name in no directory of PATH
 * (the container's, or the one -env or the app sets), as the exec in the container looks.
 * Whatever a bind mounts is not looked into: it may bring the command.
 */
async function checkCommand(tree: ImageTree, name: string, cwd: string, env: Record<string, string>, mounts: Bind[]): Promise<void> {
  const search = env.PATH ?? CONTAINER_PATH;
  const candidates = name.includes('/') ? [path.resolve(cwd, name)] : search.split(':').map((dir) => path.resolve(cwd, dir, name));
  for (const candidate of candidates) {
    if (mounts.some((b) => candidate === b.target || candidate.startsWith(`${b.target}/`))) return;
    const st = await tree.stat(candidate.slice(1));
    if (st && !st.isDirectory) return;
  }
  throw new UserError(`run: no ${JSON.stringify(name)} in the image${name.includes('/') ? '' : ` (PATH=${search})`}`, 127);
}

/**
 * What `jetpack run` starts. No command given and an app with `exec` in the manifest: the
 * app, as its user and group (names looked up in the image's own /etc/passwd and
 * /etc/group), with its environment, working directory and supplementary groups, between
 * its pre-start and post-stop handlers. A command given: that command as root in /. Flags
 * override either way.
 */
export async function planRun(tree: ImageTree, app: App | undefined, request: RunRequest): Promise<RunPlan> {
  const runsApp = request.command.length === 0 && (app?.exec?.length ?? 0) > 0;
  let identity: Identity | undefined;
  let env: Record<string, string> = {};
  if (request.user !== undefined) ({ identity, env } = await identityFromFlag(tree, request.user));
  else if (runsApp) ({ identity, env } = await identityOfApp(tree, app!));
  if (runsApp) for (const v of app!.environment ?? []) env[v.name] = v.value;
  Object.assign(env, parseEnv(request.env));

  const cwdField = request.workdir !== undefined ? '-workdir' : 'app.workingDirectory';
  const cwd = request.workdir !== undefined ? absolute(request.workdir, '-workdir') : runsApp ? (app!.workingDirectory ?? '/') : '/';
  if (cwd !== '/' && !(await tree.stat(cwd.slice(1)))?.isDirectory) throw new UserError(`${cwdField} ${cwd}: no such directory in the image`);
  const mounts = await binds(request, app);
  const handler = (name: string) => (runsApp ? app!.eventHandlers?.find((h) => h.name === name)?.exec : undefined);
  const command = request.command.length ? request.command : runsApp ? app!.exec! : ['/bin/sh'];
  await checkCommand(tree, command[0], cwd, env, mounts);
  return {
    command,
    cwd,
    env,
    identity,
    binds: mounts,
    preStart: handler('pre-start'),
    postStop: handler('post-stop'),
  };
}
