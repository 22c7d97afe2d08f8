import { Transform, type Readable } from 'node:stream';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { spawnReader } from '../util/process.js';
import { igzipCommand, type LayerCodec } from '../archive/layer-codec.js';

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
  return spawnReader(cmd, args, { stdin: tar, what: `compressing with ${cmd}` });
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
  // The stream takes callbacks: each async body reports through `done` and never rejects.
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      void (async () => {
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
      })();
    },
    flush(done) {
      void (async () => {
        try {
          if (pending.length) enqueue(pending);
          while (queue.length) this.push(await queue.shift()!);
          done(failed);
        } catch (err) {
          done(err as Error);
        }
      })();
    },
  });
}
