import { createHash, type Hash } from 'node:crypto';

// Apart from id.ts, which every command that opens the store loads: node's crypto takes ~4 ms
// to load, and only writing or checking an ACI needs it.

/** The hash an image ID is made from: sha512 of the uncompressed ACI, as in appc. */
export function newImageHash(): Hash {
  return createHash('sha512');
}

export function imageIDFromDigest(hash: Hash): string {
  return `sha512-${hash.digest('hex')}`;
}
