/** Where a store keeps what (src/store/layout.ts): the root's precedence and every path under it. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import path from 'node:path';
import { DEFAULT_ROOT, IMAGE_FILES, StoreLayout, storeRoot } from '../../src/store/layout.js';

function withRootEnv<T>(value: string | undefined, fn: () => T): T {
  const saved = process.env.JETPACK_ROOT;
  if (value === undefined) delete process.env.JETPACK_ROOT;
  else process.env.JETPACK_ROOT = value;
  try {
    return fn();
  } finally {
    if (saved === undefined) delete process.env.JETPACK_ROOT;
    else process.env.JETPACK_ROOT = saved;
  }
}

test('the store root: -root, else $JETPACK_ROOT, else /var/lib/jetpack; always absolute', () => {
  withRootEnv('/srv/env-store', () => {
    assert.is(storeRoot('/srv/flag-store'), '/srv/flag-store');
    assert.is(storeRoot(undefined), '/srv/env-store');
    assert.is(storeRoot(''), '/srv/env-store', 'an empty -root= is no root');
    assert.is(storeRoot('rel/store'), path.resolve('rel/store'));
    assert.is(storeRoot('/srv/a/../b/'), '/srv/b');
  });
  withRootEnv('', () => assert.is(storeRoot(undefined), DEFAULT_ROOT));
  withRootEnv(undefined, () => assert.is(storeRoot(undefined), '/var/lib/jetpack'));
});

test('the layout of a store, as docs/STORE.md lists it', () => {
  const l = new StoreLayout('/s');
  assert.equal(
    {
      root: l.root,
      images: l.images,
      tmp: l.tmp,
      lock: l.lockFile,
      tools: l.tools,
      ostree: l.ostreeRepo,
      runtimes: l.runtimes,
      uploads: l.uploads,
      keys: l.keys,
    },
    {
      root: '/s',
      images: '/s/images',
      tmp: '/s/tmp',
      lock: '/s/lock',
      tools: '/s/tools',
      ostree: '/s/ostree/repo',
      runtimes: '/s/runtimes',
      uploads: '/s/uploads',
      keys: '/s/keys',
    },
  );
  const id = `sha512-${'a'.repeat(128)}`;
  assert.is(l.imageDir(id), `/s/images/${id}`);
  assert.equal(IMAGE_FILES, { manifest: 'manifest', aci: 'aci', signature: 'aci.asc', info: 'info.json', rootfs: 'rootfs' });
});

test.run();
