// Sprig's encoding functions: Go's encoding/base64 and encoding/base32 (StdEncoding), whose
// decoders Sprig calls with errors turned into the result text (`illegal base64 data at input
// byte N`). The decoders are Go's, byte for byte: `\r` and `\n` are skipped anywhere, padding
// is required, and the error offset is Go's.
import { bytesOf, stringOfBytes } from '../bytes.js';
import { goFunc, type FuncDef } from '../gofunc.js';

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const B32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

function decodeMap(alphabet: string): Uint8Array {
  const m = new Uint8Array(256).fill(0xff);
  for (let i = 0; i < alphabet.length; i++) m[alphabet.charCodeAt(i)] = i;
  return m;
}
const B64MAP = decodeMap(B64);
const B32MAP = decodeMap(B32);
const PAD = 0x3d; // '='

class CorruptInputError extends Error {}

export function base64encode(v: string): string {
  return Buffer.from(bytesOf(v)).toString('base64');
}

export function base64decode(v: string): string {
  try {
    return stringOfBytes(decode64(bytesOf(v)));
  } catch (e) {
    if (e instanceof CorruptInputError) return e.message;
    throw e;
  }
}

// Go's decodeQuantum loop (the 8- and 4-byte fast paths decode the same).
function decode64(src: Uint8Array): Uint8Array {
  const dst: number[] = [];
  const corrupt = (at: number) => new CorruptInputError(`illegal base64 data at input byte ${at}`);
  let si = 0;
  while (si < src.length) {
    const dbuf = [0, 0, 0, 0];
    let dlen = 4;
    let pending: CorruptInputError | null = null;
    for (let j = 0; j < 4; j++) {
      if (src.length === si) {
        if (j === 0) return Uint8Array.from(dst);
        throw corrupt(si - j);
      }
      const inb = src[si];
      si++;
      const out = B64MAP[inb];
      if (out !== 0xff) {
        dbuf[j] = out;
        continue;
      }
      if (inb === 0x0a || inb === 0x0d) {
        j--;
        continue;
      }
      if (inb !== PAD) throw corrupt(si - 1);
      if (j === 0 || j === 1) throw corrupt(si - 1);
      if (j === 2) {
        while (si < src.length && (src[si] === 0x0a || src[si] === 0x0d)) si++;
        if (si === src.length) throw corrupt(src.length);
        if (src[si] !== PAD) throw corrupt(si - 1);
        si++;
      }
      while (si < src.length && (src[si] === 0x0a || src[si] === 0x0d)) si++;
      if (si < src.length) pending = corrupt(si);
      dlen = j;
      break;
    }
    const val = (dbuf[0] << 18) | (dbuf[1] << 12) | (dbuf[2] << 6) | dbuf[3];
    const b = [(val >> 16) & 0xff, (val >> 8) & 0xff, val & 0xff];
    for (let k = 0; k < dlen - 1; k++) dst.push(b[k]);
    if (pending) throw pending;
  }
  return Uint8Array.from(dst);
}

export function base32encode(v: string): string {
  const src = bytesOf(v);
  let out = '';
  for (let i = 0; i < src.length; i += 5) {
    const chunk = src.subarray(i, i + 5);
    const b = [0, 0, 0, 0, 0];
    chunk.forEach((x, k) => (b[k] = x));
    const idx = [
      b[0] >> 3,
      ((b[0] & 7) << 2) | (b[1] >> 6),
      (b[1] >> 1) & 31,
      ((b[1] & 1) << 4) | (b[2] >> 4),
      ((b[2] & 15) << 1) | (b[3] >> 7),
      (b[3] >> 2) & 31,
      ((b[3] & 3) << 3) | (b[4] >> 5),
      b[4] & 31,
    ];
    const chars = [0, 2, 4, 5, 7, 8][chunk.length];
    for (let k = 0; k < 8; k++) out += k < chars ? B32[idx[k]] : '=';
  }
  return out;
}

export function base32decode(v: string): string {
  const all = bytesOf(v);
  const src = all.filter((b) => b !== 0x0a && b !== 0x0d);
  try {
    return stringOfBytes(decode32(src));
  } catch (e) {
    if (e instanceof CorruptInputError) return e.message;
    throw e;
  }
}

// Go's base32 Encoding.decode.
function decode32(input: Uint8Array): Uint8Array {
  const corrupt = (at: number) => new CorruptInputError(`illegal base32 data at input byte ${at}`);
  const olen = input.length;
  let src = input;
  const dst: number[] = [];
  let end = false;
  while (src.length > 0 && !end) {
    const dbuf = [0, 0, 0, 0, 0, 0, 0, 0];
    let dlen = 8;
    for (let j = 0; j < 8;) {
      if (src.length === 0) throw corrupt(olen - src.length - j);
      const inb = src[0];
      src = src.subarray(1);
      if (inb === PAD && j >= 2 && src.length < 8) {
        if (src.length + j < 8 - 1) throw corrupt(olen);
        for (let k = 0; k < 8 - 1 - j; k++) {
          if (src.length > k && src[k] !== PAD) throw corrupt(olen - src.length + k - 1);
        }
        dlen = j;
        end = true;
        if (dlen === 1 || dlen === 3 || dlen === 6) throw corrupt(olen - src.length - 1);
        break;
      }
      dbuf[j] = B32MAP[inb]!;
      if (dbuf[j] === 0xff) throw corrupt(olen - src.length - 1);
      j++;
    }
    const d = dbuf;
    const out = [
      ((d[0] << 3) | (d[1] >> 2)) & 0xff,
      ((d[1] << 6) | (d[2] << 1) | (d[3] >> 4)) & 0xff,
      ((d[3] << 4) | (d[4] >> 1)) & 0xff,
      ((d[4] << 7) | (d[5] << 2) | (d[6] >> 3)) & 0xff,
      ((d[6] << 5) | d[7]) & 0xff,
    ];
    const count = { 8: 5, 7: 4, 5: 3, 4: 2, 2: 1 }[dlen as 8 | 7 | 5 | 4 | 2] ?? 0;
    for (let k = 0; k < count; k++) dst.push(out[k]);
  }
  return Uint8Array.from(dst);
}

/** Sprig's encoding functions. */
export const ENCODING: Record<string, FuncDef> = {
  b64enc: goFunc('func(v string) string', base64encode),
  b64dec: goFunc('func(v string) string', base64decode),
  b32enc: goFunc('func(v string) string', base32encode),
  b32dec: goFunc('func(v string) string', base32decode),
};
