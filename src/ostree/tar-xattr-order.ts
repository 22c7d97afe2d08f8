import type { Transform } from 'node:stream';
import { rewritingTransform } from '../archive/stream-transform.js';

/**
 * A pass-through of a PAX tar stream that lists each member's `SCHILY.xattr.*` records in
 * descending name order, changing nothing else (same length, same blocks).
 *
 * Why: `ostree commit --tree=tar=` keeps a member's xattrs in the order libarchive hands them
 * over, which is the reverse of the archive's, while a commit from a directory sorts them by
 * name; a file's checksum covers that order. GNU tar writes them in the order the filesystem
 * lists them, so a tarball of a checkout with two xattrs on one file committed to a different
 * checksum than the checkout itself. In descending order, ostree reads them sorted.
 */
export function xattrsInOstreeOrder(): Transform {
  const BLOCK = 512;
  let pending: Buffer = Buffer.alloc(0);
  /** Bytes of member data (with padding) to pass on unchanged before the next header. */
  let passing = 0;
  /** The padded size of a PAX header's records being collected, or 0. */
  let collecting = 0;
  /** The next member's size from its PAX header (GNU tar puts large sizes there). */
  let paxSize: number | undefined;
  let ended = false;

  const step = (out: Buffer[]): boolean => {
    if (ended) {
      out.push(pending);
      pending = Buffer.alloc(0);
      return false;
    }
    if (passing > 0) {
      const n = Math.min(passing, pending.length);
      if (n === 0) return false;
      out.push(pending.subarray(0, n));
      pending = pending.subarray(n);
      passing -= n;
      return true;
    }
    if (collecting > 0) {
      if (pending.length < collecting) return false;
      const { records, size } = reorderRecords(pending.subarray(0, collecting));
      if (size !== undefined) paxSize = size;
      out.push(records);
      pending = pending.subarray(collecting);
      collecting = 0;
      return true;
    }
    if (pending.length < BLOCK) return false;
    const header = pending.subarray(0, BLOCK);
    pending = pending.subarray(BLOCK);
    out.push(header);
    if (header.every((b) => b === 0)) {
      ended = true; // the end-of-archive blocks and whatever padding follows
      return true;
    }
    const type = String.fromCharCode(header[156]);
    const size = type === 'x' || type === 'g' ? headerSize(header) : (paxSize ?? headerSize(header));
    const padded = Math.ceil(size / BLOCK) * BLOCK;
    if (type === 'x') collecting = padded;
    else passing = padded;
    if (type !== 'x' && type !== 'g') paxSize = undefined;
    return true;
  };

  return rewritingTransform(
    (chunk, out) => {
      pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
      while (step(out));
    },
    () => {
      if (pending.length && !ended) throw new Error('truncated tar stream');
      return pending.length ? pending : undefined;
    },
  );
}

/** The size field: octal, or base-256 when its first byte has the high bit (GNU, for large sizes). */
function headerSize(header: Buffer): number {
  const field = header.subarray(124, 136);
  if (field[0] & 0x80) return field.subarray(1).reduce((n, b) => n * 256 + b, field[0] & 0x7f);
  const text = field.toString('latin1').replace(/[\0 ]+/g, '');
  return text ? parseInt(text, 8) : 0;
}

/** PAX records (`LEN key=value\n`, lengths in bytes) with the xattr ones last, in descending key order. */
function reorderRecords(data: Buffer): { records: Buffer; size?: number } {
  const records: Array<{ key: string; raw: Buffer }> = [];
  let pos = 0;
  while (pos < data.length && data[pos] !== 0) {
    const space = data.indexOf(0x20, pos);
    const length = Number(data.toString('latin1', pos, space));
    if (space < 0 || !Number.isSafeInteger(length) || length <= 0 || pos + length > data.length) throw new Error('malformed PAX header');
    const raw = data.subarray(pos, pos + length);
    const eq = raw.indexOf(0x3d);
    records.push({ key: raw.toString('utf8', space - pos + 1, eq), raw });
    pos += length;
  }
  const isXattr = (k: string) => k.startsWith('SCHILY.xattr.');
  const xattrs = records.filter((r) => isXattr(r.key)).sort((a, b) => (a.key < b.key ? 1 : a.key > b.key ? -1 : 0));
  const ordered = [...records.filter((r) => !isXattr(r.key)), ...xattrs].map((r) => r.raw);
  const sizeRecord = records.find((r) => r.key === 'size');
  const size = sizeRecord ? Number(sizeRecord.raw.toString('latin1', sizeRecord.raw.indexOf(0x3d) + 1, sizeRecord.raw.length - 1)) : undefined;
  return { records: Buffer.concat([...ordered, data.subarray(pos)]), size };
}
