import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { JETPACK, copyImageDir, jetpack, jetpackOk, removeDir, sh, tempDir } from '../helpers/cli.js';
import { importDebian } from '../helpers/debian.js';
import { parseJson } from '../helpers/json.js';
import type { ImageManifest } from '../../src/image/manifest.js';

// Point 1 of reproducibility: the same image directories built on two fresh stores with
// SOURCE_DATE_EPOCH give the same image IDs, base and derivative alike.
const work = tempDir();
const EPOCH = '1700000000';
const EPOCH_RFC3339 = '2023-11-14T22:13:20Z';

type Built = Record<string, string>;

function makeImage(store: string, dir: string, env: NodeJS.ProcessEnv): string {
  const r = spawnSync('make', ['-C', dir, `JETPACK=${JETPACK} -root=${store}`], { encoding: 'utf8', env: { ...process.env, CI: 'true', ...env } });
  if (r.status !== 0) throw new Error(`make -C ${dir}: ${r.stdout.slice(-2000)}${r.stderr.slice(-2000)}`);
  return readFileSync(path.join(dir, 'image.aci.id'), 'utf8').trim();
}

/** A three-level chain on busybox: add, change, delete (a whiteout and a pathWhitelist), in turn. */
function buildChain(store: string, scratch: string, env: NodeJS.ProcessEnv): Built {
  const steps: Array<[string, string]> = [
    ['example.com/level1', 'mkdir -p /srv/data && echo one > /srv/data/a && echo keep > /srv/data/b && ln /srv/data/a /srv/data/a.link'],
    [
      'example.com/level2',
      'echo two >> /srv/data/c && TZ=UTC touch -d "2001-02-03 04:05:06" /srv/data/old && rm /srv/data/b && mkdir /srv/more && touch /srv/more/x && chmod 4755 /srv/more/x',
    ],
    ['example.com/level3', 'rm -rf /srv/more && echo three > /srv/data/c && chown 5:7 /srv/data/c'],
  ];
  let parent = 'jetpack/busybox';
  const out: Built = {};
  for (const [name, script] of steps) {
    const dir = path.join(scratch, name.replace(/\W/g, '_'));
    sh(`mkdir -p "${dir}"`);
    writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify({ name }));
    const r = jetpack(store, ['build', `-dir=${dir}`, parent, '/bin/sh', '-ec', script], { env });
    if (r.status !== 0) throw new Error(`build ${name}: ${r.stderr}`);
    parent = out[name] = r.stdout.trim();
  }
  return out;
}

/** Builds everything on a fresh store from fresh copies of the image directories. */
function buildEverything(label: string, env: NodeJS.ProcessEnv): { store: string; ids: Built } {
  const scratch = path.join(work, label);
  const store = path.join(scratch, 'store');
  for (const d of ['busybox', 'example.hello', 'example.showenv']) copyImageDir(d, path.join(scratch, d));
  const ids: Built = {};
  ids.busybox = makeImage(store, path.join(scratch, 'busybox'), env);
  ids['example.hello'] = makeImage(store, path.join(scratch, 'example.hello'), env);
  ids.debian = importDebian(store);
  ids['example.showenv'] = makeImage(store, path.join(scratch, 'example.showenv'), env);
  Object.assign(ids, buildChain(store, scratch, env));
  return { store, ids };
}

const env = { SOURCE_DATE_EPOCH: EPOCH };
const first = buildEverything('first', env);

test('SOURCE_DATE_EPOCH: two fresh stores give the same image IDs for every image', () => {
  const second = buildEverything('second', env);
  assert.equal(second.ids, first.ids);
  assert.is(Object.keys(first.ids).length, 7);
  assert.is(new Set(Object.values(first.ids)).size, 7, 'seven different images');
  for (const [name, id] of Object.entries(first.ids)) {
    const a = path.join(work, `first-${name.replace(/\W/g, '_')}.flat`);
    const b = path.join(work, `second-${name.replace(/\W/g, '_')}.flat`);
    jetpackOk(first.store, ['export', '-flat', id, a]);
    jetpackOk(second.store, ['export', '-flat', id, b]);
    assert.ok(readFileSync(a).equals(readFileSync(b)), `export -flat of ${name} gives equal bytes`);
  }
});

test('the copy path (no overlayfs) builds the very same chain', () => {
  const scratch = path.join(work, 'copy');
  const store = path.join(scratch, 'store');
  copyImageDir('busybox', path.join(scratch, 'busybox'));
  makeImage(store, path.join(scratch, 'busybox'), env);
  const chain = buildChain(store, scratch, { ...env, JETPACK_NO_OVERLAY: '1' });
  for (const name of ['example.com/level1', 'example.com/level2', 'example.com/level3']) assert.is(chain[name], first.ids[name], name);
});

test('what a build writes carries SOURCE_DATE_EPOCH as its time; older files keep theirs', () => {
  const m = parseJson<ImageManifest>(jetpackOk(first.store, ['image-manifest', first.ids['example.com/level1']]));
  assert.equal(m.annotations, [{ name: 'timestamp', value: EPOCH_RFC3339 }]);
  const listing = sh(`tar -tvf "${path.join(first.store, 'images', first.ids['example.com/level1'], 'aci')}" --full-time --utc`);
  for (const line of listing.split('\n').filter((l) => l.includes('rootfs/srv'))) assert.match(line, / 2023-11-14 22:13:20 /, line);
  const layer = path.join(first.store, 'images', first.ids['example.com/level1'], 'rootfs');
  assert.is(statSync(path.join(layer, 'srv/data/a')).mtimeMs, Number(EPOCH) * 1000, 'the stored layer is clamped too');
  // A file the build dated before the epoch keeps its date.
  const level2 = path.join(first.store, 'images', first.ids['example.com/level2'], 'rootfs');
  assert.is(statSync(path.join(level2, 'srv/data/old')).mtime.toISOString(), '2001-02-03T04:05:06.000Z');
});

test('without SOURCE_DATE_EPOCH nothing is clamped: the build time shows', () => {
  const scratch = path.join(work, 'unset');
  sh(`mkdir -p "${scratch}"`);
  writeFileSync(path.join(scratch, 'manifest.json'), JSON.stringify({ name: 'example.com/now' }));
  const before = Date.now();
  const id = jetpackOk(first.store, ['build', `-dir=${scratch}`, 'jetpack/busybox', '/bin/sh', '-c', 'echo now > /now'], {
    env: { SOURCE_DATE_EPOCH: '' },
  }).trim();
  const m = parseJson<ImageManifest>(jetpackOk(first.store, ['image-manifest', id]));
  const timestamp = m.annotations?.[0].value ?? '';
  assert.ok(Date.parse(timestamp) >= Math.floor(before / 1000) * 1000, timestamp);
  assert.ok(statSync(path.join(first.store, 'images', id, 'rootfs', 'now')).mtimeMs >= before - 1000);
});

test('a malformed SOURCE_DATE_EPOCH is refused before anything is built', () => {
  const r = jetpack(first.store, ['build', '-dir', path.join(work, 'unset'), 'jetpack/busybox', '/bin/true'], { env: { SOURCE_DATE_EPOCH: 'yesterday' } });
  assert.is(r.status, 1);
  assert.match(r.stderr, /SOURCE_DATE_EPOCH must be a number of seconds, not "yesterday"/);
});

test.after(() => removeDir(work));
test.run();
