import { UserError } from '../../errors.js';
import { parseSize } from '../../util/size.js';
import { DEFAULT_LIMITS, DEFAULT_TIMEOUT_SECONDS, formatSize } from '../../registry/download-defaults.js';
import type { HttpOptions } from '../../registry/http.js';
import type { Fetcher } from '../../fetch/fetch.js';
import { JSON_FLAG, logLine, printJSON, saveID, type Command, type Context } from '../command.js';
import { flagBoolean, flagString, type FlagSpec, type ParsedFlags } from '../flags.js';
import { TLS_VERIFY_FLAGS, tlsVerify } from './transport-flags.js';

/** How fetch, import and trust reach web servers, and how much one download may take (docs/FETCH.md). */
export const HTTP_FLAGS: FlagSpec[] = [
  { name: 'ca', kind: 'string', value: 'FILE', help: 'also trust the certificate authorities of this PEM file for https' },
  { name: 'timeout', kind: 'string', value: 'SECONDS', help: `give up on a server silent this long (default ${DEFAULT_TIMEOUT_SECONDS})` },
  {
    name: 'deadline',
    kind: 'string',
    value: 'SECONDS',
    help: `give up on a download not done in this time (default ${DEFAULT_LIMITS.image.deadlineSeconds}; ${DEFAULT_LIMITS.meta.deadlineSeconds} at most for a discovery page, signature or key)`,
  },
  {
    name: 'max-size',
    kind: 'string',
    value: 'SIZE',
    help: `refuse an image download larger than this (default ${formatSize(DEFAULT_LIMITS.image.maxBytes).replace(' ', '')})`,
  },
  {
    name: 'max-meta-size',
    kind: 'string',
    value: 'SIZE',
    help: `refuse a discovery page, signature or key larger than this (default ${formatSize(DEFAULT_LIMITS.meta.maxBytes).replace(' ', '')})`,
  },
];

function seconds(flags: ParsedFlags, flag: string, fallback: number): number {
  const text = flagString(flags, flag);
  const value = text === undefined ? fallback : Number(text);
  if (!(value > 0) || !Number.isFinite(value)) throw new UserError(`-${flag} takes a number of seconds, not "${text}"`);
  return value;
}

function bytes(flags: ParsedFlags, flag: string, fallback: number): number {
  const text = flagString(flags, flag);
  if (text === undefined) return fallback;
  const value = parseSize(text);
  if (value === undefined) throw new UserError(`-${flag} takes a size such as 512K, 100M or 2G, not "${text}"`);
  return value;
}

export function httpOptions(flags: ParsedFlags): HttpOptions {
  const deadline = seconds(flags, 'deadline', DEFAULT_LIMITS.image.deadlineSeconds);
  const verify = tlsVerify(flags);
  return {
    caFile: flagString(flags, 'ca'),
    timeoutSeconds: seconds(flags, 'timeout', DEFAULT_TIMEOUT_SECONDS),
    allowHttp: !verify,
    anyCertificate: !verify,
    limits: {
      image: { maxBytes: bytes(flags, 'max-size', DEFAULT_LIMITS.image.maxBytes), deadlineSeconds: deadline },
      meta: { maxBytes: bytes(flags, 'max-meta-size', DEFAULT_LIMITS.meta.maxBytes), deadlineSeconds: Math.min(deadline, DEFAULT_LIMITS.meta.deadlineSeconds) },
    },
  };
}

/** A Fetcher for a command's flags; build and make use one with the defaults. */
export async function fetcherFor(ctx: Context, flags: ParsedFlags): Promise<Fetcher> {
  const { Fetcher } = await import('../../fetch/fetch.js');
  return new Fetcher(await ctx.store(), {
    http: httpOptions(flags),
    skipVerify: flagBoolean(flags, 'insecure-skip-verify'),
    force: flagBoolean(flags, 'force'),
    fingerprint: flagString(flags, 'fingerprint'),
    noFetch: flagBoolean(flags, 'no-fetch') || noFetchInEnvironment(),
    log: logLine,
  });
}

/** JETPACK_NO_FETCH set to anything but "" or "0": images come from the store alone. */
function noFetchInEnvironment(): boolean {
  const value = process.env.JETPACK_NO_FETCH;
  return value !== undefined && value !== '' && value !== '0';
}

export const NO_FETCH_FLAG: FlagSpec = {
  name: 'no-fetch',
  kind: 'boolean',
  help: 'a parent not in the store is an error, not fetched (also JETPACK_NO_FETCH=1)',
};

export const fetchCommand: Command = {
  name: 'fetch',
  args: 'NAME[:VERSION][,LABEL=VALUE…]|ID|PATH|URL…',
  summary: 'Get images by name through appc discovery, checking their signatures; or import a path or URL',
  description:
    'A PATH or URL is imported as by jetpack import. An image ID is looked up in the store. A NAME\n' +
    'is looked up in the store, and when it is not there (or with -force) and its first component\n' +
    'has a dot (example.com/app, not jetpack/busybox, which comes from the store alone) found by\n' +
    'appc discovery: https://NAME?ac-discovery=1, walking up the name until a page has ac-discovery\n' +
    'meta tags ({name}, {version} (default latest), {os}, {arch}, other labels, {ext}). The\n' +
    'signature (.aci.asc) is checked against the trust store (jetpack trust) before anything is\n' +
    'stored; an unknown signing key is looked for through ac-discovery-pubkeys and trusted after a\n' +
    'yes on the terminal or with -fingerprint. Dependencies are fetched the same way. Prints one\n' +
    'image ID per argument. With JETPACK_NO_FETCH=1, names come from the store alone (docs/FETCH.md).',
  flags: [
    { name: 'saveid', kind: 'string', value: 'FILE', help: 'write the image IDs to FILE, one per line' },
    { name: 'q', kind: 'boolean', help: 'print only the IDs: no line for an image the store already had' },
    { name: 'force', kind: 'boolean', help: 'run discovery even when the store has the image (a name under a domain)' },
    { name: 'fingerprint', kind: 'string', value: 'FPR', help: 'trust a discovered signing key if it has this fingerprint' },
    { name: 'insecure-skip-verify', kind: 'boolean', help: 'store images without checking any signature' },
    ...TLS_VERIFY_FLAGS,
    ...HTTP_FLAGS,
    { ...JSON_FLAG, help: 'print each image as one line of JSON (a failure too, on stderr)' },
  ],
  async run(ctx, flags) {
    if (flags.positional.length === 0) throw new UserError(`usage: jetpack fetch ${this.args}`, 2);
    const [fetcher, { formatImageName }, { printImage }] = await Promise.all([fetcherFor(ctx, flags), import('../../image/name.js'), import('../results.js')]);
    const ids: string[] = [];
    for (const arg of flags.positional) {
      const { image, added } = await fetcher.fetch(arg);
      if (added || !flagBoolean(flags, 'q')) process.stderr.write(`${added ? 'fetched' : 'in the store:'} ${formatImageName(image.manifest)}\n`);
      ids.push(image.id);
      printImage(flagBoolean(flags, 'json'), image, added);
    }
    await saveID(flagString(flags, 'saveid'), ids.join('\n'));
  },
};

export const trustCommand: Command = {
  name: 'trust',
  args: '[KEY-LOCATION]',
  summary: 'Trust a key to sign images under a name prefix, or list trusted keys',
  description:
    'Without arguments, lists the trusted keys as PREFIX FINGERPRINT IDENTITY ("@" for root keys,\n' +
    'which may sign any image). With KEY-LOCATION (a path, URL or -), trusts the key there for\n' +
    '-prefix (example.com/ covers example.com/…, example.com/app covers example.com/app and\n' +
    'example.com/app/…) or for every name with -root-key. Without KEY-LOCATION, the key is found\n' +
    'through ac-discovery-pubkeys of -prefix. The key is shown with its fingerprint and trusted\n' +
    'after a yes on the terminal, or when -fingerprint names it.',
  flags: [
    { name: 'prefix', kind: 'string', value: 'PREFIX', help: 'the names the key may sign' },
    { name: 'root-key', kind: 'boolean', help: 'trust the key for every name (a root key; -root is the store, as for every command)' },
    { name: 'fingerprint', kind: 'string', value: 'FPR', help: 'the fingerprint the key must have (no question asked)' },
    { ...JSON_FLAG, help: 'list the keys as one line of JSON' },
    ...TLS_VERIFY_FLAGS,
    ...HTTP_FLAGS,
  ],
  async run(ctx, flags) {
    const { listTrust, addTrust } = await import('../../fetch/trust.js');
    const prefix = flagString(flags, 'prefix');
    const rootKey = flagBoolean(flags, 'root-key');
    if (flags.positional.length === 0 && prefix === undefined && !rootKey) {
      const keys = await listTrust(await ctx.store());
      if (flagBoolean(flags, 'json')) return printJSON(keys);
      return void process.stdout.write(keys.map((k) => `${k.prefix} ${k.fingerprint} ${k.identity}\n`).join(''));
    }
    if (flags.positional.length > 1) throw new UserError(`usage: jetpack trust [-prefix=PREFIX | -root-key] [-fingerprint=FPR] [KEY-LOCATION]`, 2);
    if ((prefix === undefined) === !rootKey) throw new UserError('trust needs one of -prefix=PREFIX or -root-key');
    const added = await addTrust(await ctx.store(), {
      location: flags.positional[0],
      prefix,
      fingerprint: flagString(flags, 'fingerprint'),
      http: httpOptions(flags),
      log: logLine,
    });
    process.stdout.write(`${added.prefix} ${added.fingerprint} ${added.identity}\n`);
  },
};

export const untrustCommand: Command = {
  name: 'untrust',
  args: 'FINGERPRINT…',
  summary: 'Stop trusting keys (for every prefix they were trusted for)',
  flags: [],
  async run(ctx, flags) {
    if (flags.positional.length === 0) throw new UserError(`usage: jetpack untrust ${this.args}`, 2);
    const { untrust } = await import('../../fetch/trust.js');
    for (const line of await untrust(await ctx.store(), flags.positional)) logLine(line);
  },
};

export const signCommand: Command = {
  name: 'sign',
  args: 'IMAGE|FILE',
  summary: 'Sign an ACI with gpg for publishing: writes FILE.asc',
  description:
    'FILE (an ACI file) gets the armored detached signature FILE.asc that fetch checks, made by\n' +
    "the user's own gpg. An IMAGE of the store is first exported as an ACI to -o (default\n" +
    "NAME-VERSION-OS-ARCH.aci in the current directory, NAME's last component) and that is signed.",
  flags: [
    { name: 'key', kind: 'string', value: 'ID', help: "the gpg key to sign with (default: gpg's default key)" },
    { name: 'passphrase-file', kind: 'string', value: 'FILE', help: "read the key's passphrase from FILE" },
    { name: 'o', kind: 'string', value: 'FILE', help: 'where an IMAGE is exported before it is signed' },
  ],
  async run(ctx, flags) {
    if (flags.positional.length !== 1) throw new UserError(`usage: jetpack sign [FLAGS] ${this.args}`, 2);
    const { signTarget } = await import('../../export/publish.js');
    const signed = await signTarget(() => ctx.store(), flags.positional[0], {
      key: flagString(flags, 'key'),
      passphraseFile: flagString(flags, 'passphrase-file'),
      output: flagString(flags, 'o'),
    });
    process.stdout.write(`${signed}\n`);
  },
};

export const discoveryPageCommand: Command = {
  name: 'discovery-page',
  args: 'PREFIX URL-TEMPLATE',
  summary: 'Print the HTML page that lets jetpack fetch find images under PREFIX',
  description:
    'Serve the output at https://PREFIX (with ?ac-discovery=1 ignored by any static server) or at\n' +
    'any level above the image names. URL-TEMPLATE may use {name}, {version}, {os}, {arch}, other\n' +
    'labels and {ext} (aci or aci.asc), e.g. https://example.com/images/{name}-{version}-{os}-{arch}.{ext}.',
  flags: [{ name: 'pubkeys', kind: 'string', value: 'URL', help: 'where the signing key is published (ac-discovery-pubkeys)' }],
  async run(_ctx, flags) {
    if (flags.positional.length !== 2) throw new UserError(`usage: jetpack discovery-page [FLAGS] ${this.args}`, 2);
    const { discoveryPage } = await import('../../export/publish.js');
    process.stdout.write(discoveryPage(flags.positional[0], flags.positional[1], flagString(flags, 'pubkeys')));
  },
};
