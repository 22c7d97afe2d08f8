/** Device nodes as placeholders in a user namespace, and back (src/archive/device-placeholders.ts). */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Transform } from 'node:stream';
import { DEVICE_XATTR, devicesAsPlaceholders, placeholdersAsDevices } from '../../src/archive/device-placeholders.js';
import { TarReader, type TarEntry } from '../../src/archive/tar-reader.js';
import { removeDir, tempDir } from '../helpers/cli.js';
import { tarball, type Member } from '../helpers/hostile-archives.js';

const dir = tempDir('jetpack-device-placeholders-');

async function through(transform: Transform, input: Buffer): Promise<Buffer> {
  const out: Buffer[] = [];
  // Fed in two pieces, the first ending inside a header, as a pipe may hand them over.
  await pipeline(
    Readable.from([input.subarray(0, 700), input.subarray(700)]),
    transform,
    new Writable({
      write(chunk: Buffer, _enc, done) {
        out.push(chunk);
        done();
      },
    }),
  );
  return Buffer.concat(out);
}

function entries(archive: Buffer): TarEntry[] {
  const list: TarEntry[] = [];
  const reader = new TarReader({ onEntry: (e) => list.push(e) });
  reader.write(archive);
  reader.end();
  return list;
}

const shape = (e: TarEntry) => ({
  path: e.path,
  type: e.type,
  mode: e.mode,
  uid: e.uid,
  gid: e.gid,
  mtime: e.mtime,
  dev: `${e.devmajor}:${e.devminor}`,
  xattrs: [...e.xattrs],
});

const LONG = `dev/${'d'.repeat(120)}`;
const GNU_LONG = `dev/${'g'.repeat(120)}`;
const DEVICES: Member[] = [
  { name: './', type: 'directory' },
  { name: './dev/', type: 'directory' },
  { name: './dev/null', type: 'char', mode: 0o666, uid: 0, gid: 5, mtime: 1700000000, devmajor: 1, devminor: 3 },
  { name: './dev/loop0', type: 'block', mode: 0o660, uid: 0, gid: 6, mtime: 1700000000, devmajor: 7, devminor: 0 },
  { name: './dev/gone', type: 'char', devmajor: 0, devminor: 0 },
  { name: './dev/fifo', type: 'fifo' },
  { name: `./${LONG}`, type: 'char', devmajor: 4, devminor: 1, pax: { path: `./${LONG}`, 'SCHILY.xattr.security.selinux': 'x' } },
  { name: `./${GNU_LONG}`, type: 'char', devmajor: 5, devminor: 1, longName: 'gnu', headerName: 'long' },
  { name: './etc/hostname', data: 'box\n' },
];

test('devices become empty files recording them; whiteouts, FIFOs, files and other records stay as they are', async () => {
  const out = await through(devicesAsPlaceholders(), tarball(DEVICES));
  assert.is(out.length % 10240, 0, 'ends on a whole record, as GNU tar');
  const got = new Map(entries(out).map((e) => [e.path, shape(e)]));
  const before = new Map(entries(tarball(DEVICES)).map((e) => [e.path, shape(e)]));
  assert.equal(got.get('dev/null'), { ...before.get('dev/null')!, type: 'file', dev: '0:0', xattrs: [[DEVICE_XATTR, 'c 1 3']] });
  assert.equal(got.get('dev/loop0'), { ...before.get('dev/loop0')!, type: 'file', dev: '0:0', xattrs: [[DEVICE_XATTR, 'b 7 0']] });
  assert.equal(got.get(LONG), {
    ...before.get(LONG)!,
    type: 'file',
    dev: '0:0',
    xattrs: [
      ['security.selinux', 'x'],
      [DEVICE_XATTR, 'c 4 1'],
    ],
  });
  for (const same of ['dev/gone', 'dev/fifo', 'etc/hostname', 'dev', '']) assert.equal(got.get(same), before.get(same), same);
  assert.equal(got.get(GNU_LONG)!.xattrs, [[DEVICE_XATTR, 'c 5 1']], "after a GNU 'L' name");
  // GNU tar reads what jetpack writes, the xattr included (a PAX header after a GNU long name too).
  assert.match(execFileSync('tar', ['-t', '-v', '--numeric-owner', '-f', '-'], { input: out, encoding: 'utf8' }), /-rw-rw-rw- 0\/5 +0 .* \.\/dev\/null/);
  const into = path.join(dir, 'extracted');
  mkdirSync(into);
  execFileSync('tar', ['-x', '-f', '-', '--xattrs', '--xattrs-include=*', '--no-same-owner', '-C', into], { input: out });
  for (const [name, device] of [
    ['dev/loop0', 'b 7 0'],
    [GNU_LONG, 'c 5 1'],
  ])
    assert.is(execFileSync('getfattr', ['--only-values', '-n', DEVICE_XATTR, path.join(into, name)], { encoding: 'utf8' }), device, name);
});

test('placeholders back: the devices again, and nothing of the record left', async () => {
  const placeholders = await through(devicesAsPlaceholders(), tarball(DEVICES));
  const back = await through(placeholdersAsDevices(), placeholders);
  assert.equal(entries(back).map(shape), entries(tarball(DEVICES)).map(shape));
  assert.not.ok(back.includes('user.jetpack'), 'the record never leaves');
  assert.is(back.length % 10240, 0);
});

test("GNU tar's archive of placeholders becomes the devices, a hardlink to one a device of its own (as GNU tar archives a device's names)", async () => {
  const tree = path.join(dir, 'tree');
  mkdirSync(path.join(tree, 'dev'), { recursive: true });
  writeFileSync(path.join(tree, 'dev', 'null'), '', { mode: 0o666 });
  writeFileSync(path.join(tree, 'dev', 'file'), 'data');
  execFileSync('sh', [
    '-ec',
    `cd "${tree}/dev" && chmod 666 null && setfattr -n ${DEVICE_XATTR} -v "c 1 3" null && setfattr -n user.other -v kept null && ln null null2 && setfattr -n user.other -v kept file && touch -d @1700000000 . *`,
  ]);
  const archived = execFileSync(
    'tar',
    [
      '-c',
      '-f',
      '-',
      '--format=posix',
      '--pax-option=delete=atime,delete=ctime',
      '--sort=name',
      '--numeric-owner',
      '--xattrs',
      '--xattrs-include=*',
      '-C',
      tree,
      '.',
    ],
    {
      maxBuffer: 1 << 24,
    },
  );
  const got = entries(await through(placeholdersAsDevices(), archived));
  const byName = new Map(got.map((e) => [e.path, e]));
  for (const name of ['dev/null', 'dev/null2']) {
    const e = byName.get(name)!;
    assert.equal([e.type, e.devmajor, e.devminor, e.mode & 0o7777, e.linkpath, [...e.xattrs]], ['char', 1, 3, 0o666, '', [['user.other', 'kept']]], name);
  }
  assert.equal([...byName.get('dev/file')!.xattrs], [['user.other', 'kept']]);
  assert.is(byName.get('dev/file')!.size, 4);
});

test('a placeholder that holds data, or records no device, is an error, not a guess', async () => {
  const bad = (record: string, data = '') => tarball([{ name: './x', data, pax: { [`SCHILY.xattr.${DEVICE_XATTR}`]: record } }]);
  for (const [input, message] of [
    [bad('c 1 3', 'data'), /holds data/],
    [bad('pipe'), /not a device placeholder/],
  ] as const) {
    try {
      await through(placeholdersAsDevices(), input);
      assert.unreachable('accepted');
    } catch (err) {
      assert.match((err as Error).message, message);
    }
  }
});

test.after(() => removeDir(dir));
test.run();
