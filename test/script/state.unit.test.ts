/** An image script's build state (src/script/state.ts): its inputs, the state file, and why it rebuilds. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { STATE_FILE, changeSince, listInputs, readState, writeState } from '../../src/script/state.js';
import { removeDir, tempDir } from '../helpers/cli.js';

const work = tempDir('jetpack-state-');
test.after(() => removeDir(work));

test("inputs: every file's size and mtime, sorted, without jetpack's own files and the outputs", async () => {
  mkdirSync(path.join(work, 'files', 'etc'), { recursive: true });
  writeFileSync(path.join(work, 'image.mjs'), 'export default {}');
  writeFileSync(path.join(work, 'files', 'etc', 'motd'), 'hello');
  writeFileSync(path.join(work, '.jetpack.id'), 'x');
  writeFileSync(path.join(work, 'image.aci'), 'out');
  const stamp = (p: string) => `${statSync(path.join(work, p)).size}:${statSync(path.join(work, p)).mtimeMs}`;
  const inputs = await listInputs(work, new Set(['image.aci']));
  assert.equal(inputs, { 'files/etc/motd': stamp('files/etc/motd'), 'image.mjs': stamp('image.mjs') });
  assert.equal(Object.keys(inputs), ['files/etc/motd', 'image.mjs']);
});

test('the state file round-trips; a missing or broken one reads as none', async () => {
  const dir = path.join(work, 'state');
  mkdirSync(dir);
  assert.is(await readState(dir), undefined);
  const state = { id: 'sha512-x', parent: 'p', vars: { A: '1' }, inputs: { f: '1:2' } };
  await writeState(dir, state);
  assert.equal(await readState(dir), state);
  writeFileSync(path.join(dir, STATE_FILE), '{ broken');
  assert.is(await readState(dir), undefined);
});

test('changeSince names the first difference: no build, parent, values, then files in name order', () => {
  const old = { id: 'i', parent: 'p', vars: { A: '1' }, inputs: { a: '1:1', b: '1:1' } };
  const now = { parent: 'p', vars: { A: '1' }, inputs: { a: '1:1', b: '1:1' } };
  assert.is(changeSince(old, now), undefined);
  assert.is(changeSince(undefined, now), 'no earlier build');
  assert.is(changeSince(old, { ...now, parent: 'q' }), 'the parent image changed');
  assert.is(changeSince(old, { ...now, vars: { A: '2' } }), 'the values passed in changed');
  assert.is(changeSince(old, { ...now, inputs: { a: '1:1', b: '2:1' } }), 'b changed');
  assert.is(changeSince(old, { ...now, inputs: { a: '1:1' } }), 'b was removed');
  assert.is(changeSince(old, { ...now, inputs: { '0': '1:1', a: '1:1', b: '1:1' } }), '0 was added');
});

test.run();
