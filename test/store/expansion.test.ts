/**
 * Bounded expansion: an archive from a stranger (an ACI to import, an upload, a job's download)
 * is refused once it expands past the limits in force, quickly, with one line, and nothing of
 * it is kept: decompression bombs, sparse members claiming gigabytes, too many members.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { uploadLimits } from '../../src/archive/limits.js';
import { checkTreeTarball, extractUntrustedTarball } from '../../src/archive/tree-entries.js';
import { jetpack, removeDir, sh, storeState, tempDir } from '../helpers/cli.js';

const work = tempDir('jetpack-expansion-');
const root = path.join(work, 'store');
const BOUND_MS = 5_000;

// A rootfs whose one file is 256 MiB of nothing: a hole on disk, zeros in a plain tar (a bomb
// once compressed), a 4 GiB claim in a sparse tar of a few KB.
sh(`
  mkdir -p ${work}/aci/rootfs ${work}/sparse/rootfs ${work}/upload
  echo '{"acKind":"ImageManifest","acVersion":"0.8.11","name":"example.com/bomb"}' > ${work}/aci/manifest
  cp ${work}/aci/manifest ${work}/sparse/manifest
  truncate -s 256M ${work}/aci/rootfs/zeros
  truncate -s 4G ${work}/sparse/rootfs/claim
  tar -c -C ${work}/aci manifest rootfs | zstd -q -1 -T0 > ${work}/bomb.aci.zst
  tar -c -C ${work}/sparse --sparse --format=gnu manifest rootfs > ${work}/sparse.aci
  tar -c -C ${work}/aci/rootfs zeros | zstd -q -1 -T0 > ${work}/upload/bomb.tar.zst
  tar -c -C ${work}/sparse/rootfs --sparse --format=gnu claim > ${work}/upload/sparse.tar
  for i in $(seq 1 60); do echo $i > ${work}/aci/rootfs/f$i; done
  rm ${work}/aci/rootfs/zeros
  tar -c -C ${work}/aci manifest rootfs > ${work}/many.aci
`);

test('import of an ACI that expands past JETPACK_MAX_UNPACKED / JETPACK_MAX_ENTRIES: refused at once, the store unchanged', () => {
  assert.ok(statSync(path.join(work, 'bomb.aci.zst')).size < 200_000, 'a small bomb');
  assert.ok(statSync(path.join(work, 'sparse.aci')).size < 100_000, 'a small sparse claim');
  jetpack(root, ['images']);
  const before = storeState(root);
  for (const [file, env, expect] of [
    ['bomb.aci.zst', { JETPACK_MAX_UNPACKED: '50M' }, /^jetpack: the ACI expands to more than 50M \(JETPACK_MAX_UNPACKED raises the limit\)$/],
    ['sparse.aci', { JETPACK_MAX_UNPACKED: '50M' }, /^jetpack: the ACI expands to more than 50M/],
    ['many.aci', { JETPACK_MAX_ENTRIES: '30' }, /^jetpack: the ACI has more than 30 members \(JETPACK_MAX_ENTRIES raises the limit\)$/],
  ] as const) {
    const started = Date.now();
    const r = jetpack(root, ['import', path.join(work, file)], { env });
    assert.ok(Date.now() - started < BOUND_MS, `${file}: took ${Date.now() - started} ms`);
    assert.is(r.status, 1, `${file}: ${r.stderr}`);
    assert.match(r.stderr.trim(), expect, file);
    assert.equal(storeState(root), before, `${file}: the store changed`);
  }
  assert.is(jetpack(root, ['fsck']).status, 0);
  // Within the defaults the same archives import: the bound, not the form, refused them.
  assert.is(jetpack(root, ['import', path.join(work, 'many.aci')]).status, 0);
});

test("the upload server's check: under --max-size 1M, a 4 GiB sparse claim and a zstd bomb are refused at once", async () => {
  const limits = uploadLimits(1 << 20);
  for (const name of ['sparse.tar', 'bomb.tar.zst']) {
    const started = Date.now();
    const err = await checkTreeTarball(path.join(work, 'upload', name), { noDevices: true, limits, what: 'the upload' }).then(
      () => undefined,
      (e: Error) => e,
    );
    assert.ok(Date.now() - started < BOUND_MS, `${name}: took ${Date.now() - started} ms`);
    assert.is(err?.message, 'the upload expands to more than 10M (JETPACK_MAX_UNPACKED raises the limit)', name);
  }
  assert.ok(await checkTreeTarball(path.join(work, 'upload', 'sparse.tar'), { noDevices: true, limits: uploadLimits(1 << 30), what: 'the upload' }));
});

test('extractUntrustedTarball (job downloads) refuses a bomb before tar writes anything', async () => {
  const dest = path.join(work, 'dest');
  mkdirSync(dest);
  process.env.JETPACK_MAX_UNPACKED = '20M';
  try {
    await extractUntrustedTarball(path.join(work, 'upload', 'bomb.tar.zst'), dest, 'extracting the download').then(
      () => assert.unreachable('extracted'),
      (e: Error) => assert.match(e.message, /bomb.tar.zst expands to more than 20M/),
    );
  } finally {
    delete process.env.JETPACK_MAX_UNPACKED;
  }
  assert.equal(readdirSync(dest), []);
  await extractUntrustedTarball(path.join(work, 'upload', 'sparse.tar'), dest, 'extracting the download');
  assert.equal(readdirSync(dest), ['claim']);
});

test.after(() => removeDir(work));
test.run();
