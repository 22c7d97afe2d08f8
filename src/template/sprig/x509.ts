import { createHash, createPublicKey, sign as cryptoSign, type KeyObject } from 'node:crypto';

/*
 * What Sprig's certificate functions need of Go's encoding/asn1, encoding/pem and crypto/x509,
 * written for Node (which parses certificates but writes none): a DER writer and reader, PEM
 * blocks as Go writes and reads them, and x509.CreateCertificate for the template Sprig builds
 * (getBaseCertTemplate): the same fields, extensions and their order, string types and times.
 */

// ---------------------------------------------------------------------------------------------
// DER writer

export const TAG = {
  BOOLEAN: 0x01,
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  NULL: 0x05,
  OID: 0x06,
  UTF8String: 0x0c,
  PrintableString: 0x13,
  IA5String: 0x16,
  UTCTime: 0x17,
  GeneralizedTime: 0x18,
  SEQUENCE: 0x30,
  SET: 0x31,
} as const;

function lengthBytes(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let x = n; x > 0; x = Math.floor(x / 256)) bytes.unshift(x & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

export function tlv(tag: number, body: Buffer): Buffer {
  return Buffer.concat([Buffer.from([tag]), lengthBytes(body.length), body]);
}

export function seq(...items: Buffer[]): Buffer {
  return tlv(TAG.SEQUENCE, Buffer.concat(items));
}

/** A SET OF, its elements sorted as DER (and Go's asn1 for SET OF) wants. */
export function set(...items: Buffer[]): Buffer {
  return tlv(TAG.SET, Buffer.concat([...items].sort((a, b) => Buffer.compare(a, b))));
}

/** Two's-complement big-endian bytes of an integer, shortest form. */
export function intBytes(n: bigint): Buffer {
  if (n === 0n) return Buffer.from([0]);
  if (n > 0n) {
    let hex = n.toString(16);
    if (hex.length % 2) hex = '0' + hex;
    const b = Buffer.from(hex, 'hex');
    return b[0] & 0x80 ? Buffer.concat([Buffer.from([0]), b]) : b;
  }
  // Negative: the smallest byte count holding it.
  let len = 1;
  while (-(1n << BigInt(8 * len - 1)) > n) len++;
  const v = (1n << BigInt(8 * len)) + n;
  return Buffer.from(v.toString(16).padStart(2 * len, '0'), 'hex');
}

export function integer(n: bigint | number): Buffer {
  return tlv(TAG.INTEGER, intBytes(BigInt(n)));
}

export function oid(dotted: string): Buffer {
  const parts = dotted.split('.').map((p) => BigInt(p));
  const out: number[] = [];
  const base128 = (v: bigint) => {
    const digits: number[] = [Number(v & 0x7fn)];
    for (v >>= 7n; v > 0n; v >>= 7n) digits.unshift(Number(v & 0x7fn) | 0x80);
    out.push(...digits);
  };
  base128(parts[0] * 40n + parts[1]);
  for (const p of parts.slice(2)) base128(p);
  return tlv(TAG.OID, Buffer.from(out));
}

export const NULL = Buffer.from([0x05, 0x00]);

export function bitString(bytes: Buffer, unusedBits = 0): Buffer {
  return tlv(TAG.BIT_STRING, Buffer.concat([Buffer.from([unusedBits]), bytes]));
}

export function octetString(bytes: Buffer): Buffer {
  return tlv(TAG.OCTET_STRING, bytes);
}

export function boolean(v: boolean): Buffer {
  return tlv(TAG.BOOLEAN, Buffer.from([v ? 0xff : 0]));
}

/** [n] EXPLICIT: a constructed context-specific wrapper. */
export function explicit(n: number, inner: Buffer): Buffer {
  return tlv(0xa0 | n, inner);
}

/** [n] IMPLICIT primitive: the body under a context-specific tag. */
export function implicit(n: number, body: Buffer): Buffer {
  return tlv(0x80 | n, body);
}

/** Go's isPrintable for PrintableString (no '*', no '&'). */
function isPrintable(c: number): boolean {
  return (
    (c >= 0x61 && c <= 0x7a) ||
    (c >= 0x41 && c <= 0x5a) ||
    (c >= 0x30 && c <= 0x39) ||
    (c >= 0x27 && c <= 0x29) ||
    (c >= 0x2b && c <= 0x2f) ||
    c === 0x20 ||
    c === 0x3a ||
    c === 0x3d ||
    c === 0x3f
  );
}

/** A Go string as encoding/asn1 marshals it: PrintableString when it can, else UTF8String. */
export function goString(s: string): Buffer {
  const bytes = Buffer.from(s, 'utf8');
  const printable = [...s].every((ch) => ch.codePointAt(0)! < 0x80 && isPrintable(ch.codePointAt(0)!));
  return tlv(printable ? TAG.PrintableString : TAG.UTF8String, bytes);
}

function two(n: number): string {
  return String(n).padStart(2, '0');
}

/** A time as Go's asn1 writes it: UTCTime for 1950–2049, GeneralizedTime otherwise (UTC, seconds). */
export function goTime(ms: number): Buffer {
  const d = new Date(ms);
  const year = d.getUTCFullYear();
  const common = two(d.getUTCMonth() + 1) + two(d.getUTCDate()) + two(d.getUTCHours()) + two(d.getUTCMinutes()) + two(d.getUTCSeconds()) + 'Z';
  if (year >= 1950 && year < 2050) return tlv(TAG.UTCTime, Buffer.from(two(year % 100) + common, 'latin1'));
  if (year < 0 || year > 9999) throw new Error('asn1: structure error: cannot represent time as GeneralizedTime');
  return tlv(TAG.GeneralizedTime, Buffer.from(String(year).padStart(4, '0') + common, 'latin1'));
}

// ---------------------------------------------------------------------------------------------
// DER reader

export interface DerNode {
  /** The identifier octet (class, constructed bit and tag number below 31). */
  tag: number;
  /** Offset of the whole element, of its contents, and just past it. */
  start: number;
  bodyStart: number;
  end: number;
  buf: Buffer;
}

export class DerError extends Error {}

export function readDer(buf: Buffer, offset = 0): DerNode {
  if (offset + 2 > buf.length) throw new DerError('asn1: syntax error: data truncated');
  const tag = buf[offset];
  if ((tag & 0x1f) === 0x1f) throw new DerError('asn1: syntax error: high-tag-number form not supported');
  let len = buf[offset + 1];
  let p = offset + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 4 || p + n > buf.length) throw new DerError('asn1: syntax error: data truncated');
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + buf[p + i];
    p += n;
  }
  if (p + len > buf.length) throw new DerError('asn1: syntax error: data truncated');
  return { tag, start: offset, bodyStart: p, end: p + len, buf };
}

export function body(n: DerNode): Buffer {
  return n.buf.subarray(n.bodyStart, n.end);
}

export function full(n: DerNode): Buffer {
  return n.buf.subarray(n.start, n.end);
}

export function children(n: DerNode): DerNode[] {
  const out: DerNode[] = [];
  for (let p = n.bodyStart; p < n.end;) {
    const child = readDer(n.buf, p);
    if (child.end > n.end) throw new DerError('asn1: syntax error: data truncated');
    out.push(child);
    p = child.end;
  }
  return out;
}

export function readInteger(n: DerNode): bigint {
  const b = body(n);
  if (b.length === 0) return 0n;
  let v = BigInt('0x' + b.toString('hex'));
  if (b[0] & 0x80) v -= 1n << BigInt(8 * b.length);
  return v;
}

export function readOid(n: DerNode): string {
  const b = body(n);
  const values: bigint[] = [];
  let v = 0n;
  for (const byte of b) {
    v = (v << 7n) | BigInt(byte & 0x7f);
    if (!(byte & 0x80)) {
      values.push(v);
      v = 0n;
    }
  }
  if (values.length === 0) return '';
  const first = values[0] < 80n ? values[0] / 40n : 2n;
  return [first, values[0] - first * 40n, ...values.slice(1)].join('.');
}

/**
 * The message Go's asn1.Unmarshal gives when the outer element of `der` is not the SEQUENCE a
 * struct wants (`structName` as Go's error names it), or when it is cut short; undefined when
 * the outer element is a well-formed SEQUENCE.
 */
export function goStructError(der: Buffer, structName: string): string | undefined {
  if (der.length < 2) return 'asn1: syntax error: data truncated';
  const b = der[0];
  const cls = b >> 6;
  const constructed = (b & 0x20) !== 0;
  let tagNum = b & 0x1f;
  let p = 1;
  if (tagNum === 0x1f) {
    tagNum = 0;
    while (p < der.length) {
      const c = der[p++];
      tagNum = tagNum * 128 + (c & 0x7f);
      if (!(c & 0x80)) break;
    }
  }
  if (p >= der.length) return 'asn1: syntax error: data truncated';
  let len = der[p++];
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0) return 'asn1: syntax error: indefinite length found (not DER)';
    len = 0;
    for (let i = 0; i < n; i++) {
      if (p >= der.length) return 'asn1: syntax error: data truncated';
      len = len * 256 + der[p++];
    }
  }
  if (!(cls === 0 && tagNum === 16 && constructed)) {
    return (
      `asn1: structure error: tags don't match (16 vs {class:${cls} tag:${tagNum} length:${len} isCompound:${constructed}}) ` +
      '{optional:false explicit:false application:false private:false defaultValue:<nil> tag:<nil> stringType:0 timeType:0 set:false omitEmpty:false} ' +
      `${structName} @${p}`
    );
  }
  if (p + len > der.length) return 'asn1: syntax error: data truncated';
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// PEM (encoding/pem)

/** pem.Encode: the type lines and the base64 body in lines of 64. */
export function pemEncode(type: string, der: Buffer): string {
  const b64 = der.toString('base64');
  let out = `-----BEGIN ${type}-----\n`;
  for (let i = 0; i < b64.length; i += 64) out += b64.slice(i, i + 64) + '\n';
  return out + `-----END ${type}-----\n`;
}

/** pem's getLine: the line without its end of line and trailing spaces or tabs, and the rest. */
function getLine(data: string): [string, string] {
  let i = data.indexOf('\n');
  let j: number;
  if (i < 0) {
    i = data.length;
    j = i;
  } else {
    j = i + 1;
    if (i > 0 && data[i - 1] === '\r') i--;
  }
  return [data.slice(0, i).replace(/[ \t]+$/, ''), data.slice(j)];
}

/**
 * encoding/pem's Decode: the first well-formed block, or null. `text` is a Go string, its
 * bytes read one per character (the PEM syntax is ASCII).
 */
export function pemDecode(text: string): { type: string; bytes: Buffer } | null {
  const data = Buffer.from(text, 'utf8').toString('latin1');
  let rest = data;
  for (;;) {
    if (rest.startsWith('-----BEGIN ')) rest = rest.slice('-----BEGIN '.length);
    else {
      const at = rest.indexOf('\n-----BEGIN ');
      if (at < 0) return null;
      rest = rest.slice(at + '\n-----BEGIN '.length);
    }
    let typeLine: string;
    [typeLine, rest] = getLine(rest);
    if (!typeLine.endsWith('-----')) continue;
    typeLine = typeLine.slice(0, -5);
    let headers = 0;
    for (;;) {
      if (rest.length === 0) return null;
      const [line, next] = getLine(rest);
      if (!line.includes(':')) break;
      headers++;
      rest = next;
    }
    let endIndex: number;
    let endTrailerIndex: number;
    if (headers === 0 && rest.startsWith('-----END ')) {
      endIndex = 0;
      endTrailerIndex = '-----END '.length;
    } else {
      endIndex = rest.indexOf('\n-----END ');
      endTrailerIndex = endIndex + '\n-----END '.length;
    }
    if (endIndex < 0) continue;
    let endTrailer = rest.slice(endTrailerIndex);
    const endTrailerLen = typeLine.length + 5;
    if (endTrailer.length < endTrailerLen) continue;
    const restOfEndLine = endTrailer.slice(endTrailerLen);
    endTrailer = endTrailer.slice(0, endTrailerLen);
    if (!endTrailer.startsWith(typeLine) || !endTrailer.endsWith('-----')) continue;
    if (getLine(restOfEndLine)[0].length !== 0) continue;
    const base64Data = rest.slice(0, endIndex).replace(/[ \t]/g, '');
    let bytes: Buffer;
    try {
      bytes = goBase64Decode(base64Data);
    } catch {
      continue;
    }
    return { type: Buffer.from(typeLine, 'latin1').toString('utf8'), bytes };
  }
}

const B64 = (() => {
  const map = new Int16Array(256).fill(-1);
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  for (let i = 0; i < alphabet.length; i++) map[alphabet.charCodeAt(i)] = i;
  return map;
})();

/** base64.StdEncoding.Decode over bytes given one per character (decodeQuantum), throwing Go's error. */
export function goBase64Decode(data: string): Buffer {
  const src = Buffer.from(data, 'latin1');
  const out: number[] = [];
  const corrupt = (at: number) => new Error(`illegal base64 data at input byte ${at}`);
  let si = 0;
  while (si < src.length) {
    const dbuf = [0, 0, 0, 0];
    let dlen = 4;
    let trailing: Error | undefined;
    for (let j = 0; j < 4; j++) {
      if (src.length === si) {
        if (j === 0) return Buffer.from(out);
        throw corrupt(si - j);
      }
      const c = src[si];
      si++;
      const v = B64[c];
      if (v >= 0) {
        dbuf[j] = v;
        continue;
      }
      if (c === 0x0a || c === 0x0d) {
        j--;
        continue;
      }
      if (c !== 0x3d) throw corrupt(si - 1);
      if (j === 0 || j === 1) throw corrupt(si - 1);
      if (j === 2) {
        while (si < src.length && (src[si] === 0x0a || src[si] === 0x0d)) si++;
        if (si === src.length) throw corrupt(src.length);
        if (src[si] !== 0x3d) throw corrupt(si - 1);
        si++;
      }
      while (si < src.length && (src[si] === 0x0a || src[si] === 0x0d)) si++;
      if (si < src.length) trailing = corrupt(si);
      dlen = j;
      break;
    }
    const val = (dbuf[0] << 18) | (dbuf[1] << 12) | (dbuf[2] << 6) | dbuf[3];
    out.push(...[(val >> 16) & 0xff, (val >> 8) & 0xff, val & 0xff].slice(0, dlen - 1));
    if (trailing) throw trailing;
  }
  return Buffer.from(out);
}

// ---------------------------------------------------------------------------------------------
// Keys as the certificate code sees them

export interface DsaParams {
  p: bigint;
  q: bigint;
  g: bigint;
  y: bigint;
  x: bigint;
}

/** A private key of one of the kinds Sprig handles. */
export type PrivateKey =
  | { kind: 'rsa'; key: KeyObject }
  | { kind: 'ecdsa'; key: KeyObject; curve: string; d: bigint }
  | { kind: 'ed25519'; key: KeyObject }
  | { kind: 'dsa'; dsa: DsaParams };

/** The Go type name of a key's public half, as x509's errors print it. */
function publicTypeName(key: PrivateKey): string {
  return { rsa: '*rsa.PublicKey', ecdsa: '*ecdsa.PublicKey', ed25519: 'ed25519.PublicKey', dsa: '*dsa.PublicKey' }[key.kind];
}

/** SubjectPublicKeyInfo DER of a key (Go's marshalPublicKey), or an error for DSA. */
export function subjectPublicKeyInfo(key: PrivateKey): Buffer {
  if (key.kind === 'dsa') throw new Error(`x509: unsupported public key type: ${publicTypeName(key)}`);
  return createPublicKey(key.key).export({ type: 'spki', format: 'der' });
}

/** The public key bytes inside an SPKI (the BIT STRING's contents). */
function publicKeyBytes(spki: Buffer): Buffer {
  const parts = children(readDer(spki));
  return body(parts[1]).subarray(1);
}

// ---------------------------------------------------------------------------------------------
// Deterministic ECDSA on NIST P-256, for reproducible signatures under SOURCE_DATE_EPOCH.

const P256 = {
  p: 0xffffffff00000001000000000000000000000000ffffffffffffffffffffffffn,
  a: 0xffffffff00000001000000000000000000000000fffffffffffffffffffffffcn,
  n: 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n,
  gx: 0x6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296n,
  gy: 0x4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5n,
};

function mod(a: bigint, m: bigint): bigint {
  const r = a % m;
  return r < 0n ? r + m : r;
}

export function modInverse(a: bigint, m: bigint): bigint {
  let [oldR, r] = [mod(a, m), m];
  let [oldS, s] = [1n, 0n];
  while (r !== 0n) {
    const q = oldR / r;
    [oldR, r] = [r, oldR - q * r];
    [oldS, s] = [s, oldS - q * s];
  }
  return mod(oldS, m);
}

type Jacobian = [bigint, bigint, bigint];

function jDouble([x, y, z]: Jacobian): Jacobian {
  const p = P256.p;
  if (y === 0n || z === 0n) return [0n, 1n, 0n];
  const ysq = mod(y * y, p);
  const s = mod(4n * x * ysq, p);
  const z2 = mod(z * z, p);
  const m = mod(3n * x * x + P256.a * z2 * z2, p);
  const nx = mod(m * m - 2n * s, p);
  const ny = mod(m * (s - nx) - 8n * ysq * ysq, p);
  const nz = mod(2n * y * z, p);
  return [nx, ny, nz];
}

function jAdd(a: Jacobian, b: Jacobian): Jacobian {
  const p = P256.p;
  if (a[2] === 0n) return b;
  if (b[2] === 0n) return a;
  const z1z1 = mod(a[2] * a[2], p);
  const z2z2 = mod(b[2] * b[2], p);
  const u1 = mod(a[0] * z2z2, p);
  const u2 = mod(b[0] * z1z1, p);
  const s1 = mod(a[1] * b[2] * z2z2, p);
  const s2 = mod(b[1] * a[2] * z1z1, p);
  if (u1 === u2) return s1 === s2 ? jDouble(a) : [0n, 1n, 0n];
  const h = mod(u2 - u1, p);
  const r = mod(s2 - s1, p);
  const h2 = mod(h * h, p);
  const h3 = mod(h * h2, p);
  const u1h2 = mod(u1 * h2, p);
  const nx = mod(r * r - h3 - 2n * u1h2, p);
  const ny = mod(r * (u1h2 - nx) - s1 * h3, p);
  const nz = mod(h * a[2] * b[2], p);
  return [nx, ny, nz];
}

function scalarBaseX(k: bigint): bigint {
  let result: Jacobian = [0n, 1n, 0n];
  let addend: Jacobian = [P256.gx, P256.gy, 1n];
  for (let e = k; e > 0n; e >>= 1n) {
    if (e & 1n) result = jAdd(result, addend);
    addend = jDouble(addend);
  }
  const zinv = modInverse(result[2], P256.p);
  return mod(result[0] * zinv * zinv, P256.p);
}

/** ECDSA over P-256 with SHA-256 and the nonce from `nonce` (a random source): DER SEQUENCE{r, s}. */
function ecdsaP256Sign(d: bigint, message: Buffer, nonce: (max: bigint) => bigint): Buffer {
  const n = P256.n;
  const e = BigInt('0x' + createHash('sha256').update(message).digest('hex'));
  for (;;) {
    const k = nonce(n - 1n) + 1n;
    const r = mod(scalarBaseX(k), n);
    if (r === 0n) continue;
    const s = mod(modInverse(k, n) * (e + r * d), n);
    if (s === 0n) continue;
    return seq(integer(r), integer(s));
  }
}

// ---------------------------------------------------------------------------------------------
// Certificates (crypto/x509.CreateCertificate for Sprig's templates)

const OID = {
  commonName: '2.5.4.3',
  keyUsage: '2.5.29.15',
  extKeyUsage: '2.5.29.37',
  basicConstraints: '2.5.29.19',
  subjectKeyId: '2.5.29.14',
  authorityKeyId: '2.5.29.35',
  subjectAltName: '2.5.29.17',
  serverAuth: '1.3.6.1.5.5.7.3.1',
  clientAuth: '1.3.6.1.5.5.7.3.2',
  sha256WithRSA: '1.2.840.113549.1.1.11',
  ecdsaWithSHA256: '1.2.840.10045.4.3.2',
  ecdsaWithSHA384: '1.2.840.10045.4.3.3',
  ecdsaWithSHA512: '1.2.840.10045.4.3.4',
  ed25519: '1.3.101.112',
};

/** What Sprig's templates put in a certificate. */
export interface CertTemplate {
  serial: bigint;
  commonName: string;
  /** IP addresses as bytes (4 for IPv4, 16 for IPv6). */
  ips: Buffer[];
  dnsNames: string[];
  notBefore: number;
  notAfter: number;
  isCA: boolean;
}

/** The parts of a parsed certificate CreateCertificate uses as the parent. */
export interface ParsedCert {
  rawSubject: Buffer;
  subjectKeyId: Buffer | undefined;
  spki: Buffer;
}

/** pkix.Name{CommonName: cn}.ToRDNSequence(), marshalled. */
export function subjectName(cn: string): Buffer {
  if (cn === '') return seq();
  return seq(set(seq(oid(OID.commonName), goString(cn))));
}

function extension(id: string, critical: boolean, value: Buffer): Buffer {
  return critical ? seq(oid(id), boolean(true), octetString(value)) : seq(oid(id), octetString(value));
}

/** Key usage bits (Go's KeyUsage: DigitalSignature = 1<<0 …) as the extension's BIT STRING. */
function keyUsageBits(ku: number): Buffer {
  const reverse = (b: number) => {
    let r = 0;
    for (let i = 0; i < 8; i++) if (b & (1 << i)) r |= 0x80 >> i;
    return r;
  };
  const a = [reverse(ku & 0xff), reverse((ku >> 8) & 0xff)];
  const bytes = Buffer.from(a[1] !== 0 ? a : [a[0]]);
  // asn1BitLength: up to the last set bit.
  let bitLength = bytes.length * 8;
  for (let i = bytes.length - 1; i >= 0; i--) {
    const b = bytes[i];
    let stop = false;
    for (let bit = 0; bit < 8; bit++) {
      if ((b >> bit) & 1) {
        stop = true;
        break;
      }
      bitLength--;
    }
    if (stop) break;
  }
  return bitString(bytes, bytes.length * 8 - bitLength);
}

/** Reads what CreateCertificate needs of a parent certificate's DER; Go's x509.ParseCertificate errors kept short. */
export function parseCertificate(der: Buffer): ParsedCert {
  try {
    const cert = children(readDer(der));
    if (readDer(der).end !== der.length) throw new DerError('x509: trailing data');
    const tbs = children(cert[0]);
    let i = 0;
    if (tbs[i].tag === 0xa0) i++;
    const subject = tbs[i + 4];
    const spki = tbs[i + 5];
    let subjectKeyId: Buffer | undefined;
    for (const part of tbs.slice(i + 6)) {
      if (part.tag !== 0xa3) continue;
      for (const ext of children(children(part)[0])) {
        const fields = children(ext);
        if (readOid(fields[0]) !== OID.subjectKeyId) continue;
        subjectKeyId = Buffer.from(body(readDer(body(fields[fields.length - 1]))));
      }
    }
    if (cert.length !== 3 || subject.tag !== TAG.SEQUENCE || spki.tag !== TAG.SEQUENCE) throw new DerError('');
    return { rawSubject: Buffer.from(full(subject)), subjectKeyId, spki: Buffer.from(full(spki)) };
  } catch {
    throw new Error('x509: malformed certificate');
  }
}

/** Go's signingParamsForPublicKey: the signature AlgorithmIdentifier for the signing key. */
function signatureAlgorithm(key: PrivateKey): Buffer {
  switch (key.kind) {
    case 'rsa':
      return seq(oid(OID.sha256WithRSA), NULL);
    case 'ecdsa': {
      const id = key.curve === 'P-384' ? OID.ecdsaWithSHA384 : key.curve === 'P-521' ? OID.ecdsaWithSHA512 : OID.ecdsaWithSHA256;
      return seq(oid(id));
    }
    case 'ed25519':
      return seq(oid(OID.ed25519));
    default:
      throw new Error('x509: certificate private key does not implement crypto.Signer');
  }
}

function signWith(key: PrivateKey, tbs: Buffer, nonce: ((max: bigint) => bigint) | undefined): Buffer {
  switch (key.kind) {
    case 'rsa':
      return cryptoSign('sha256', tbs, key.key);
    case 'ecdsa': {
      if (key.curve === 'P-256' && nonce) return ecdsaP256Sign(key.d, tbs, nonce);
      const hash = key.curve === 'P-384' ? 'sha384' : key.curve === 'P-521' ? 'sha512' : 'sha256';
      return cryptoSign(hash, tbs, { key: key.key, dsaEncoding: 'der' });
    }
    case 'ed25519':
      return cryptoSign(null, tbs, key.key);
    default:
      throw new Error('x509: certificate private key does not implement crypto.Signer');
  }
}

/**
 * x509.CreateCertificate(rand, template, parent, signee's public key, signer): the DER of the
 * certificate. `parent` undefined means self-signed (parent = template). `nonce` draws
 * ECDSA nonces from the seeded source (undefined: Node's own randomness).
 */
export function createCertificate(
  template: CertTemplate,
  signee: PrivateKey,
  parent: ParsedCert | undefined,
  signer: PrivateKey,
  nonce?: (max: bigint) => bigint,
): Buffer {
  if (signer.kind === 'dsa') throw new Error('x509: certificate private key does not implement crypto.Signer');
  const sigAlg = signatureAlgorithm(signer);
  const spki = subjectPublicKeyInfo(signee);
  const pubBytes = publicKeyBytes(spki);
  const subject = subjectName(template.commonName);
  const issuer = parent ? parent.rawSubject : subject;

  let authorityKeyId: Buffer | undefined;
  if (parent && !issuer.equals(subject) && parent.subjectKeyId && parent.subjectKeyId.length > 0) {
    authorityKeyId = parent.subjectKeyId;
  }
  const subjectKeyId = template.isCA ? createHash('sha1').update(pubBytes).digest() : undefined;

  if (parent && !subjectPublicKeyInfo(signer).equals(parent.spki)) {
    throw new Error("x509: provided PrivateKey doesn't match parent's PublicKey");
  }

  const extensions: Buffer[] = [];
  const KEY_ENCIPHERMENT = 1 << 2;
  const DIGITAL_SIGNATURE = 1 << 0;
  const CERT_SIGN = 1 << 5;
  const ku = KEY_ENCIPHERMENT | DIGITAL_SIGNATURE | (template.isCA ? CERT_SIGN : 0);
  extensions.push(extension(OID.keyUsage, true, keyUsageBits(ku)));
  extensions.push(extension(OID.extKeyUsage, false, seq(oid(OID.serverAuth), oid(OID.clientAuth))));
  extensions.push(extension(OID.basicConstraints, true, template.isCA ? seq(boolean(true)) : seq()));
  if (subjectKeyId) extensions.push(extension(OID.subjectKeyId, false, octetString(subjectKeyId)));
  if (authorityKeyId) extensions.push(extension(OID.authorityKeyId, false, seq(implicit(0, authorityKeyId))));
  if (template.dnsNames.length > 0 || template.ips.length > 0) {
    const names: Buffer[] = [];
    for (const name of template.dnsNames) {
      if ([...name].some((ch) => ch.codePointAt(0)! > 0x7f)) {
        throw new Error(`x509: ${goQuote(name)} cannot be encoded as an IA5String`);
      }
      names.push(implicit(2, Buffer.from(name, 'latin1')));
    }
    for (const ip of template.ips) names.push(implicit(7, ip));
    extensions.push(extension(OID.subjectAltName, subject.equals(seq()), seq(...names)));
  }

  const tbs = seq(
    explicit(0, integer(2)),
    integer(template.serial),
    sigAlg,
    issuer,
    seq(goTime(template.notBefore), goTime(template.notAfter)),
    subject,
    spki,
    explicit(3, seq(...extensions)),
  );
  const signature = signWith(signer, tbs, nonce);
  return seq(tbs, sigAlg, bitString(signature));
}

/** strconv.Quote for the strings x509's errors quote (printable Unicode kept). */
function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '"' || ch === '\\') out += '\\' + ch;
    else if (c === 0x0a) out += '\\n';
    else if (c === 0x09) out += '\\t';
    else if (c === 0x0d) out += '\\r';
    else if (c < 0x20 || c === 0x7f) out += '\\x' + c.toString(16).padStart(2, '0');
    else out += ch;
  }
  return out + '"';
}
