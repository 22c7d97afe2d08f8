/**
 * The store's flock (src/store/lock.ts) on files in a tmp dir: shared and exclusive, try and
 * wait, release, and refusals a user reads.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { UserError } from '../../src/errors.js';
import { acquireLock } from '../../src/store/lock.js';
import { removeDir, tempDir } from '../helpers/cli.js';

const work = tempDir('jetpack-lock-');
test.after(() => removeDir(work));

test('a missing lock file is an error unless create is given; with it the file is made', async () => {
  const file = path.join(work, 'missing');
  try {
    await acquireLock(file, 'exclusive');
    assert.unreachable('locked a missing file');
  } catch (err) {
    assert.instance(err, UserError);
    assert.match((err as Error).message, new RegExp(`^cannot lock ${file}: ENOENT`));
  }
  assert.not.ok(existsSync(file));
  const lock = await acquireLock(file, 'exclusive', { create: true });
  assert.ok(lock);
  assert.ok(existsSync(file));
  await lock.release();
});

test('exclusive keeps out everyone; shared keeps out only exclusive; a try that loses returns null', async () => {
  const file = path.join(work, 'lock');
  const ex = await acquireLock(file, 'exclusive', { create: true });
  assert.is(await acquireLock(file, 'exclusive', { wait: false }), null);
  assert.is(await acquireLock(file, 'shared', { wait: false }), null);
  await ex!.release();
  const a = await acquireLock(file, 'shared', { wait: false });
  const b = await acquireLock(file, 'shared', { wait: false });
  assert.ok(a && b, 'two shared locks at once');
  assert.is(await acquireLock(file, 'exclusive', { wait: false }), null);
  await a.release();
  await b.release();
  await b.release(); // a second release is harmless
  const again = await acquireLock(file, 'exclusive', { wait: false });
  assert.ok(again, 'released locks let the next one in');
  await again.release();
});

test('a waiting lock is granted when the holder releases', async () => {
  const file = path.join(work, 'wait');
  const held = await acquireLock(file, 'exclusive', { create: true });
  let granted = false;
  const waiting = acquireLock(file, 'shared').then((lock) => {
    granted = true;
    return lock;
  });
  await sleep(300);
  assert.not.ok(granted, 'granted while held');
  await held!.release();
  const lock = await waiting;
  assert.ok(lock && granted);
  await lock.release();
});

test('a directory can be locked (a staging dir) but is never created', async () => {
  const dir = path.join(work, 'staging');
  mkdirSync(dir);
  const lock = await acquireLock(dir, 'exclusive');
  assert.is(await acquireLock(dir, 'exclusive', { wait: false }), null);
  await lock!.release();
});

test.run();
