import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { jetpack, jetpackOk, makeAciWithTar, removeDir, sh, storeState, tempDir } from '../helpers/cli.js';
import { readJson } from '../helpers/json.js';
import type { ImageManifest } from '../../src/image/manifest.js';
import type { ImageInfo } from '../../src/store/store.js';

const work = tempDir();
const root = path.join(work, 'store');

const base = path.join(work, 'base');
sh(
  `mkdir -p "${base}"/{etc,usr/share/doc/pkg,bin} && echo base > "${base}/etc/motd" && echo doc > "${base}/usr/share/doc/pkg/README" && echo keep > "${base}/etc/keep" && echo old > "${base}/bin/tool"`,
);
const baseManifest = {
  acKind: 'ImageManifest',
  acVersion: '0.8.11',
  name: 'example.com/base',
  labels: [
    { name: 'version', value: '1.0' },
    { name: 'os', value: 'linux' },
    { name: 'arch', value: 'amd64' },
  ],
};
const baseID = jetpackOk(root, ['import', makeAciWithTar(work, base, baseManifest)]).trim();

// A layer as Jetpack's build writes it: only what changed, deletions through pathWhitelist.
const layer = path.join(work, 'layer');
sh(`mkdir -p "${layer}"/{bin,srv} && echo new > "${layer}/bin/tool" && echo added > "${layer}/srv/data"`);
const whitelist = ['/bin', '/bin/tool', '/etc', '/etc/keep', '/srv', '/srv/data', '/usr', '/usr/share'];
const childManifest = {
  acKind: 'ImageManifest',
  acVersion: '0.8.11',
  name: 'example.com/child',
  dependencies: [{ imageName: 'example.com/base', imageID: baseID }],
  pathWhitelist: whitelist,
};
const childAci = makeAciWithTar(work, layer, childManifest);

function flatTree(store: string, id: string, env: NodeJS.ProcessEnv = {}): { id: string; files: string[]; dir: string } {
  const out = path.join(work, `flat-${Math.random().toString(36).slice(2)}.aci`);
  const flatID = jetpackOk(store, ['export', '-flat', id, out], { env }).trim();
  const dir = `${out}.d`;
  sh(`mkdir -p "${dir}" && tar -xf "${out}" -C "${dir}"`);
  const files = sh(`cd "${dir}/rootfs" && find . -mindepth 1 | sort`).trim().split('\n');
  return { id: flatID, files, dir };
}

test('a missing dependency is refused and leaves the store unchanged', () => {
  const empty = path.join(work, 'store-empty');
  const before = storeState(empty);
  const r = jetpack(empty, ['import', childAci]);
  assert.is.not(r.status, 0);
  assert.match(r.stderr, /^jetpack: dependency example\.com\/base .* is not in the store; import it first\n$/);
  assert.equal(storeState(empty), { ...before, images: [], tmp: [] });
});

const childID = jetpackOk(root, ['import', childAci]).trim();

test('a layered image renders its dependency with its own layer on top and pathWhitelist applied', () => {
  const { files, dir } = flatTree(root, childID);
  assert.equal(files, ['./bin', './bin/tool', './etc', './etc/keep', './srv', './srv/data', './usr', './usr/share']);
  assert.is(readFileSync(path.join(dir, 'rootfs/bin/tool'), 'utf8'), 'new\n');
  const manifest = readJson<ImageManifest>(path.join(dir, 'manifest'));
  assert.is(manifest.dependencies, undefined);
  assert.is(manifest.pathWhitelist, undefined);
});

test('the overlay render and the copy fallback give the same flat ACI', () => {
  const overlay = flatTree(root, childID);
  const copy = flatTree(root, childID, { JETPACK_NO_OVERLAY: '1' });
  assert.is(copy.id, overlay.id);
});

test('a grandchild sees deletions made by its dependency', () => {
  const top = path.join(work, 'top');
  sh(`mkdir -p "${top}/opt" && echo top > "${top}/opt/top"`);
  const topID = jetpackOk(root, [
    'import',
    makeAciWithTar(work, top, { acKind: 'ImageManifest', acVersion: '0.8.11', name: 'example.com/top', dependencies: [{ imageName: 'example.com/child' }] }),
  ]).trim();
  for (const env of [{}, { JETPACK_NO_OVERLAY: '1' }]) {
    const { files } = flatTree(root, topID, env);
    assert.ok(files.includes('./opt/top'));
    assert.ok(files.includes('./srv/data'));
    assert.not.ok(files.includes('./etc/motd'), 'deleted by the child');
    assert.not.ok(files.includes('./usr/share/doc'), 'deleted by the child');
  }
  assert.is(jetpack(root, ['destroy-image', topID]).status, 0);
});

test('a dependency given by name and labels resolves to the stored image', () => {
  const other = path.join(work, 'other');
  sh(`mkdir -p "${other}" && echo x > "${other}/x"`);
  const id = jetpackOk(root, [
    'import',
    makeAciWithTar(work, other, {
      acKind: 'ImageManifest',
      acVersion: '0.8.11',
      name: 'example.com/byname',
      dependencies: [{ imageName: 'example.com/base', labels: [{ name: 'version', value: '1.0' }] }],
    }),
  ]).trim();
  const info = readJson<ImageInfo>(path.join(root, 'images', id, 'info.json'));
  assert.equal(info.dependencies, [baseID]);
  assert.ok(flatTree(root, id).files.includes('./etc/motd'));
  jetpackOk(root, ['destroy-image', id]);
});

test('a dependency with a wrong version label is refused', () => {
  const r = jetpack(root, [
    'import',
    makeAciWithTar(work, layer, {
      ...childManifest,
      name: 'example.com/wrong',
      dependencies: [{ imageName: 'example.com/base', labels: [{ name: 'version', value: '9' }] }],
    }),
  ]);
  assert.is.not(r.status, 0);
  assert.match(r.stderr, /dependency example\.com\/base,version=9 is not in the store/);
});

test('destroy-image refuses an image another depends on, then removes it once free', () => {
  const r = jetpack(root, ['destroy-image', baseID]);
  assert.is(r.status, 1);
  assert.match(r.stderr, /^jetpack: cannot destroy image example\.com\/base: 1 image\(s\) depend on it/);
  assert.ok(existsSync(path.join(root, 'images', baseID)));
  jetpackOk(root, ['destroy-image', childID]);
  jetpackOk(root, ['destroy-image', 'example.com/base']);
  assert.equal(storeState(root), { images: [], tmp: [] });
});

test.after(() => removeDir(work));
test.run();
