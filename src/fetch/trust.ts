/** What `jetpack trust` and `untrust` do with the trust store. */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { UserError } from '../errors.js';
import { parseImageQuery } from '../image/name.js';
import type { Store } from '../store/store.js';
import { confirmOnTerminal } from './confirm.js';
import { discover } from './discovery.js';
import { exportKey, issuedBy, readKeys, type KeyInfo } from '../openpgp/gpg.js';
import { forLocation, type HttpOptions } from '../registry/http.js';
import { fetchLocation } from '../registry/location.js';
import { ROOT_PREFIX, TrustStore, checkPrefix, normalizeFingerprint, type TrustedKey } from './trust-store.js';

/** The trusted keys. */
export function listTrust(store: Store): Promise<TrustedKey[]> {
  return new TrustStore(store.layout.keys).list();
}

export interface AddTrustRequest {
  /** Where the key is; without it, ac-discovery-pubkeys of `prefix`. */
  location?: string;
  /** Undefined: a root key. */
  prefix?: string;
  fingerprint?: string;
  http: HttpOptions;
  log: (line: string) => void;
}

async function readLocation(location: string, store: Store, http: HttpOptions): Promise<Buffer> {
  const dir = await mkdtemp(path.join(store.layout.tmp, 'key-'));
  try {
    await fetchLocation(location, path.join(dir, 'key'), http, 'meta');
    return await readFile(path.join(dir, 'key'));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export interface KeyChoice {
  /** What the key will be trusted for: a prefix or "@". */
  prefix: string;
  /** The fingerprint the user gave: no question asked, and no other key taken. */
  fingerprint?: string;
  /** The key ID or fingerprint a signature names: only that key of the locations is wanted. */
  issuer?: string;
  http: HttpOptions;
  log: (line: string) => void;
}

/**
 * Trusts for `choice.prefix` the first key found at `locations` (the one `issuer` names, or
 * the only one a location holds) once the user saw its fingerprint and said yes on the
 * terminal or gave it as -fingerprint.
 */
export async function trustKeyAt(store: Store, locations: readonly string[], choice: KeyChoice): Promise<TrustedKey> {
  const wanted = choice.fingerprint === undefined ? undefined : normalizeFingerprint(choice.fingerprint);
  const failures: string[] = [];
  for (const location of locations) {
    let data: Buffer;
    try {
      data = await readLocation(location, store, choice.http);
    } catch (err) {
      if (!(err instanceof UserError)) throw err;
      failures.push(err.message);
      continue;
    }
    const keys = await readKeys(data).catch((err: unknown) => {
      if (!(err instanceof UserError)) throw err;
      return [];
    });
    const { issuer } = choice;
    if (!issuer && keys.length !== 1) {
      failures.push(`${location} holds ${keys.length} public keys; trust takes a file with exactly one`);
      continue;
    }
    const key: KeyInfo | undefined = issuer ? keys.find((k) => issuedBy(issuer, k)) : keys[0];
    if (!key) {
      failures.push(`${location}: not the key ${issuer}`);
      continue;
    }
    choice.log(`key at ${location}: fingerprint ${key.fingerprint}  ${key.identity}`);
    if (wanted !== undefined) {
      if (key.fingerprint !== wanted)
        throw new UserError(`the key at ${location} is ${key.fingerprint}, not the -fingerprint given (${wanted}); nothing trusted`);
    } else {
      const scope = choice.prefix === ROOT_PREFIX ? 'every image' : `images under ${choice.prefix}`;
      if (!(await confirmOnTerminal(`Trust this key to sign ${scope}?`))) {
        const why = process.stdin.isTTY && process.stderr.isTTY ? 'the answer was not yes' : 'no terminal to ask on';
        throw new UserError(`key ${key.fingerprint} not trusted (${why}); -fingerprint=${key.fingerprint} trusts it without asking`);
      }
    }
    await new TrustStore(store.layout.keys).add(choice.prefix, key.fingerprint, await exportKey(data, key.fingerprint));
    choice.log(`trusting ${key.fingerprint} for ${choice.prefix}`);
    return { prefix: choice.prefix, ...key };
  }
  for (const line of failures) choice.log(line);
  throw new UserError(
    `no ${choice.issuer ? `key ${choice.issuer}` : 'key'} at ${locations.length === 1 ? locations[0] : `any of ${locations.length} locations`}; nothing trusted`,
  );
}

/** `jetpack trust`: the key at the location, or found through ac-discovery-pubkeys of the prefix. */
export async function addTrust(store: Store, req: AddTrustRequest): Promise<TrustedKey> {
  const prefix = req.prefix === undefined ? ROOT_PREFIX : checkPrefix(req.prefix);
  if (req.location) return trustKeyAt(store, [req.location], { prefix, fingerprint: req.fingerprint, http: forLocation(req.http, req.location), log: req.log });
  if (req.prefix === undefined) throw new UserError('trust -root-key needs a KEY-LOCATION: root keys are not discovered');
  const { pubkeys } = await discover(parseImageQuery(req.prefix.replace(/\/$/, '')), 'pubkeys', req.http, req.log);
  return trustKeyAt(store, pubkeys, { prefix, fingerprint: req.fingerprint, http: req.http, log: req.log });
}

/** Removes the keys; one line per key saying what it was trusted for. */
export async function untrust(store: Store, fingerprints: string[]): Promise<string[]> {
  const trust = new TrustStore(store.layout.keys);
  const wanted = fingerprints.map(normalizeFingerprint);
  const lines: string[] = [];
  for (const fpr of wanted) {
    const prefixes = await trust.remove(fpr);
    if (prefixes.length === 0) throw new UserError(`key ${fpr} is not trusted (see jetpack trust)`);
    lines.push(`no longer trusting ${fpr} for ${prefixes.join(', ')}`);
  }
  return lines;
}
