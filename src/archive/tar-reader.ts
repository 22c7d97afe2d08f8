import { Writable } from 'node:stream';
import { UserError } from '../errors.js';
import { tooLarge, type ExpansionLimits } from './limits.js';

/**
 * A streaming reader of tar headers (ustar, GNU and PAX). It walks an archive without
 * copying file data, so the import path can check every entry while GNU tar extracts the
 * same bytes. Only the data of entries the caller asks for (a manifest) is kept.
 */

export type EntryType = 'file' | 'hardlink' | 'symlink' | 'char' | 'block' | 'directory' | 'fifo';

export interface TarEntry {
  /** Member name as stored, with a leading "./" and trailing "/" removed. */
  path: string;
  /** Member name exactly as in the archive, for error messages about hostile names. */
  rawPath: string;
  type: EntryType;
  linkpath: string;
  size: number;
  mode: number;
  uid: number;
  gid: number;
  mtime: number;
  devmajor: number;
  devminor: number;
  xattrs: Map<string, string>;
}

export interface TarReaderOptions {
  onEntry(entry: TarEntry): void;
  /** Return a byte limit to receive the entry's data through onData, or 0 to skip it. */
  wantData?(entry: TarEntry): number;
  onData?(entry: TarEntry, data: Buffer): void;
  /** Bounds of an archive from an untrusted source; refused with `what` ("the upload") once passed. */
  limits?: ExpansionLimits;
  what?: string;
}

const BLOCK = 512;
const TYPES: Record<string, EntryType> = {
  '0': 'file',
  '\0': 'file',
  '7': 'file',
  '1': 'hardlink',
  '2': 'symlink',
  '3': 'char',
  '4': 'block',
  '5': 'directory',
  '6': 'fifo',
};

function corrupt(reason: string): UserError {
  return new UserError(`corrupt tar archive: ${reason}`);
}

function cString(buf: Buffer, start: number, length: number): string {
  const field = buf.subarray(start, start + length);
  const nul = field.indexOf(0);
  return field.subarray(0, nul === -1 ? length : nul).toString('utf8');
}

const ZERO_BLOCK = Buffer.alloc(512);

const isSpace = (c: number) => c === 0x20 || (c >= 0x09 && c <= 0x0d);

/**
 * A numeric header field as GNU tar reads it: octal digits after optional spaces (one
 * leading NUL allowed), ended by NUL or space; or GNU base-256 (0x80 positive, 0xff negative).
 * What GNU tar would read differently, or a value JavaScript cannot hold exactly, is refused.
 */
function numeric(buf: Buffer, start: number, length: number, field: string, signed = false): number {
  const first = buf[start];
  if (first === 0x80 || first === 0xff) {
    let value = first === 0xff ? -1 : 0; // two's complement, the marker byte its sign
    for (let i = start + 1; i < start + length; i++) {
      value = value * 256 + buf[i];
      if (!Number.isSafeInteger(value)) throw corrupt(`${field} field out of range`);
    }
    if (value < 0 && !signed) throw corrupt(`negative ${field} field`);
    return value;
  }
  if (first & 0x80) throw corrupt(`bad ${field} field`);
  // Octal digits, optionally padded with spaces and ended by NUL or space (hot: 8 per header).
  let i = start + (first === 0 ? 1 : 0);
  const end = start + length;
  while (i < end && isSpace(buf[i])) i++;
  if (i === end) throw corrupt(`blank ${field} field`);
  let value = 0;
  for (; i < end; i++) {
    const c = buf[i];
    if (c >= 0x30 && c <= 0x37) value = value * 8 + (c - 0x30);
    else break;
  }
  // GNU tar looks at one byte after the digits; anything but spaces up to a NUL is refused here.
  for (; i < end && buf[i] !== 0; i++) {
    if (buf[i] !== 0x20) {
      const text = buf.toString('latin1', start, end).replace(/\0.*$/s, '');
      throw corrupt(`bad ${field} field ${JSON.stringify(text)}`);
    }
  }
  return value;
}

function checksumMatches(header: Buffer): boolean {
  let stored: number;
  try {
    stored = numeric(header, 148, 8, 'checksum');
  } catch {
    return false;
  }
  let unsigned = 0;
  let signed = 0;
  for (let i = 0; i < BLOCK; i++) {
    const byte = i >= 148 && i < 156 ? 0x20 : header[i];
    unsigned += byte;
    signed += byte > 127 ? byte - 256 : byte;
  }
  return stored === unsigned || stored === signed;
}

const isBlank = (c: number | undefined) => c === 0x20 || c === 0x09;
const isDigit = (c: number | undefined) => c !== undefined && c >= 0x30 && c <= 0x39;

/**
 * PAX records ("LEN KEY=VALUE\n") in GNU tar's grammar. What GNU tar would stop at or read
 * differently (no newline, a NUL in a key or a text value) is refused, never guessed.
 */
function parsePax(data: Buffer): Map<string, string> {
  const records = new Map<string, string>();
  let pos = 0;
  while (pos < data.length) {
    let p = pos;
    while (isBlank(data[p])) p++;
    const digits = p;
    while (isDigit(data[p])) p++;
    const length = Number(data.toString('latin1', digits, p));
    if (p === digits || !(length > 0) || pos + length > data.length) throw corrupt('bad PAX record length');
    if (!isBlank(data[p])) throw corrupt('PAX record without a blank after its length');
    while (isBlank(data[p])) p++;
    const end = pos + length - 1;
    const eq = data.indexOf(0x3d, p);
    if (eq === -1 || eq >= end || data[end] !== 0x0a) throw corrupt('malformed PAX record');
    const key = data.toString('utf8', p, eq);
    const value = data.subarray(eq + 1, end);
    if (key.includes('\0') || (!key.startsWith('SCHILY.xattr.') && value.includes(0))) throw corrupt(`PAX record ${JSON.stringify(key)} holds a NUL byte`);
    records.set(key, value.toString('utf8'));
    pos += length;
  }
  return records;
}

/** "./rootfs//a/./b/" and "rootfs/a/b" name the same file: one spelling for every check. */
export function normalizeName(name: string): string {
  return name
    .split('/')
    .filter((part) => part !== '' && part !== '.')
    .join('/');
}

type Pending = { kind: 'pax' | 'global' | 'longname' | 'longlink'; size: number };
type Collecting = { entry: TarEntry | null; pending: Pending | null; limit: number; parts: Buffer[]; size: number } | null;

export class TarReader {
  private carry: Buffer = Buffer.alloc(0);
  /** Bytes of entry data (plus padding) still to skip or collect. */
  private remaining = 0;
  private padding = 0;
  private collecting: Collecting = null;
  private pax = new Map<string, string>();
  private globalPax = new Map<string, string>();
  private longName: string | null = null;
  private longLink: string | null = null;
  /** An old GNU sparse member whose map continues in extension blocks, and its data to expect after them. */
  private sparseMap: { stored: number; collect: Collecting } | null = null;
  private claimed = 0;
  private fed = 0;
  private zeroBlocks = 0;
  private ended = false;
  private entries = 0;

  constructor(private readonly options: TarReaderOptions) {}

  get entryCount(): number {
    return this.entries;
  }

  write(chunk: Buffer): void {
    const limits = this.options.limits;
    this.fed += chunk.length;
    if (limits && this.fed > limits.bytes) throw tooLarge(this.options.what ?? 'the archive', limits, 'bytes');
    let pos = 0;
    while (pos < chunk.length && !this.ended) {
      if (this.remaining > 0 || this.padding > 0) {
        pos = this.consumeData(chunk, pos);
        continue;
      }
      const need = BLOCK - this.carry.length;
      if (this.carry.length === 0 && chunk.length - pos >= BLOCK) {
        this.header(chunk.subarray(pos, pos + BLOCK));
        pos += BLOCK;
      } else {
        const take = Math.min(need, chunk.length - pos);
        this.carry = Buffer.concat([this.carry, chunk.subarray(pos, pos + take)]);
        pos += take;
        if (this.carry.length === BLOCK) {
          const block = this.carry;
          this.carry = Buffer.alloc(0);
          this.header(block);
        }
      }
    }
  }

  /** Call at the end of input: fails unless the archive ended cleanly. */
  /** A stream to pipe the archive into; `observe` sees each chunk first (to hash or count it). */
  writable(observe: (chunk: Buffer) => void = () => {}): Writable {
    return new Writable({
      highWaterMark: 1 << 20,
      write: (chunk: Buffer, _enc, done) => {
        try {
          observe(chunk);
          this.write(chunk);
          done();
        } catch (err) {
          done(err as Error);
        }
      },
      final: (done) => {
        try {
          this.end();
          done();
        } catch (err) {
          done(err as Error);
        }
      },
    });
  }

  end(): void {
    if (this.ended) return;
    if (this.remaining > 0 || this.padding > 0 || this.carry.length > 0 || this.collecting || this.sparseMap) {
      throw new UserError('truncated archive: the data ends in the middle of an entry');
    }
    if (this.zeroBlocks === 0) {
      throw new UserError('truncated archive: no end-of-archive marker');
    }
    this.ended = true;
  }

  private consumeData(chunk: Buffer, pos: number): number {
    if (this.remaining > 0) {
      const take = Math.min(this.remaining, chunk.length - pos);
      if (this.collecting) {
        const c = this.collecting;
        if (c.size + take > c.limit) {
          const what = c.entry ? `entry ${JSON.stringify(c.entry.rawPath)}` : `a ${c.pending!.kind} header`;
          throw new UserError(`${what} is larger than the ${c.limit}-byte limit`);
        }
        c.parts.push(Buffer.from(chunk.subarray(pos, pos + take)));
        c.size += take;
      }
      this.remaining -= take;
      pos += take;
      if (this.remaining === 0 && this.collecting) this.finishCollect();
      return pos;
    }
    const take = Math.min(this.padding, chunk.length - pos);
    this.padding -= take;
    return pos + take;
  }

  private finishCollect(): void {
    const c = this.collecting!;
    this.collecting = null;
    const data = Buffer.concat(c.parts, c.size);
    if (c.entry) {
      this.options.onData?.(c.entry, data);
      return;
    }
    switch (c.pending!.kind) {
      case 'pax':
        this.pax = parsePax(data);
        break;
      case 'global':
        this.globalPax = globalRecords(parsePax(data));
        break;
      case 'longname':
        this.longName = cString(data, 0, data.length);
        break;
      case 'longlink':
        this.longLink = cString(data, 0, data.length);
        break;
    }
  }

  private expectData(size: number, collect: Collecting): void {
    this.remaining = size;
    this.padding = (BLOCK - (size % BLOCK)) % BLOCK;
    this.collecting = collect;
    if (size === 0 && collect) this.finishCollect();
  }

  private header(block: Buffer): void {
    if (this.sparseMap) {
      // An old GNU sparse map continues in extension blocks (flag at byte 504) before the data.
      if (block[504] === 0) {
        const { stored, collect } = this.sparseMap;
        this.sparseMap = null;
        this.expectData(stored, collect);
      }
      return;
    }
    if (block.equals(ZERO_BLOCK)) {
      this.zeroBlocks++;
      if (this.zeroBlocks === 2) this.ended = true;
      return;
    }
    if (this.zeroBlocks > 0) throw corrupt('data after an end-of-archive block');
    if (!checksumMatches(block)) {
      throw corrupt(this.entries === 0 ? 'not a tar archive (bad header checksum)' : `bad header checksum after ${this.entries} entries`);
    }
    const flag = String.fromCharCode(block[156]);
    const size = numeric(block, 124, 12, 'size');
    const meta: Record<string, Pending['kind']> = { x: 'pax', g: 'global', L: 'longname', K: 'longlink' };
    if (flag in meta) {
      this.expectData(size, { entry: null, pending: { kind: meta[flag], size }, limit: 1 << 20, parts: [], size: 0 });
      return;
    }
    const pax = this.globalPax.size ? new Map([...this.globalPax, ...this.pax]) : this.pax;
    if (this.pax.size) this.pax = new Map();
    const magic = block.toString('latin1', 257, 263);
    const ustarPrefix = magic === 'ustar\0' ? cString(block, 345, 155) : '';
    let rawPath = this.longName ?? (ustarPrefix ? `${ustarPrefix}/${cString(block, 0, 100)}` : cString(block, 0, 100));
    rawPath = pax.get('GNU.sparse.name') ?? pax.get('path') ?? rawPath;
    const linkpath = pax.get('linkpath') ?? this.longLink ?? cString(block, 157, 100);
    this.longName = null;
    this.longLink = null;

    const type = flag === 'S' ? 'file' : TYPES[flag];
    if (!type) throw new UserError(`unsupported tar entry type ${JSON.stringify(flag)} for ${JSON.stringify(rawPath)}`);
    if (rawPath === '') throw corrupt('a member without a name');
    const unmodelled = [...pax.keys()].find((k) => k.startsWith('GNU.volume.') || k === 'GNU.dumpdir');
    if (unmodelled) throw corrupt(`${JSON.stringify(rawPath)} has a ${unmodelled} record (multi-volume and dump archives are not read)`);
    const dataSize = pax.has('size') ? paxNumber(pax, 'size') : size;
    const sparse = sparseSize(flag, block, pax, rawPath);
    // GNU tar skips the data a link, device or FIFO claims, and reads a regular file named
    // "x/" as a directory: refused, so that both always see the same members.
    if (type !== 'file' && type !== 'directory' && (dataSize !== 0 || sparse !== undefined))
      throw corrupt(`the ${type} ${JSON.stringify(rawPath)} claims ${dataSize} bytes of data`);
    if (type === 'directory' && dataSize !== 0) throw corrupt(`the directory ${JSON.stringify(rawPath)} claims ${dataSize} bytes of data`);
    if (type === 'file' && rawPath.endsWith('/')) throw corrupt(`the regular file ${JSON.stringify(rawPath)} is named like a directory`);
    const device = type === 'char' || type === 'block';
    const xattrs = new Map<string, string>();
    for (const [k, v] of pax) if (k.startsWith('SCHILY.xattr.')) xattrs.set(k.slice('SCHILY.xattr.'.length), v);
    const entry: TarEntry = {
      path: normalizeName(rawPath),
      rawPath,
      type,
      linkpath,
      size: sparse ?? dataSize,
      mode: numeric(block, 100, 8, 'mode'),
      uid: pax.has('uid') ? paxNumber(pax, 'uid') : numeric(block, 108, 8, 'uid'),
      gid: pax.has('gid') ? paxNumber(pax, 'gid') : numeric(block, 116, 8, 'gid'),
      mtime: pax.has('mtime') ? Number(pax.get('mtime')) : numeric(block, 136, 12, 'mtime', true),
      devmajor: device ? deviceNumber(block, 329, pax, 'devmajor', rawPath) : 0,
      devminor: device ? deviceNumber(block, 337, pax, 'devminor', rawPath) : 0,
      xattrs,
    };
    this.entries++;
    this.count(entry, dataSize);
    this.options.onEntry(entry);
    const limit = type === 'file' ? (this.options.wantData?.(entry) ?? 0) : 0;
    const stored = type === 'file' ? dataSize : 0;
    const collect = limit > 0 ? { entry, pending: null, limit, parts: [], size: 0 } : null;
    if (flag === 'S' && block[482] !== 0) this.sparseMap = { stored, collect };
    else this.expectData(stored, collect);
  }

  /** The expansion bounds: members, and bytes as extracted (a sparse file at its full size). */
  private count(entry: TarEntry, dataSize: number): void {
    const limits = this.options.limits;
    if (!limits) return;
    const what = this.options.what ?? 'the archive';
    if (this.entries > limits.entries) throw tooLarge(what, limits, 'entries');
    this.claimed += BLOCK + Math.max(entry.size, dataSize);
    if (this.claimed > limits.bytes) throw tooLarge(what, limits, 'bytes');
  }
}

/**
 * A global PAX header replaces the one before it, as in GNU tar. Records that would name,
 * size or type every later member are a form nobody writes: refused.
 */
function globalRecords(records: Map<string, string>): Map<string, string> {
  for (const key of records.keys()) {
    if (['path', 'linkpath', 'size'].includes(key) || key.startsWith('GNU.') || key.startsWith('SCHILY.dev'))
      throw corrupt(`a global PAX header sets ${key} for every member`);
  }
  return records;
}

/** A device number; GNU tar versions differ on whether a SCHILY.dev* record overrides it, so one that does is refused. */
function deviceNumber(block: Buffer, offset: number, pax: Map<string, string>, field: 'devmajor' | 'devminor', rawPath: string): number {
  const value = numeric(block, offset, 8, field);
  const key = `SCHILY.${field}`;
  if (pax.has(key) && paxNumber(pax, key) !== value) throw corrupt(`${JSON.stringify(rawPath)} has two ${field} numbers`);
  return value;
}

/** A PAX number GNU tar reads as one: decimal digits only (no sign, exponent or hex). */
function paxNumber(pax: Map<string, string>, key: string): number {
  const text = pax.get(key)!;
  const value = Number(text);
  if (!/^[0-9]+$/.test(text) || !Number.isSafeInteger(value)) throw corrupt(`bad PAX ${key} ${JSON.stringify(text)}`);
  return value;
}

/**
 * The full size of a sparse member: old GNU ('S', realsize at byte 483), or PAX 0.0/0.1
 * (GNU.sparse.size with a map) or 1.0 (major 1, minor 0, GNU.sparse.realsize). Sparse
 * records in any other combination are a form GNU tar may read otherwise: refused.
 */
function sparseSize(flag: string, block: Buffer, pax: Map<string, string>, rawPath: string): number | undefined {
  if (flag === 'S') {
    if ([...pax.keys()].some((k) => k.startsWith('GNU.sparse.'))) throw corrupt(`${JSON.stringify(rawPath)} mixes two sparse forms`);
    return numeric(block, 483, 12, 'realsize');
  }
  const keys = [...pax.keys()]
    .filter((k) => k.startsWith('GNU.sparse.'))
    .sort()
    .join(' ');
  if (keys === '') return undefined;
  if (pax.has('GNU.sparse.major') || pax.has('GNU.sparse.minor')) {
    if (
      pax.get('GNU.sparse.major') === '1' &&
      pax.get('GNU.sparse.minor') === '0' &&
      keys === 'GNU.sparse.major GNU.sparse.minor GNU.sparse.name GNU.sparse.realsize'
    )
      return paxNumber(pax, 'GNU.sparse.realsize');
  } else if (
    /^GNU\.sparse\.(map (GNU\.sparse\.name )?GNU\.sparse\.numblocks|numblocks GNU\.sparse\.numbytes GNU\.sparse\.offset) GNU\.sparse\.size$/.test(keys)
  ) {
    return paxNumber(pax, 'GNU.sparse.size');
  }
  throw corrupt(`${JSON.stringify(rawPath)} has sparse records GNU tar may read otherwise (${keys})`);
}
