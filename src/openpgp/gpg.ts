// src/openpgp/: OpenPGP through GnuPG: keys read, detached signatures made and checked.
/**
 * OpenPGP through the real GnuPG: keys are read and exported by `gpg` in a throwaway home,
 * signatures checked by `gpgv` against a keyring made of exactly the keys the trust store
 * allows for the image, so nothing in the user's own keyring ever vouches for an image.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { UserError } from '../errors.js';
import { notInstalled, run, runToEnd, type Finished } from '../util/process.js';

export interface KeyInfo {
  /** 40 (or 64) lowercase hex digits: the primary key's fingerprint. */
  fingerprint: string;
  /** The first user ID, "Name <mail>". */
  identity: string;
  /** Fingerprints of its subkeys: a signature may name one of them as its issuer. */
  subkeys: string[];
}

export type Verdict =
  | { kind: 'good'; fingerprint: string; identity: string }
  | { kind: 'bad'; identity: string }
  | { kind: 'unknown-key'; issuer: string }
  | { kind: 'invalid'; reason: string };

async function withGpgHome<T>(work: (home: string) => Promise<T>): Promise<T> {
  const home = await mkdtemp(path.join(os.tmpdir(), 'jetpack-gpg-'));
  try {
    return await work(home);
  } finally {
    await rm(home, { recursive: true, force: true });
  }
}

/** A primary key's fingerprint as jetpack names keys: 40 (v4) or 64 (v5) lowercase hex digits. */
export const FINGERPRINT = /^([0-9a-f]{40}|[0-9a-f]{64})$/;

/** A user ID or a line of gpg's as it is shown: control characters (a key is the publisher's text) written as \xNN. */
// eslint-disable-next-line no-control-regex -- escapes the control characters a key's publisher may put in a user ID
const printable = (text: string): string => text.replace(/[\x00-\x1f\x7f-\x9f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);

const gpgArgs = (home: string, ...args: string[]): string[] => ['--homedir', home, '--batch', '--no-tty', '--no-autostart', '--quiet', ...args];

/** The keys in `data` (armored or binary), from `gpg --with-colons`. */
function parseKeyListing(listing: string): KeyInfo[] {
  const keys: KeyInfo[] = [];
  let current: KeyInfo | undefined;
  let wanted: 'primary' | 'subkey' | undefined;
  for (const line of listing.split('\n')) {
    const fields = line.split(':');
    if (fields[0] === 'pub') {
      current = { fingerprint: '', identity: '', subkeys: [] };
      keys.push(current);
      wanted = 'primary';
    } else if (fields[0] === 'fpr' && current && wanted) {
      const fpr = (fields[9] ?? '').toLowerCase();
      if (wanted === 'primary') current.fingerprint = fpr;
      else current.subkeys.push(fpr);
      wanted = undefined;
    } else if (fields[0] === 'sub') {
      wanted = 'subkey';
    } else if (fields[0] === 'uid' && current && !current.identity) {
      current.identity = printable(unescapeColons(fields[9] ?? ''));
    }
  }
  return keys.filter((k) => FINGERPRINT.test(k.fingerprint));
}

/** gpg escapes ":" and other bytes in colon listings as \xNN. */
function unescapeColons(s: string): string {
  return s.replace(/\\x([0-9a-f]{2})/gi, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

/** What keys `data` holds, without importing them anywhere that lasts. */
export function readKeys(data: Buffer): Promise<KeyInfo[]> {
  return withGpgHome(async (home) => {
    const listing = await run('gpg', gpgArgs(home, '--with-colons', '--import-options', 'show-only', '--import'), { input: data, what: 'reading the key' });
    return parseKeyListing(listing);
  });
}

/** The one public key `fingerprint` of `data`, armored, and nothing else that `data` held. */
export function exportKey(data: Buffer, fingerprint: string): Promise<string> {
  if (!FINGERPRINT.test(fingerprint)) throw new Error(`exportKey: "${fingerprint}" is not a fingerprint`);
  return withGpgHome(async (home) => {
    await run('gpg', gpgArgs(home, '--import'), { input: data, what: 'reading the key' });
    return run('gpg', gpgArgs(home, '--armor', '--export-options', 'export-minimal', '--export', '--', fingerprint), { what: 'exporting the key' });
  });
}

/**
 * Checks the detached signature `signature` of `file` against `keys` (armored) alone.
 * Only a good signature by a key that is neither expired nor revoked is 'good'.
 */
export function verifyDetached(file: string, signature: string, keys: readonly string[]): Promise<Verdict> {
  return withGpgHome(async (home) => {
    const keyring = path.join(home, 'trusted.gpg');
    if (keys.length > 0) {
      await run('gpg', gpgArgs(home, '--import'), { input: keys.join('\n'), what: 'reading the trusted keys' });
      await run('gpg', gpgArgs(home, '--output', keyring, '--export'), { what: 'exporting the trusted keys' });
    } else {
      await writeFile(keyring, '');
    }
    const done = installed('gpgv', await runToEnd('gpgv', ['--homedir', home, '--status-fd', '1', '--keyring', keyring, '--', signature, file]));
    const status = new Map<string, string[]>();
    for (const line of done.stdout.split('\n')) {
      const m = /^\[GNUPG:\] (\S+) ?(.*)$/.exec(line);
      if (m) status.set(m[1], m[2].split(' '));
    }
    const identity = (word: string): string => printable((status.get(word) ?? []).slice(1).join(' '));
    const valid = status.get('VALIDSIG');
    if (done.code === 0 && status.has('GOODSIG') && valid) {
      // The last field of VALIDSIG is the primary key's fingerprint, also for a subkey's signature.
      return { kind: 'good', fingerprint: valid[valid.length - 1].toLowerCase(), identity: identity('GOODSIG') };
    }
    if (status.has('BADSIG')) return { kind: 'bad', identity: identity('BADSIG') };
    if (status.has('EXPKEYSIG')) return { kind: 'invalid', reason: `the key of ${identity('EXPKEYSIG')} has expired` };
    if (status.has('REVKEYSIG')) return { kind: 'invalid', reason: `the key of ${identity('REVKEYSIG')} was revoked` };
    if (status.has('NO_PUBKEY')) {
      const err = status.get('ERRSIG') ?? [];
      // ERRSIG ends with the issuer's fingerprint when the signature names it, else "-".
      const fpr = err[6] && err[6] !== '-' ? err[6] : status.get('NO_PUBKEY')![0];
      return { kind: 'unknown-key', issuer: fpr.toLowerCase() };
    }
    if (status.has('NODATA')) return { kind: 'invalid', reason: 'it holds no OpenPGP signature' };
    const said = done.stderr.trim().split('\n').filter(Boolean).pop();
    return { kind: 'invalid', reason: said ? printable(said.replace(/^gpgv: /, '')) : `gpgv exited with status ${done.code}` };
  });
}

/** `done`, unless the shell found no such command (status 127). */
function installed(cmd: string, done: Finished): Finished {
  if (done.code === 127 && /not found/.test(done.stderr)) throw notInstalled(cmd);
  return done;
}

/** Whether `issuer` (a key ID or a fingerprint, as a signature names its key) is `key` or one of its subkeys. */
export function issuedBy(issuer: string, key: Pick<KeyInfo, 'fingerprint' | 'subkeys'>): boolean {
  const id = issuer.toLowerCase();
  return id.length >= 16 && [key.fingerprint, ...key.subkeys].some((fpr) => fpr.endsWith(id));
}

export interface SignOptions {
  /** A key ID, fingerprint or user ID of the user's keyring (gpg --local-user); else gpg's default key. */
  key?: string;
  /** A file holding the passphrase, for scripts (gpg's loopback pinentry). */
  passphraseFile?: string;
}

/** Writes the armored detached signature of `file` to `output` with the user's own gpg. */
export async function signDetached(file: string, output: string, opts: SignOptions): Promise<void> {
  const args = ['--batch', '--yes', '--armor', '--detach-sign', '--output', output];
  if (opts.key) args.push('--local-user', opts.key);
  if (opts.passphraseFile) args.push('--pinentry-mode', 'loopback', '--passphrase-file', opts.passphraseFile);
  const done = installed('gpg', await runToEnd('gpg', [...args, '--', file]));
  if (done.code !== 0) {
    const lines = done.stderr
      .trim()
      .split('\n')
      .filter((l) => l.startsWith('gpg: ') && !l.includes('using'));
    throw new UserError(`cannot sign ${file}: ${lines.at(-1)?.slice(5) ?? `gpg exited with status ${done.code}`}`);
  }
}
