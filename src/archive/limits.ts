import { Transform } from 'node:stream';
import { UserError } from '../errors.js';
import { parseSize, SIZE_UNITS } from '../util/size.js';

/**
 * How far an archive from an untrusted source (an import, an upload, a job's download) may
 * expand: `bytes` bounds its uncompressed stream and the sum of its members' sizes as they
 * would be extracted (a sparse member at its full claimed size), `entries` its member count.
 * A bomb is refused once it passes a bound, not after it has filled the disk.
 */
export interface ExpansionLimits {
  bytes: number;
  entries: number;
}

/** For what jetpack wrote itself from a tree already on the local disk (a job's result). */
export const UNBOUNDED: ExpansionLimits = { bytes: Infinity, entries: Infinity };

/** Defaults: above any real root filesystem or Flatpak runtime, below a full disk. */
export const DEFAULT_MAX_UNPACKED = 16 * 2 ** 30;
export const DEFAULT_MAX_ENTRIES = 2_000_000;

/** How much an upload may expand: the server's --max-size times this (zstd of a tree is ~3-4x). */
export const UPLOAD_EXPANSION = 10;

function envNumber(name: string, withUnits: boolean): number | undefined {
  const text = process.env[name];
  if (text === undefined || text === '') return undefined;
  const value = withUnits || /^\s*\d+\s*$/.test(text) ? parseSize(text) : undefined;
  if (value === undefined) {
    throw new UserError(`${name}=${text} is not ${withUnits ? 'a size such as 16G or 500M' : 'a positive whole number'}`);
  }
  return value;
}

/**
 * The limits in force: JETPACK_MAX_UNPACKED (a size: 16G, 500M) and JETPACK_MAX_ENTRIES
 * when set, else the caller's bytes (the upload server's) or the defaults.
 */
export function expansionLimits(bytes = DEFAULT_MAX_UNPACKED): ExpansionLimits {
  return {
    bytes: envNumber('JETPACK_MAX_UNPACKED', true) ?? bytes,
    entries: envNumber('JETPACK_MAX_ENTRIES', false) ?? DEFAULT_MAX_ENTRIES,
  };
}

/** What an upload of at most `maxSize` bytes may expand to. */
export function uploadLimits(maxSize: number): ExpansionLimits {
  return expansionLimits(maxSize * UPLOAD_EXPANSION);
}

function sizeText(bytes: number): string {
  for (const unit of ['T', 'G', 'M', 'K'] as const) {
    if (bytes >= SIZE_UNITS[unit] && bytes % SIZE_UNITS[unit] === 0) return `${bytes / SIZE_UNITS[unit]}${unit}`;
  }
  return `${bytes} bytes`;
}

/** The one refusal of every bound, naming the bound and how to raise it. */
export function tooLarge(what: string, limits: ExpansionLimits, kind: 'bytes' | 'entries'): UserError {
  return kind === 'bytes'
    ? new UserError(`${what} expands to more than ${sizeText(limits.bytes)} (JETPACK_MAX_UNPACKED raises the limit)`)
    : new UserError(`${what} has more than ${limits.entries} members (JETPACK_MAX_ENTRIES raises the limit)`);
}

/** A pass-through that fails once more than `limits.bytes` went through it (a decompression bomb). */
export function byteLimit(limits: ExpansionLimits, what: string): Transform {
  let seen = 0;
  return new Transform({
    highWaterMark: 1 << 20,
    transform(chunk: Buffer, _enc, done) {
      seen += chunk.length;
      if (seen > limits.bytes) done(tooLarge(what, limits, 'bytes'));
      else done(null, chunk);
    },
  });
}
