import type { Transform } from 'node:stream';
import { rewritingTransform } from './stream-transform.js';

/**
 * Device nodes in a user namespace (docs/ROOTLESS.md, "Device nodes"): the kernel refuses
 * mknod there (but for overlay whiteouts, character devices 0:0), so the store keeps each
 * device as a placeholder, an empty regular file with the node's owner, mode and times and
 * the xattr DEVICE_XATTR = "c MAJOR MINOR" (or "b …"). Two streaming rewrites of PAX tar
 * streams turn one into the other: devices into placeholders before GNU tar extracts an
 * archive, placeholders back into devices as GNU tar archives the store, so that what leaves
 * it is, byte for byte, the archive root's store gives.
 */

/** The xattr that records a placeholder's device; every `user.jetpack.*` xattr is jetpack's own. */
export const DEVICE_XATTR = 'user.jetpack.device';
export const RESERVED_XATTR_PREFIX = 'user.jetpack.';

const BLOCK = 512;
/** GNU tar pads an archive to whole records of 20 blocks (its default blocking factor). */
const RECORD = 20 * BLOCK;
const DEVICE_RECORD = `SCHILY.xattr.${DEVICE_XATTR}`;
const ZERO_BLOCK = Buffer.alloc(BLOCK);

/** A member as the rewrites see it: its extended headers (x, g, L, K: header block and padded data) and its own header. */
export interface TarMember {
  meta: Array<{ header: Buffer; data: Buffer }>;
  header: Buffer;
}

function octal(header: Buffer, offset: number, length: number): number {
  if (header[offset] & 0x80) return header.subarray(offset + 1, offset + length).reduce((n, b) => n * 256 + b, header[offset] & 0x7f);
  const text = header.toString('latin1', offset, offset + length).replace(/[\0 ].*$/s, '');
  return text ? parseInt(text, 8) : 0;
}

function setOctal(header: Buffer, offset: number, length: number, value: number): void {
  if (value >= 8 ** (length - 1)) throw new Error(`${value} does not fit a ${length}-byte tar header field`);
  header.write(`${value.toString(8).padStart(length - 1, '0')}\0`, offset, length, 'latin1');
}

/** Fills in the checksum as GNU tar writes it: six octal digits, NUL, space. */
function sealHeader(header: Buffer): Buffer {
  header.fill(0x20, 148, 156);
  const sum = header.reduce((n, b) => n + b, 0);
  header.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 8, 'latin1');
  return header;
}

const typeOf = (header: Buffer) => String.fromCharCode(header[156]);
const padded = (size: number) => Math.ceil(size / BLOCK) * BLOCK;
const memberName = (m: TarMember) => m.header.toString('utf8', 0, 100).replace(/\0.*$/s, '');

/** PAX records as `key`, `raw` (the whole "LEN key=value\n"); what follows them (padding) is dropped. */
function paxRecords(data: Buffer): Array<{ key: string; value: string; raw: Buffer }> {
  const records = [];
  let pos = 0;
  while (pos < data.length && data[pos] !== 0) {
    const space = data.indexOf(0x20, pos);
    const length = Number(data.toString('latin1', pos, space));
    if (space < 0 || !Number.isSafeInteger(length) || length <= 0 || pos + length > data.length) throw new Error('malformed PAX header');
    const raw = data.subarray(pos, pos + length);
    const eq = raw.indexOf(0x3d);
    records.push({ key: raw.toString('utf8', space - pos + 1, eq), value: raw.toString('utf8', eq + 1, length - 1), raw });
    pos += length;
  }
  return records;
}

/** One "LEN key=value\n" record, LEN counting itself. */
function paxRecord(key: string, value: string): Buffer {
  const body = Buffer.byteLength(` ${key}=${value}\n`);
  let length = body + 1;
  while (String(length).length + body !== length) length++;
  return Buffer.from(`${length} ${key}=${value}\n`);
}

/** An extended header `meta` entry holding `records`, its header block `template`'s with the size and checksum made right. */
function paxMeta(template: Buffer, records: Buffer[]): { header: Buffer; data: Buffer } {
  const body = Buffer.concat(records);
  const header = Buffer.from(template);
  setOctal(header, 124, 12, body.length);
  const data = Buffer.alloc(padded(body.length));
  body.copy(data);
  return { header: sealHeader(header), data };
}

/**
 * A fresh PAX extended header block for the member `name`, as GNU tar writes one with
 * TAR_CREATE's exthdr.name=%d/PaxHeaders/%f: mode 0644, owner 0, the member's mtime.
 */
function paxTemplate(member: Buffer, name: string): Buffer {
  const header = Buffer.alloc(BLOCK);
  const parts = name.replace(/\/$/, '').split('/');
  const base = parts.pop() || '.';
  header.write(`${parts.join('/') || '.'}/PaxHeaders/${base}`, 0, 100, 'utf8');
  setOctal(header, 100, 8, 0o644);
  setOctal(header, 108, 8, 0);
  setOctal(header, 116, 8, 0);
  member.copy(header, 136, 136, 148); // mtime
  header[156] = 'x'.charCodeAt(0);
  header.write('ustar\x0000', 257, 8, 'latin1');
  return header;
}

/**
 * A pass-through of a tar stream that hands each member (with its extended headers) to
 * `rewrite` and writes the blocks it returns, member data unchanged; the end-of-archive
 * blocks are followed by zeros up to a whole record, as GNU tar ends an archive.
 */
export function tarMemberRewriter(rewrite: (member: TarMember) => TarMember): Transform {
  let pending: Buffer = Buffer.alloc(0);
  let passing = 0;
  let meta: TarMember['meta'] = [];
  /** The size of the next member's data, from a PAX `size` record (GNU tar puts large sizes there). */
  let paxSize: number | undefined;
  let written = 0;
  let ended = false;
  /** Within an old GNU sparse member's extension blocks (each says at byte 504 whether another follows). */
  let sparseData: number | undefined;

  const emit = (out: Buffer[], blocks: Buffer[]) => {
    for (const b of blocks) {
      out.push(b);
      written += b.length;
    }
  };

  const step = (out: Buffer[]): boolean => {
    if (ended) {
      pending = Buffer.alloc(0); // the input's own padding: replaced by ours
      return false;
    }
    if (passing > 0) {
      const n = Math.min(passing, pending.length);
      if (n === 0) return false;
      emit(out, [pending.subarray(0, n)]);
      pending = pending.subarray(n);
      passing -= n;
      return true;
    }
    if (pending.length < BLOCK) return false;
    const header = pending.subarray(0, BLOCK);
    if (sparseData !== undefined) {
      emit(out, [header]);
      pending = pending.subarray(BLOCK);
      if (header[504] === 0) [passing, sparseData] = [sparseData, undefined];
      return true;
    }
    if (header.equals(ZERO_BLOCK)) {
      if (pending.length < 2 * BLOCK) return false;
      if (meta.length) throw new Error('truncated tar stream: extended headers without a member');
      emit(out, [Buffer.alloc(2 * BLOCK)]);
      emit(out, [Buffer.alloc((RECORD - (written % RECORD)) % RECORD)]);
      ended = true;
      return true;
    }
    const type = typeOf(header);
    if ('xgLK'.includes(type)) {
      const size = padded(octal(header, 124, 12));
      if (pending.length < BLOCK + size) return false;
      const data = pending.subarray(BLOCK, BLOCK + size);
      if (type === 'x') {
        const record = paxRecords(data).find((r) => r.key === 'size');
        if (record) paxSize = Number(record.value);
      }
      meta.push({ header: Buffer.from(header), data: Buffer.from(data) });
      pending = pending.subarray(BLOCK + size);
      return true;
    }
    const member = rewrite({ meta, header: Buffer.from(header) });
    emit(out, [...member.meta.flatMap((m) => [m.header, m.data]), member.header]);
    passing = type === '0' || type === '\0' || type === '7' || type === 'S' ? padded(paxSize ?? octal(header, 124, 12)) : 0;
    if (type === 'S' && header[482] !== 0) [sparseData, passing] = [passing, 0];
    meta = [];
    paxSize = undefined;
    pending = pending.subarray(BLOCK);
    return true;
  };

  return rewritingTransform(
    (chunk, out) => {
      pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
      while (step(out));
    },
    () => {
      if (!ended) throw new Error('truncated tar stream: no end-of-archive blocks');
      return undefined;
    },
  );
}

/** The member's PAX header (the last `x` among its extended headers), if any. */
const paxIndex = (member: TarMember) => member.meta.map((m) => typeOf(m.header)).lastIndexOf('x');

/**
 * Devices into placeholders, before GNU tar extracts the stream: a character or block device
 * (whiteouts, character 0:0, aside) becomes an empty regular file of the same mode, owner and
 * times whose PAX header adds DEVICE_XATTR. Hardlinks to it then link to the placeholder.
 */
export function devicesAsPlaceholders(): Transform {
  return tarMemberRewriter((member) => {
    const { header } = member;
    const type = typeOf(header);
    if (type !== '3' && type !== '4') return member;
    const major = octal(header, 329, 8);
    const minor = octal(header, 337, 8);
    if (type === '3' && major === 0 && minor === 0) return member;
    if (octal(header, 124, 12) !== 0) throw new Error(`the device ${memberName(member)} claims data`);
    const record = paxRecord(DEVICE_RECORD, `${type === '3' ? 'c' : 'b'} ${major} ${minor}`);
    const at = paxIndex(member);
    const meta = [...member.meta];
    if (at === -1) meta.push(paxMeta(paxTemplate(header, memberText(member, [], 'path')), [record]));
    else meta[at] = paxMeta(meta[at].header, [...paxRecords(meta[at].data).map((r) => r.raw), record]);
    const file = Buffer.from(header);
    file[156] = '0'.charCodeAt(0);
    setOctal(file, 329, 8, 0);
    setOctal(file, 337, 8, 0);
    return { meta, header: sealHeader(file) };
  });
}

/** A member's name, or its link target, as GNU tar reads it: a PAX record, else the header's fields. */
function memberText(member: TarMember, pax: ReturnType<typeof paxRecords>, field: 'path' | 'linkpath'): string {
  const record = pax.find((r) => r.key === field);
  if (record) return record.value;
  const h = member.header;
  const text = (offset: number, length: number) => h.toString('utf8', offset, offset + length).replace(/\0.*$/s, '');
  if (field === 'linkpath') return text(157, 100);
  const prefix = h.toString('latin1', 257, 263) === 'ustar\0' ? text(345, 155) : '';
  return prefix ? `${prefix}/${text(0, 100)}` : text(0, 100);
}

/**
 * Placeholders back into devices, as GNU tar archives the store: a member whose PAX header
 * has DEVICE_XATTR loses that record (and the header, when nothing else is left in it) and
 * becomes the device it records. A hardlink to a placeholder becomes that device too, with
 * its xattrs: GNU tar archives every name of a device node as the device, never as a link.
 * The result is what GNU tar writes for the devices themselves.
 */
export function placeholdersAsDevices(): Transform {
  const devices = new Map<string, { device: string; xattrs: Buffer[] }>();
  return tarMemberRewriter((member) => {
    const at = paxIndex(member);
    const records = at === -1 ? [] : paxRecords(member.meta[at].data);
    const type = typeOf(member.header);
    const recorded = records.find((r) => r.key === DEVICE_RECORD);
    const target = type === '1' ? devices.get(memberText(member, records, 'linkpath')) : undefined;
    const device = target?.device ?? recorded?.value;
    if (device === undefined) return member;
    if (type !== '1' && type !== '0' && type !== '\0')
      throw new Error(`${memberName(member)}: a ${DEVICE_XATTR} record on a member that is not a regular file`);
    const match = /^([cb]) (\d+) (\d+)$/.exec(device);
    if (!match) throw new Error(`${memberName(member)}: not a device placeholder (${DEVICE_XATTR}=${JSON.stringify(device)})`);
    if (octal(member.header, 124, 12) !== 0) throw new Error(`the device placeholder ${memberName(member)} holds data`);
    const rest = records.filter((r) => r !== recorded && r.key !== 'linkpath').map((r) => r.raw);
    if (target) rest.push(...target.xattrs);
    else
      devices.set(memberText(member, records, 'path'), {
        device,
        xattrs: records.filter((r) => r !== recorded && r.key.startsWith('SCHILY.xattr.')).map((r) => r.raw),
      });
    const meta = member.meta.filter((m, i) => typeOf(m.header) !== 'K' && i !== at);
    if (rest.length) meta.push(paxMeta(at === -1 ? paxTemplate(member.header, memberText(member, records, 'path')) : member.meta[at].header, rest));
    const header = Buffer.from(member.header);
    header[156] = (match[1] === 'c' ? '3' : '4').charCodeAt(0);
    header.fill(0, 157, 257); // a hardlink's target
    setOctal(header, 329, 8, Number(match[2]));
    setOctal(header, 337, 8, Number(match[3]));
    return { meta, header: sealHeader(header) };
  });
}
