import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { JETPACK, removeDir, sh, tempDir, until } from '../helpers/cli.js';
import { importBusybox } from '../helpers/busybox.js';
import { createTestUser, giveToUser, jetpackAs, jetpackAsOk, removeTestUser, spawnAs, subordinateRange, type TestUser } from '../helpers/users.js';

// How an ordinary user's jetpack enters its user namespace: bin/jetpack itself (unshare
// --map-users, one process, Node started once) when the user has one subordinate range each,
// src/rootless/enter.ts (Node started twice) otherwise. Both map every range, and a SIGKILL of
// the jetpack the user started leaves nothing of it running.
const work = tempDir();
importBusybox(path.join(work, 'store'), work);
const aci = path.join(work, 'busybox', 'image.aci');

const oneRange = createTestUser();
const twoRanges = createTestUser();
// Far above what useradd hands out (SUB_UID_MAX 600100000), so no user made meanwhile gets it.
const extra = { start: 700_000_000 + (process.pid % 100_000) * 1000, count: 100 };
const extraSpan = `${extra.start}-${extra.start + extra.count - 1}`;
sh(`usermod --add-subuids ${extraSpan} --add-subgids ${extraSpan} ${twoRanges.name}`);
for (const user of [oneRange, twoRanges]) jetpackAsOk(user, ['import', giveToUser(user, aci)]);

test.after(() => {
  removeTestUser(oneRange);
  removeTestUser(twoRanges);
  removeDir(work);
});

/** The lines /proc/self/uid_map and gid_map should show inside: the user's own ID as 0, then each range. */
function expectedMap(own: number, ranges: { start: number; count: number }[]): string {
  const lines = [[0, own, 1]];
  let inner = 1;
  for (const r of ranges) {
    lines.push([inner, r.start, r.count]);
    inner += r.count;
  }
  return lines.map((l) => l.join(' ')).join('\n');
}
const mapOf = (text: string) =>
  text
    .trim()
    .split('\n')
    .map((l) => l.trim().split(/\s+/).join(' '))
    .join('\n');

function mapsInside(user: TestUser): { uids: string; gids: string } {
  const uids = jetpackAsOk(user, ['run', 'jetpack/busybox', 'cat', '/proc/self/uid_map']);
  const gids = jetpackAsOk(user, ['run', 'jetpack/busybox', 'cat', '/proc/self/gid_map']);
  return { uids: mapOf(uids), gids: mapOf(gids) };
}

const nodesOf = (user: TestUser) => spawnSync('pgrep', ['-u', user.name, '-x', 'node'], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean).map(Number);
const anyProcessOf = (user: TestUser) => spawnSync('pgrep', ['-u', user.name]).status === 0;

test('one range each: the namespace maps it, entered by bin/jetpack in the process the user started', async () => {
  const range = subordinateRange(oneRange)!;
  const { uids, gids } = mapsInside(oneRange);
  assert.is(uids, expectedMap(oneRange.uid, [range]));
  assert.is(gids, expectedMap(oneRange.gid, [subordinateRange(oneRange, '/etc/subgid')!]));

  const child = spawnAs(oneRange, [JETPACK, 'run', 'jetpack/busybox', 'sleep', '100']);
  await until('the sleep in the container', () => spawnSync('pgrep', ['-u', oneRange.name, '-x', 'sleep']).status === 0);
  assert.equal(nodesOf(oneRange), [child.pid], 'one node, and it is the process the user started (setpriv, env, sh, unshare exec it)');
  assert.match(readFileSync(`/proc/${child.pid}/cmdline`, 'utf8'), 'dist/boot.cjs');
  child.kill('SIGKILL');
  await until('no process of the user left', () => !anyProcessOf(oneRange));
});

test('several ranges: enter.ts maps every one of them, and its inner jetpack dies with the outer', async () => {
  const { uids, gids } = mapsInside(twoRanges);
  assert.is(uids, expectedMap(twoRanges.uid, [subordinateRange(twoRanges)!, extra]));
  assert.is(gids, expectedMap(twoRanges.gid, [subordinateRange(twoRanges, '/etc/subgid')!, extra]));

  const child = spawnAs(twoRanges, [JETPACK, 'run', 'jetpack/busybox', 'sleep', '100']);
  await until('the sleep in the container', () => spawnSync('pgrep', ['-u', twoRanges.name, '-x', 'sleep']).status === 0);
  assert.is(nodesOf(twoRanges).length, 2, 'the outer node and the inner one');
  child.kill('SIGKILL');
  await until('no process of the user left', () => !anyProcessOf(twoRanges));
});

test('a user without ranges: version is answered, anything else refused in one line that names the fix (bin/jetpack leaves it to enter.ts)', () => {
  const none = createTestUser({ subordinateIds: false });
  try {
    assert.match(jetpackAsOk(none, ['version']), /^jetpack /);
    const r = jetpackAs(none, ['images']);
    assert.is(r.status, 1);
    assert.match(r.stderr, /^jetpack: running as \S+ needs subordinate IDs, and \/etc\/subuid gives \S+ none \(as root: usermod --add-subuids/);
    assert.is(r.stderr.split('\n').filter(Boolean).length, 1, 'one line');
  } finally {
    removeTestUser(none);
  }
});

test.run();
