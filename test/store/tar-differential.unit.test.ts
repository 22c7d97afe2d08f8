/**
 * One header parser truth: jetpack's member check (TarReader) and GNU tar must see the same
 * members in every archive, or the check must refuse it. The corpus is made by GNU tar itself
 * in every format it writes (old GNU sparse with extension blocks, PAX sparse 0.0/0.1/1.0,
 * long names and links, base-256 numbers, multi-volume) plus hand-made headers GNU tar reads
 * in ways a naive parser does not.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { normalizeName, TarReader, type TarEntry } from '../../src/archive/tar-reader.js';
import { removeDir, sh, tempDir } from '../helpers/cli.js';
import { END_OF_ARCHIVE, paxHeader, setChecksum, tarball, ustarHeader } from '../helpers/hostile-archives.js';

const work = tempDir('jetpack-tar-diff-');
const tree = path.join(work, 'tree');
const corpus = path.join(work, 'corpus');
mkdirSync(corpus);

const LONG_DIR = `long/${'d'.repeat(60)}/${'e'.repeat(60)}`;
// A tree with every member kind, a sparse file whose map needs old-GNU extension blocks (more
// than 4 regions) followed by a device, a sparse file over 8 GiB (base-256 sizes), long names
// and link targets, and an owner beyond the octal field (base-256 uid).
sh(`
  set -e
  mkdir -p ${tree}/${LONG_DIR} ${tree}/dir
  cd ${tree}
  echo hello > dir/a
  truncate -s 64M dir/sparse
  for i in $(seq 1 30); do printf x | dd of=dir/sparse bs=1 seek=$((i * 2000000)) conv=notrunc status=none; done
  mknod dir/zz-char c 1 3
  mknod dir/zz-block b 7 0
  mkfifo dir/zz-fifo
  truncate -s 9G huge-sparse
  printf end | dd of=huge-sparse bs=1 seek=$((9 * 1024 * 1024 * 1024 - 3)) conv=notrunc status=none
  echo long > ${LONG_DIR}/file-with-a-long-name
  ln -s ../${LONG_DIR}/file-with-a-long-name dir/long-link
  ln ${LONG_DIR}/file-with-a-long-name dir/hardlink
  echo owner > dir/big-owner
  chown 3000000:3000001 dir/big-owner
`);

const generated: string[] = [];
for (const [name, args] of [
  ['gnu', ['--format=gnu']],
  ['oldgnu', ['--format=oldgnu']],
  ['posix-0.0', ['--format=posix', '--sparse-version=0.0']],
  ['posix-0.1', ['--format=posix', '--sparse-version=0.1']],
  ['posix-1.0', ['--format=posix', '--sparse-version=1.0']],
] as const) {
  const file = path.join(corpus, `${name}.tar`);
  sh(`tar -c -f ${file} --sparse --numeric-owner --sort=name -C ${tree} ${args.join(' ')} .`);
  generated.push(file);
}
// A multi-volume archive: the second volume opens with a continued ('M') member.
sh(`head -c 300000 /dev/urandom > ${tree}/dir/random && cd ${tree} && tar -c -M -L 200 -f ${corpus}/mv1.tar -f ${corpus}/mv2.tar dir/random`);

interface Listing {
  ok: boolean;
  members: string[];
  why: string;
}

/** One line per member, in what both tools print: kind, owner, size or device, name, link. */
function line(kind: string, uid: number, gid: number, size: string, name: string, link: string): string {
  return `${kind} ${uid}/${gid} ${size} ${normalizeName(name)}${link ? ` -> ${link}` : ''}`;
}

const KIND: Record<TarEntry['type'], string> = { file: '-', hardlink: 'h', symlink: 'l', char: 'c', block: 'b', directory: 'd', fifo: 'p' };

function ours(file: string): Listing {
  const members: string[] = [];
  const reader = new TarReader({
    onEntry: (e) => {
      const size = e.type === 'char' || e.type === 'block' ? `${e.devmajor},${e.devminor}` : String(e.type === 'file' ? e.size : 0);
      members.push(line(KIND[e.type], e.uid, e.gid, size, e.rawPath, e.type === 'hardlink' ? normalizeName(e.linkpath) : e.linkpath));
    },
  });
  try {
    reader.write(readFileSync(file));
    reader.end();
    return { ok: true, members, why: '' };
  } catch (err) {
    return { ok: false, members, why: (err as Error).message };
  }
}

function gnu(file: string): Listing {
  const r = spawnSync('tar', ['-t', '-v', '--numeric-owner', '--quoting-style=literal', '-f', file], { encoding: 'utf8' });
  const members = r.stdout
    .split('\n')
    .filter(Boolean)
    .map((l) => {
      const m = /^(.)\S{9} (\d+)\/(\d+)\s+(\S+) \S+ \S+ (.*)$/.exec(l);
      if (!m) return `unparsed: ${l}`;
      const [, kind, uid, gid, size, rest] = m;
      const [name, link] = kind === 'h' ? rest.split(' link to ') : kind === 'l' ? rest.split(' -> ') : [rest, ''];
      return line(kind, Number(uid), Number(gid), kind === 'h' || kind === 'l' || kind === 'p' ? '0' : size, name, kind === 'h' ? normalizeName(link) : link);
    });
  return { ok: r.status === 0, members, why: r.stderr.trim() };
}

function agreeOrRefuse(file: string): Listing {
  const mine = ours(file);
  const theirs = gnu(file);
  if (mine.ok) {
    assert.ok(theirs.ok, `${path.basename(file)}: the check accepts what GNU tar fails on: ${theirs.why}`);
    assert.equal(mine.members, theirs.members, `${path.basename(file)}: the check and GNU tar see different members`);
  }
  return mine;
}

test('every archive GNU tar writes is accepted and read as GNU tar reads it', () => {
  for (const file of generated) {
    const mine = agreeOrRefuse(file);
    assert.ok(mine.ok, `${path.basename(file)} refused: ${mine.why}`);
    assert.ok(
      mine.members.some((m) => m.startsWith('c 0/0 1,3 dir/zz-char')),
      `${path.basename(file)}: the device after the sparse file is seen`,
    );
    assert.ok(
      mine.members.some((m) => m.includes(` ${9 * 2 ** 30} huge-sparse`)),
      `${path.basename(file)}: the 9 GiB sparse file is seen at its full size`,
    );
  }
});

test('a multi-volume continuation is refused', () => {
  const mine = agreeOrRefuse(path.join(corpus, 'mv2.tar'));
  assert.not.ok(mine.ok);
  assert.match(mine.why, /unsupported tar entry type "M"/);
});

/** Hand-made archives: each is either read as GNU tar reads it or refused with `why`. */
const crafted: Array<{ name: string; bytes: Buffer; why?: RegExp }> = [];
const hidden = ustarHeader({ name: 'hidden-char', typeflag: '3', size: 0, devmajor: 1, devminor: 3 });
crafted.push({
  name: 'a symlink whose claimed data holds a device header (GNU tar skips it)',
  bytes: Buffer.concat([ustarHeader({ name: 'link', typeflag: '2', size: 512, linkname: 'target' }), hidden, END_OF_ARCHIVE]),
  why: /symlink "link" claims 512 bytes/,
});
crafted.push({
  name: 'a FIFO claiming data',
  bytes: Buffer.concat([ustarHeader({ name: 'fifo', typeflag: '6', size: 512 }), hidden, END_OF_ARCHIVE]),
  why: /fifo "fifo" claims 512 bytes/,
});
crafted.push({
  name: 'a regular file named like a directory (GNU tar makes a directory)',
  bytes: Buffer.concat([ustarHeader({ name: 'looks-like-dir/', typeflag: '0', size: 512 }), hidden, END_OF_ARCHIVE]),
  why: /named like a directory/,
});
crafted.push({
  name: 'a PAX size in hexadecimal',
  bytes: Buffer.concat([paxHeader({ size: '0x200' }), ustarHeader({ name: 'file', typeflag: '0', size: 0 }), hidden, END_OF_ARCHIVE]),
  why: /bad PAX size "0x200"/,
});
crafted.push({
  name: 'a global PAX header renaming every member',
  bytes: Buffer.concat(
    [paxHeader({ path: 'renamed' }, 'pax_global_header').fill(0x67, 156, 157), tarball([{ name: 'a', data: 'x' }])].map((b, i) =>
      i === 0 ? fixChecksum(b) : b,
    ),
  ),
  why: /global PAX header sets path/,
});
crafted.push({
  name: 'device numbers in PAX records unlike the header (GNU tar versions differ on which wins)',
  bytes: Buffer.concat([
    paxHeader({ 'SCHILY.devmajor': '0', 'SCHILY.devminor': '0' }),
    ustarHeader({ name: 'dev', typeflag: '3', size: 0, devmajor: 1, devminor: 3 }),
    END_OF_ARCHIVE,
  ]),
  why: /two devmajor numbers/,
});
crafted.push({
  name: 'device numbers in PAX records like the header',
  bytes: Buffer.concat([
    paxHeader({ 'SCHILY.devmajor': '1', 'SCHILY.devminor': '3' }),
    ustarHeader({ name: 'dev', typeflag: '3', size: 0, devmajor: 1, devminor: 3 }),
    END_OF_ARCHIVE,
  ]),
});
crafted.push({
  name: 'a path record with a NUL byte',
  bytes: Buffer.concat([paxHeader({ path: 'ok\0/../../escape' }), ustarHeader({ name: 'x', typeflag: '0', size: 0 }), END_OF_ARCHIVE]),
  why: /NUL byte/,
});
crafted.push({
  name: 'a negative base-256 size',
  bytes: withField(ustarHeader({ name: 'neg', typeflag: '0', size: 0 }), 124, Buffer.from([...Array<number>(11).fill(0xff), 0xfe])),
  why: /negative size/,
});
crafted.push({
  name: 'a base-256 size beyond 2^53',
  bytes: withField(ustarHeader({ name: 'big', typeflag: '0', size: 0 }), 124, Buffer.from([0x80, 0x7f, ...Array<number>(10).fill(0xff)])),
  why: /size field out of range/,
});
crafted.push({
  name: 'a blank size field',
  bytes: withField(ustarHeader({ name: 'blank', typeflag: '0', size: 0 }), 124, Buffer.alloc(12, 0x20)),
  why: /blank size field/,
});
crafted.push({
  name: 'a PAX sparse record on a plain file',
  bytes: Buffer.concat([paxHeader({ 'GNU.sparse.realsize': '999999' }), ustarHeader({ name: 'f', typeflag: '0', size: 0 }), END_OF_ARCHIVE]),
  why: /sparse records GNU tar may read otherwise/,
});
for (const flag of ['V', 'N', 'D', 'M', 'A']) {
  crafted.push({
    name: `type ${flag}`,
    bytes: Buffer.concat([ustarHeader({ name: 'x', typeflag: flag, size: 0 }), END_OF_ARCHIVE]),
    why: new RegExp(`unsupported tar entry type "${flag}"`),
  });
}
crafted.push({
  name: 'long names and links by GNU L/K and PAX',
  bytes: tarball([
    { name: `${'n'.repeat(150)}`, data: 'x', longName: 'gnu' },
    { name: `p/${'q'.repeat(150)}`, data: 'y' },
    { name: 'sl', type: 'symlink', linkname: 'l'.repeat(150), longLink: 'gnu' },
  ]),
});

function withField(header: Buffer, offset: number, value: Buffer): Buffer {
  value.copy(header, offset);
  return Buffer.concat([fixChecksum(header), END_OF_ARCHIVE]);
}

function fixChecksum(header: Buffer): Buffer {
  setChecksum(header.subarray(0, 512));
  return header;
}

test('hand-made header forms: read as GNU tar reads them, or refused', () => {
  for (const c of crafted) {
    const file = path.join(corpus, `crafted-${crafted.indexOf(c)}.tar`);
    writeFileSync(file, c.bytes);
    const mine = agreeOrRefuse(file);
    if (c.why) {
      assert.not.ok(mine.ok, `${c.name}: accepted`);
      assert.match(mine.why, c.why, c.name);
    } else {
      assert.ok(mine.ok, `${c.name}: refused: ${mine.why}`);
    }
  }
  assert.ok(readdirSync(corpus).length > crafted.length);
});

test.after(() => removeDir(work));
test.run();
