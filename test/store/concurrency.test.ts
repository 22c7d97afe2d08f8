import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { JETPACK, jetpack, jetpackAsync, jetpackOk, removeDir, sh, storeState, tempDir } from '../helpers/cli.js';
import { importBusybox } from '../helpers/busybox.js';
import { parseJson } from '../helpers/json.js';

// Many jetpacks on one store at once, and jetpacks killed at any moment.
const work = tempDir();
const root = path.join(work, 'store');
importBusybox(root, work);

test('eight builds at once on one store: all succeed, every image is whole, fsck is clean', async () => {
  const builds = Array.from({ length: 8 }, (_, i) => {
    const dir = path.join(work, `par${i}`);
    sh(`mkdir -p "${dir}" && seq 1 ${(i + 1) * 1000} > "${dir}/numbers"`);
    writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify({ name: `example.com/parallel${i}` }));
    return jetpackAsync(root, ['build', `-dir=${dir}`, 'jetpack/busybox', '/bin/sh', '-ec', `cp numbers /numbers; echo ${i} > /etc/which; rm /bin/vi`]);
  });
  const results = await Promise.all(builds);
  for (const [i, r] of results.entries()) assert.is(r.status, 0, `build ${i}: ${r.stderr}`);
  assert.is(new Set(results.map((r) => r.stdout.trim())).size, 8);
  for (let i = 0; i < 8; i++) {
    const out = jetpackOk(root, ['run', `example.com/parallel${i}`, '/bin/sh', '-c', 'cat /etc/which; wc -l < /numbers; test -e /bin/vi || echo no-vi']);
    assert.is(out, `${i}\n${(i + 1) * 1000}\nno-vi\n`);
  }
  const fsck = jetpack(root, ['fsck']);
  assert.is(fsck.status, 0, fsck.stdout);
  assert.match(fsck.stdout, /^9 image\(s\) checked, 0 problem\(s\), 0 leftover\(s\) removed$/m);
});

/** Live processes (not zombies) that belong to work in the store: their root, cwd or command line is in it. */
function processesOfStore(): string[] {
  const found: string[] = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      if (/^\d+ \(.*\) Z /.test(stat)) continue;
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
      const where = [readlinkSync(`/proc/${pid}/root`), readlinkSync(`/proc/${pid}/cwd`)];
      if (cmdline.includes(root) || where.some((w) => w.startsWith(root))) found.push(`${pid} ${cmdline}`);
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

test('SIGKILL of jetpack build at any moment leaves no process of it running a second later, on a busy machine', async () => {
  // A build with every kind of step, each long enough to be caught in: a build dir of 50000
  // files to copy (~2 s), a command, a layer to save.
  const dir = path.join(work, 'killed');
  sh(`mkdir -p "${dir}/many" && cd "${dir}/many" && seq 1 500000 | split -l 10 -a 5 - f && head -c 30000000 /dev/urandom > "${dir}/big"`);
  writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify({ name: 'example.com/killed' }));
  const burners = [0, 1, 2].map(() => spawn('sh', ['-c', 'while :; do :; done'], { stdio: 'ignore' }));
  const leftovers: string[] = [];
  try {
    for (let round = 0; round < 16; round++) {
      const child = spawn(JETPACK, [`-root=${root}`, 'build', `-dir=${dir}`, 'jetpack/busybox', '/bin/sh', '-c', 'cat big > /big && sleep 0.5'], {
        stdio: 'ignore',
      });
      await sleep(round * 160); // from the very start to the end of the build
      child.kill('SIGKILL');
      await new Promise((resolve) => child.on('close', resolve));
      await sleep(1000);
      leftovers.push(...processesOfStore().map((p) => `round ${round}: ${p}`));
    }
  } finally {
    for (const b of burners) b.kill('SIGKILL');
  }
  assert.equal(leftovers, [], 'processes outlived their jetpack');
  assert.equal(
    readFileSync('/proc/mounts', 'utf8')
      .split('\n')
      .filter((l) => l.includes(root)),
    [],
    'no mount left',
  );
  const fsck = jetpack(root, ['fsck']);
  assert.is(fsck.status, 0, fsck.stdout);
  assert.equal(storeState(root).tmp, []);
});

test('jetpack gc removes shadowed images nothing depends on, and stale tool caches; -dry-run only lists', () => {
  const dir = path.join(work, 'rebuilt');
  sh(`mkdir -p "${dir}"`);
  writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify({ name: 'example.com/rebuilt' }));
  const build = (parent: string, n: number) => jetpackOk(root, ['build', `-dir=${dir}`, parent, '/bin/sh', '-c', `echo ${n} > /n`]).trim();
  const old = build('jetpack/busybox', 1);
  const child = jetpackOk(root, ['build', `-dir=${path.join(work, 'par0')}`, old, '/bin/true']).trim(); // depends on old
  const older = build('jetpack/busybox', 2);
  const newest = build('jetpack/busybox', 3);
  sh(`mkdir -p "${root}/tools/make-1-2-3"`);

  const listed = jetpackOk(root, ['images', '-q', '-l']);
  assert.not.ok(listed.includes(older), 'images leaves out a shadowed image');
  assert.ok(listed.includes(newest));
  assert.ok(jetpackOk(root, ['images', '-a', '-q', '-l']).includes(older), '-a shows it');

  const dry = parseJson<{ images: { id: string }[]; caches: string[] }>(jetpackOk(root, ['gc', '-dry-run', '-json']));
  // par0 was built twice (the parallel test and here, on another parent): same name and labels.
  const doomed = dry.images.map((i) => i.id);
  assert.ok(doomed.includes(older), 'the shadowed image is collectable');
  assert.not.ok(doomed.includes(old), 'an image something depends on stays');
  assert.not.ok(doomed.includes(newest));
  assert.equal(dry.caches, ['tools/make-1-2-3']);
  assert.ok(storeState(root).images.includes(older), '-dry-run removes nothing');

  const r = jetpack(root, ['gc']);
  assert.is(r.status, 0, r.stderr);
  const after = storeState(root).images;
  assert.not.ok(after.includes(older));
  for (const kept of [old, child, newest]) assert.ok(after.includes(kept));
  assert.not.ok(readdirSync(path.join(root, 'tools')).includes('make-1-2-3'));
  assert.is(jetpack(root, ['fsck']).status, 0);
  assert.is(jetpackOk(root, ['run', 'example.com/rebuilt', 'cat', '/n']), '3\n', 'lookups still find the newest');
});

test.after(() => removeDir(work));
test.run();
