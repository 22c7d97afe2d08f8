/** The device nodes and FIFOs of an upload's tarball, as ostree's --skip-list paths (src/upload/special-members.ts). */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { UserError } from '../../src/errors.js';
import { specialMembers } from '../../src/upload/special-members.js';
import { removeDir, tempDir } from '../helpers/cli.js';
import { tarball, type Member } from '../helpers/hostile-archives.js';

const TREE: Member[] = [
  { name: 'home/me/tree/', type: 'directory' },
  { name: 'home/me/tree/dev/', type: 'directory' },
  { name: 'home/me/tree/dev/null', type: 'char', devmajor: 1, devminor: 3 },
  { name: 'home/me/tree/dev/sda', type: 'block', devmajor: 8, devminor: 0 },
  { name: 'home/me/tree/run/fifo', type: 'fifo' },
  { name: 'home/me/tree/etc/hostname', data: 'box\n' },
  { name: 'home/me/tree/bin/sh', type: 'symlink', linkname: 'busybox' },
];

async function members(bytes: Buffer, prefix: string): Promise<string[]> {
  const dir = tempDir('jetpack-special-');
  try {
    const file = path.join(dir, 'upload.tar');
    writeFileSync(file, bytes);
    return await specialMembers(file, prefix);
  } finally {
    removeDir(dir);
  }
}

test('devices and FIFOs only, as paths in the tree under the prefix, in archive order', async () => {
  assert.equal(await members(tarball(TREE), 'home/me/tree'), ['/dev/null', '/dev/sda', '/run/fifo']);
});

test('without a prefix (or outside it) the member path stays whole; compressed tarballs too', async () => {
  assert.equal(await members(gzipSync(tarball(TREE)), ''), ['/home/me/tree/dev/null', '/home/me/tree/dev/sda', '/home/me/tree/run/fifo']);
  assert.equal(await members(tarball(TREE), 'home/me/other'), ['/home/me/tree/dev/null', '/home/me/tree/dev/sda', '/home/me/tree/run/fifo']);
  assert.equal(
    await members(tarball(TREE), 'home/me/tre'),
    ['/home/me/tree/dev/null', '/home/me/tree/dev/sda', '/home/me/tree/run/fifo'],
    'a prefix is a whole directory name',
  );
  assert.equal(await members(tarball([{ name: 'etc/passwd', data: 'root:x:0:0::/:/bin/sh\n' }]), ''), []);
});

test('a device name with a newline is refused: it would split the skip list', async () => {
  try {
    await members(tarball([{ name: 'dev/a\nb', type: 'char', devmajor: 1, devminor: 3 }]), '');
    assert.unreachable('accepted');
  } catch (err) {
    assert.instance(err, UserError);
    assert.is((err as Error).message, 'refusing archive entry "dev/a\\nb": a device node or FIFO with a newline in its name');
  }
});

test.run();
