import { createCipheriv, createHash, randomBytes as cryptoRandomBytes } from 'node:crypto';
import { sourceDateEpoch } from '../../util/source-date-epoch.js';

/*
 * The randomness of Sprig's functions. Sprig reads crypto/rand (and math/rand for shuffle and
 * randInt), so its output differs run to run. jetpack does the same unless SOURCE_DATE_EPOCH is
 * set: then every random byte a template consumes comes from a deterministic stream (ChaCha20
 * keyed by SHA-256 of SOURCE_DATE_EPOCH, JETPACK_TEMPLATE_SEED and the template's name), so
 * the same job renders the same bytes twice. Each rendering starts its stream afresh.
 */

/** A source of random bytes and integers for one rendering. */
export interface RandomSource {
  /** True when the bytes come from the seeded stream (SOURCE_DATE_EPOCH), false for crypto randomness. */
  readonly seeded: boolean;
  /** `n` random bytes. */
  bytes(n: number): Buffer;
  /** A uniform integer in [0, n), n ≥ 1 (as Go's rand.Int / rand.Intn). */
  intn(n: number): number;
  /** A uniform bigint in [0, n), n ≥ 1. */
  bigintn(n: bigint): bigint;
}

/** Bytes from the operating system: what Go's crypto/rand gives. */
class CryptoSource implements RandomSource {
  readonly seeded = false;
  bytes(n: number): Buffer {
    return cryptoRandomBytes(n);
  }
  intn(n: number): number {
    return Number(this.bigintn(BigInt(n)));
  }
  bigintn(n: bigint): bigint {
    return uniform(this, n);
  }
}

/** A deterministic stream: the ChaCha20 keystream of a key derived from the seed. */
class SeededSource implements RandomSource {
  readonly seeded = true;
  private readonly cipher;
  private pool = Buffer.alloc(0);
  constructor(seed: string) {
    const key = createHash('sha256').update('jetpack template random\0').update(seed).digest();
    this.cipher = createCipheriv('chacha20', key, Buffer.alloc(16));
  }
  bytes(n: number): Buffer {
    if (this.pool.length < n) {
      const more = this.cipher.update(Buffer.alloc(Math.max(4096, n - this.pool.length)));
      this.pool = Buffer.concat([this.pool, more]);
    }
    const out = Buffer.from(this.pool.subarray(0, n));
    this.pool = this.pool.subarray(n);
    return out;
  }
  intn(n: number): number {
    return Number(this.bigintn(BigInt(n)));
  }
  bigintn(n: bigint): bigint {
    return uniform(this, n);
  }
}

/** Go's crypto/rand.Int: reads just enough bytes, masks the top byte, retries values ≥ max. */
function uniform(source: RandomSource, max: bigint): bigint {
  if (max <= 0n) throw new Error('crypto/rand: argument to Int is <= 0');
  const n = max - 1n;
  const bitLen = n === 0n ? 0 : n.toString(2).length;
  if (bitLen === 0) return 0n;
  const k = Math.ceil(bitLen / 8);
  let b = bitLen % 8;
  if (b === 0) b = 8;
  for (;;) {
    const bytes = source.bytes(k);
    bytes[0] &= (1 << b) - 1;
    const value = BigInt('0x' + (bytes.toString('hex') || '0'));
    if (value < max) return value;
  }
}

/**
 * The random source for one rendering of the template `name`: seeded from SOURCE_DATE_EPOCH
 * and JETPACK_TEMPLATE_SEED when SOURCE_DATE_EPOCH is set, else crypto randomness.
 */
export function newRandomSource(name: string, env: NodeJS.ProcessEnv = process.env): RandomSource {
  const epoch = sourceDateEpoch(env);
  if (epoch === undefined) return new CryptoSource();
  return new SeededSource(`${epoch}\0${env.JETPACK_TEMPLATE_SEED ?? ''}\0${name}`);
}

/** A source seeded by `seed` alone (tests). */
export function seededRandomSource(seed: string): RandomSource {
  return new SeededSource(seed);
}

let current: RandomSource | undefined;
let pending: { name: string; env: NodeJS.ProcessEnv } | undefined = { name: '', env: process.env };

/**
 * Starts a rendering: its random functions draw from a fresh source for `name`, made when a
 * random function first asks (a rendering without one never reads SOURCE_DATE_EPOCH here).
 */
export function beginRandom(name: string, env: NodeJS.ProcessEnv = process.env): void {
  current = undefined;
  pending = { name, env };
}

/** The source of the rendering in progress (crypto randomness or SOURCE_DATE_EPOCH's stream). */
export function templateRandom(): RandomSource {
  if (!current) {
    const { name, env } = pending ?? { name: '', env: process.env };
    current = newRandomSource(name, env);
    pending = undefined;
  }
  return current;
}

/** Uses `source` for what follows (tests); returns the previous one. */
export function setTemplateRandom(source: RandomSource | undefined): RandomSource | undefined {
  const previous = current;
  current = source;
  return previous;
}
