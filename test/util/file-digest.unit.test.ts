import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { sha256OfFile } from '../../src/util/file-digest.js';
import { sh, tempDir } from '../helpers/cli.js';

const dir = tempDir();

test('sha256OfFile: the digest sha256sum gives, for an empty file, one block, and blocks plus a tail', async () => {
  for (const size of [0, 1, 4 << 20, (9 << 20) + 12345]) {
    const file = path.join(dir, `f-${size}`);
    writeFileSync(file, randomBytes(size));
    assert.is(await sha256OfFile(file), sh(`sha256sum "${file}"`).split(' ')[0], `${size} bytes`);
  }
});

test('sha256OfFile: a missing file rejects', async () => {
  await sha256OfFile(path.join(dir, 'absent')).then(
    () => assert.unreachable('resolved'),
    (err: NodeJS.ErrnoException) => assert.is(err.code, 'ENOENT'),
  );
});

test.run();
