import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { jetpack, removeDir, sh, tempDir } from '../helpers/cli.js';

// A raw image whose file name starts with "-" is read as a file, never as an option of the
// tool that extracts it (unsquashfs, fsck.erofs: neither takes "--").
const work = tempDir();
const root = path.join(work, 'store');
const tree = path.join(work, 'tree');
mkdirSync(path.join(tree, 'usr/lib'), { recursive: true });
writeFileSync(path.join(tree, 'usr/lib/os-release'), 'ID=test\n');

for (const [fs, make] of [
  ['squashfs', (out: string) => `mksquashfs "${tree}" "${out}" -quiet -no-progress -noappend`],
  ['erofs', (out: string) => `mkfs.erofs --quiet "${out}" "${tree}"`],
] as const) {
  test(`portable check reads the ${fs} image -d_${fs}.raw as a file`, () => {
    const name = `-d_${fs}.raw`;
    sh(make(path.join(work, name)));
    const r = jetpack(root, ['portable', 'check', '-json', '--', name], { cwd: work });
    assert.is(r.status, 1, r.stderr);
    assert.is(r.stderr, '');
    const report = JSON.parse(r.stdout) as { failures: Array<{ rule: string }> };
    assert.ok(
      report.failures.some((f) => f.rule === 'units'),
      r.stdout,
    );
  });
}

test.after(() => removeDir(work));
test.run();
