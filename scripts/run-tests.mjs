#!/usr/bin/env node
// Runs every uvu suite under test/ (TypeScript through tsx) and ends with the line
// "N passed, N failed" that CI reads; uvu's own summary is not recognised there.
// Usage: node scripts/run-tests.mjs [PATTERN]   (PATTERN filters test file paths, relative to test/)
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
// Only *.test.ts files are suites: a PATTERN narrows them (fixtures, helpers and golden generators beside them are not run).
const pattern = `^(?=.*\\.test\\.ts$)(?:${process.argv[2] ?? ''})`;
const uvu = path.join(root, 'node_modules', 'uvu', 'bin.js');
// What suites make once and share (the Debian minbase: test/helpers/debian.ts); a
// JETPACK_TEST_SHARED given by the caller is kept for the next run.
const given = process.env.JETPACK_TEST_SHARED;
const shared = given || mkdtempSync(path.join(os.tmpdir(), 'jetpack-test-shared-'));
const child = spawn(process.execPath, [uvu, '-r', 'tsx', 'test', pattern], {
  cwd: root,
  stdio: ['ignore', 'pipe', 'inherit'],
  env: { ...process.env, JETPACK_TEST_SHARED: shared },
});
let out = '';
child.stdout.on('data', (/** @type {Buffer} */ chunk) => {
  process.stdout.write(chunk);
  out += chunk.toString();
});
child.on('close', (code) => {
  if (!given) rmSync(shared, { recursive: true, force: true });
  // eslint-disable-next-line no-control-regex -- uvu colours its summary with ANSI escapes (ESC [ … m)
  const plain = out.replace(/\x1b\[[0-9;]*m/g, '');
  const total = Number(/Total:\s+(\d+)/.exec(plain)?.[1] ?? NaN);
  const passed = Number(/Passed:\s+(\d+)/.exec(plain)?.[1] ?? NaN);
  if (Number.isNaN(total) || Number.isNaN(passed)) {
    // uvu died before its summary (a crash while loading a suite): count it as a failure.
    console.log(`0 passed, 1 failed`);
    process.exit(code || 1);
  }
  console.log(`${passed} passed, ${total - passed} failed`);
  process.exit(code === 0 && passed === total ? 0 : 1);
});
