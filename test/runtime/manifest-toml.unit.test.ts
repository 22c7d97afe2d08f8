/** A runtime's manifest.toml (src/runtime/manifest-toml.ts): [Core] command and free-form [Meta]. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { UserError } from '../../src/errors.js';
import { parseRuntimeManifest } from '../../src/runtime/manifest-toml.js';

async function refusal(text: string): Promise<string> {
  const err = await parseRuntimeManifest(text, 'rt/manifest.toml').catch((e: Error) => e);
  assert.instance(err, UserError);
  return (err as Error).message;
}

test('[Core] command and [Meta] values as text; both optional', async () => {
  const m = await parseRuntimeManifest(
    '[Core]\ncommand = "/usr/bin/app --serve"\n[Meta]\nTitle = "App"\nRelease = 3\nBuilt = 2024-01-02T03:04:05Z\nTags = ["a", "b"]\n',
    'm',
  );
  assert.equal(m, { command: '/usr/bin/app --serve', meta: { Title: 'App', Release: '3', Built: '2024-01-02T03:04:05.000Z', Tags: '["a","b"]' } });
  assert.equal(await parseRuntimeManifest('', 'm'), { command: undefined, meta: {} });
});

test('not TOML, or a command that is no string: one line naming the file', async () => {
  assert.match(await refusal('[Core\n'), /^rt\/manifest\.toml: not valid TOML: /);
  assert.is(await refusal('[Core]\ncommand = ["/bin/sh"]\n'), 'rt/manifest.toml: [Core] command must be a string');
});

test.run();
