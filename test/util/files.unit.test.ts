/**
 * File helpers in a tmp dir: atomic outputs (src/util/output-file.ts), fs.ts, durable.ts,
 * cached-dir.ts, clone-tree.ts, disk.ts, source-date-epoch.ts.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { chmodSync, constants, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, symlinkSync, utimesSync, writeFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import { UserError } from '../../src/errors.js';
import { cachedDir } from '../../src/util/cached-dir.js';
import { cloneTree } from '../../src/util/clone-tree.js';
import { explainDiskFull } from '../../src/util/disk.js';
import { syncFilesystemOf } from '../../src/util/durable.js';
import { pathExists, syncDirectory } from '../../src/util/fs.js';
import { writeOutput, writeTextFile } from '../../src/util/output-file.js';
import { clampTreeTimes, sourceDateEpoch } from '../../src/util/source-date-epoch.js';
import { removeDir, tempDir } from '../helpers/cli.js';

const work = tempDir('jetpack-files-');
test.after(() => removeDir(work));

test('writeOutput: the file appears whole, with its mode, only when the writer succeeds', async () => {
  const file = path.join(work, 'out.aci');
  const result = await writeOutput(
    file,
    async (fd) => {
      writeSync(fd, 'half');
      assert.not.ok(existsSync(file), 'visible before the writer finished');
      writeSync(fd, ' and half');
      return 42;
    },
    { durable: true, mode: 0o600 },
  );
  assert.is(result, 42);
  assert.is(readFileSync(file, 'utf8'), 'half and half');
  assert.is(lstatSync(file).mode & 0o777, 0o600);

  const before = readdirSync(work).sort();
  const err = await writeOutput(file, async (fd) => {
    writeSync(fd, 'broken');
    throw new Error('writer failed');
  }).catch((e: Error) => e);
  assert.is(err.message, 'writer failed');
  assert.is(readFileSync(file, 'utf8'), 'half and half', 'the old file is untouched');
  assert.equal(readdirSync(work).sort(), before, 'no temporary file is left');
});

test('writeOutput: an unwritable place is one user error; writeTextFile replaces a file', async () => {
  const err = await writeOutput(path.join(work, 'no', 'such', 'dir', 'f'), async () => {}).catch((e: Error) => e);
  assert.instance(err, UserError);
  assert.match((err as Error).message, /^cannot write .*\/no\/such\/dir\/f: ENOENT/);
  const file = path.join(work, 'text');
  await writeTextFile(file, 'one');
  await writeTextFile(file, 'two', 0o640);
  assert.is(readFileSync(file, 'utf8'), 'two');
  assert.is(lstatSync(file).mode & 0o777, 0o640);
});

test('pathExists follows symlinks and checks a mode; syncDirectory and syncFilesystemOf flush', async () => {
  const file = path.join(work, 'exists');
  writeFileSync(file, '');
  chmodSync(file, 0o644);
  symlinkSync(file, path.join(work, 'link'));
  symlinkSync(path.join(work, 'nowhere'), path.join(work, 'dangling'));
  assert.ok(await pathExists(file));
  assert.ok(await pathExists(path.join(work, 'link')));
  assert.not.ok(await pathExists(path.join(work, 'dangling')));
  assert.not.ok(await pathExists(file, constants.X_OK));
  await syncDirectory(work);
  await syncFilesystemOf(work);
  const err = await syncDirectory(path.join(work, 'nowhere')).catch((e: NodeJS.ErrnoException) => e);
  assert.is((err as NodeJS.ErrnoException).code, 'ENOENT');
});

test('cachedDir fills a directory once, complete or not at all', async () => {
  const dir = path.join(work, 'cache', 'tools');
  let fills = 0;
  const fill = async (scratch: string) => {
    fills++;
    writeFileSync(path.join(scratch, 'made'), String(fills));
  };
  const [a, b] = await Promise.all([cachedDir(dir, fill), cachedDir(dir, fill)]);
  assert.is(a, dir);
  assert.is(b, dir);
  assert.is(await cachedDir(dir, fill), dir);
  assert.ok(fills <= 2, `filled ${fills} times`);
  assert.equal(readdirSync(path.dirname(dir)), ['tools'], 'no scratch copy is left');
  assert.ok(['1', '2'].includes(readFileSync(path.join(dir, 'made'), 'utf8')));

  const failed = path.join(work, 'cache', 'failed');
  const err = await cachedDir(failed, async () => {
    throw new Error('fill failed');
  }).catch((e: Error) => e);
  assert.is((err as Error).message, 'fill failed');
  assert.equal(readdirSync(path.dirname(dir)), ['tools'], 'a failed fill leaves nothing');
});

test('cloneTree copies a tree with its links and times into an existing directory', async () => {
  const from = path.join(work, 'tree');
  mkdirSync(path.join(from, 'd'), { recursive: true });
  writeFileSync(path.join(from, 'd', 'f'), 'data');
  symlinkSync('d/f', path.join(from, 'l'));
  utimesSync(path.join(from, 'd', 'f'), 1_000_000, 1_000_000);
  const to = path.join(work, 'clone');
  mkdirSync(to);
  await cloneTree(from, to, 'cloning');
  assert.is(readFileSync(path.join(to, 'd', 'f'), 'utf8'), 'data');
  assert.ok(lstatSync(path.join(to, 'l')).isSymbolicLink());
  assert.is(lstatSync(path.join(to, 'd', 'f')).mtimeMs, 1_000_000_000);
  const err = await cloneTree(path.join(work, 'absent'), to, 'cloning nothing').catch((e: Error) => e);
  assert.match((err as Error).message, /^cloning nothing: cp exited with status 1: cp: /);
});

test('explainDiskFull: only a short write on a full disk becomes "no space left"; other errors pass through', async () => {
  const other = new Error('tar: something else');
  assert.is(await explainDiskFull(other, work, 'unpacking'), other);
  const short = new Error('tar: Wrote only 512 of 10240 bytes');
  assert.is(await explainDiskFull(short, work, 'unpacking'), short, 'the disk has room: the error stays');
  assert.is(await explainDiskFull('not an error', work, 'unpacking'), 'not an error');
});

test('SOURCE_DATE_EPOCH: unset or empty is none; digits are seconds; anything else is refused', () => {
  assert.is(sourceDateEpoch({}), undefined);
  assert.is(sourceDateEpoch({ SOURCE_DATE_EPOCH: '' }), undefined);
  assert.is(sourceDateEpoch({ SOURCE_DATE_EPOCH: '1700000000' }), 1_700_000_000);
  assert.is(sourceDateEpoch({ SOURCE_DATE_EPOCH: '0' }), 0);
  for (const bad of ['-1', '1.5', ' 1', 'yesterday']) {
    assert.throws(
      () => sourceDateEpoch({ SOURCE_DATE_EPOCH: bad }),
      (err: Error) => err instanceof UserError && err.message === `SOURCE_DATE_EPOCH must be a number of seconds, not "${bad}"`,
    );
  }
});

test('clampTreeTimes lowers newer mtimes to the epoch (symlinks themselves) and keeps older ones', async () => {
  const dir = path.join(work, 'clamp');
  mkdirSync(path.join(dir, 'sub'), { recursive: true });
  writeFileSync(path.join(dir, 'sub', 'new'), '');
  writeFileSync(path.join(dir, 'old'), '');
  utimesSync(path.join(dir, 'old'), 1000, 1000);
  symlinkSync('/nonexistent', path.join(dir, 'link'));
  await clampTreeTimes(dir, 5000);
  const mtime = (p: string) => lstatSync(path.join(dir, p)).mtimeMs / 1000;
  assert.equal([mtime('.'), mtime('sub'), mtime('sub/new'), mtime('link'), mtime('old')], [5000, 5000, 5000, 5000, 1000]);
});

test.run();
