/** Checking a stranger's tarball of a tree before anything extracts it (src/archive/tree-entries.ts). */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createHash } from 'node:crypto';
import { readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { expansionLimits } from '../../src/archive/limits.js';
import { checkTreeTarball, extractUntrustedTarball } from '../../src/archive/tree-entries.js';
import { UserError } from '../../src/errors.js';
import { mappedIdLimits } from '../../src/util/userns.js';
import { removeDir, tempDir } from '../helpers/cli.js';
import { tarball, type Member } from '../helpers/hostile-archives.js';

const dir = tempDir('jetpack-tree-entries-');
let n = 0;
function file(bytes: Buffer): string {
  const name = path.join(dir, `t${n++}.tar`);
  writeFileSync(name, bytes);
  return name;
}

const check = (members: Member[], noDevices = false) => checkTreeTarball(file(tarball(members)), { noDevices, limits: expansionLimits(), what: 'the upload' });

async function refusal(members: Member[], noDevices = false): Promise<string> {
  try {
    await check(members, noDevices);
  } catch (err) {
    assert.instance(err, UserError);
    return (err as Error).message;
  }
  throw new Error(`accepted: ${members.map((m) => m.name).join(', ')}`);
}

const TREE: Member[] = [
  { name: 'home/me/tree/', type: 'directory' },
  { name: 'home/me/tree/etc/', type: 'directory' },
  { name: 'home/me/tree/etc/hostname', data: 'box\n' },
  { name: 'home/me/tree/etc/alias', type: 'hardlink', linkname: 'home/me/tree/etc/hostname' },
  { name: 'home/me/tree/bin/sh', type: 'symlink', linkname: '../usr/bin/busybox' },
  { name: 'home/me/tree/abs', type: 'symlink', linkname: '/etc/hostname' },
  { name: 'home/me/tree/dev/null', type: 'char', devmajor: 1, devminor: 3 },
];

test('a sound tree: the directory every member lies in, and the sha256 of the tar as it is (before compression)', async () => {
  const bytes = tarball(TREE);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  assert.equal(await checkTreeTarball(file(bytes), { noDevices: false, limits: expansionLimits() }), { prefix: 'home/me/tree', sha256 });
  assert.equal(await checkTreeTarball(file(gzipSync(bytes)), { noDevices: false, limits: expansionLimits() }), { prefix: 'home/me/tree', sha256 });
  assert.equal(
    await check([
      { name: 'a', data: '' },
      { name: 'b/c', data: '' },
    ]),
    {
      prefix: '',
      sha256: createHash('sha256')
        .update(
          tarball([
            { name: 'a', data: '' },
            { name: 'b/c', data: '' },
          ]),
        )
        .digest('hex'),
    },
  );
});

test('names: absolute, with .., twice, or with an overlay xattr', async () => {
  assert.is(await refusal([{ name: '/etc/passwd', data: '' }]), 'refusing archive entry "/etc/passwd": absolute path');
  assert.is(await refusal([{ name: 'a/../../b', data: '' }]), 'refusing archive entry "a/../../b": path contains ".."');
  assert.is(
    await refusal([
      { name: 'a', data: '1' },
      { name: './a', data: '2' },
    ]),
    'refusing archive entry "./a": duplicate entry',
  );
  assert.is(
    await refusal([{ name: 'a', data: '', pax: { 'SCHILY.xattr.trusted.overlay.opaque': 'y' } }]),
    `refusing archive entry "a": xattr trusted.overlay.opaque is reserved for the store's overlay layers`,
  );
  assert.is(
    await refusal([{ name: 'dev/null', data: '', pax: { 'SCHILY.xattr.user.jetpack.device': 'c 1 3' } }]),
    `refusing archive entry "dev/null": xattr user.jetpack.device is reserved for jetpack's own records (docs/ROOTLESS.md)`,
  );
});

test('owners: one above what this user namespace maps is named, with the limit (the initial namespace maps all but 2^32-1)', async () => {
  const { uid, gid } = mappedIdLimits();
  assert.is(
    await refusal([{ name: 'f', data: '', pax: { uid: String(uid + 1) } }]),
    `refusing archive entry "f": owner uid ${uid + 1} does not fit: ${uid} is the highest uid this user namespace maps (/etc/subuid)`,
  );
  assert.match(
    await refusal([{ name: 'g', data: '', pax: { gid: String(gid + 1) } }]),
    new RegExp(`owner gid ${gid + 1} does not fit: ${gid} is the highest gid`),
  );
  await check([{ name: 'f', data: '', pax: { uid: String(uid), gid: String(gid) } }]);
});

test('links: a symlink or hardlink out of the tree, a member beneath a symlink, odd hardlinks, the whiteout device', async () => {
  assert.is(
    await refusal([{ name: 'a/up', type: 'symlink', linkname: '../../etc' }]),
    'refusing archive entry "a/up": symlink target "../../etc" points outside the tree',
  );
  assert.is(await refusal([{ name: 'empty', type: 'symlink', linkname: '' }]), 'refusing archive entry "empty": empty symlink target');
  assert.is(
    await refusal([
      { name: 'link', type: 'symlink', linkname: 'elsewhere' },
      { name: 'link/file', data: '' },
    ]),
    'refusing archive entry "link/file": it lies beneath the symlink link',
  );
  assert.is(
    await refusal([{ name: 'h', type: 'hardlink', linkname: '/etc/shadow' }]),
    'refusing archive entry "h": hardlink target "/etc/shadow" points outside the tree',
  );
  assert.is(
    await refusal([
      { name: 'h', type: 'hardlink', linkname: 'later' },
      { name: 'later', data: '' },
    ]),
    'refusing archive entry "h": hardlink target "later" is not an earlier entry',
  );
  assert.is(
    await refusal([
      { name: 'd/', type: 'directory' },
      { name: 'h', type: 'hardlink', linkname: 'd' },
    ]),
    'refusing archive entry "h": hardlink to a directory',
  );
  const viaHardlink: Member[] = [
    { name: 's', type: 'symlink', linkname: 'x' },
    { name: 'h', type: 'hardlink', linkname: 's' },
    { name: 'h/inside', data: '' },
  ];
  assert.is(await refusal(viaHardlink), 'refusing archive entry "h/inside": it lies beneath the symlink h', 'a hardlink to a symlink is one');
  assert.is(
    await refusal([{ name: 'w', type: 'char', devmajor: 0, devminor: 0 }]),
    'refusing archive entry "w": character device 0:0 is reserved for overlay whiteouts',
  );
});

test('noDevices refuses device nodes and FIFOs by the name given; bytes that are no tarball are refused too', async () => {
  assert.is(await refusal([{ name: 'fifo', type: 'fifo' }], true), 'refusing archive entry "fifo": the upload may hold no device nodes or FIFOs');
  assert.is(
    await refusal([{ name: 'sda', type: 'block', devmajor: 8, devminor: 0 }], true),
    'refusing archive entry "sda": the upload may hold no device nodes or FIFOs',
  );
  try {
    await checkTreeTarball(file(Buffer.alloc(700, 'x')), { noDevices: false, limits: expansionLimits() });
    assert.unreachable('accepted');
  } catch (err) {
    assert.instance(err, UserError);
    assert.is((err as Error).message, 'corrupt tar archive: not a tar archive (bad header checksum)');
  }
});

test('extractUntrustedTarball extracts what passed, and nothing of what did not', async () => {
  const dest = tempDir('jetpack-tree-dest-');
  try {
    const good = file(
      tarball([
        { name: 'etc/', type: 'directory' },
        { name: 'etc/hostname', data: 'box\n' },
        { name: 'sh', type: 'symlink', linkname: 'etc/hostname' },
      ]),
    );
    await extractUntrustedTarball(good, dest, 'the download');
    assert.is(readFileSync(path.join(dest, 'etc', 'hostname'), 'utf8'), 'box\n');
    assert.is(readlinkSync(path.join(dest, 'sh')), 'etc/hostname');
    const bad = file(
      tarball([
        { name: 'fine', data: 'x' },
        { name: '../escape', data: 'x' },
      ]),
    );
    await extractUntrustedTarball(bad, path.join(dest, 'second'), 'the download').then(
      () => assert.unreachable('extracted'),
      (err: Error) => assert.is(err.message, 'refusing archive entry "../escape": path contains ".."'),
    );
    assert.throws(() => readFileSync(path.join(dest, 'second', 'fine')), /ENOENT/, 'checked before tar runs');
  } finally {
    removeDir(dest);
  }
});

test.after(() => removeDir(dir));

test.run();
