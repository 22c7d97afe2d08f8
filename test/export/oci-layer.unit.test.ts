import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { writeTreeBlob } from '../../src/export/oci-layer.js';
import { sh, tempDir } from '../helpers/cli.js';

// writeTreeBlob's gzip blobs: made by tar's pipe to igzip, the diff ID from a second read.
const work = tempDir();
const blobs = path.join(work, 'blobs');
mkdirSync(blobs);
const tree = path.join(work, 'tree');
const other = path.join(work, 'other');
for (const [dir, text] of [
  [tree, 'the tree'],
  [other, 'another tree'],
] as const) {
  mkdirSync(path.join(dir, 'etc'), { recursive: true });
  writeFileSync(path.join(dir, 'etc', 'motd'), text);
  sh(`head -c 3000000 /dev/urandom > "${dir}/random"; seq 1 200000 > "${dir}/numbers"`);
}
const gzip1 = { compression: 'gzip', level: 1 } as const;

test('a gzip blob: named by its digest, its size, and a diff ID that is the sha256 of the tar it holds', async () => {
  const blob = await writeTreeBlob({ rootfs: tree }, blobs, gzip1, 1700000000);
  const hex = blob.digest.replace('sha256:', '');
  const file = path.join(blobs, hex);
  assert.is(sh(`sha256sum < "${file}"`).split(' ')[0], hex);
  assert.is(statSync(file).size, blob.size);
  assert.is(`sha256:${sh(`gzip -dc < "${file}" | sha256sum`).split(' ')[0]}`, blob.diffID);
  assert.ok(sh(`tar -tzf "${file}"`).includes('./etc/motd'));
  // The streamed path (no compression) gives the same tar: the same diff ID.
  const plain = await writeTreeBlob({ rootfs: tree }, blobs, { compression: 'none' }, 1700000000);
  assert.is(plain.diffID, blob.diffID);
  assert.is(plain.digest, blob.diffID);
});

test('a tree that reads differently the second time fails the blob; nothing is left in blobs/', async () => {
  const before = readdirSync(blobs).sort();
  let reads = 0;
  // The first read (into igzip) sees the tree, the second another one: as if it changed between them.
  const wrap = (cmd: string, args: string[]): [string, string[]] => [cmd, reads++ === 0 ? args : args.map((a) => (a === tree ? other : a))];
  const err = await writeTreeBlob({ rootfs: tree, wrap }, blobs, gzip1, undefined).then(
    () => undefined,
    (e: Error) => e,
  );
  assert.is(reads, 2);
  assert.ok(err, 'the blob was written');
  assert.match(err.message, /read differently twice/);
  assert.equal(readdirSync(blobs).sort(), before);
});

test.run();
