/**
 * `jetpack fetch`: an image by path, URL or name. A name is looked up in the store, then, when
 * its first component can be a domain (example.com/app), found by appc discovery; its
 * signature is checked against the trust store before the store sees it, and its dependencies
 * are fetched the same way.
 */
import path from 'node:path';
import { UserError } from '../errors.js';
import { isImageID, shortImageID } from '../image/id.js';
import type { Dependency } from '../image/manifest.js';
import { formatImageName, looksLikeImageID, matchesQuery, parseImageQuery, withHostPlatform, type ImageQuery } from '../image/name.js';
import { importAci, type ImportResult } from '../store/import.js';
import { IMAGE_FILES } from '../store/layout.js';
import { findByQuery, resolveImage } from '../store/lookup.js';
import { missingImage, notADomain } from '../store/missing-image.js';
import type { Store, StoredImage } from '../store/store.js';
import { pathExists } from '../util/fs.js';
import { discover, type AciEndpoint } from './discovery.js';
import { verifyDetached } from '../openpgp/gpg.js';
import { forLocation, type DownloadKind, type HttpOptions } from '../registry/http.js';
import { fetchLocation } from '../registry/location.js';
import { trustKeyAt } from './trust.js';
import { TrustStore } from './trust-store.js';

export interface FetchOptions {
  http: HttpOptions;
  /** Store images without checking any signature (-insecure-skip-verify). */
  skipVerify: boolean;
  /** Fetch a name even when the store has an image that answers it. */
  force: boolean;
  /** Never discover: only what the store has (-no-fetch, JETPACK_NO_FETCH=1). */
  noFetch: boolean;
  /** Trust a key found by discovery if it has this fingerprint (-fingerprint). */
  fingerprint?: string;
  log: (line: string) => void;
}

/** Why one discovered endpoint could not be used: the next one is tried. */
class EndpointFailure extends UserError {}

/** Most dependency levels one fetch follows: each is a download, and a hostile chain has no end. */
export const MAX_DEPENDENCY_DEPTH = 16;

export class Fetcher {
  readonly trust: TrustStore;
  /** The names being fetched, the outermost first: each later one a dependency of the one before. */
  private readonly fetching: string[] = [];

  constructor(
    readonly store: Store,
    readonly opts: FetchOptions,
  ) {
    this.trust = new TrustStore(store.layout.keys);
  }

  /** An argument of `jetpack fetch`: a path or URL is imported, an ID looked up, a name fetched. */
  async fetch(arg: string): Promise<ImportResult> {
    if (arg === '-' || /^[a-z][a-z0-9+.-]*:\/\//i.test(arg) || /^\.{0,2}\//.test(arg) || (await pathExists(arg))) {
      return this.importLocation(arg, undefined, undefined, { fetchDependencies: true, noteUnsigned: true });
    }
    if (looksLikeImageID(arg)) {
      const image = await resolveImage(this.store, arg).catch((err: Error) => {
        throw isImageID(arg) ? new UserError(`${err.message}: an image ID cannot be discovered, only a name`, 1, { cause: err }) : err;
      });
      return { image, added: false };
    }
    return this.fetchName(parseImageQuery(arg));
  }

  /**
   * Like `import`, with the signature at `sig` checked when given. `import` keeps to the store
   * for dependencies; `fetch PATH` fetches those it lacks.
   */
  async importLocation(location: string, sig?: string, expectName?: string, { fetchDependencies = false, noteUnsigned = false } = {}): Promise<ImportResult> {
    return importAci(
      this.store,
      async (file) => {
        await fetchLocation(location, file, forLocation(this.opts.http, location));
        if (sig) await fetchLocation(sig, signatureOf(file), forLocation(this.opts.http, sig), 'meta');
        else if (noteUnsigned)
          this.opts.log(`${location}: no signature checked (a path or URL is imported as jetpack import does; import -sig=LOCATION checks one)`);
      },
      {
        expectName,
        check: sig ? (file, manifest) => this.checkSignature(file, parseImageQuery(manifest.name), false) : undefined,
        fetchDependency: fetchDependencies ? (dep) => this.dependency(dep) : undefined,
      },
    );
  }

  /**
   * The image answering `query`: the store's if it has one (unless -force or `storeFirst` is
   * false), else discovered. A name that cannot be a domain (jetpack/busybox) comes from the
   * store alone, whatever the flags.
   */
  async fetchName(query: ImageQuery, { storeFirst = !this.opts.force } = {}): Promise<ImportResult> {
    const name = formatQuery(query);
    const nonDomain = notADomain(query.name);
    if (storeFirst || nonDomain !== undefined) {
      const existing = await findByQuery(this.store, query);
      if (existing) return { image: existing, added: false };
    }
    if (nonDomain !== undefined) throw await missingImage(this.store, query.name, name, `and "${nonDomain}" is no domain to fetch it from`);
    if (this.opts.noFetch) throw await missingImage(this.store, query.name, name, 'and fetching is off (-no-fetch or JETPACK_NO_FETCH)');
    if (this.fetching.includes(name)) throw new UserError(`refusing ${name}: its dependencies lead back to it (${[...this.fetching, name].join(' -> ')})`);
    if (this.fetching.length > MAX_DEPENDENCY_DEPTH)
      throw new UserError(`refusing ${name}: dependencies nested more than ${MAX_DEPENDENCY_DEPTH} levels deep (${this.fetching[0]} -> …)`);
    this.fetching.push(name);
    try {
      return await this.discoverAndImport(query, name);
    } finally {
      this.fetching.pop();
    }
  }

  private async discoverAndImport(query: ImageQuery, name: string): Promise<ImportResult> {
    const { acis } = await discover(query, 'acis', this.opts.http, this.opts.log);
    for (const [i, endpoint] of acis.entries()) {
      try {
        return await this.importEndpoint(query, endpoint);
      } catch (err) {
        if (!(err instanceof EndpointFailure)) throw err;
        this.opts.log(`${err.message}${i + 1 < acis.length ? '; trying the next location' : ''}`);
      }
    }
    throw new UserError(`cannot fetch ${name}: ${acis.length === 1 ? 'its one location' : `all ${acis.length} locations`} failed (see above)`);
  }

  private importEndpoint(query: ImageQuery, endpoint: AciEndpoint): Promise<ImportResult> {
    const download = async (url: string, file: string, kind: DownloadKind): Promise<void> => {
      try {
        await fetchLocation(url, file, this.opts.http, kind);
      } catch (err) {
        throw err instanceof UserError ? new EndpointFailure(err.message) : err;
      }
    };
    return importAci(
      this.store,
      async (file) => {
        // The signature first, as Jetpack does: a location without one is no use.
        if (!this.opts.skipVerify) await download(endpoint.asc, signatureOf(file), 'meta');
        this.opts.log(`fetching ${formatQuery(query)} from ${endpoint.aci}`);
        await download(endpoint.aci, file, 'image');
      },
      {
        check: async (file, manifest) => {
          if (!matchesQuery(manifest, query)) {
            throw new UserError(`${endpoint.aci} is ${formatImageName(manifest)}, not the ${formatQuery(query)} asked for`);
          }
          await this.checkSignature(file, query, true);
        },
        fetchDependency: (dep) => this.dependency(dep),
      },
    );
  }

  /**
   * A dependency the store lacks, fetched by its name and labels and held to its imageID. The
   * store has no image of a pinned imageID (resolveDependency looked): another image of the
   * name there is not the one wanted, so discovery answers.
   */
  async dependency(dep: Dependency): Promise<StoredImage> {
    const { image, added } = await this.fetchName(dependencyQuery(dep), { storeFirst: dep.imageID === undefined });
    if (dep.imageID && image.id !== dep.imageID) {
      // A name that cannot be a domain comes from the store alone: that image was not fetched.
      const found = added ? `was fetched as ${shortImageID(image.id)}` : `is ${shortImageID(image.id)} in the store`;
      throw new UserError(`dependency ${dep.imageName} ${found}, but the manifest wants ${shortImageID(dep.imageID)}`);
    }
    return image;
  }

  /**
   * Refuses `file` unless its signature file (aci.asc beside it) is a good signature by a key trusted for the name.
   * With `discoverKeys`, an unknown signer's key is looked for by discovery and trusted
   * after a yes (or -fingerprint), then the check runs again.
   */
  async checkSignature(file: string, query: ImageQuery, discoverKeys: boolean): Promise<void> {
    const name = query.name;
    if (this.opts.skipVerify) {
      this.opts.log(`WARNING: -insecure-skip-verify: ${name} is stored without checking who made it`);
      return;
    }
    let verdict = await verifyDetached(file, signatureOf(file), await this.trust.keysFor(name));
    if (verdict.kind === 'unknown-key' && discoverKeys) {
      await this.trustDiscoveredKey(query, verdict.issuer);
      verdict = await verifyDetached(file, signatureOf(file), await this.trust.keysFor(name));
    }
    switch (verdict.kind) {
      case 'good':
        this.opts.log(`signature of ${name} by ${verdict.identity} (${verdict.fingerprint}) is good`);
        return;
      case 'bad':
        throw new UserError(`BAD signature on ${name} (by ${verdict.identity}): the image is not what was signed; nothing stored`);
      case 'unknown-key':
        throw new UserError(`${name} is signed by key ${verdict.issuer}, which is not trusted for ${name} (jetpack trust -prefix=${name} KEY); nothing stored`);
      case 'invalid':
        throw new UserError(`cannot check the signature of ${name}: ${verdict.reason}; nothing stored`);
    }
  }

  /** Finds the key `issuer` through ac-discovery-pubkeys and trusts it for the name if the user agrees. */
  private async trustDiscoveredKey(query: ImageQuery, issuer: string): Promise<void> {
    this.opts.log(`${query.name} is signed by key ${issuer}, not trusted for it yet; looking for the key`);
    const { pubkeys } = await discover(query, 'pubkeys', this.opts.http, this.opts.log);
    await trustKeyAt(this.store, pubkeys, { prefix: query.name, issuer, fingerprint: this.opts.fingerprint, http: this.opts.http, log: this.opts.log });
  }

  /** An image as build names its parent: by ID from the store, by name from the store or else fetched. */
  async resolve(ref: string): Promise<StoredImage> {
    if (looksLikeImageID(ref)) return resolveImage(this.store, ref);
    return (await this.fetchName(parseImageQuery(ref))).image;
  }
}

/** The staged ACI's signature: IMAGE_FILES.signature beside IMAGE_FILES.aci. */
const signatureOf = (aciFile: string): string => path.join(path.dirname(aciFile), IMAGE_FILES.signature);

/** A dependency as discovery asks for it: its labels, os and arch defaulting to the host's as for a name typed. */
const dependencyQuery = (dep: Dependency): ImageQuery => withHostPlatform(dep.imageName, new Map((dep.labels ?? []).map((l) => [l.name, l.value])));

/** name:version,label=value as asked, without the host's defaulted os and arch. */
function formatQuery(query: ImageQuery): string {
  const labels = [...query.labels].filter(([label]) => !query.defaulted.has(label)).map(([label, value]) => ({ name: label, value }));
  return formatImageName({ name: query.name, labels });
}
