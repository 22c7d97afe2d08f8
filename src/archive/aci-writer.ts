import { mkdir, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { imageIDFromDigest, newImageHash } from '../image/id.js';
import { spawnReader } from '../util/process.js';
import { Progress } from '../util/progress.js';
import { compressedSink, type Compression } from './compression.js';
import { TAR_CREATE } from './gnu-tar.js';

type CommandWrapper = (cmd: string, args: string[]) => [string, string[]];

export interface AciSource {
  /** Manifest bytes; written as a root-owned 0644 file dated 1970 so the archive stays deterministic. */
  manifest: string | Buffer;
  /** Scratch directory for the manifest file. */
  scratch: string;
  /** Directory holding the tree as `rootfs`. */
  rootfsParent: string;
  /** Wraps the tar command, e.g. to run it where an overlay of the tree is mounted. */
  wrap?: CommandWrapper;
  /** Only these entries of the tree (paths relative to it, parents first), instead of all of it. */
  members?: string[];
}

/**
 * Writes `manifest` + `rootfs/` as a deterministic ACI to `fd`, compressed as asked, and
 * returns its image ID (sha512 of the uncompressed stream, hashed as it is written).
 */
export async function writeAci(source: AciSource, fd: number, compression: Compression, progress?: { label: string; total?: number }): Promise<string> {
  await mkdir(source.scratch, { recursive: true });
  const manifestFile = path.join(source.scratch, 'manifest');
  await writeFile(manifestFile, source.manifest, { mode: 0o644 });
  await utimes(manifestFile, 0, 0);

  const tarArgs = [...TAR_CREATE, '-C', source.scratch, 'manifest', '-C', source.rootfsParent];
  tarArgs.push(...(source.members ? ['--no-recursion', '--null', '-T', '-'] : ['rootfs']));
  const list = source.members && Readable.from([Buffer.from(['rootfs', ...source.members.map((m) => `rootfs/${m}`)].map((m) => `${m}\0`).join(''))]);
  const [cmd, args] = source.wrap ? source.wrap('tar', tarArgs) : ['tar', tarArgs];
  const hash = newImageHash();
  const bar = progress ? new Progress(progress.label, progress.total) : undefined;
  const hashing = new Transform({
    highWaterMark: 1 << 20,
    transform(chunk: Buffer, _enc, done) {
      hash.update(chunk);
      bar?.add(chunk.length);
      done(null, chunk);
    },
  });
  const sink = compressedSink(compression, fd);
  await Promise.all([pipeline(spawnReader(cmd, args, { what: 'archiving the rootfs', stdin: list }), hashing, sink.stream), sink.done]);
  bar?.finish();
  return imageIDFromDigest(hash);
}
