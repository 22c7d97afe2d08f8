/**
 * A corpus of hostile and broken ACIs for the import tests. The tar bytes are built here,
 * header by header (512-byte ustar blocks with real checksums, PAX 'x' records, GNU 'L'/'K'
 * long names), because GNU tar refuses to write most of these members. Compressed variants
 * are made with the system gzip, bzip2, xz and zstd.
 *
 * Every path that tries to escape aims at `canary` (a directory outside the store), so a
 * test can prove that nothing was written there; hardlinks aim at `victim` (a file outside
 * the store) so a test can prove it was not touched.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const BLOCK = 512;

export type MemberType = 'file' | 'hardlink' | 'symlink' | 'char' | 'block' | 'directory' | 'fifo';

const TYPEFLAG: Record<MemberType, string> = {
  file: '0',
  hardlink: '1',
  symlink: '2',
  char: '3',
  block: '4',
  directory: '5',
  fifo: '6',
};

export interface Member {
  /** The name as written into the archive (nothing is normalised). */
  name: string;
  type?: MemberType;
  /** A raw typeflag, overriding `type` (for unsupported types). */
  typeflag?: string;
  data?: Buffer | string;
  /** Target of a symlink or hardlink. */
  linkname?: string;
  mode?: number;
  uid?: number;
  gid?: number;
  mtime?: number;
  devmajor?: number;
  devminor?: number;
  /** PAX records written in an 'x' header before this member. */
  pax?: Record<string, string>;
  /** How a name longer than 100 bytes is stored: a PAX path record (default) or a GNU 'L' header. */
  longName?: 'pax' | 'gnu';
  /** Same for a long link target: PAX linkpath (default) or a GNU 'K' header. */
  longLink?: 'pax' | 'gnu';
  /** Written into the header's name field instead of `name` (when PAX or 'L' carries the real one). */
  headerName?: string;
  /** Written into the header's linkname field instead of `linkname`. */
  headerLinkname?: string;
}

function field(buf: Buffer, offset: number, length: number, value: string): void {
  const bytes = Buffer.from(value, 'utf8');
  if (bytes.length > length) throw new Error(`tar field too long: ${value}`);
  bytes.copy(buf, offset);
}

function octal(buf: Buffer, offset: number, length: number, value: number): void {
  field(buf, offset, length, value.toString(8).padStart(length - 1, '0') + '\0');
}

/** Writes the checksum of a header whose other fields are final. */
export function setChecksum(header: Buffer): void {
  header.fill(0x20, 148, 156);
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += header[i];
  field(header, 148, 8, sum.toString(8).padStart(6, '0') + '\0 ');
}

interface HeaderFields {
  name: string;
  typeflag: string;
  size: number;
  linkname?: string;
  mode?: number;
  uid?: number;
  gid?: number;
  mtime?: number;
  devmajor?: number;
  devminor?: number;
}

/** One 512-byte POSIX ustar header. */
export function ustarHeader(h: HeaderFields): Buffer {
  const b = Buffer.alloc(BLOCK);
  field(b, 0, 100, h.name);
  octal(b, 100, 8, h.mode ?? (h.typeflag === '5' ? 0o755 : 0o644));
  octal(b, 108, 8, h.uid ?? 0);
  octal(b, 116, 8, h.gid ?? 0);
  octal(b, 124, 12, h.size);
  octal(b, 136, 12, h.mtime ?? 1_600_000_000);
  field(b, 156, 1, h.typeflag);
  field(b, 157, 100, h.linkname ?? '');
  field(b, 257, 6, 'ustar\0');
  field(b, 263, 2, '00');
  field(b, 265, 32, 'root');
  field(b, 297, 32, 'root');
  octal(b, 329, 8, h.devmajor ?? 0);
  octal(b, 337, 8, h.devminor ?? 0);
  setChecksum(b);
  return b;
}

function padded(data: Buffer): Buffer {
  const pad = (BLOCK - (data.length % BLOCK)) % BLOCK;
  return pad ? Buffer.concat([data, Buffer.alloc(pad)]) : data;
}

/** The body of a PAX extended header: "LEN key=value\n" records, LEN counting itself. */
export function paxRecords(records: Record<string, string>): Buffer {
  const out: Buffer[] = [];
  for (const [key, value] of Object.entries(records)) {
    const body = ` ${key}=${value}\n`;
    const bodyLength = Buffer.byteLength(body);
    let length = bodyLength + 1;
    while (String(length).length + bodyLength !== length) length = String(length).length + bodyLength;
    out.push(Buffer.from(`${length}${body}`, 'utf8'));
  }
  return Buffer.concat(out);
}

/** A PAX 'x' header with its records. */
export function paxHeader(records: Record<string, string>, name = 'PaxHeaders/entry'): Buffer {
  const body = paxRecords(records);
  return Buffer.concat([ustarHeader({ name, typeflag: 'x', size: body.length }), padded(body)]);
}

/** A GNU 'L' (long name) or 'K' (long link) header carrying `value`. */
export function gnuLongHeader(kind: 'L' | 'K', value: string): Buffer {
  const body = Buffer.from(`${value}\0`, 'utf8');
  return Buffer.concat([ustarHeader({ name: '././@LongLink', typeflag: kind, size: body.length }), padded(body)]);
}

/** All the blocks of one member: extended headers, its header, its data padded to 512. */
export function member(m: Member): Buffer {
  const type = m.type ?? 'file';
  const data = m.data === undefined ? Buffer.alloc(0) : Buffer.from(m.data);
  const pax: Record<string, string> = { ...m.pax };
  const parts: Buffer[] = [];
  const shorten = (s: string) =>
    Buffer.from(s)
      .subarray(0, 99)
      .toString('latin1')
      .replace(/[^\x20-\x7e]/g, '_');
  const longName = Buffer.byteLength(m.name) > 100;
  if (longName) {
    if (m.longName === 'gnu') parts.push(gnuLongHeader('L', m.name));
    else pax.path = m.name;
  }
  const longLink = m.linkname !== undefined && Buffer.byteLength(m.linkname) > 100;
  if (longLink) {
    if (m.longLink === 'gnu') parts.push(gnuLongHeader('K', m.linkname!));
    else pax.linkpath = m.linkname!;
  }
  const name = m.headerName ?? (longName ? shorten(m.name) : m.name);
  const linkname = m.headerLinkname ?? (longLink ? shorten(m.linkname!) : (m.linkname ?? ''));
  if (Object.keys(pax).length > 0) parts.unshift(paxHeader(pax));
  parts.push(
    ustarHeader({
      name,
      typeflag: m.typeflag ?? TYPEFLAG[type],
      size: type === 'file' ? data.length : 0,
      linkname,
      mode: m.mode ?? (type === 'directory' ? 0o755 : type === 'symlink' ? 0o777 : 0o644),
      uid: m.uid,
      gid: m.gid,
      mtime: m.mtime,
      devmajor: m.devmajor,
      devminor: m.devminor,
    }),
  );
  if (type === 'file') parts.push(padded(data));
  return Buffer.concat(parts);
}

/** The end-of-archive marker: two zero blocks. */
export const END_OF_ARCHIVE = Buffer.alloc(2 * BLOCK);

/** A tar archive of `members`, with the end-of-archive marker unless `end` is false. */
export function tarball(members: Member[], opts: { end?: boolean } = {}): Buffer {
  return Buffer.concat([...members.map(member), ...(opts.end === false ? [] : [END_OF_ARCHIVE])]);
}

/** Deterministic pseudo-random bytes (xorshift32), so every run writes the same corpus. */
export function pseudoRandom(length: number, seed = 0x9e3779b9): Buffer {
  const out = Buffer.alloc(length);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out[i] = x & 0xff;
  }
  return out;
}

export function manifestJSON(name: string, extra: object = {}): string {
  return JSON.stringify({ acKind: 'ImageManifest', acVersion: '0.8.11', name, ...extra });
}

/** The members of a small, valid ACI: manifest, a few directories, text and binary files, a symlink. */
export function validMembers(name = 'example.com/hostile-base', opts: { bigFile?: number; extra?: object } = {}): Member[] {
  const members: Member[] = [
    { name: 'manifest', data: manifestJSON(name, opts.extra) },
    { name: 'rootfs/', type: 'directory' },
    { name: 'rootfs/etc/', type: 'directory' },
    { name: 'rootfs/etc/hostname', data: 'hostile-base\n' },
    { name: 'rootfs/etc/keep', data: 'kept by pathWhitelist tests\n' },
    { name: 'rootfs/etc/foo', data: 'foo\n' },
    { name: 'rootfs/etc/sub/', type: 'directory' },
    { name: 'rootfs/etc/sub/other', data: 'other\n' },
    { name: 'rootfs/bin/', type: 'directory' },
    { name: 'rootfs/bin/sh', data: '#!/bin/false\n', mode: 0o755 },
    { name: 'rootfs/bin/ash', type: 'symlink', linkname: 'sh' },
    { name: 'rootfs/usr/', type: 'directory' },
    { name: 'rootfs/usr/share/', type: 'directory' },
    // Text compresses into real multi-symbol blocks; the random part keeps the compressed
    // file large enough that "the middle" is well inside the compressed data.
    { name: 'rootfs/usr/share/words', data: Array.from({ length: 4000 }, (_, i) => `line ${i} of the hostile-input corpus\n`).join('') },
    { name: 'rootfs/usr/share/random.bin', data: pseudoRandom(opts.bigFile ?? 96 * 1024) },
  ];
  return members;
}

export function validAci(name?: string, opts: { bigFile?: number; extra?: object } = {}): Buffer {
  return tarball(validMembers(name, opts));
}

export type CompressionTool = 'gzip' | 'bzip2' | 'xz' | 'zstd';

/** Compresses with the system tool (the way users make compressed ACIs). */
export function compress(data: Buffer, tool: CompressionTool): Buffer {
  const args = tool === 'zstd' ? ['-c', '-q'] : ['-c'];
  const r = spawnSync(tool, args, { input: data, maxBuffer: 1 << 30 });
  if (r.status !== 0) throw new Error(`${tool} failed: ${r.stderr.toString()}`);
  return r.stdout;
}

/** A copy of `data` with `count` bytes inverted from its middle on. */
export function flipMiddle(data: Buffer, count = 16): Buffer {
  const out = Buffer.from(data);
  const start = Math.floor(out.length / 2);
  for (let i = start; i < Math.min(out.length, start + count); i++) out[i] = out[i] ^ 0xff;
  return out;
}

export interface HostileCase {
  name: string;
  file: string;
  /** What the one line on stderr must match. */
  expect: RegExp;
  /** Paths outside the store that must still not exist after the import. */
  mustNotExist?: string[];
}

export interface CorpusOptions {
  /** A directory outside the store: every escaping path aims beneath it. */
  canary: string;
  /** A file outside the store: the target of escaping hardlinks. */
  victim: string;
}

/** A regexp that matches a line containing every one of `parts` (strings are literal). */
export function allOf(...parts: Array<string | RegExp>): RegExp {
  const look = parts.map((p) => `(?=.*${typeof p === 'string' ? p.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&') : p.source})`);
  return new RegExp(`^${look.join('')}`);
}

/** `levels` times "../", enough to reach / from anywhere a store could be. */
function up(levels = 40): string {
  return '../'.repeat(levels);
}

const REFUSED = 'refusing archive entry';
const DOTDOT = /"\.\."|\.\. component/;
const ABSOLUTE = /absolute/;
const OUTSIDE = /outside the rootfs/;
const ONLY = /only "?manifest"? and "?rootfs/;
const TRUNCATED = /truncated|ends in the middle|unexpected end/i;
/** A cut compressed stream: the reason must be said, not only that a tool failed. */
const TRUNCATED_COMPRESSED = /unexpected(ly)? end|ends unexpectedly|premature end|truncated/i;
/** Flipped bytes: caught by the decompressor's check or, earlier, by the tar reader. */
const CORRUPT_COMPRESSED = /\bcorrupt\b|data integrity error|checksum|crc|incorrect data check|invalid (block|distance|code)/i;

/**
 * Writes the corpus into `dir` and returns one case per file. Every case must be refused by
 * `jetpack import` with one line on stderr matching `expect`, leaving the store unchanged.
 */
export function writeHostileCorpus(dir: string, opts: CorpusOptions): HostileCase[] {
  mkdirSync(dir, { recursive: true });
  const { canary, victim } = opts;
  const canaryRel = canary.replace(/^\/+/, '');
  const cases: HostileCase[] = [];
  const add = (name: string, bytes: Buffer, expect: RegExp, mustNotExist?: string[]) => {
    const file = path.join(dir, `${name}.aci`);
    writeFileSync(file, bytes);
    cases.push({ name, file, expect, ...(mustNotExist ? { mustNotExist } : {}) });
  };
  const base = (name = 'example.com/hostile'): Member[] => [
    { name: 'manifest', data: manifestJSON(name) },
    { name: 'rootfs/', type: 'directory' },
    { name: 'rootfs/etc/', type: 'directory' },
    { name: 'rootfs/etc/hostname', data: 'hostile\n' },
  ];
  const withBase = (...extra: Member[]) => tarball([...base(), ...extra]);
  const big = { name: 'rootfs/padding.bin', data: pseudoRandom(3 << 20, 7) } satisfies Member;

  // --- names that climb out or are absolute -------------------------------------------
  add('dotdot-top-level', withBase({ name: '../escape', data: 'pwned\n' }), allOf(REFUSED, '"../escape"', DOTDOT));
  add('dotdot-to-canary', withBase({ name: `${up()}${canaryRel}/escape`, data: 'pwned\n' }), allOf(REFUSED, DOTDOT));
  add('dotdot-in-rootfs', withBase({ name: 'rootfs/../../escape', data: 'pwned\n' }), allOf(REFUSED, '"rootfs/../../escape"', DOTDOT));
  add('dotdot-in-rootfs-to-canary', withBase({ name: `rootfs/${up()}${canaryRel}/escape`, data: 'pwned\n' }), allOf(REFUSED, DOTDOT));
  add('dotdot-first-member', tarball([{ name: `./${up()}${canaryRel}/escape`, data: 'pwned\n' }, ...base()]), allOf(REFUSED, DOTDOT));
  add('absolute-etc', withBase({ name: '/etc/evil', data: 'pwned\n' }), allOf(REFUSED, '"/etc/evil"', ABSOLUTE), ['/etc/evil']);
  add('absolute-to-canary', withBase({ name: `${canary}/evil`, data: 'pwned\n' }), allOf(REFUSED, ABSOLUTE));
  add('absolute-rootfs', withBase({ name: '/rootfs/x', data: 'pwned\n' }), allOf(REFUSED, '"/rootfs/x"', ABSOLUTE));
  add('absolute-directory', withBase({ name: `${canary}/dir/`, type: 'directory' }), allOf(REFUSED, ABSOLUTE));
  add(
    'pax-long-path-dotdot',
    withBase({ name: `rootfs/${'deep/'.repeat(30)}${up(70)}${canaryRel}/escape`, headerName: 'rootfs/innocent', data: 'pwned\n' }),
    allOf(REFUSED, DOTDOT),
  );
  add(
    'pax-path-absolute',
    withBase({ name: `${canary}/evil`, headerName: 'rootfs/innocent', pax: { path: `${canary}/evil` }, data: 'pwned\n' }),
    allOf(REFUSED, ABSOLUTE),
  );
  add(
    'gnu-longname-dotdot',
    withBase({ name: `rootfs/${'deep/'.repeat(30)}${up(70)}${canaryRel}/escape`, longName: 'gnu', data: 'pwned\n' }),
    allOf(REFUSED, DOTDOT),
  );

  // --- symlinks ----------------------------------------------------------------------------
  add(
    'symlink-relative-escape',
    withBase({ name: 'rootfs/a', type: 'symlink', linkname: `${up()}${canaryRel}` }, { name: 'rootfs/a/pwned', data: 'pwned\n' }),
    allOf(REFUSED, '"rootfs/a"', OUTSIDE),
  );
  add('symlink-one-level-out', withBase({ name: 'rootfs/a', type: 'symlink', linkname: '../manifest' }), allOf(REFUSED, '"rootfs/a"', OUTSIDE));
  add(
    'symlink-nested-escape',
    withBase({ name: 'rootfs/etc/a', type: 'symlink', linkname: '../../x' }, { name: 'rootfs/etc/a/pwned', data: 'pwned\n' }),
    allOf(REFUSED, '"rootfs/etc/a"', OUTSIDE),
  );
  add(
    'symlink-long-pax-linkpath-escape',
    withBase({ name: 'rootfs/a', type: 'symlink', linkname: `${up(60)}${canaryRel}`, headerLinkname: 'etc' }, { name: 'rootfs/a/pwned', data: 'pwned\n' }),
    allOf(REFUSED, '"rootfs/a"', OUTSIDE),
  );
  add(
    'symlink-gnu-longlink-escape',
    withBase({ name: 'rootfs/a', type: 'symlink', linkname: `${up(60)}${canaryRel}`, longLink: 'gnu' }, { name: 'rootfs/a/pwned', data: 'pwned\n' }),
    allOf(REFUSED, '"rootfs/a"', OUTSIDE),
  );
  add(
    'symlink-absolute-then-child',
    withBase({ name: 'rootfs/b', type: 'symlink', linkname: canary }, { name: 'rootfs/b/pwned', data: 'pwned\n' }),
    allOf(REFUSED, '"rootfs/b/pwned"', /beneath the symlink/),
  );
  // The symlink reaches GNU tar (a megabyte chunk earlier) before the child is refused.
  add(
    'symlink-absolute-then-child-far-apart',
    withBase({ name: 'rootfs/b', type: 'symlink', linkname: canary }, big, { name: 'rootfs/b/pwned', data: 'pwned\n' }),
    allOf(REFUSED, '"rootfs/b/pwned"', /beneath the symlink/),
  );
  add(
    'symlink-absolute-then-grandchild-dir',
    withBase(
      { name: 'rootfs/b', type: 'symlink', linkname: canary },
      { name: 'rootfs/b/sub/', type: 'directory' },
      { name: 'rootfs/b/sub/pwned', data: 'pwned\n' },
    ),
    allOf(REFUSED, '"rootfs/b/sub/"', /beneath the symlink/),
  );
  add(
    'symlink-chain-then-child',
    withBase(
      { name: 'rootfs/b', type: 'symlink', linkname: canary },
      { name: 'rootfs/c', type: 'symlink', linkname: 'b' },
      { name: 'rootfs/c/pwned', data: 'pwned\n' },
    ),
    allOf(REFUSED, '"rootfs/c/pwned"', /beneath the symlink/),
  );
  // The same member spelled with "./" or "//": the checker must see through the spelling.
  add(
    'symlink-then-child-dot-spelling',
    withBase({ name: 'rootfs/b', type: 'symlink', linkname: canary }, { name: 'rootfs/./b/pwned', data: 'pwned\n' }),
    allOf(REFUSED, /"rootfs\/(\.\/)?b(\/pwned)?"/),
  );
  add(
    'symlink-then-child-double-slash',
    withBase({ name: 'rootfs/b', type: 'symlink', linkname: canary }, { name: 'rootfs//b/pwned', data: 'pwned\n' }),
    allOf(REFUSED, /"rootfs\/\/?b(\/pwned)?"/),
  );
  add(
    'symlink-dot-spelling-then-child',
    withBase({ name: 'rootfs/./b', type: 'symlink', linkname: canary }, { name: 'rootfs/b/pwned', data: 'pwned\n' }),
    allOf(REFUSED, /"rootfs\/(\.\/)?b(\/pwned)?"/),
  );
  add(
    'hardlink-to-symlink-then-child',
    withBase(
      { name: 'rootfs/b', type: 'symlink', linkname: canary },
      { name: 'rootfs/h', type: 'hardlink', linkname: 'rootfs/b' },
      { name: 'rootfs/h/pwned', data: 'pwned\n' },
    ),
    allOf(REFUSED, /"rootfs\/h(\/pwned)?"/),
  );
  add(
    'rootfs-is-symlink',
    tarball([
      { name: 'manifest', data: manifestJSON('example.com/hostile') },
      { name: 'rootfs', type: 'symlink', linkname: canary },
      { name: 'rootfs/pwned', data: 'pwned\n' },
    ]),
    allOf(REFUSED, '"rootfs"', /directory/),
  );
  add(
    'rootfs-is-file',
    tarball([
      { name: 'manifest', data: manifestJSON('example.com/hostile') },
      { name: 'rootfs', data: 'not a dir\n' },
    ]),
    allOf(REFUSED, '"rootfs"', /directory/),
  );

  // --- hardlinks ---------------------------------------------------------------------------
  add(
    'hardlink-absolute-etc-passwd',
    withBase({ name: 'rootfs/h', type: 'hardlink', linkname: '/etc/passwd' }),
    allOf(REFUSED, '"rootfs/h"', '/etc/passwd', OUTSIDE),
  );
  add(
    'hardlink-absolute-victim-then-write',
    withBase({ name: 'rootfs/h', type: 'hardlink', linkname: victim }, { name: 'rootfs/h', data: 'pwned\n' }),
    allOf(REFUSED, '"rootfs/h"', OUTSIDE),
  );
  add('hardlink-dotdot', withBase({ name: 'rootfs/h', type: 'hardlink', linkname: 'rootfs/../x' }), allOf(REFUSED, '"rootfs/h"', OUTSIDE));
  add(
    'hardlink-dotdot-to-victim',
    withBase({ name: 'rootfs/h', type: 'hardlink', linkname: `rootfs/${up()}${victim.replace(/^\/+/, '')}` }),
    allOf(REFUSED, '"rootfs/h"', OUTSIDE),
  );
  add('hardlink-to-manifest', withBase({ name: 'rootfs/h', type: 'hardlink', linkname: 'manifest' }), allOf(REFUSED, '"rootfs/h"', OUTSIDE));
  add(
    'hardlink-forward-reference',
    withBase({ name: 'rootfs/h', type: 'hardlink', linkname: 'rootfs/later' }, { name: 'rootfs/later', data: 'later\n' }),
    allOf(REFUSED, '"rootfs/h"', /not an earlier entry/),
  );
  add(
    'hardlink-to-missing',
    withBase({ name: 'rootfs/h', type: 'hardlink', linkname: 'rootfs/nowhere' }),
    allOf(REFUSED, '"rootfs/h"', /not an earlier entry/),
  );
  add('hardlink-to-directory', withBase({ name: 'rootfs/h', type: 'hardlink', linkname: 'rootfs/etc' }), allOf(REFUSED, '"rootfs/h"', /director/));
  add(
    'hardlink-pax-linkpath-absolute',
    withBase({ name: 'rootfs/h', type: 'hardlink', linkname: victim, headerLinkname: 'rootfs/etc/hostname', pax: { linkpath: victim } }),
    allOf(REFUSED, '"rootfs/h"', OUTSIDE),
  );

  // --- members besides manifest and rootfs/ ---------------------------------------------
  add('extra-top-level-file', withBase({ name: 'other', data: 'other\n' }), allOf(REFUSED, '"other"', ONLY));
  add('extra-top-level-tree', withBase({ name: 'rootfs2/', type: 'directory' }, { name: 'rootfs2/x', data: 'x\n' }), allOf(REFUSED, '"rootfs2/"', ONLY));
  add('extra-top-level-rootfs-prefix', withBase({ name: 'rootfs2/x', data: 'x\n' }), allOf(REFUSED, '"rootfs2/x"', ONLY));
  add('extra-top-level-symlink', withBase({ name: 'lib', type: 'symlink', linkname: canary }), allOf(REFUSED, '"lib"', ONLY));

  // --- the manifest ------------------------------------------------------------------------
  add(
    'manifest-symlink',
    tarball([
      { name: 'rootfs/', type: 'directory' },
      { name: 'rootfs/m', data: manifestJSON('example.com/hostile') },
      { name: 'manifest', type: 'symlink', linkname: 'rootfs/m' },
    ]),
    allOf(REFUSED, '"manifest"', /regular file/),
  );
  add(
    'manifest-hardlink',
    tarball([
      { name: 'rootfs/', type: 'directory' },
      { name: 'rootfs/m', data: manifestJSON('example.com/hostile') },
      { name: 'manifest', type: 'hardlink', linkname: 'rootfs/m' },
    ]),
    allOf(REFUSED, '"manifest"', /regular file/),
  );
  add(
    'manifest-directory',
    tarball([
      { name: 'manifest/', type: 'directory' },
      { name: 'manifest/x', data: '{}' },
      { name: 'rootfs/', type: 'directory' },
    ]),
    allOf(REFUSED, '"manifest/"', /regular file/),
  );
  add('manifest-missing', tarball(base().slice(1)), /no "?manifest"? entry|missing.*manifest|manifest.*missing/);
  add(
    'rootfs-missing',
    tarball([{ name: 'manifest', data: manifestJSON('example.com/hostile-no-rootfs') }]),
    /not an ACI: the archive has no "rootfs" directory/,
  );
  add(
    'rootfs-is-a-file',
    tarball([
      { name: 'manifest', data: manifestJSON('example.com/hostile-rootfs-file') },
      { name: 'rootfs', data: 'x\n' },
    ]),
    allOf(REFUSED, '"rootfs"', /must be a directory/),
  );
  add('empty-tar-archive', END_OF_ARCHIVE, /no "?manifest"? entry|empty/i);
  add('manifest-duplicate', withBase({ name: 'manifest', data: manifestJSON('example.com/other') }), allOf(REFUSED, '"manifest"', /duplicate/));
  add(
    'manifest-duplicate-dot-slash',
    withBase({ name: './manifest', data: manifestJSON('example.com/other') }),
    allOf(REFUSED, /"(\.\/)?manifest"/, /duplicate/),
  );
  add('manifest-invalid-json', tarball([{ name: 'manifest', data: '{"acKind": "ImageManifest", ' }, ...base().slice(1)]), allOf(/manifest/, /JSON/));
  add('manifest-empty', tarball([{ name: 'manifest', data: '' }, ...base().slice(1)]), allOf(/manifest/, /JSON|empty/));
  add(
    'manifest-bad-name',
    tarball([{ name: 'manifest', data: manifestJSON('Not A Valid/Name!') }, ...base().slice(1)]),
    allOf(/manifest/, /\bname\b/, 'Not A Valid/Name!'),
  );
  add(
    'manifest-over-limit',
    tarball([
      { name: 'manifest', data: manifestJSON('example.com/huge', { annotations: [{ name: 'pad', value: 'x'.repeat((1 << 20) + 1) }] }) },
      ...base().slice(1),
    ]),
    allOf(/manifest/, /limit|too large|larger/),
  );

  // --- duplicates, devices, xattrs, types -------------------------------------------------
  add('duplicate-file', withBase({ name: 'rootfs/etc/hostname', data: 'again\n' }), allOf(REFUSED, '"rootfs/etc/hostname"', /duplicate/));
  add('duplicate-directory-then-file', withBase({ name: 'rootfs/etc', data: 'file now\n' }), allOf(REFUSED, '"rootfs/etc"', /duplicate/));
  add(
    'duplicate-dot-spelling',
    withBase({ name: 'rootfs/./etc/hostname', data: 'again\n' }),
    allOf(REFUSED, /"rootfs\/(\.\/)?etc\/hostname"/, /duplicate|canonical/),
  );
  add(
    'whiteout-char-device-0-0',
    withBase({ name: 'rootfs/etc/gone', type: 'char', devmajor: 0, devminor: 0 }),
    allOf(REFUSED, '"rootfs/etc/gone"', /0:0|whiteout/),
  );
  add(
    'xattr-overlay-opaque',
    withBase({ name: 'rootfs/opaque/', type: 'directory', pax: { 'SCHILY.xattr.trusted.overlay.opaque': 'y' } }),
    allOf(REFUSED, '"rootfs/opaque/"', 'trusted.overlay.opaque'),
  );
  add(
    'xattr-overlay-redirect',
    withBase({ name: 'rootfs/moved/', type: 'directory', pax: { 'SCHILY.xattr.trusted.overlay.redirect': '/etc' } }),
    allOf(REFUSED, '"rootfs/moved/"', 'trusted.overlay.redirect'),
  );
  add(
    'xattr-overlay-opaque-on-rootfs',
    tarball([
      { name: 'manifest', data: manifestJSON('example.com/hostile') },
      { name: 'rootfs/', type: 'directory', pax: { 'SCHILY.xattr.trusted.overlay.opaque': 'y' } },
      { name: 'rootfs/etc/', type: 'directory' },
    ]),
    allOf(REFUSED, '"rootfs/"', 'trusted.overlay.opaque'),
  );
  add('unsupported-type-volume-label', withBase({ name: 'rootfs/label', typeflag: 'V' }), allOf(/rootfs\/label/, /unsupported|type/));

  // --- truncated and corrupt tar (uncompressed) --------------------------------------------
  const valid = tarball(validMembers('example.com/hostile-truncated'));
  const words = valid.indexOf('line 0 of the hostile-input corpus');
  add('truncated-in-file-data', valid.subarray(0, words + 1000), TRUNCATED);
  add('truncated-in-header', valid.subarray(0, 512 + 512 + 200), TRUNCATED);
  add('truncated-at-block-boundary', valid.subarray(0, valid.length - END_OF_ARCHIVE.length - 512 * 4), TRUNCATED);
  add('truncated-no-end-marker', tarball(validMembers('example.com/hostile-truncated'), { end: false }), /truncated|end-of-archive|end of archive/i);
  const badSum = Buffer.from(valid);
  const second = 512 * Math.ceil((512 + Buffer.byteLength(manifestJSON('example.com/hostile-truncated'))) / 512);
  badSum[second + 148] = '7'.charCodeAt(0); // the rootfs/ header: its checksum no longer adds up
  add('bad-header-checksum', badSum, /checksum/);
  const firstBad = Buffer.from(valid);
  firstBad[3] ^= 0x20;
  add('bad-checksum-first-header', firstBad, /checksum|not a tar/);
  const badSize = Buffer.from(valid);
  badSize.write('9x9x9x9x9x9\0', 124, 'latin1');
  setChecksum(badSize.subarray(0, 512));
  add('bad-size-field', badSize, /corrupt|size/);
  // A bad numeric field whose bytes are a newline and a terminal escape sequence: the error
  // line must not carry them to the terminal raw.
  const escapes = Buffer.from(valid);
  escapes.write('0\n\x1b[2J5\0', second + 100, 'latin1');
  setChecksum(escapes.subarray(second, second + 512));
  add('control-chars-in-bad-field', escapes, /corrupt|mode/);
  add('garbage', pseudoRandom(64 * 1024, 12345), /not a tar archive|corrupt|checksum/i);
  add('text-file', Buffer.from('this is not an ACI\n'.repeat(100)), /not a tar archive|corrupt|checksum/i);
  add('empty-file', Buffer.alloc(0), /empty|truncated|not a tar|not an ACI/i);
  add('zero-padding-only-short', Buffer.alloc(300), /empty|truncated|not a tar|not an ACI/i);

  // --- compressed ----------------------------------------------------------------------------
  for (const tool of ['gzip', 'bzip2', 'xz', 'zstd'] as const) {
    const packed = compress(valid, tool);
    add(`${tool}-truncated`, packed.subarray(0, Math.floor(packed.length / 2)), TRUNCATED_COMPRESSED);
    add(`${tool}-truncated-tail`, packed.subarray(0, packed.length - 6), TRUNCATED_COMPRESSED);
    add(`${tool}-corrupted`, flipMiddle(packed), CORRUPT_COMPRESSED);
    add(`${tool}-dotdot-inside`, compress(withBase({ name: 'rootfs/../../escape', data: 'pwned\n' }), tool), allOf(REFUSED, DOTDOT));
  }
  add('gzip-of-gzip', compress(compress(valid, 'gzip'), 'gzip'), /not a tar archive|corrupt|checksum/i);
  add('gzip-of-truncated-tar', compress(valid.subarray(0, words + 1000), 'gzip'), TRUNCATED);
  return cases;
}

export interface ControlArchive {
  name: string;
  file: string;
}

/**
 * Benign twins of the corpus, which import must accept: they show that the hostile cases
 * are refused for their hostile part and not for a defect of this generator. The valid
 * ACI behind the truncated and corrupted cases is here in every compression.
 */
export function writeControlArchives(dir: string, opts: Pick<CorpusOptions, 'canary'>): ControlArchive[] {
  mkdirSync(dir, { recursive: true });
  const out: ControlArchive[] = [];
  const add = (name: string, bytes: Buffer) => {
    const file = path.join(dir, `${name}.aci`);
    writeFileSync(file, bytes);
    out.push({ name, file });
  };
  add(
    'hostile-base-only',
    tarball([
      { name: 'manifest', data: manifestJSON('example.com/control-base') },
      { name: 'rootfs/', type: 'directory' },
      { name: 'rootfs/etc/', type: 'directory' },
      { name: 'rootfs/etc/hostname', data: 'hostile\n' },
    ]),
  );
  // Absolute symlinks are legal in a rootfs (they resolve inside it at run time), and so are
  // relative ones that stay inside, hardlinks to earlier files and ordinary devices.
  add(
    'legal-links-and-devices',
    tarball([
      { name: './manifest', data: manifestJSON('example.com/control-links') },
      { name: 'rootfs/', type: 'directory' },
      { name: 'rootfs/etc/', type: 'directory' },
      { name: 'rootfs/etc/hostname', data: 'links\n' },
      { name: 'rootfs/b', type: 'symlink', linkname: opts.canary },
      { name: 'rootfs/etc/up', type: 'symlink', linkname: '../etc/hostname' },
      { name: 'rootfs/h', type: 'hardlink', linkname: 'rootfs/etc/hostname' },
      { name: 'rootfs/null', type: 'char', devmajor: 1, devminor: 3, mode: 0o666 },
      { name: 'rootfs/user-xattr', data: 'x', pax: { 'SCHILY.xattr.user.comment': 'fine' } },
    ]),
  );
  const valid = tarball(validMembers('example.com/hostile-truncated'));
  add('valid-none', valid);
  for (const tool of ['gzip', 'bzip2', 'xz', 'zstd'] as const) add(`valid-${tool}`, compress(valid, tool));
  return out;
}

/**
 * An ACI that depends on `baseName` and whose own rootfs makes `etc` an absolute symlink to
 * `canary`, with a pathWhitelist that keeps only paths beneath etc: whiteouts for what the
 * dependency has beneath etc must not be created through the symlink.
 */
export function whitelistThroughSymlinkAci(baseName: string, canary: string, keep: string[]): Buffer {
  return tarball([
    { name: 'manifest', data: manifestJSON('example.com/whitelist-symlink', { dependencies: [{ imageName: baseName }], pathWhitelist: keep }) },
    { name: 'rootfs/', type: 'directory' },
    { name: 'rootfs/etc', type: 'symlink', linkname: canary },
  ]);
}
