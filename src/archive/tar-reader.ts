import { Writable } from 'node:stream';
import { UserError } from '../errors.js';

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

function numeric(buf: Buffer, start: number, length: number, field: string): number {
  if (buf[start]! & 0x80) {
    // GNU base-256: big-endian two's complement with the top bit as a marker.
    let value = buf[start]! & 0x7f;
    for (let i = start + 1; i < start + length; i++) value = value * 256 + buf[i]!;
    return value;
  }
  // Octal digits, optionally padded with spaces and ended by NUL or space (hot: 8 per header).
  let i = start;
  const end = start + length;
  while (i < end && buf[i] === 0x20) i++;
  let value = 0;
  let digits = 0;
  for (; i < end; i++) {
    const c = buf[i]!;
    if (c >= 0x30 && c <= 0x37) {
      value = value * 8 + (c - 0x30);
      digits++;
    } else break;
  }
  for (; i < end; i++) {
    const c = buf[i]!;
    if (c === 0) break;
    if (c !== 0x20) {
      const text = buf.toString('latin1', start, end).replace(/\0.*$/s, '');
      throw corrupt(`bad ${field} field ${JSON.stringify(text)}`);
    }
  }
  return digits ? value : 0;
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
    const byte = i >= 148 && i < 156 ? 0x20 : header[i]!;
    unsigned += byte;
    signed += byte > 127 ? byte - 256 : byte;
  }
  return stored === unsigned || stored === signed;
}

function parsePax(data: Buffer): Map<string, string> {
  const records = new Map<string, string>();
  let pos = 0;
  while (pos < data.length) {
    const space = data.indexOf(0x20, pos);
    if (space === -1) throw corrupt('bad PAX record');
    const length = parseInt(data.toString('latin1', pos, space), 10);
    if (!(length > 0) || pos + length > data.length) throw corrupt('bad PAX record length');
    const record = data.subarray(space + 1, pos + length - 1);
    const eq = record.indexOf(0x3d);
    if (eq === -1) throw corrupt('PAX record without "="');
    records.set(record.toString('utf8', 0, eq), record.toString('utf8', eq + 1));
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

export class TarReader {
  private carry: Buffer = Buffer.alloc(0);
  /** Bytes of entry data (plus padding) still to skip or collect. */
  private remaining = 0;
  private padding = 0;
  private collecting: { entry: TarEntry | null; pending: Pending | null; limit: number; parts: Buffer[]; size: number } | null = null;
  private pax = new Map<string, string>();
  private globalPax = new Map<string, string>();
  private longName: string | null = null;
  private longLink: string | null = null;
  private sparseExtensions = false;
  private zeroBlocks = 0;
  private ended = false;
  private entries = 0;

  constructor(private readonly options: TarReaderOptions) {}

  get entryCount(): number {
    return this.entries;
  }

  write(chunk: Buffer): void {
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
    if (this.remaining > 0 || this.padding > 0 || this.carry.length > 0 || this.collecting) {
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
        for (const [k, v] of parsePax(data)) this.globalPax.set(k, v);
        break;
      case 'longname':
        this.longName = cString(data, 0, data.length);
        break;
      case 'longlink':
        this.longLink = cString(data, 0, data.length);
        break;
    }
  }

  private expectData(size: number, collect: typeof this.collecting): void {
    this.remaining = size;
    this.padding = (BLOCK - (size % BLOCK)) % BLOCK;
    this.collecting = collect;
    if (size === 0 && collect) this.finishCollect();
  }

  private header(block: Buffer): void {
    if (this.sparseExtensions) {
      // Old GNU sparse maps continue in extension blocks flagged at byte 504.
      this.sparseExtensions = block[504] !== 0;
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
    const flag = String.fromCharCode(block[156]!);
    const size = numeric(block, 124, 12, 'size');
    const meta: Record<string, Pending['kind']> = { x: 'pax', g: 'global', L: 'longname', K: 'longlink' };
    if (flag in meta) {
      this.expectData(size, { entry: null, pending: { kind: meta[flag]!, size }, limit: 1 << 20, parts: [], size: 0 });
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

    let type = TYPES[flag];
    if (flag === 'S') {
      type = 'file';
      this.sparseExtensions = block[482] !== 0;
    }
    if (!type) throw new UserError(`unsupported tar entry type ${JSON.stringify(flag)} for ${JSON.stringify(rawPath)}`);
    const dataSize = pax.has('size') ? Number(pax.get('size')) : size;
    const xattrs = new Map<string, string>();
    for (const [k, v] of pax) if (k.startsWith('SCHILY.xattr.')) xattrs.set(k.slice('SCHILY.xattr.'.length), v);
    const entry: TarEntry = {
      path: normalizeName(rawPath),
      rawPath,
      type,
      linkpath,
      size: Number(pax.get('GNU.sparse.realsize') ?? pax.get('GNU.sparse.size') ?? dataSize),
      mode: numeric(block, 100, 8, 'mode'),
      uid: pax.has('uid') ? Number(pax.get('uid')) : numeric(block, 108, 8, 'uid'),
      gid: pax.has('gid') ? Number(pax.get('gid')) : numeric(block, 116, 8, 'gid'),
      mtime: pax.has('mtime') ? Number(pax.get('mtime')) : numeric(block, 136, 12, 'mtime'),
      devmajor: numeric(block, 329, 8, 'devmajor'),
      devminor: numeric(block, 337, 8, 'devminor'),
      xattrs,
    };
    this.entries++;
    this.options.onEntry(entry);
    // Hardlinks and symlinks carry no data even when a size is recorded (ustar says so).
    const stored = type === 'file' ? dataSize : 0;
    const limit = type === 'file' ? (this.options.wantData?.(entry) ?? 0) : 0;
    this.expectData(stored, limit > 0 ? { entry, pending: null, limit, parts: [], size: 0 } : null);
  }
}
