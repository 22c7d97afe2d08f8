// Preloaded into jetpack's node by bench/build.sh to see where a build's time goes without a
// tracer slowing it down:
//
//   NODE_OPTIONS=--require=bench/build-profile-hook.cjs JETPACK_BENCH_PROFILE=FILE jetpack build …
//
// timestamps every child process jetpack spawns (spawn to exit) and appends one JSON line per
// run to FILE; bench/build-profile.mjs summarises the lines. CommonJS and --require, like
// jetpack's own bundle, so that the hook does not start Node's ES module loader for it.
'use strict';
const childProcess = require('node:child_process');
const { appendFileSync } = require('node:fs');

const file = process.env.JETPACK_BENCH_PROFILE;
if (file) {
  const preload = performance.now();
  const children = [];
  const spawn = childProcess.spawn;
  childProcess.spawn = function (cmd, args, ...rest) {
    const entry = { cmd, args: Array.isArray(args) ? args : [], start: performance.now(), end: undefined };
    children.push(entry);
    const child = spawn.call(this, cmd, args, ...rest);
    child.once('exit', () => (entry.end = performance.now()));
    return child;
  };
  process.once('exit', () => {
    const line = { origin: performance.timeOrigin, preload, exit: performance.now(), children };
    appendFileSync(file, JSON.stringify(line) + '\n');
  });
}
