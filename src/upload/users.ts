import { randomBytes, scrypt as scryptCallback, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { UserError } from '../errors.js';
import { writeTextFile } from '../util/output-file.js';
import type { Credentials } from './credentials.js';
import { ifExists } from '../util/fs.js';

/**
 * The upload server's users file: one `user:scrypt$N$r$p$SALT$HASH` line each (base64 salt
 * and hash), written by `jetpack upload-server adduser`. Passwords are never stored.
 */

const COST = { N: 1 << 15, r: 8, p: 1 };
const KEY_LENGTH = 32;

function scrypt(password: string, salt: Buffer, opts: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scryptCallback(password, salt, KEY_LENGTH, { ...opts, maxmem: 256 * opts.N! * opts.r! }, (err, key) => (err ? reject(err) : resolve(key))),
  );
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(password, salt, COST);
  return `scrypt$${COST.N}$${COST.r}$${COST.p}$${salt.toString('base64')}$${key.toString('base64')}`;
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const m = /^scrypt\$(\d+)\$(\d+)\$(\d+)\$([A-Za-z0-9+/=]+)\$([A-Za-z0-9+/=]+)$/.exec(stored);
  if (!m) return false;
  const expected = Buffer.from(m[5], 'base64');
  const key = await scrypt(password, Buffer.from(m[4], 'base64'), { N: Number(m[1]), r: Number(m[2]), p: Number(m[3]) });
  return key.length === expected.length && timingSafeEqual(key, expected);
}

const USER_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export function validateUserName(user: string): void {
  if (!USER_NAME.test(user)) throw new UserError(`"${user}" is not a user name (letters, digits, ".", "_", "-"; at most 64)`);
}

export async function readUsers(file: string): Promise<Map<string, string>> {
  const text = await readFile(file, 'utf8').catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return '';
    throw new UserError(`cannot read the users file ${file}: ${err.message}`, 1, { cause: err });
  });
  const users = new Map<string, string>();
  for (const [i, line] of text.split('\n').entries()) {
    if (!line.trim() || line.startsWith('#')) continue;
    const colon = line.indexOf(':');
    if (colon <= 0) throw new UserError(`${file}:${i + 1}: not a user:hash line`);
    users.set(line.slice(0, colon), line.slice(colon + 1).trim());
  }
  return users;
}

/** Adds USER, or changes its password, in the users file (replaced in one rename, mode 0600). */
export async function addUser(file: string, user: string, password: string): Promise<void> {
  validateUserName(user);
  if (!password) throw new UserError('empty password');
  const users = await readUsers(file);
  users.set(user, await hashPassword(password));
  await writeTextFile(file, [...users].map(([u, h]) => `${u}:${h}\n`).join(''), 0o600);
}

/** The users file as the server reads it: again whenever it changes (adduser while the server runs), with verified passwords remembered. */
export class UsersFile {
  private users = new Map<string, string>();
  private version = '';
  private readonly verified = new Map<string, string>();

  constructor(private readonly file: string) {}

  /** The user whose password `credentials` hold; undefined for an unknown user or a wrong password. */
  async authenticate(credentials: Credentials): Promise<string | undefined> {
    const st = await ifExists(stat(this.file));
    const version = st ? `${st.mtimeMs}:${st.size}` : '';
    if (version !== this.version) {
      this.users = await readUsers(this.file);
      this.version = version;
      this.verified.clear();
    }
    const key = `${credentials.user}\0${credentials.password}`;
    if (this.verified.get(key) === credentials.user) return credentials.user;
    const stored = this.users.get(credentials.user);
    if (!stored || !(await verifyPassword(credentials.password, stored).catch(() => false))) return undefined;
    this.verified.set(key, credentials.user);
    return credentials.user;
  }
}
