import { availableParallelism } from 'node:os';
import { Transform, type Readable } from 'node:stream';
import { gzip } from 'node:zlib';
import { promisify } from 'node:util';
import { UserError } from '../errors.js';
import { spawnReader } from '../util/process.js';

export type LayerCompression = 'gzip' | 'zstd' | 'none';

/** How OCI layers are compressed: the format and its level (none has no level). */
export interface LayerCodec {
  compression: LayerCompression;
  level?: number;
}

const LEVELS = { gzip: { min: 1, max: 9, default: 1 }, zstd: { min: 1, max: 19, default: 3 } } as const;

/**
 * -compress and -compress-level of the OCI commands. gzip's default is level 1: isa-l's
 * igzip at 250 MB/s a core here against zlib's 25 MB/s at level 6, for layers ~10 % larger
 * (docs/DESIGN-CHOICES.md, "gzip level 1 by isa-l").
 */
export function parseLayerCodec(compress: string | undefined, level: string | undefined): LayerCodec {
  const compression = compress ?? 'gzip';
  if (compression !== 'gzip' && compression !== 'zstd' && compression !== 'none') throw new UserError(`OCI layers are compressed with gzip, zstd or none, not ${compression}`);
  if (compression === 'none') {
    if (level !== undefined) throw new UserError('-compress-level needs -compress=gzip or zstd');
    return { compression };
  }
  const range = LEVELS[compression];
  if (level === undefined) return { compression, level: range.default };
  const n = Number(level);
  if (!/^\d+$/.test(level) || n < range.min || n > range.max) throw new UserError(`-compress-level for ${compression} is ${range.min} to ${range.max}, not ${level}`);
  return { compression, level: n };
}

/** The codec in a kept blob's or layout's name: gzip1, zstd3, none. */
export function codecName(codec: LayerCodec): string {
  return `${codec.compression}${codec.level ?? ''}`;
}

/** The OCI media type of a layer blob written with the codec. */
export function layerMediaType(codec: LayerCodec): string {
  return { gzip: 'application/vnd.oci.image.layer.v1.tar+gzip', zstd: 'application/vnd.oci.image.layer.v1.tar+zstd', none: 'application/vnd.oci.image.layer.v1.tar' }[codec.compression];
}

/**
 * The compressed stream of `tar`. gzip levels 1–3 are isa-l's igzip (the levels it has), 4–9
 * node's zlib in parallel blocks; zstd is zstd on every CPU. Each writes no name and no time,
 * and the same bytes for the same input whatever the thread count. An error of `tar` ends it.
 */
export function compressLayer(codec: LayerCodec, tar: Readable): Readable {
  const { compression, level } = codec;
  if (compression === 'none') return tar;
  if (compression === 'gzip' && level! > 3) {
    const gz = parallelGzip(level!);
    tar.on('error', (err) => gz.destroy(err));
    return tar.pipe(gz);
  }
  const [cmd, ...args] = igzipCommand(codec) ?? ['zstd', `-${level}`, '-c', '-q', '-T0'];
  return spawnReader(cmd!, args, { stdin: tar, what: `compressing with ${cmd}` });
}

/**
 * isa-l's igzip for gzip levels 1–3, else undefined. It writes one gzip member, whose trailer
 * holds the CRC-32 and the size (mod 2^32) of all it compressed.
 */
export function igzipCommand(codec: LayerCodec): string[] | undefined {
  if (codec.compression !== 'gzip' || codec.level! > 3) return undefined;
  return ['igzip', `-${codec.level}`, '-n', `-T${availableParallelism()}`, '-c'];
}

const GZIP_BLOCK = 1 << 20;
const GZIP_IN_FLIGHT = 4;
const gzipBlock = promisify(gzip);

/**
 * gzip of a stream in 1 MiB blocks compressed side by side on libuv's thread pool, written in
 * order as one gzip member each (what pigz and Go's pgzip do; every gzip reader takes a
 * multi-member file). The blocks are cut at fixed offsets, so the bytes do not depend on how
 * the input arrives or on the number of CPUs.
 */
function parallelGzip(level: number): Transform {
  let pending: Buffer = Buffer.alloc(0);
  const queue: Array<Promise<Buffer>> = [];
  let failed: Error | undefined;
  const enqueue = (block: Buffer) => {
    const p = gzipBlock(block, { level });
    p.catch((err: Error) => (failed = err));
    queue.push(p);
  };
  return new Transform({
    async transform(chunk: Buffer, _enc, done) {
      try {
        pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
        while (pending.length >= GZIP_BLOCK) {
          enqueue(pending.subarray(0, GZIP_BLOCK));
          pending = pending.subarray(GZIP_BLOCK);
          while (queue.length >= GZIP_IN_FLIGHT) this.push(await queue.shift()!);
        }
        done(failed);
      } catch (err) {
        done(err as Error);
      }
    },
    async flush(done) {
      try {
        if (pending.length) enqueue(pending);
        while (queue.length) this.push(await queue.shift()!);
        done(failed);
      } catch (err) {
        done(err as Error);
      }
    },
  });
}
