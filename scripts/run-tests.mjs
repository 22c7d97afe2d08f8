#!/usr/bin/env node
// Runs every uvu suite under test/ (TypeScript through tsx) and ends with the line
// "N passed, N failed" that CI reads; uvu's own summary is not recognised there.
// Usage: node scripts/run-tests.mjs [PATTERN]   (PATTERN filters test file paths)
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const pattern = process.argv[2] ?? '\\.test\\.ts$';
const uvu = path.join(root, 'node_modules', 'uvu', 'bin.js');
const child = spawn(process.execPath, [uvu, '-r', 'tsx', 'test', pattern], {
  cwd: root,
  stdio: ['ignore', 'pipe', 'inherit'],
});
let out = '';
child.stdout.on('data', (chunk) => {
  process.stdout.write(chunk);
  out += chunk.toString();
});
child.on('close', (code) => {
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
