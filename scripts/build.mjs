#!/usr/bin/env node
// Bundles src/ into dist/ with esbuild (type checking is tsc's job: `npm run typecheck`).
//
// Why one bundle and not tsc's one file per module: Node 20's ES module loader spends ~1 ms
// per module it links and more per built-in it wraps, and every jetpack command used to load
// all ~45 modules (57 ms of a ~250 ms build, docs/BENCHMARKS.md). main.cjs is one CommonJS
// file in which each module is initialised when first used: src/cli/commands/*.ts import
// what they run with `await import()`, so a command initialises only its own code, and Node
// built-ins that only other commands need (zlib, worker_threads, fetch) are never loaded.
// docs/DESIGN-CHOICES.md, "One bundle".
//
// The hash worker of imports (src/aci/hash-worker.ts) is its own ES module next to it,
// dist/hash-worker.js, found as ./hash-worker.js beside the code that starts it, in src/ as
// in dist/.
import { build } from 'esbuild';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const dist = path.join(root, 'dist');

const common = {
  absWorkingDir: root,
  bundle: true,
  platform: 'node',
  target: 'node20',
  // Runtime dependencies stay in node_modules (globby is loaded only for -cp globs).
  packages: 'external',
  sourcemap: true,
  logLevel: 'warning',
};

await rm(dist, { recursive: true, force: true });
await Promise.all([
  build({
    ...common,
    entryPoints: ['src/cli/main.ts'],
    outfile: path.join(dist, 'main.cjs'),
    format: 'cjs',
    // import() of an npm package becomes require(): Node 20.19 requires ES modules, and
    // boot.cjs compiles the bundle as a vm script, which cannot import() (src/cli/boot.ts).
    supported: { 'dynamic-import': false },
    // The sources are ES modules; import.meta.url is the one thing CommonJS lacks.
    define: { 'import.meta.url': '__jetpackModuleURL' },
    banner: { js: "const __jetpackModuleURL = require('node:url').pathToFileURL(__filename).href;" },
  }),
  // bin/jetpack starts dist/boot.cjs, which compiles main.cjs with a V8 code cache (src/cli/boot.ts).
  build({ ...common, entryPoints: ['src/cli/boot.ts'], outfile: path.join(dist, 'boot.cjs'), format: 'cjs', sourcemap: false }),
  build({ ...common, entryPoints: ['src/aci/hash-worker.ts'], outfile: path.join(dist, 'hash-worker.js'), format: 'esm' }),
  // GNU tar's compression program in a user namespace: device nodes to placeholders and back (src/archive/gnu-tar.ts).
  build({ ...common, entryPoints: ['src/archive/device-filter.ts'], outfile: path.join(dist, 'device-filter.mjs'), format: 'esm', sourcemap: false }),
  // What image scripts' build step runs in the container, by the lent Node (src/script/runner.ts).
  build({ ...common, entryPoints: ['src/script/runner.ts'], outfile: path.join(dist, 'script-runner.mjs'), format: 'esm', sourcemap: false }),
  // The typed API, `import { Jetpack } from 'jetpack-linux'` (types: tsconfig.api.json).
  build({ ...common, entryPoints: ['src/api/index.ts'], outfile: path.join(dist, 'api', 'index.js'), format: 'esm' }),
]);
