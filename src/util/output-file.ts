import { writeSync } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { UserError } from '../errors.js';
import { syncDirectory } from './fs.js';

/**
 * Runs `write` against FILE, or stdout for "-" (or no FILE). A file appears only when
 * `write` succeeded: it is written under a temporary name and renamed into place; `durable`
 * also fsyncs it and its directory before returning, so that it survives a power cut.
 */
export async function writeOutput<T>(
  file: string | undefined,
  write: (fd: number) => T | Promise<T>,
  opts: { durable?: boolean; mode?: number } = {},
): Promise<T> {
  if (file === undefined || file === '-') {
    if (process.stdout.isTTY) throw new UserError('refusing to write an archive to a terminal; give a FILE or redirect stdout');
    return write(1);
  }
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  // w+: writers may read back what they wrote (writeAci hashes an ACI that way).
  const fh = await open(tmp, 'w+', opts.mode ?? 0o644).catch((err: Error) => {
    throw new UserError(`cannot write ${file}: ${err.message}`, 1, { cause: err });
  });
  try {
    // Exports are not fsynced: the rename already keeps a half-written file from ever
    // appearing, and flushing a whole rootfs to disk would double the time of an export.
    const result = await write(fh.fd);
    if (opts.durable) await fh.sync();
    await fh.close();
    await rename(tmp, file);
    if (opts.durable) await syncDirectory(path.dirname(file));
    return result;
  } catch (err) {
    await fh.close().catch(() => {});
    await rm(tmp, { force: true });
    throw err;
  }
}

/** A small text file replaced in one rename (readers see the old text or the new, never half). */
export async function writeTextFile(file: string, text: string, mode = 0o644): Promise<void> {
  await writeOutput(file, (fd) => void writeSync(fd, text), { mode });
}
