/** The upload server's own records under --uploads DIR (src/upload/server-state.ts). */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Outcomes, Owners, prepareServerDirs, type Outcome } from '../../src/upload/server-state.js';
import { removeDir, tempDir } from '../helpers/cli.js';

const ID = '0123456789abcdef0123456789abcdef';

test("prepareServerDirs makes tus/ and state/, private, and moves an older server's flat layout into them", async () => {
  const uploads = path.join(tempDir('jetpack-uploads-'), 'uploads');
  try {
    mkdirSync(uploads);
    writeFileSync(path.join(uploads, 'owners.json'), '{"com.example.a/x86_64/1":"me"}\n');
    writeFileSync(path.join(uploads, ID), 'bytes');
    writeFileSync(path.join(uploads, `${ID}.json`), '{}');
    writeFileSync(path.join(uploads, 'notes.txt'), 'kept');
    const dirs = await prepareServerDirs(uploads);
    assert.equal(dirs, {
      tus: path.join(uploads, 'tus'),
      owners: path.join(uploads, 'state', 'owners.json'),
      outcomes: path.join(uploads, 'state', 'outcomes'),
    });
    assert.equal(readdirSync(dirs.tus).sort(), [ID, `${ID}.json`]);
    assert.equal(readdirSync(uploads).sort(), ['notes.txt', 'state', 'tus'], 'only what a server wrote moves');
    assert.is(await new Owners(dirs.owners).get('com.example.a/x86_64/1'), 'me');
    for (const d of [dirs.tus, dirs.outcomes]) assert.is(statSync(d).mode & 0o777, 0o700, d);
    assert.equal(await prepareServerDirs(uploads), dirs, 'a second start finds everything in place');
    assert.equal(readdirSync(dirs.tus).sort(), [ID, `${ID}.json`]);
  } finally {
    removeDir(path.dirname(uploads));
  }
});

test('owners: none until set, then kept beside the others in a 0600 file; no prototype keys', async () => {
  const dir = tempDir('jetpack-owners-');
  try {
    const owners = new Owners(path.join(dir, 'owners.json'));
    assert.is(await owners.get('com.example.a/x86_64/1'), undefined);
    await owners.set('com.example.a/x86_64/1', 'me');
    await owners.set('com.example.b/x86_64/1', 'you');
    assert.is(await owners.get('com.example.a/x86_64/1'), 'me');
    assert.is(await owners.get('com.example.b/x86_64/1'), 'you');
    assert.is(await owners.get('constructor'), undefined);
    assert.equal(JSON.parse(readFileSync(path.join(dir, 'owners.json'), 'utf8')), { 'com.example.a/x86_64/1': 'me', 'com.example.b/x86_64/1': 'you' });
    assert.is(statSync(path.join(dir, 'owners.json')).mode & 0o777, 0o600);
  } finally {
    removeDir(dir);
  }
});

test('outcomes: set, read back, removed; those older than a week pruned, newer ones kept', async () => {
  const dir = tempDir('jetpack-outcomes-');
  try {
    const outcomes = new Outcomes(dir);
    const published: Outcome = { owner: 'me', ref: 'com.example.a/x86_64/1', size: 10, state: 'published', commit: 'c'.repeat(64), importSeconds: 2 };
    const failed: Outcome = { owner: 'me', ref: 'com.example.a/x86_64/2', size: 5, state: 'failed', status: 409, why: 'owned by another user' };
    const other = 'f'.repeat(32);
    assert.is(await outcomes.get(ID), undefined);
    await outcomes.set(ID, published);
    await outcomes.set(other, failed);
    assert.equal(await outcomes.get(ID), published);
    assert.equal(await outcomes.get(other), failed);
    assert.is(statSync(path.join(dir, `${ID}.json`)).mode & 0o777, 0o600);

    const now = Date.now();
    const eightDaysAgo = new Date(now - 8 * 86400_000);
    utimesSync(path.join(dir, `${other}.json`), eightDaysAgo, eightDaysAgo);
    await outcomes.pruneOld(now);
    assert.equal(await outcomes.get(ID), published);
    assert.is(await outcomes.get(other), undefined);
    await outcomes.remove(ID);
    await outcomes.remove(ID);
    assert.not.ok(existsSync(path.join(dir, `${ID}.json`)));
  } finally {
    removeDir(dir);
  }
});

test.run();
