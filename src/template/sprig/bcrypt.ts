/*
 * bcrypt as golang.org/x/crypto/bcrypt writes it ("$2a$", the key's trailing NUL, 23 of the 24
 * cipher bytes), on a Blowfish whose initial tables are the hexadecimal digits of π, computed
 * once (Machin's formula) rather than copied in.
 */

let PI_WORDS: Uint32Array | undefined;

/** The first `words` 32-bit words of π's fractional part: Blowfish's P-array then S-boxes. */
function piWords(words: number): Uint32Array {
  const bits = BigInt(words * 32 + 64);
  const one = 1n << bits;
  const arctanInv = (x: bigint) => {
    let sum = 0n;
    let term = one / x;
    const x2 = x * x;
    for (let k = 1n; term !== 0n; k += 2n) {
      sum += ((k / 2n) % 2n === 0n ? 1n : -1n) * (term / k);
      term /= x2;
    }
    return sum;
  };
  const pi = 16n * arctanInv(5n) - 4n * arctanInv(239n);
  let frac = pi - 3n * one;
  frac >>= 64n;
  const out = new Uint32Array(words);
  for (let i = words - 1; i >= 0; i--) {
    out[i] = Number(frac & 0xffffffffn);
    frac >>= 32n;
  }
  return out;
}

class Blowfish {
  p: Uint32Array;
  s: Uint32Array;
  constructor() {
    PI_WORDS ??= piWords(18 + 1024);
    this.p = PI_WORDS.slice(0, 18);
    this.s = PI_WORDS.slice(18);
  }

  encrypt(l: number, r: number): [number, number] {
    const p = this.p;
    const s = this.s;
    let xl = l >>> 0;
    let xr = r >>> 0;
    xl ^= p[0]!;
    for (let i = 1; i <= 16; i += 2) {
      xr ^= ((((s[xl >>> 24]! + s[256 | ((xl >>> 16) & 0xff)]!) ^ s[512 | ((xl >>> 8) & 0xff)]!) + s[768 | (xl & 0xff)]!) ^ p[i]!);
      xl ^= ((((s[xr >>> 24]! + s[256 | ((xr >>> 16) & 0xff)]!) ^ s[512 | ((xr >>> 8) & 0xff)]!) + s[768 | (xr & 0xff)]!) ^ p[i + 1]!);
    }
    xr ^= p[17]!;
    return [xr >>> 0, xl >>> 0];
  }

  /** blowfish.ExpandKey (no salt) or expandKeyWithSalt. */
  expand(key: Uint8Array, salt?: Uint8Array): void {
    let j = 0;
    const next = (b: Uint8Array, pos: { j: number }) => {
      let w = 0;
      for (let k = 0; k < 4; k++) {
        w = ((w << 8) | b[pos.j]!) >>> 0;
        pos.j = (pos.j + 1) % b.length;
      }
      return w;
    };
    const kpos = { j: 0 };
    for (let i = 0; i < 18; i++) this.p[i] = (this.p[i]! ^ next(key, kpos)) >>> 0;
    j = 0;
    const spos = { j };
    let l = 0;
    let r = 0;
    const fill = (arr: Uint32Array, from: number, count: number) => {
      for (let i = 0; i < count; i += 2) {
        if (salt) {
          l = (l ^ next(salt, spos)) >>> 0;
          r = (r ^ next(salt, spos)) >>> 0;
        }
        [l, r] = this.encrypt(l, r);
        arr[from + i] = l;
        arr[from + i + 1] = r;
      }
    };
    fill(this.p, 0, 18);
    fill(this.s, 0, 1024);
  }
}

const BCRYPT_ALPHABET = './ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const STD_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

function bcryptBase64(b: Uint8Array): string {
  const std = Buffer.from(b).toString('base64').replace(/=+$/, '');
  let out = '';
  for (const c of std) out += BCRYPT_ALPHABET[STD_ALPHABET.indexOf(c)];
  return out;
}

/** bcrypt.GenerateFromPassword with the 16-byte `salt` given. */
export function bcryptHash(password: Uint8Array, cost: number, salt: Uint8Array): string {
  const key = new Uint8Array(password.length + 1);
  key.set(password);
  const bf = new Blowfish();
  bf.expand(key, salt);
  const rounds = 2 ** cost;
  for (let i = 0; i < rounds; i++) {
    bf.expand(key);
    bf.expand(salt);
  }
  const magic = Buffer.from('OrpheanBeholderScryDoubt', 'latin1');
  const out = Buffer.alloc(24);
  for (let i = 0; i < 24; i += 8) {
    let l = magic.readUInt32BE(i);
    let r = magic.readUInt32BE(i + 4);
    for (let j = 0; j < 64; j++) [l, r] = bf.encrypt(l, r);
    out.writeUInt32BE(l, i);
    out.writeUInt32BE(r, i + 4);
  }
  return `$2a$${String(cost).padStart(2, '0')}$${bcryptBase64(salt)}${bcryptBase64(out.subarray(0, 23))}`;
}
