import { Transform, type TransformCallback } from 'node:stream';

/**
 * A Transform for a stream rewriter that keeps its own state: `feed` takes each chunk and
 * pushes what it can already write to `out`; `end`, when the input ends, returns what is left
 * to write or throws when the input was cut short. A throw fails the stream.
 */
export function rewritingTransform(feed: (chunk: Buffer, out: Buffer[]) => void, end: () => Buffer | undefined): Transform {
  return new Transform({
    transform(chunk: Buffer, _enc, done: TransformCallback) {
      const out: Buffer[] = [];
      try {
        feed(chunk, out);
      } catch (err) {
        return done(err as Error);
      }
      done(null, out.length ? Buffer.concat(out) : undefined);
    },
    flush(done: TransformCallback) {
      let rest: Buffer | undefined;
      try {
        rest = end();
      } catch (err) {
        return done(err as Error);
      }
      done(null, rest);
    },
  });
}
