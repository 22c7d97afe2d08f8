import { createHash, randomUUID } from 'node:crypto';
import { def, type FuncDef } from '../builtins.js';
import { stringFunc as str } from './convert.js';

function adler32(bytes: Buffer): number {
  let a = 1;
  let b = 0;
  for (const byte of bytes) {
    a = (a + byte) % 65521;
    b = (b + a) % 65521;
  }
  return ((b << 16) | a) >>> 0;
}

/** Sprig's hashes, cryptographic functions and UUIDs. */
export const CRYPTO: Record<string, FuncDef> = {
  sha256sum: str((s) => createHash('sha256').update(s).digest('hex')),
  sha1sum: str((s) => createHash('sha1').update(s).digest('hex')),
  adler32sum: str((s) => String(adler32(Buffer.from(s)))),
  uuidv4: def(() => randomUUID(), 0),
};
