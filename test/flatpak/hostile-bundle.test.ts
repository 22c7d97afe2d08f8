/**
 * Hostile Flatpak bundles for `jetpack import-flatpak`: a FIFO or device in place of the
 * bundle, garbage, a truncated bundle, a runtime past JETPACK_MAX_UNPACKED. Each: exit 1 with
 * one line, the store unchanged and fsck clean, no process left, in bounded time.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { JETPACK, jetpack, jetpackOk, removeDir, sh, storeState, tempDir } from '../helpers/cli.js';
import { importBusybox } from '../helpers/busybox.js';

const work = tempDir('jetpack-hostile-bundle-');
const root = path.join(work, 'store');
const TIME_BOUND_MS = 20_000;
importBusybox(root, work);
const bundle = path.join(work, 'small.flatpak');
jetpackOk(root, [
  'export',
  '-format=flatpak',
  `-ref=runtime/org.example.Small/${process.arch === 'arm64' ? 'aarch64' : 'x86_64'}/1`,
  `-bundle=${bundle}`,
  'jetpack/busybox',
  path.join(work, 'repo'),
]);
const fifo = path.join(work, 'fifo.flatpak');
sh(`mkfifo ${fifo}`);
const garbage = path.join(work, 'garbage.flatpak');
writeFileSync(garbage, Buffer.from(Array.from({ length: 50_000 }, (_, i) => (i * 7919) & 0xff)));
const truncated = path.join(work, 'truncated.flatpak');
const whole = readFileSync(bundle);
writeFileSync(truncated, whole.subarray(0, whole.length >> 1));

const cases: Array<{ name: string; source: string; expect: RegExp; env?: Record<string, string> }> = [
  { name: 'a FIFO', source: fifo, expect: /fifo.flatpak is neither a directory nor a regular file: a bundle is a file made by flatpak build-bundle/ },
  { name: 'a character device', source: '/dev/zero', expect: /\/dev\/zero is neither a directory nor a regular file/ },
  { name: 'garbage', source: garbage, expect: /importing the bundle .*garbage.flatpak \(flatpak build-import-bundle\): flatpak exited with status 1/ },
  {
    name: 'a truncated bundle',
    source: truncated,
    expect: /importing the bundle .*truncated.flatpak \(flatpak build-import-bundle\): flatpak exited with status 1/,
  },
  {
    name: 'a runtime past JETPACK_MAX_UNPACKED',
    source: bundle,
    expect: /expands to more than 64K \(JETPACK_MAX_UNPACKED raises the limit\)/,
    env: { JETPACK_MAX_UNPACKED: '64K' },
  },
];

test('hostile bundles: one line, nothing stored, no process left, in bounded time', () => {
  const before = storeState(root);
  const problems: string[] = [];
  for (const c of cases) {
    const started = Date.now();
    const r = spawnSync(JETPACK, [`-root=${root}`, 'import-flatpak', '-name=example/hostile', c.source], {
      encoding: 'utf8',
      timeout: TIME_BOUND_MS,
      env: { ...process.env, CI: 'true', JETPACK_DEBUG: '', ...c.env },
    });
    const lines = (r.stderr ?? '')
      .trim()
      .split('\n')
      .filter((l) => !l.startsWith('jetpack: reading the bundle'));
    if (r.signal) problems.push(`${c.name}: still running after ${TIME_BOUND_MS} ms (killed)`);
    else if (r.status !== 1) problems.push(`${c.name}: exit ${r.status}, ${r.stderr}`);
    else if (lines.length !== 1 || !c.expect.test(lines[0])) problems.push(`${c.name}: said ${JSON.stringify(lines)}, expected ${c.expect}`);
    if (Date.now() - started > TIME_BOUND_MS) problems.push(`${c.name}: took ${Date.now() - started} ms`);
    if (JSON.stringify(storeState(root)) !== JSON.stringify(before)) problems.push(`${c.name}: the store changed`);
    const left = sh(`ps -eo args | grep -F -- '${c.source}' | grep -v grep || true`).trim();
    if (left) problems.push(`${c.name}: processes left: ${left}`);
  }
  assert.equal(problems, []);
  assert.is(jetpack(root, ['fsck']).status, 0);
  // The same bundle within the limits imports: the refusal was the bound.
  assert.is(jetpack(root, ['import-flatpak', '-name=example/small', bundle]).status, 0);
});

test.after(() => removeDir(work));
test.run();
