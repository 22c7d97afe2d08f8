import { createWriteStream } from 'node:fs';
import { copyFile, stat, constants as fs } from 'node:fs/promises';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { UserError } from '../errors.js';
import { Progress } from '../util/progress.js';
import { DEFAULT_LIMITS, DEFAULT_TIMEOUT_SECONDS } from './download-defaults.js';
import { httpGet, type DownloadKind, type HttpOptions } from './http.js';

/** A location given by the user: plain http is theirs to choose. */
export const LOCATION_DEFAULTS: HttpOptions = { timeoutSeconds: DEFAULT_TIMEOUT_SECONDS, allowHttp: true, limits: DEFAULT_LIMITS };

/** The scheme of a URL-like location, lower case; undefined for a path or "-". */
const schemeOf = (location: string): string | undefined => /^([a-z][a-z0-9+.-]*):\/\//i.exec(location)?.[1]?.toLowerCase();

/**
 * Copies what LOCATION names into the file `dest`: a local path, "-" for stdin, a file://
 * URL or an http(s):// URL (downloaded within the limits of `kind`, with progress on a terminal).
 */
export async function fetchLocation(location: string, dest: string, opts: HttpOptions = LOCATION_DEFAULTS, kind: DownloadKind = 'image'): Promise<void> {
  if (location === '-') {
    await pipeline(process.stdin, createWriteStream(dest));
    return;
  }
  const scheme = schemeOf(location);
  if (scheme === 'http' || scheme === 'https') return download(location, dest, opts, kind);
  if (scheme && scheme !== 'file') throw new UserError(`unsupported location ${location} (use a path, -, file://, http:// or https://)`);
  const file = scheme === 'file' ? fileURLToPath(location) : location;
  try {
    // A reflink where the filesystem has them, an in-kernel copy otherwise. EXCL (dest is
    // always new) spares libuv's ftruncate, which would force a write-back of the whole copy.
    await copyFile(file, dest, fs.COPYFILE_FICLONE | fs.COPYFILE_EXCL);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'ENOENT') throw new UserError(`${file}: no such file`);
    if (e.code === 'EISDIR') throw new UserError(`${file} is a directory, not an ACI file`);
    if (e.code === 'EACCES') throw new UserError(`${file}: permission denied`);
    throw err;
  }
}

async function download(url: string, dest: string, opts: HttpOptions, kind: DownloadKind): Promise<void> {
  const { body, length } = await httpGet(url, opts, kind);
  const progress = new Progress(`downloading ${url}`, { total: length, terminalOnly: true });
  const count = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      progress.add(chunk.length);
      cb(null, chunk);
    },
  });
  try {
    await pipeline(body, count, createWriteStream(dest));
  } catch (err) {
    progress.fail();
    if (err instanceof UserError) throw err;
    throw new UserError(`download of ${url} failed: ${(err as Error).message}`, 1, { cause: err });
  }
  progress.finish();
  if (length !== undefined) {
    const { size } = await stat(dest);
    if (size !== length) throw new UserError(`download of ${url} ended early: got ${size} of ${length} bytes`);
  }
}
