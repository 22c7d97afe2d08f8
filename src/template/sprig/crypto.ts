import {
  createCipheriv,
  createDecipheriv,
  createECDH,
  createHash,
  createHmac,
  createPrivateKey,
  generateKeyPairSync,
  scryptSync,
  type KeyObject,
} from 'node:crypto';
import { bytesOf, stringOfBytes } from '../bytes.js';
import { goFunc, type FuncDef } from '../gofunc.js';
import { GoObject, type GoValue } from '../types.js';
import { bcryptHash } from './bcrypt.js';
import { templateRandom, type RandomSource } from './random.js';
import {
  children,
  createCertificate,
  DerError,
  goStructError,
  integer,
  modInverse,
  octetString,
  oid,
  parseCertificate,
  pemDecode,
  pemEncode,
  goBase64Decode,
  readDer,
  readInteger,
  readOid,
  body,
  seq,
  explicit,
  bitString,
  type DsaParams,
  type PrivateKey,
} from './x509.js';

/*
 * Sprig's crypto.go and its random functions. Randomness comes from the rendering's source
 * (random.ts): crypto randomness, or the seeded stream when SOURCE_DATE_EPOCH is set, so keys,
 * salts, IVs, serial numbers and UUIDs are then reproducible. Certificates are written by
 * x509.ts; their validity starts at the rendering's clock.
 */

function adler32(bytes: Uint8Array): number {
  let a = 1;
  let b = 0;
  for (const byte of bytes) {
    a = (a + byte) % 65521;
    b = (b + a) % 65521;
  }
  return ((b << 16) | a) >>> 0;
}

// ---------------------------------------------------------------------------------------------
// Random strings (goutils.CryptoRandom)

function isLetter(c: number): boolean {
  return (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
}

function isDigitCode(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

/** goutils.CryptoRandom over ASCII, with its errors ignored as Sprig ignores them ("" then). */
function cryptoRandom(random: RandomSource, count: bigint, start: number, end: number, letters: boolean, numbers: boolean): string {
  if (count <= 0n) return '';
  if (count > 16n * 1024n * 1024n) throw new Error(`a random string of ${count} characters is more than jetpack's bound of 16 Mi`);
  if (start === 0 && end === 0) {
    if (!letters && !numbers) end = 0x7fffffff;
    else {
      end = 0x7a + 1;
      start = 0x20;
    }
  }
  const gap = end - start;
  let n = Number(count);
  const out: number[] = new Array<number>(n);
  while (n !== 0) {
    n--;
    const ch = random.intn(gap) + start;
    if ((letters && isLetter(ch)) || (numbers && isDigitCode(ch)) || (!letters && !numbers)) out[n] = ch;
    else n++;
  }
  return Buffer.from(out).toString('latin1');
}

// ---------------------------------------------------------------------------------------------
// Keys

const CURVES: Record<string, string> = { prime256v1: 'P-256', secp384r1: 'P-384', secp521r1: 'P-521' };
const P256_N = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;

function bigToBuf(n: bigint, len: number): Buffer {
  return Buffer.from(n.toString(16).padStart(len * 2, '0'), 'hex');
}

function modPow(base: bigint, exp: bigint, m: bigint): bigint {
  let result = 1n;
  let b = base % m;
  let e = exp;
  while (e > 0n) {
    if (e & 1n) result = (result * b) % m;
    b = (b * b) % m;
    e >>= 1n;
  }
  return result;
}

const SMALL_PRIMES: number[] = (() => {
  const out: number[] = [];
  for (let n = 3; out.length < 2000; n += 2) if (out.every((p) => p * p > n || n % p !== 0)) out.push(n);
  return out;
})();

/** Miller–Rabin with `rounds` bases from the random source, after trial division. */
function probablyPrime(n: bigint, rounds: number, random: RandomSource): boolean {
  if (n < 2n) return false;
  for (const p of SMALL_PRIMES) {
    const bp = BigInt(p);
    if (n === bp) return true;
    if (n % bp === 0n) return false;
  }
  let d = n - 1n;
  let s = 0;
  while ((d & 1n) === 0n) {
    d >>= 1n;
    s++;
  }
  outer: for (let i = 0; i < rounds; i++) {
    const a = random.bigintn(n - 3n) + 2n;
    let x = modPow(a, d, n);
    if (x === 1n || x === n - 1n) continue;
    for (let r = 1; r < s; r++) {
      x = (x * x) % n;
      if (x === n - 1n) continue outer;
    }
    return false;
  }
  return true;
}

/** crypto/rand.Prime: a random prime of exactly `bits` bits, its top two bits set. */
function randomPrime(bits: number, random: RandomSource): bigint {
  for (;;) {
    const bytes = random.bytes(Math.ceil(bits / 8));
    const b = bits % 8 === 0 ? 8 : bits % 8;
    bytes[0] &= (1 << b) - 1;
    if (b >= 2) bytes[0] |= 3 << (b - 2);
    else {
      bytes[0] |= 1;
      if (bytes.length > 1) bytes[1] |= 0x80;
    }
    bytes[bytes.length - 1] |= 1;
    const p = BigInt('0x' + bytes.toString('hex'));
    if (probablyPrime(p, 20, random)) return p;
  }
}

/** An RSA key from the seeded source (rsa.GenerateKey's shape: e = 65537, two primes). */
function seededRsaKey(bits: number, random: RandomSource): KeyObject {
  const e = 65537n;
  for (;;) {
    const p = randomPrime(bits - (bits >> 1), random);
    const q = randomPrime(bits >> 1, random);
    if (p === q) continue;
    const n = p * q;
    if (n.toString(2).length !== bits) continue;
    const phi = (p - 1n) * (q - 1n);
    const gcd = (a: bigint, b: bigint): bigint => (b === 0n ? a : gcd(b, a % b));
    if (gcd(e, phi) !== 1n) continue;
    const d = modInverse(e, phi);
    const der = seq(
      integer(0),
      integer(n),
      integer(e),
      integer(d),
      integer(p),
      integer(q),
      integer(d % (p - 1n)),
      integer(d % (q - 1n)),
      integer(modInverse(q, p)),
    );
    return createPrivateKey({ key: der, format: 'der', type: 'pkcs1' });
  }
}

function ecKeyFromD(d: bigint): PrivateKey {
  const ecdh = createECDH('prime256v1');
  const dBuf = bigToBuf(d, 32);
  ecdh.setPrivateKey(dBuf);
  const der = seq(integer(1), octetString(dBuf), explicit(0, oid('1.2.840.10045.3.1.7')), explicit(1, bitString(ecdh.getPublicKey())));
  return { kind: 'ecdsa', key: createPrivateKey({ key: der, format: 'der', type: 'sec1' }), curve: 'P-256', d };
}

function ed25519FromSeed(seed: Buffer): KeyObject {
  const der = Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), seed]);
  return createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
}

/** DSA L2048N256 parameters and key from the source (dsa.GenerateParameters' method). */
function seededDsa(random: RandomSource): DsaParams {
  const L = 2048;
  const N = 256;
  for (;;) {
    const qBytes = random.bytes(N / 8);
    qBytes[qBytes.length - 1] |= 1;
    qBytes[0] |= 0x80;
    const q = BigInt('0x' + qBytes.toString('hex'));
    if (!probablyPrime(q, 64, random)) continue;
    for (let i = 0; i < 4 * L; i++) {
      const pBytes = random.bytes(L / 8);
      pBytes[pBytes.length - 1] |= 1;
      pBytes[0] |= 0x80;
      let p = BigInt('0x' + pBytes.toString('hex'));
      p = p - (p % q) + 1n;
      if (p.toString(2).length < L) continue;
      if (!probablyPrime(p, 64, random)) continue;
      let g: bigint;
      for (let h = 2n; ; h++) {
        g = modPow(h, (p - 1n) / q, p);
        if (g !== 1n) break;
      }
      const x = random.bigintn(q - 1n) + 1n;
      return { p, q, g, y: modPow(g, x, p), x };
    }
  }
}

/** A DSA key Node generated: its parameters and private value read from the PKCS#8 DER. */
function nodeDsa(): DsaParams {
  const { privateKey } = generateKeyPairSync('dsa', { modulusLength: 2048, divisorLength: 256 });
  const der = privateKey.export({ type: 'pkcs8', format: 'der' });
  const top = children(readDer(der));
  const params = children(children(top[1])[1]);
  const [p, q, g] = params.map(readInteger);
  const x = readInteger(readDer(body(top[2])));
  return { p: p, q: q, g: g, y: modPow(g, x, p), x };
}

function dsaDer(k: DsaParams): Buffer {
  return seq(integer(0), integer(k.p), integer(k.q), integer(k.g), integer(k.y), integer(k.x));
}

function ecKey(key: KeyObject): PrivateKey {
  const curve = CURVES[key.asymmetricKeyDetails?.namedCurve ?? ''] ?? 'P-256';
  const jwk = key.export({ format: 'jwk' });
  const d = BigInt('0x' + Buffer.from(jwk.d!, 'base64url').toString('hex'));
  return { kind: 'ecdsa', key, curve, d };
}

/** The key kinds rsa (bits), ecdsa (P-256) and ed25519, from the source. */
function generateKey(kind: 'rsa' | 'ecdsa' | 'ed25519' | 'dsa', random: RandomSource, bits = 2048): PrivateKey {
  if (random.seeded) {
    switch (kind) {
      case 'rsa':
        return { kind: 'rsa', key: seededRsaKey(bits, random) };
      case 'ecdsa':
        return ecKeyFromD(random.bigintn(P256_N - 1n) + 1n);
      case 'ed25519':
        return { kind: 'ed25519', key: ed25519FromSeed(random.bytes(32)) };
      case 'dsa':
        return { kind: 'dsa', dsa: seededDsa(random) };
    }
  }
  switch (kind) {
    case 'rsa':
      return { kind: 'rsa', key: generateKeyPairSync('rsa', { modulusLength: bits, publicExponent: 65537 }).privateKey };
    case 'ecdsa':
      return ecKey(generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey);
    case 'ed25519':
      return { kind: 'ed25519', key: generateKeyPairSync('ed25519').privateKey };
    case 'dsa':
      return { kind: 'dsa', dsa: nodeDsa() };
  }
}

/** pemBlockForKey: PKCS#1 for RSA, SEC 1 for ECDSA, Sprig's own DSA form, PKCS#8 for the rest. */
function keyPem(key: PrivateKey): string {
  switch (key.kind) {
    case 'rsa':
      return pemEncode('RSA PRIVATE KEY', key.key.export({ type: 'pkcs1', format: 'der' }));
    case 'ecdsa':
      return pemEncode('EC PRIVATE KEY', key.key.export({ type: 'sec1', format: 'der' }));
    case 'dsa':
      return pemEncode('DSA PRIVATE KEY', dsaDer(key.dsa));
    case 'ed25519':
      return pemEncode('PRIVATE KEY', key.key.export({ type: 'pkcs8', format: 'der' }));
  }
}

function loadKey(der: Buffer, type: 'pkcs1' | 'sec1' | 'pkcs8'): KeyObject {
  try {
    return createPrivateKey({ key: der, format: 'der', type });
  } catch {
    throw new DerError('asn1: syntax error: data truncated');
  }
}

/** Sprig's parsePrivateKeyPEM, with its errors. */
function parsePrivateKeyPEM(pem: string): PrivateKey {
  const block = pemDecode(pem);
  if (!block) throw new Error('no PEM data in input');
  const der = block.bytes;
  if (block.type === 'PRIVATE KEY') {
    const fail = (msg: string) => new Error(`decoding PEM as PKCS#8: ${msg}`);
    const structural = goStructError(der, 'pkcs8');
    if (structural) throw fail(structural);
    let algorithm: string;
    try {
      algorithm = readOidOfPkcs8(der);
    } catch (err) {
      throw fail((err as Error).message);
    }
    if (!['1.2.840.113549.1.1.1', '1.2.840.10045.2.1', '1.3.101.112'].includes(algorithm)) {
      throw fail(`x509: PKCS#8 wrapping contained private key with unknown algorithm: ${algorithm}`);
    }
    let key: KeyObject;
    try {
      key = loadKey(der, 'pkcs8');
    } catch (err) {
      throw fail((err as Error).message);
    }
    if (key.asymmetricKeyType === 'rsa') return { kind: 'rsa', key };
    if (key.asymmetricKeyType === 'ec') return ecKey(key);
    return { kind: 'ed25519', key };
  }
  if (!block.type.endsWith(' PRIVATE KEY')) throw new Error(`no private key data in PEM block of type ${block.type}`);
  const kind = block.type.slice(0, -12);
  switch (kind) {
    case 'RSA': {
      const structural = goStructError(der, 'pkcs1PrivateKey');
      if (structural) throw new Error(`parsing RSA private key from PEM: ${structural}`);
      try {
        return { kind: 'rsa', key: loadKey(der, 'pkcs1') };
      } catch (err) {
        throw new Error(`parsing RSA private key from PEM: ${(err as Error).message}`, { cause: err });
      }
    }
    case 'EC': {
      const structural = goStructError(der, 'ecPrivateKey');
      if (structural) throw new Error(`parsing EC private key from PEM: ${structural}`);
      try {
        return ecKey(loadKey(der, 'sec1'));
      } catch (err) {
        throw new Error(`parsing EC private key from PEM: ${(err as Error).message}`, { cause: err });
      }
    }
    case 'DSA': {
      const structural = goStructError(der, 'DSAKeyFormat');
      if (structural) throw new Error(`parsing DSA private key from PEM: ${structural}`);
      try {
        const [, p, q, g, y, x] = children(readDer(der)).map(readInteger);
        if (x === undefined) throw new DerError('asn1: syntax error: sequence truncated');
        return { kind: 'dsa', dsa: { p: p, q: q, g: g, y: y, x } };
      } catch (err) {
        throw new Error(`parsing DSA private key from PEM: ${(err as Error).message}`, { cause: err });
      }
    }
  }
  throw new Error(`invalid private key type ${block.type}`);
}

function readOidOfPkcs8(der: Buffer): string {
  const top = children(readDer(der));
  return readOid(children(top[1])[0]);
}

// ---------------------------------------------------------------------------------------------
// Certificates

/** Sprig's certificate struct: {Cert, Key}, both PEM. */
export class Certificate extends GoObject {
  readonly goType = 'sprig.certificate';
  readonly goKind = 'struct';
  constructor(
    readonly Cert: string,
    readonly Key: string,
  ) {
    super();
  }
  field(name: string): GoValue | undefined {
    if (name === 'Cert') return this.Cert;
    if (name === 'Key') return this.Key;
    return undefined;
  }
  format(): string {
    return `{${this.Cert} ${this.Key}}`;
  }
  /** What encoding/json writes for it (its exported fields), for toJson and toYaml. */
  jsonValue(): GoValue {
    return { Cert: this.Cert, Key: this.Key };
  }
}

/** net.ParseIP: 4 bytes for IPv4 (x509 writes IPv4 in 4), 16 for IPv6; null when not an address. */
function parseIP(s: string): Buffer | null {
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s);
  if (v4) {
    const parts = v4.slice(1).map(Number);
    if (parts.some((p, i) => p > 255 || (v4[i + 1].length > 1 && v4[i + 1][0] === '0'))) return null;
    return Buffer.from(parts);
  }
  if (!s.includes(':')) return null;
  let head = s;
  let tail4: Buffer | null = null;
  const lastColon = s.lastIndexOf(':');
  if (s.slice(lastColon + 1).includes('.')) {
    tail4 = parseIP(s.slice(lastColon + 1));
    if (!tail4) return null;
    head = s.slice(0, lastColon + 1) + '0:0';
  }
  const halves = head.split('::');
  if (halves.length > 2) return null;
  const groups = (h: string) => (h === '' ? [] : h.split(':'));
  const left = groups(halves[0]);
  const right = halves.length === 2 ? groups(halves[1]) : [];
  const missing = 8 - left.length - right.length;
  if (halves.length === 1 ? left.length !== 8 : missing < 1) return null;
  const all = [...left, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...right];
  const out = Buffer.alloc(16);
  for (let i = 0; i < 8; i++) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(all[i])) return null;
    out.writeUInt16BE(parseInt(all[i], 16), i * 2);
  }
  if (tail4) tail4.copy(out, 12);
  // To4: IPv4-mapped addresses are written in 4 bytes.
  if (out.subarray(0, 10).every((b) => b === 0) && out[10] === 0xff && out[11] === 0xff) return Buffer.from(out.subarray(12));
  return out;
}

function goSprint(v: GoValue): string {
  if (v === null) return '<nil>';
  if (typeof v === 'bigint' || typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (v instanceof GoObject) return v.format();
  // eslint-disable-next-line @typescript-eslint/no-base-to-string -- JavaScript's own text for what is left, as before: only its strings matter to the messages
  return String(v);
}

function netIPs(ips: GoValue[]): Buffer[] {
  return ips.map((ip) => {
    if (typeof ip !== 'string') throw new Error(`error parsing ip: ${goSprint(ip)} is not a string`);
    const parsed = parseIP(ip);
    if (!parsed) throw new Error(`error parsing ip: ${ip}`);
    return parsed;
  });
}

function dnsNames(names: GoValue[]): string[] {
  return names.map((n) => {
    if (typeof n !== 'string') throw new Error(`error processing alternate dns name: ${goSprint(n)} is not a string`);
    return n;
  });
}

// ---------------------------------------------------------------------------------------------
// AES (Sprig's CBC with the IV in front, PKCS#7 padding, a zero-padded 32-byte key)

function aesKey(password: string): Buffer {
  const key = Buffer.alloc(32);
  Buffer.from(bytesOf(password)).copy(key);
  return key;
}

/** Go's base64.StdEncoding.DecodeString (decodeQuantum), with its errors and their byte offsets. */
export function decodeBase64(text: string): Buffer {
  return goBase64Decode(Buffer.from(text, 'utf8').toString('latin1'));
}

function encryptAES(password: string, plaintext: string, random: RandomSource): string {
  if (plaintext === '') return '';
  const content = Buffer.from(bytesOf(plaintext));
  const padding = 16 - (content.length % 16);
  const padded = Buffer.concat([content, Buffer.alloc(padding, padding)]);
  const iv = random.bytes(16);
  const cipher = createCipheriv('aes-256-cbc', aesKey(password), iv);
  cipher.setAutoPadding(false);
  return Buffer.concat([iv, cipher.update(padded), cipher.final()]).toString('base64');
}

function decryptAES(password: string, crypt64: string): string {
  if (crypt64 === '') return '';
  const crypt = decodeBase64(crypt64);
  if (crypt.length < 16) throw new Error(`runtime error: slice bounds out of range [:16] with capacity ${crypt.length}`);
  const iv = crypt.subarray(0, 16);
  const data = crypt.subarray(16);
  if (data.length % 16 !== 0) throw new Error('crypto/cipher: input not full blocks');
  const decipher = createDecipheriv('aes-256-cbc', aesKey(password), iv);
  decipher.setAutoPadding(false);
  const decrypted = Buffer.concat([decipher.update(data), decipher.final()]);
  if (decrypted.length === 0) throw new Error('runtime error: index out of range [-1]');
  const end = decrypted.length - decrypted[decrypted.length - 1];
  if (end < 0) throw new Error(`runtime error: slice bounds out of range [:${end}]`);
  return stringOfBytes(decrypted.subarray(0, end));
}

// ---------------------------------------------------------------------------------------------
// derivePassword (Master Password)

const PASSWORD_TEMPLATES: Record<string, string[]> = {
  maximum: ['anoxxxxxxxxxxxxxxxxx', 'axxxxxxxxxxxxxxxxxno'],
  long: [
    'CvcvnoCvcvCvcv',
    'CvcvCvcvnoCvcv',
    'CvcvCvcvCvcvno',
    'CvccnoCvcvCvcv',
    'CvccCvcvnoCvcv',
    'CvccCvcvCvcvno',
    'CvcvnoCvccCvcv',
    'CvcvCvccnoCvcv',
    'CvcvCvccCvcvno',
    'CvcvnoCvcvCvcc',
    'CvcvCvcvnoCvcc',
    'CvcvCvcvCvccno',
    'CvccnoCvccCvcv',
    'CvccCvccnoCvcv',
    'CvccCvccCvcvno',
    'CvcvnoCvccCvcc',
    'CvcvCvccnoCvcc',
    'CvcvCvccCvccno',
    'CvccnoCvcvCvcc',
    'CvccCvcvnoCvcc',
    'CvccCvcvCvccno',
  ],
  medium: ['CvcnoCvc', 'CvcCvcno'],
  short: ['Cvcn'],
  basic: ['aaanaaan', 'aannaaan', 'aaannaaa'],
  pin: ['nnnn'],
};

const TEMPLATE_CHARACTERS: Record<string, string> = {
  V: 'AEIOU',
  C: 'BCDFGHJKLMNPQRSTVWXYZ',
  v: 'aeiou',
  c: 'bcdfghjklmnpqrstvwxyz',
  A: 'AEIOUBCDFGHJKLMNPQRSTVWXYZ',
  a: 'AEIOUaeiouBCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxyz',
  n: '0123456789',
  o: "@&%?,=[]_:-+*$#!'^~;()/.",
  x: 'AEIOUaeiouBCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxyz0123456789!@#$%^&*()',
};

const MASTER_PASSWORD_SEED = 'com.lyndir.masterpassword';

function uint32be(n: number | bigint): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(Number(BigInt.asUintN(32, BigInt(n))));
  return b;
}

function derivePassword(counter: bigint, passwordType: string, password: string, user: string, site: string): string {
  const templates = Object.prototype.hasOwnProperty.call(PASSWORD_TEMPLATES, passwordType) ? PASSWORD_TEMPLATES[passwordType] : undefined;
  if (!templates) return `cannot find password template ${passwordType}`;
  const userBytes = Buffer.from(user, 'utf8');
  const salt = Buffer.concat([Buffer.from(MASTER_PASSWORD_SEED), uint32be(userBytes.length), userBytes]);
  const key = scryptSync(Buffer.from(password, 'utf8'), salt, 64, { N: 32768, r: 8, p: 2, maxmem: 128 * 32768 * 8 * 2 + 1024 * 1024 });
  const siteBytes = Buffer.from(site, 'utf8');
  const seed = createHmac('sha256', key)
    .update(Buffer.concat([Buffer.from(MASTER_PASSWORD_SEED), uint32be(siteBytes.length), siteBytes, uint32be(counter)]))
    .digest();
  const temp = templates[seed[0] % templates.length];
  let out = '';
  for (let i = 0; i < temp.length; i++) {
    const chars = TEMPLATE_CHARACTERS[temp[i]];
    out += chars[seed[i + 1] % chars.length];
  }
  return out;
}

// ---------------------------------------------------------------------------------------------

/** The bcrypt of Sprig: cost 10, a fresh salt, "$2a$". */
function bcrypt(input: string, random: RandomSource): string {
  return bcryptHash(Buffer.from(input, 'utf8'), 10, random.bytes(16));
}

/** Sprig's crypto, random and UUID functions; `now` is the rendering's clock (certificate validity). */
export function cryptoFunctions(now: () => Date): Record<string, FuncDef> {
  const random = () => templateRandom();
  const days = (daysValid: bigint) => BigInt.asIntN(64, 24n * 3_600_000_000_000n * daysValid);
  const baseTemplate = (cn: string, ips: GoValue[], dns: GoValue[], daysValid: bigint, isCA: boolean) => {
    const ipBytes = netIPs(ips);
    const names = dnsNames(dns);
    const serial = random().bigintn(1n << 128n);
    const start = now().getTime();
    const notAfter = Number((BigInt(start) * 1_000_000n + days(daysValid)) / 1_000_000n);
    return { serial, commonName: cn, ips: ipBytes, dnsNames: names, notBefore: start, notAfter, isCA };
  };
  const nonce = () => (random().seeded ? (max: bigint) => random().bigintn(max) : undefined);
  const certAndKey = (
    template: ReturnType<typeof baseTemplate>,
    signee: PrivateKey,
    parent: ReturnType<typeof parseCertificate> | undefined,
    signer: PrivateKey,
  ) => {
    let der: Buffer;
    try {
      der = createCertificate(template, signee, parent, signer, nonce());
    } catch (err) {
      throw new Error(`error creating certificate: ${(err as Error).message}`, { cause: err });
    }
    return new Certificate(pemEncode('CERTIFICATE', der), keyPem(signee));
  };
  const withPEMKey = (privPEM: string) => {
    try {
      return parsePrivateKeyPEM(privPEM);
    } catch (err) {
      throw new Error(`parsing private key: ${(err as Error).message}`, { cause: err });
    }
  };
  const ca = (cn: string, daysValid: bigint, priv: PrivateKey) => {
    const template = baseTemplate(cn, [], [], daysValid, true);
    return certAndKey(template, priv, undefined, priv);
  };
  const selfSigned = (cn: string, ips: GoValue[], dns: GoValue[], daysValid: bigint, priv: PrivateKey) =>
    certAndKey(baseTemplate(cn, ips, dns, daysValid, false), priv, undefined, priv);
  const signed = (cn: string, ips: GoValue[], dns: GoValue[], daysValid: bigint, caCert: Certificate, priv: PrivateKey) => {
    const block = pemDecode(caCert.Cert);
    if (!block) throw new Error('unable to decode certificate');
    let parent;
    try {
      parent = parseCertificate(block.bytes);
    } catch (err) {
      throw new Error(`error parsing certificate: decodedSignerCert.Bytes: ${(err as Error).message}`, { cause: err });
    }
    let signerKey: PrivateKey;
    try {
      signerKey = parsePrivateKeyPEM(caCert.Key);
    } catch (err) {
      throw new Error(`error parsing private key: ${(err as Error).message}`, { cause: err });
    }
    return certAndKey(baseTemplate(cn, ips, dns, daysValid, false), priv, parent, signerKey);
  };

  return {
    sha1sum: goFunc('func(input string) string', (s: string) => createHash('sha1').update(bytesOf(s)).digest('hex')),
    sha256sum: goFunc('func(input string) string', (s: string) => createHash('sha256').update(bytesOf(s)).digest('hex')),
    adler32sum: goFunc('func(input string) string', (s: string) => String(adler32(bytesOf(s)))),
    bcrypt: goFunc('func(input string) string', (s: string) => bcrypt(s, random())),
    htpasswd: goFunc('func(username string, password string) string', (username: string, password: string) =>
      username.includes(':') ? `invalid username: ${username}` : `${username}:${bcrypt(password, random())}`,
    ),
    randBytes: goFunc('func(count int) (string, error)', (count: bigint) => {
      if (count < 0n) throw new Error('runtime error: makeslice: len out of range');
      if (count > 12n * 1024n * 1024n) throw new Error(`randBytes of ${count} bytes is more than jetpack's bound of 12 MiB (16 Mi characters of base64)`);
      return random().bytes(Number(count)).toString('base64');
    }),
    randAlphaNum: goFunc('func(count int) string', (count: bigint) => cryptoRandom(random(), count, 0, 0, true, true)),
    randAlpha: goFunc('func(count int) string', (count: bigint) => cryptoRandom(random(), count, 0, 0, true, false)),
    randAscii: goFunc('func(count int) string', (count: bigint) => cryptoRandom(random(), count, 32, 127, false, false)),
    randNumeric: goFunc('func(count int) string', (count: bigint) => cryptoRandom(random(), count, 0, 0, false, true)),
    uuidv4: goFunc('func() string', () => {
      const b = random().bytes(16);
      b[6] = (b[6] & 0x0f) | 0x40;
      b[8] = (b[8] & 0x3f) | 0x80;
      const h = b.toString('hex');
      return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
    }),
    derivePassword: goFunc('func(counter uint32, passwordType, password, user, site string) string', derivePassword),
    genPrivateKey: goFunc('func(typ string) string', (typ: string) => {
      switch (typ) {
        case '':
        case 'rsa':
          return keyPem(generateKey('rsa', random(), 4096));
        case 'dsa':
          return keyPem(generateKey('dsa', random()));
        case 'ecdsa':
          return keyPem(generateKey('ecdsa', random()));
        case 'ed25519':
          return keyPem(generateKey('ed25519', random()));
      }
      return 'Unknown type ' + typ;
    }),
    buildCustomCert: goFunc('func(b64cert string, b64key string) (sprig.certificate, error)', (b64cert: string, b64key: string) => {
      let cert: Buffer;
      let key: Buffer;
      try {
        cert = decodeBase64(b64cert);
      } catch {
        throw new Error('unable to decode base64 certificate');
      }
      try {
        key = decodeBase64(b64key);
      } catch {
        throw new Error('unable to decode base64 private key');
      }
      const decoded = pemDecode(cert.toString('utf8'));
      if (!decoded) throw new Error('unable to decode certificate');
      try {
        parseCertificate(decoded.bytes);
      } catch (err) {
        throw new Error(`error parsing certificate: decodedCert.Bytes: ${(err as Error).message}`, { cause: err });
      }
      try {
        parsePrivateKeyPEM(key.toString('utf8'));
      } catch (err) {
        throw new Error(`error parsing private key: ${(err as Error).message}`, { cause: err });
      }
      return new Certificate(stringOfBytes(cert), stringOfBytes(key));
    }),
    genCA: goFunc('func(cn string, daysValid int) (sprig.certificate, error)', (cn: string, daysValid: bigint) =>
      ca(cn, daysValid, generateKey('rsa', random(), 2048)),
    ),
    genCAWithKey: goFunc('func(cn string, daysValid int, privPEM string) (sprig.certificate, error)', (cn: string, daysValid: bigint, privPEM: string) =>
      ca(cn, daysValid, withPEMKey(privPEM)),
    ),
    genSelfSignedCert: goFunc(
      'func(cn string, ips []interface{}, alternateDNS []interface{}, daysValid int) (sprig.certificate, error)',
      (cn: string, ips: GoValue[], dns: GoValue[], daysValid: bigint) => selfSigned(cn, ips, dns, daysValid, generateKey('rsa', random(), 2048)),
    ),
    genSelfSignedCertWithKey: goFunc(
      'func(cn string, ips []interface{}, alternateDNS []interface{}, daysValid int, privPEM string) (sprig.certificate, error)',
      (cn: string, ips: GoValue[], dns: GoValue[], daysValid: bigint, privPEM: string) => selfSigned(cn, ips, dns, daysValid, withPEMKey(privPEM)),
    ),
    genSignedCert: goFunc(
      'func(cn string, ips []interface{}, alternateDNS []interface{}, daysValid int, ca sprig.certificate) (sprig.certificate, error)',
      (cn: string, ips: GoValue[], dns: GoValue[], daysValid: bigint, caCert: Certificate) =>
        signed(cn, ips, dns, daysValid, caCert, generateKey('rsa', random(), 2048)),
    ),
    genSignedCertWithKey: goFunc(
      'func(cn string, ips []interface{}, alternateDNS []interface{}, daysValid int, ca sprig.certificate, privPEM string) (sprig.certificate, error)',
      (cn: string, ips: GoValue[], dns: GoValue[], daysValid: bigint, caCert: Certificate, privPEM: string) =>
        signed(cn, ips, dns, daysValid, caCert, withPEMKey(privPEM)),
    ),
    encryptAES: goFunc('func(password string, plaintext string) (string, error)', (password: string, plaintext: string) =>
      encryptAES(password, plaintext, random()),
    ),
    decryptAES: goFunc('func(password string, crypt64 string) (string, error)', decryptAES),
  };
}
