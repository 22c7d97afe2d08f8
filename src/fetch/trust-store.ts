/**
 * The keys jetpack trusts to sign images, kept as Jetpack keeps them:
 * `<store>/keys/<prefix, "/" written ",">/<fingerprint>`, one armored key per file, with
 * root keys (trusted for every image) in `keys/@`.
 */
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { ifExists } from '../util/fs.js';
import path from 'node:path';
import { UserError } from '../errors.js';
import { isACIdentifier } from '../image/identifiers.js';
import { FINGERPRINT, readKeys } from '../openpgp/gpg.js';

export const ROOT_PREFIX = '@';

export interface TrustedKey {
  /** The name prefix the key may sign, or "@" for every name. */
  prefix: string;
  fingerprint: string;
  identity: string;
}

/** A fingerprint as the user may type it (spaces, upper case) in the form files are named by. */
export function normalizeFingerprint(input: string): string {
  const fpr = input.replace(/\s+/g, '').toLowerCase();
  if (!FINGERPRINT.test(fpr)) throw new UserError(`"${input}" is not a key fingerprint (40 or 64 hex digits)`);
  return fpr;
}

/** Checks a -prefix value: an image name, or the start of one ending in "/". */
export function checkPrefix(prefix: string): string {
  const bare = prefix.endsWith('/') ? prefix.slice(0, -1) : prefix;
  if (!isACIdentifier(bare)) throw new UserError(`-prefix "${prefix}" is not an image name or the start of one (example.com/ or example.com/app)`);
  return prefix;
}

/**
 * Whether a key for `prefix` may sign `name`. Whole path components only: a key for
 * example.com/app covers example.com/app and example.com/app/x, not example.com/apps.
 */
export function covers(prefix: string, name: string): boolean {
  if (prefix === ROOT_PREFIX) return true;
  if (prefix.endsWith('/')) return name.startsWith(prefix);
  return name === prefix || name.startsWith(`${prefix}/`);
}

const dirName = (prefix: string): string => prefix.replaceAll('/', ',');
const prefixOf = (dir: string): string => dir.replaceAll(',', '/');

export class TrustStore {
  constructor(readonly dir: string) {}

  private async files(): Promise<Array<{ prefix: string; fingerprint: string; file: string }>> {
    const dirs = (await ifExists(readdir(this.dir))) ?? [];
    const found = await Promise.all(
      dirs.sort().map(async (d) => {
        // Anything but a prefix directory (a README, a backup file) is no key.
        const files = await readdir(path.join(this.dir, d)).catch((err: NodeJS.ErrnoException) => {
          if (err.code === 'ENOTDIR') return [];
          throw err;
        });
        return files
          .filter((f) => FINGERPRINT.test(f))
          .sort()
          .map((fingerprint) => ({ prefix: prefixOf(d), fingerprint, file: path.join(this.dir, d, fingerprint) }));
      }),
    );
    return found.flat();
  }

  /** Every trusted key with its identity, root keys first. */
  async list(): Promise<TrustedKey[]> {
    const files = await this.files();
    if (files.length === 0) return [];
    const identities = new Map((await readKeys(Buffer.concat(await Promise.all(files.map((f) => readFile(f.file)))))).map((k) => [k.fingerprint, k.identity]));
    return files
      .map(({ prefix, fingerprint }) => ({ prefix, fingerprint, identity: identities.get(fingerprint) ?? '?' }))
      .sort((a, b) => Number(b.prefix === ROOT_PREFIX) - Number(a.prefix === ROOT_PREFIX) || a.prefix.localeCompare(b.prefix));
  }

  /** The armored keys that may sign images named `name`. */
  async keysFor(name: string): Promise<string[]> {
    const files = (await this.files()).filter((f) => covers(f.prefix, name));
    return Promise.all(files.map((f) => readFile(f.file, 'utf8')));
  }

  /** Stores `armored` (one key, `fingerprint`) as trusted for `prefix`; written whole or not at all. */
  async add(prefix: string, fingerprint: string, armored: string): Promise<void> {
    const dir = path.join(this.dir, dirName(prefix));
    await mkdir(dir, { recursive: true, mode: 0o755 });
    const file = path.join(dir, fingerprint);
    await writeFile(`${file}.new`, armored, { mode: 0o640 });
    await rename(`${file}.new`, file);
  }

  /** Removes every trust in `fingerprint`; returns the prefixes it was trusted for. */
  async remove(fingerprint: string): Promise<string[]> {
    const files = (await this.files()).filter((f) => f.fingerprint === fingerprint);
    await Promise.all(files.map((f) => rm(f.file)));
    return files.map((f) => f.prefix);
  }
}
