import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { jetpack, removeDir, sh, tempDir } from '../helpers/cli.js';
import { importBusybox } from '../helpers/busybox.js';
import { PROGRESS_LINE, assertStepReported } from '../helpers/progress.js';

// The debian job source streams mmdebstrap's own output as it comes (issue 29.2), seen with a
// fake mmdebstrap that reports two steps a second apart, then unpacks busybox (or fails).
const work = tempDir();
const root = path.join(work, 'store');
importBusybox(root, work);
const tarball = path.join(work, 'busybox', 'rootfs.tar');
const bin = path.join(work, 'bin');
mkdirSync(bin);
writeFileSync(
  path.join(bin, 'mmdebstrap'),
  `#!/bin/sh
for root; do :; done
echo "I: downloading packages" >&2
sleep 1
echo "I: extracting packages" >&2
sleep 1
if [ -n "$FAIL" ]; then echo "E: the mirror is gone" >&2; exit 1; fi
tar -xf "${tarball}" -C "$root"
`,
);
chmodSync(path.join(bin, 'mmdebstrap'), 0o755);

const dir = path.join(work, 'job');
mkdirSync(dir);
writeFileSync(path.join(dir, 'hooks.yml'), 'hooks: []\n');
writeFileSync(
  path.join(dir, 'job.yaml'),
  'jobs:\n- name: stage\n  source: { type: debian, suite: bookworm }\n  output: { type: file, name: stage.tar, dir: ./out }\n  workspacedir: ./ws\n  hooks_files: [hooks.yml]\n',
);

function metro(args: string[] = [], env: NodeJS.ProcessEnv = {}) {
  return jetpack(root, ['metro', 'run', '--specfile', path.join(dir, 'job.yaml'), '--job', 'stage', ...args], {
    cwd: dir,
    env: { PATH: `${bin}:${process.env.PATH}`, JETPACK_PROGRESS_INTERVAL_MS: '400', ...env },
  });
}

test("in CI: mmdebstrap's lines show while it runs, between a start and a done line", () => {
  const r = metro();
  assert.is(r.status, 0, r.stderr);
  assertStepReported(r.stderr, 'mmdebstrap bookworm');
  // A periodic line can only carry a line mmdebstrap wrote while it still ran: buffered
  // output would come after its end, when the periodic lines have stopped.
  assert.match(r.stderr, /^jetpack: mmdebstrap bookworm: I: downloading packages \(\d\.\ds\)$/m);
  assert.match(r.stderr, /^jetpack: mmdebstrap bookworm: I: extracting packages \(\d\.\ds\)$/m);
  assert.ok(sh(`tar -tf "${path.join(dir, 'out/stage.tar')}"`).includes('./bin/busybox'));
});

test('a failing mmdebstrap: its last lines and its complaint, no done line', () => {
  const r = metro([], { FAIL: '1', JETPACK_PROGRESS_INTERVAL_MS: '60000' });
  assert.is(r.status, 1, r.stderr);
  assert.match(r.stderr, /^jetpack: mmdebstrap bookworm: started$/m);
  assert.not.match(r.stderr, /mmdebstrap bookworm: done in/);
  assert.match(r.stderr, /^mmdebstrap bookworm: I: extracting packages$/m, 'the lines not shown yet');
  assert.match(r.stderr, /E: the mirror is gone/);
});

test('-quiet, global or metro run --quiet, silences it', () => {
  for (const r of [
    metro(['--quiet']),
    jetpack(root, ['-quiet', 'metro', 'run', '--specfile', path.join(dir, 'job.yaml'), '--job', 'stage'], {
      cwd: dir,
      env: { PATH: `${bin}:${process.env.PATH}` },
    }),
  ]) {
    assert.is(r.status, 0, r.stderr);
    assert.not.match(r.stderr, PROGRESS_LINE, r.stderr);
    assert.not.match(r.stderr, /downloading packages/, r.stderr);
  }
});

test.after(() => removeDir(work));
test.run();
