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

/** Blowfish's state: P-array (18 words) then the four S-boxes (256 words each), in one array. */
class Blowfish {
  readonly st: Uint32Array;
  /** The last block encrypted (encrypt's result, kept here to allocate nothing per block). */
  l = 0;
  r = 0;
  constructor() {
    PI_WORDS ??= piWords(18 + 1024);
    this.st = PI_WORDS.slice();
  }

  encrypt(l: number, r: number): void {
    const st = this.st;
    let xl = l;
    let xr = r;
    xl ^= st[0];
    for (let i = 1; i <= 16; i += 2) {
      xr ^= (((st[18 + (xl >>> 24)] + st[274 + ((xl >>> 16) & 0xff)]) ^ st[530 + ((xl >>> 8) & 0xff)]) + st[786 + (xl & 0xff)]) ^ st[i];
      xl ^= (((st[18 + (xr >>> 24)] + st[274 + ((xr >>> 16) & 0xff)]) ^ st[530 + ((xr >>> 8) & 0xff)]) + st[786 + (xr & 0xff)]) ^ st[i + 1];
    }
    xr ^= st[17];
    this.l = xr >>> 0;
    this.r = xl >>> 0;
  }

  /** blowfish.ExpandKey (no salt) or expandKeyWithSalt. */
  expand(key: Uint8Array, salt?: Uint8Array): void {
    const st = this.st;
    let j = 0;
    for (let i = 0; i < 18; i++) {
      let w = 0;
      for (let k = 0; k < 4; k++) {
        w = ((w << 8) | key[j]) >>> 0;
        j = j + 1 === key.length ? 0 : j + 1;
      }
      st[i] = (st[i] ^ w) >>> 0;
    }
    let s = 0;
    const nextSalt = () => {
      let w = 0;
      for (let k = 0; k < 4; k++) {
        w = ((w << 8) | salt![s]) >>> 0;
        s = s + 1 === salt!.length ? 0 : s + 1;
      }
      return w;
    };
    let l = 0;
    let r = 0;
    for (let i = 0; i < 18 + 1024; i += 2) {
      if (salt) {
        l = (l ^ nextSalt()) >>> 0;
        r = (r ^ nextSalt()) >>> 0;
      }
      this.encrypt(l, r);
      l = this.l;
      r = this.r;
      st[i] = l;
      st[i + 1] = r;
    }
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
    bf.l = magic.readUInt32BE(i);
    bf.r = magic.readUInt32BE(i + 4);
    for (let j = 0; j < 64; j++) bf.encrypt(bf.l, bf.r);
    out.writeUInt32BE(bf.l, i);
    out.writeUInt32BE(bf.r, i + 4);
  }
  return `$2a$${String(cost).padStart(2, '0')}$${bcryptBase64(salt)}${bcryptBase64(out.subarray(0, 23))}`;
}
