/**
 * scripts/run-tests.mjs with a PATTERN (what `npm test -- PATTERN` passes): only the *.test.ts
 * files it matches run, never a fixture or generator beside them that it also matches
 * (test/template/golden/gen.go, check.ts …), and the closing line counts their tests. With
 * --unit (npm run test:unit) only *.unit.test.ts files run, spread over worker processes,
 * and a failing, unloadable or process-killing suite is counted, never lost.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { REPO, removeDir, tempDir } from '../helpers/cli.js';

const testsIn = (file: string) => readFileSync(path.join(REPO, 'test', file), 'utf8').match(/^test\(/gm)!.length;

function runTests(root: string, args: string[], env: NodeJS.ProcessEnv = {}) {
  const r = spawnSync(process.execPath, [path.join(root, 'scripts', 'run-tests.mjs'), ...args], {
    cwd: root,
    encoding: 'utf8',
    timeout: 120_000,
    env: { ...process.env, ...env },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, last: r.stdout.trimEnd().split('\n').pop() };
}

test('a PATTERN narrows the run to the test files it matches; the closing line is N passed, 0 failed', () => {
  // Matches test/image/name.unit.test.ts and every file under test/template/golden/ (none a suite).
  const r = runTests(REPO, [String.raw`^(image/name\.unit\.test\.ts|template/golden/)`]);
  assert.is(r.status, 0, `${r.stdout}\n${r.stderr}`);
  assert.is(r.last, `${testsIn('image/name.unit.test.ts')} passed, 0 failed`);
  assert.not.match(r.stdout + r.stderr, /gen\.go|main\.go|Unknown file extension/);
});

test('--unit runs the matching unit files on parallel workers and adds up their tests', () => {
  const r = runTests(REPO, ['--unit', '^(image/|runner/)'], { JETPACK_TEST_JOBS: '2' });
  assert.is(r.status, 0, `${r.stdout}\n${r.stderr}`);
  const files = readdirSync(path.join(REPO, 'test', 'image'))
    .filter((f) => f.endsWith('.unit.test.ts'))
    .map((f) => `image/${f}`);
  assert.ok(files.length >= 3, files.join(' '));
  for (const file of files) assert.ok(r.stdout.includes(file), file);
  assert.not.ok(r.stdout.includes('runner/run-tests.test.ts'), 'a file outside the unit tier ran');
  assert.match(r.stdout, new RegExp(`\\nunit tier: ${files.length} files in [\\d.]+ s on 2 workers\\n`));
  assert.is(r.last, `${files.reduce((n, f) => n + testsIn(f), 0)} passed, 0 failed`);
});

test('--unit counts a failing test, a suite that cannot load and one that kills its worker, and runs the rest', () => {
  const root = tempDir('jetpack-runner-');
  try {
    mkdirSync(path.join(root, 'scripts'));
    mkdirSync(path.join(root, 'test', 'a'), { recursive: true });
    for (const script of ['run-tests.mjs', 'test-worker.mjs']) copyFileSync(path.join(REPO, 'scripts', script), path.join(root, 'scripts', script));
    symlinkSync(path.join(REPO, 'node_modules'), path.join(root, 'node_modules'));
    writeFileSync(path.join(root, 'package.json'), '{ "type": "module" }\n');
    const suite = (body: string) => `import { test } from 'uvu';\nimport * as assert from 'uvu/assert';\n${body}\ntest.run();\n`;
    writeFileSync(path.join(root, 'test', 'a', 'pass.unit.test.ts'), suite("test('one', () => {});\ntest('two', () => assert.ok(true));"));
    writeFileSync(path.join(root, 'test', 'a', 'fail.unit.test.ts'), suite("test('ok', () => {});\ntest('wrong', () => assert.is(1, 2));"));
    writeFileSync(path.join(root, 'test', 'broken.unit.test.ts'), suite("throw new Error('cannot load');"));
    writeFileSync(path.join(root, 'test', 'exits.unit.test.ts'), suite("test('exits', () => process.exit(3));"));
    writeFileSync(path.join(root, 'test', 'late.unit.test.ts'), suite("test('after the others', () => {});"));
    writeFileSync(path.join(root, 'test', 'slow.test.ts'), suite("test('not unit', () => assert.unreachable());"));
    const durations = path.join(root, 'durations.json');
    const r = runTests(root, ['--unit'], { JETPACK_TEST_JOBS: '2', JETPACK_TEST_DURATIONS: durations });
    assert.is(r.status, 1, `${r.stdout}\n${r.stderr}`);
    assert.match(r.stdout, /cannot load/);
    assert.match(r.stdout, /exits\.unit\.test\.ts: the worker died \(exit 3\)/);
    assert.match(r.stdout, /\nunit tier: 5 files in [\d.]+ s on 2 workers\n/);
    assert.is(r.last, '4 passed, 3 failed');
    assert.equal(
      Object.keys(JSON.parse(readFileSync(durations, 'utf8')) as Record<string, number>).sort(),
      ['a/fail.unit.test.ts', 'a/pass.unit.test.ts', 'broken.unit.test.ts', 'late.unit.test.ts'],
      'each file that finished is timed',
    );
    const narrowed = runTests(root, ['--unit', '^a/pass'], { JETPACK_TEST_JOBS: '2', JETPACK_TEST_DURATIONS: durations });
    assert.is(narrowed.status, 0, narrowed.stdout);
    assert.match(narrowed.stdout, /unit tier: 1 files in [\d.]+ s on 1 workers\n/);
    assert.is(narrowed.last, '2 passed, 0 failed');
    const anywhere = runTests(root, ['--unit', 'fail|late'], { JETPACK_TEST_DURATIONS: durations });
    assert.match(anywhere.stdout, /unit tier: 2 files in /, 'a PATTERN without ^ matches anywhere in the path');
    assert.is(anywhere.last, '2 passed, 1 failed');
  } finally {
    removeDir(root);
  }
});

test.run();
