import { test } from 'uvu';
import * as assert from 'uvu/assert';
import path from 'node:path';
import { jetpack, jetpackOk, makeAciWithTar, removeDir, sh, tempDir } from '../helpers/cli.js';
import { PROGRESS_LINE, SIZE, assertStepReported } from '../helpers/progress.js';

// The CLI's progress in CI (the helpers set CI=true): a start and a done line per long step,
// none with -quiet before or after the command.
const work = tempDir();
const root = path.join(work, 'store');
const tree = path.join(work, 'tree');
sh(`mkdir -p "${tree}/etc" && echo hi > "${tree}/etc/hi"`);
jetpackOk(root, ['import', makeAciWithTar(work, tree, { acKind: 'ImageManifest', acVersion: '0.8.11', name: 'example.com/progress' })]);

test('fsck in CI: a start line and a done line with the images checked', () => {
  const r = jetpack(root, ['fsck']);
  assert.is(r.status, 0, r.stderr);
  assert.match(r.stderr, /^jetpack: checking the store: started$/m);
  assert.match(r.stderr, /^jetpack: checking the store: done in \d+\.\ds \(1 \/ 1 images \(100%\)\)$/m);
  assert.match(r.stdout, /^1 image\(s\) checked, 0 problem\(s\)/);
});

test('an OCI export in CI shows its layers step; -quiet silences it, before or after the command', () => {
  const out = (name: string) => path.join(work, name);
  const loud = jetpack(root, ['export', '-format=oci', 'example.com/progress', out('loud')]);
  assert.is(loud.status, 0, loud.stderr);
  assert.match(loud.stderr, /^jetpack: writing the layers of example.com\/progress: started$/m);
  assert.match(loud.stderr, /^jetpack: writing the layers of example.com\/progress: done in \d+\.\ds \(1 \/ 1 layers \(100%\)\)$/m);
  for (const args of [
    ['-quiet', 'export', '-format=oci', 'example.com/progress', out('before')],
    ['export', '-format=oci', '-quiet', 'example.com/progress', out('after')],
    ['-quiet', 'fsck'],
    ['fsck', '-quiet'],
    ['fsck', '--quiet'],
  ]) {
    const r = jetpack(root, args);
    assert.is(r.status, 0, `${args.join(' ')}: ${r.stderr}`);
    assert.not.match(r.stderr, PROGRESS_LINE, `${args.join(' ')}: ${r.stderr}`);
    assert.ok(r.stdout.length > 0, `${args.join(' ')} still prints its result`);
  }
  const env = jetpack(root, ['fsck'], { env: { JETPACK_QUIET: '1' } });
  assert.not.match(env.stderr, PROGRESS_LINE, 'JETPACK_QUIET=1 as -quiet');
});

test('a flat ACI export in CI shows its bytes', () => {
  const r = jetpack(root, ['export', '-flat', 'example.com/progress', path.join(work, 'flat.aci')]);
  assert.is(r.status, 0, r.stderr);
  assert.match(assertStepReported(r.stderr, 'exporting example.com/progress'), new RegExp(String.raw` \(${SIZE} / ${SIZE} \(\d+%\), ${SIZE}/s\)$`));
});

test('-quiet is listed among the global flags', () => {
  const r = jetpack(root, ['help']);
  assert.match(r.stdout, /-quiet\s+show no progress of long steps \(same as JETPACK_QUIET=1\)/);
  assert.match(r.stdout, /-root, -debug and -quiet may also follow COMMAND/);
});

test.after(() => removeDir(work));

test.run();
