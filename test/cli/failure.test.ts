import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { stat } from 'node:fs/promises';
import { BuildError, step } from '../../src/derive/build.js';
import { failureReport } from '../../src/cli/failure.js';
import { UserError } from '../../src/errors.js';

const enoent = () =>
  stat('/nonexistent/jetpack-test').then(
    () => assert.unreachable(),
    (e: NodeJS.ErrnoException) => e,
  );

test('a user error is one line with its exit status; -json adds the JSON line', () => {
  const r = failureReport(new UserError('no image x', 2), { debug: false, json: true });
  assert.is(r.status, 2);
  assert.is(r.text, 'jetpack: no image x\n{"error":{"message":"no image x","status":2}}\n');
});

test('a failed system call is one line, exit 1; ENOSPC says nothing was stored', async () => {
  const r = failureReport(await enoent(), { debug: false, json: false });
  assert.is(r.status, 1);
  assert.is(r.text, "jetpack: ENOENT: no such file or directory, stat '/nonexistent/jetpack-test'\n");
  const full = Object.assign(new Error('write failed'), { code: 'ENOSPC', syscall: 'write' });
  assert.is(failureReport(full, { debug: false, json: false }).text, 'jetpack: no space left on device; nothing was stored\n');
});

test('a bug exits 70 with a hint; -debug shows the stack and every cause', () => {
  const bug = new TypeError("Cannot read properties of undefined (reading 'name')");
  const r = failureReport(bug, { debug: false, json: false });
  assert.is(r.status, 70);
  assert.is(r.text, "jetpack: internal error: Cannot read properties of undefined (reading 'name')\njetpack: run with -debug for a stack trace\n");
  const wrapped = new UserError('cannot read manifest.json', 1, { cause: new Error('middle', { cause: bug }) });
  const debug = failureReport(wrapped, { debug: true, json: false }).text.split('\n');
  assert.is(debug[0], 'jetpack: cannot read manifest.json');
  assert.is(debug[1], 'UserError: cannot read manifest.json');
  assert.ok(debug.includes('caused by: Error: middle'), debug.join('\n'));
  assert.ok(debug.includes("caused by: TypeError: Cannot read properties of undefined (reading 'name')"), debug.join('\n'));
});

test('a build step names itself for what the user can act on, and passes a bug on as it is', async () => {
  const failed = await step(3, () => {
    throw new UserError('-cp x matches no file', 2);
  }).catch((e: unknown) => e);
  assert.instance(failed, BuildError);
  assert.is((failed as BuildError).message, 'build failed at step 3 (copy -cp files): -cp x matches no file');
  assert.is((failed as BuildError).exitCode, 2);
  assert.is((failed as BuildError).step, 3);
  const system = await step(2, () =>
    enoent().then((e) => {
      throw e as Error;
    }),
  ).catch((e: unknown) => e);
  assert.instance(system, BuildError);
  assert.instance((system as Error).cause, Error);
  const bug = new TypeError('x is not a function');
  assert.is(await step(5, () => Promise.reject(bug)).catch((e: unknown) => e), bug);
});

test.run();
