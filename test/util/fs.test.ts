import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { constants, lstat, readFile, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ifExists, isAbsent, pathExists } from '../../src/util/fs.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'jetpack-fs-'));
const file = path.join(dir, 'file');
writeFileSync(file, 'text', { mode: 0o644 });
symlinkSync('loop', path.join(dir, 'loop'));
mkdirSync(path.join(dir, 'sub'));

test('ifExists gives the result, or undefined for ENOENT and ENOTDIR', async () => {
  assert.is(await ifExists(readFile(file, 'utf8')), 'text');
  assert.is(await ifExists(lstat(path.join(dir, 'absent'))), undefined);
  assert.is(await ifExists(stat(path.join(file, 'below-a-file'))), undefined);
});

test('ifExists throws any other failure: a path that cannot be read is not an absent one', async () => {
  const err = await ifExists(stat(path.join(dir, 'loop'))).then(
    () => undefined,
    (e: NodeJS.ErrnoException) => e,
  );
  assert.is(err?.code, 'ELOOP');
  const isDir = await ifExists(readFile(path.join(dir, 'sub'))).then(
    () => undefined,
    (e: NodeJS.ErrnoException) => e,
  );
  assert.is(isDir?.code, 'EISDIR');
  assert.ok(isAbsent(Object.assign(new Error('x'), { code: 'ENOTDIR' })));
  assert.not.ok(isAbsent(Object.assign(new Error('x'), { code: 'EACCES' })));
  assert.not.ok(isAbsent(undefined));
});

test('pathExists: absent is false, a refused mode is false, other failures are thrown', async () => {
  assert.ok(await pathExists(file));
  assert.not.ok(await pathExists(path.join(dir, 'absent')));
  assert.not.ok(await pathExists(path.join(file, 'x')));
  assert.not.ok(await pathExists(file, constants.X_OK)); // 0644: EACCES even for root
  await pathExists(path.join(dir, 'loop')).then(
    () => assert.unreachable('ELOOP read as an answer'),
    (e: NodeJS.ErrnoException) => assert.is(e.code, 'ELOOP'),
  );
});

test.after(() => rmSync(dir, { recursive: true, force: true }));
test.run();
