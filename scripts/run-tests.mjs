#!/usr/bin/env node
// Runs the uvu suites under test/ (TypeScript through tsx) and ends with the line
// "N passed, N failed" that CI reads; uvu's own summary is not recognised there.
// Usage: node scripts/run-tests.mjs [--unit] [PATTERN]
//   PATTERN filters test file paths, relative to test/ (a regular expression, case-insensitive).
//   --unit runs only the unit tier, the files named *.unit.test.ts (in-process tests of modules,
//   no CLI, no store, no root), spread over one worker process per core (JETPACK_TEST_JOBS sets
//   how many), the files known to be slowest first. Without it every suite runs, one after the
//   other in one process, the unit tier included.
import { fork, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const args = process.argv.slice(2);
const unit = args[0] === '--unit';
const given = unit ? args[1] : args[0];
// Only *.test.ts files are suites: a PATTERN narrows them (fixtures, helpers and golden generators
// beside them are not run). It matches anywhere in the path unless it says ^.
const pattern = `^(?=.*\\.${unit ? 'unit\\.' : ''}test\\.ts$).*?(?:${given ?? ''})`;
// What suites make once and share (the Debian minbase: test/helpers/debian.ts); a
// JETPACK_TEST_SHARED given by the caller is kept for the next run.
const sharedGiven = process.env.JETPACK_TEST_SHARED;
const shared = sharedGiven || mkdtempSync(path.join(os.tmpdir(), 'jetpack-test-shared-'));
const env = { ...process.env, JETPACK_TEST_SHARED: shared };
/** @param {string} text */
// eslint-disable-next-line no-control-regex -- uvu colours its summary with ANSI escapes (ESC [ … m)
const plain = (text) => text.replace(/\x1b\[[0-9;]*m/g, '');

function finish(passed, failed, code) {
  if (!sharedGiven) rmSync(shared, { recursive: true, force: true });
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(code === 0 && failed === 0 ? 0 : 1);
}

/**
 * uvu's summary of a run: its Total and Passed counts, or undefined when it died before it.
 * @param {string} output
 */
function summary(output) {
  const text = plain(output);
  const total = Number(/Total:\s+(\d+)/.exec(text)?.[1] ?? NaN);
  const passed = Number(/Passed:\s+(\d+)/.exec(text)?.[1] ?? NaN);
  return Number.isNaN(total) || Number.isNaN(passed) ? undefined : { total, passed };
}

function runAll() {
  const uvu = path.join(root, 'node_modules', 'uvu', 'bin.js');
  const child = spawn(process.execPath, [uvu, '-r', 'tsx', 'test', pattern], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'], env });
  let out = '';
  child.stdout.on('data', (/** @type {Buffer} */ chunk) => {
    process.stdout.write(chunk);
    out += chunk.toString();
  });
  child.on('close', (code) => {
    const counts = summary(out);
    // uvu died before its summary (a crash while loading a suite): count it as a failure.
    if (!counts) finish(0, 1, code || 1);
    else finish(counts.passed, counts.total - counts.passed, code);
  });
}

/** Test files under test/ whose relative path matches the pattern, as uvu's CLI finds them. */
function suiteFiles() {
  const match = new RegExp(pattern, 'i');
  const dir = path.join(root, 'test');
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((name) => name.split(path.sep).join('/'))
    .filter((name) => match.test(name))
    .sort()
    .map((name) => ({ name, file: path.join(dir, name) }));
}

// How long each unit file took last time in this checkout, so that the slowest start first and
// no worker is left with a long file at the end; a file not timed yet counts as the slowest.
// JETPACK_TEST_DURATIONS names another file for them.
const durationsFile =
  process.env.JETPACK_TEST_DURATIONS ||
  path.join(os.tmpdir(), 'jetpack-test-durations', `${createHash('sha256').update(root).digest('hex').slice(0, 16)}.json`);
/** @returns {Record<string, number>} milliseconds by file name */
function readDurations() {
  try {
    /** @type {unknown} */
    const saved = JSON.parse(readFileSync(durationsFile, 'utf8'));
    return /** @type {Record<string, number>} */ (saved);
  } catch {
    return {};
  }
}

function runUnit() {
  const started = performance.now();
  const durations = readDurations();
  const queue = suiteFiles().sort((a, b) => (durations[b.name] ?? Infinity) - (durations[a.name] ?? Infinity));
  const jobs = Math.max(1, Math.min(Number(process.env.JETPACK_TEST_JOBS) || os.availableParallelism(), queue.length));
  const files = queue.length;
  let passed = 0;
  let failed = 0;
  let running = 0;
  const worker = path.join(root, 'scripts', 'test-worker.mjs');
  const done = () => {
    mkdirSync(path.dirname(durationsFile), { recursive: true });
    writeFileSync(durationsFile, JSON.stringify(durations, null, 1) + '\n');
    console.log(`\nunit tier: ${files} files in ${((performance.now() - started) / 1000).toFixed(1)} s on ${jobs} workers`);
    finish(passed, failed, 0);
  };
  const start = () => {
    running++;
    const child = fork(worker, { cwd: root, env, execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    /** @type {{ name: string, file: string } | undefined} */
    let current;
    const next = () => {
      current = queue.shift();
      if (current) child.send(current);
      else child.disconnect();
    };
    child.on('message', (/** @type {{ name: string, output: string, ms: number }} */ result) => {
      process.stdout.write(result.output);
      const counts = summary(result.output) ?? { total: 1, passed: 0 };
      passed += counts.passed;
      failed += counts.total - counts.passed;
      durations[result.name] = Math.round(result.ms);
      next();
    });
    child.on('exit', (code, signal) => {
      running--;
      if (current) {
        // The worker died inside a suite: that file fails, and a new worker takes the rest.
        console.log(`\n${current.name}: the worker died (${signal ?? `exit ${code}`})`);
        failed++;
        current = undefined;
        if (queue.length) start();
      }
      if (running === 0) done();
    });
    next();
  };
  if (files === 0) finish(0, 0, 0);
  for (let i = 0; i < jobs; i++) start();
}

if (unit) runUnit();
else runAll();
