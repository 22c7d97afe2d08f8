/**
 * scripts/run-tests.mjs with a PATTERN (what `npm test -- PATTERN` passes): only the *.test.ts
 * files it matches run, never a fixture or generator beside them that it also matches
 * (test/template/golden/gen.go, check.ts …), and the closing line counts their tests.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { REPO } from '../helpers/cli.js';

test('a PATTERN narrows the run to the test files it matches; the closing line is N passed, 0 failed', () => {
  // Matches test/image/name.test.ts and every file under test/template/golden/ (none a suite).
  const pattern = String.raw`^(image/name\.test\.ts|template/golden/)`;
  const r = spawnSync(process.execPath, [path.join(REPO, 'scripts', 'run-tests.mjs'), pattern], { cwd: REPO, encoding: 'utf8', timeout: 120_000 });
  const tests = readFileSync(path.join(REPO, 'test', 'image', 'name.test.ts'), 'utf8').match(/^test\(/gm)!.length;
  assert.is(r.status, 0, `${r.stdout}\n${r.stderr}`);
  assert.is(r.stdout.trimEnd().split('\n').pop(), `${tests} passed, 0 failed`);
  assert.not.match(r.stdout + r.stderr, /gen\.go|main\.go|Unknown file extension/);
});

test.run();
