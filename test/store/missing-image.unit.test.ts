/** The names a store-miss error suggests (src/store/missing-image.ts; the error itself: test/fetch/names.test.ts). */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { closestNames, editDistance, notADomain } from '../../src/store/missing-image.js';

test('closestNames: at most three, closest first; editDistance counts a swap as one edit', () => {
  assert.is(editDistance('jetpack/debain', 'jetpack/debian'), 1);
  assert.is(editDistance('busybox', 'jetpack/busybox'), 8);
  assert.equal(closestNames('example/app', ['example/apps', 'example/ap', 'example/app', 'other/app', 'example/zzz', 'x/app', 'some/app']), [
    'example/ap',
    'example/apps',
    'some/app',
  ]);
  assert.equal(closestNames('debian', ['jetpack/debian', 'debain', 'fedora']), ['debain', 'jetpack/debian']);
});

test('notADomain: the first component when it has no dot, which discovery would take for a host', () => {
  assert.is(notADomain('jetpack/busybox'), 'jetpack');
  assert.is(notADomain('busybox'), 'busybox');
  assert.is(notADomain('localhost:5000/app'), 'localhost:5000');
  assert.is(notADomain('example.com/app'), undefined);
  assert.is(notADomain('example.com'), undefined);
});

test.run();
