import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { jetpack, removeDir, tempDir } from '../helpers/cli.js';

const work = tempDir();
const notADir = path.join(work, 'file');
writeFileSync(notADir, '');

test('an error the environment caused is one line; -debug shows its stack and the cause it wraps', () => {
  const plain = jetpack(path.join(notADir, 'store'), ['images']);
  assert.is(plain.status, 1);
  assert.is(plain.stderr, `jetpack: cannot create the image store at ${notADir}/store: ENOTDIR: not a directory, mkdir '${notADir}/store/images'\n`);
  for (const args of [
    ['-debug', 'images'],
    ['images', '-debug'],
  ]) {
    const debug = jetpack(path.join(notADir, 'store'), args);
    assert.is(debug.status, 1);
    assert.match(debug.stderr, /^UserError: cannot create the image store/m);
    assert.match(debug.stderr, /^caused by: Error: ENOTDIR: not a directory, mkdir/m);
  }
});

test.after(() => removeDir(work));
test.run();
