// src/cli/: the thin CLI: flags, one Command per verb (commands/), printing.
// dist/boot.cjs, what bin/jetpack starts: loads dist/main.cjs with a V8 code cache beside it.
//
// Compiling the ~450 KB bundle is ~17 ms of every command's ~110 ms (docs/DESIGN-CHOICES.md,
// "A V8 code cache for the bundle"); with V8's cached data it is a few. Node 20 has no
// module.enableCompileCache, so the bundle is compiled as Node's CommonJS loader would
// compile it (the same wrapper, the same require), with cachedData. A vm script cannot
// import(), so scripts/build.mjs turns the bundle's import() of npm packages into require()
// (Node 20.19 requires ES modules). The cache is named by the bundle's size and mtime: V8
// checks its own version and flags but of the source only its length, so a rebuilt bundle of
// the same length must not meet an old cache. A missing or rejected cache is written at
// exit, once, atomically, and not at all where dist/ is read-only. With source maps on
// (-debug), the bundle is required plainly.
import { readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { Script } from 'node:vm';
import { needsUserNamespace, runInUserNamespace } from '../rootless/enter.js';
import { failureReport } from './failure.js';

function loadMain(): void {
  const main = path.join(path.dirname(process.argv[1]), 'main.cjs');
  const require = createRequire(main);
  if (process.execArgv.includes('--enable-source-maps')) {
    require(main);
  } else {
    const { size, mtimeMs } = statSync(main);
    const cacheFile = `${main}.${size}-${Math.trunc(mtimeMs)}.v8cache`;
    let cachedData: Buffer | undefined;
    try {
      cachedData = readFileSync(cacheFile);
    } catch {
      cachedData = undefined;
    }
    const source = readFileSync(main, 'utf8');
    const script = new Script(`(function (exports, require, module, __filename, __dirname) { ${source}\n});`, {
      filename: main,
      cachedData,
    });
    if (!cachedData || script.cachedDataRejected) {
      process.once('exit', () => {
        const tmp = `${cacheFile}.${process.pid}.tmp`;
        try {
          writeFileSync(tmp, script.createCachedData());
          renameSync(tmp, cacheFile);
        } catch {
          rmSync(tmp, { force: true }); // dist/ read-only or full: every run compiles, as without a cache
        }
      });
    }
    const module = { exports: {} };
    (script.runInThisContext() as (...args: unknown[]) => void)(module.exports, require, module, main, path.dirname(main));
  }
}

// An ordinary user's command runs in a user namespace of its own (src/rootless/enter.ts).
if (needsUserNamespace(process.argv.slice(2))) {
  runInUserNamespace().then(
    (status) => {
      process.exitCode = status;
    },
    (err: unknown) => {
      const { text, status } = failureReport(err, { debug: Boolean(process.env.JETPACK_DEBUG && process.env.JETPACK_DEBUG !== '0'), json: false });
      process.stderr.write(text);
      process.exitCode = status;
    },
  );
} else {
  loadMain();
}
