// src/script/: image.mjs scripts: zx steps that drive the derive and export workflows as a Makefile drives the CLI.
/**
 * The in-container half of `jetpack script`: run by the lent Node as
 * `/.jetpack.tools/node script-runner.mjs VARS_JSON` in the work dir, it calls the image
 * script's `build` and `manifest` with zx's `$`, as root, and writes manifest.json. It
 * imports nothing but Node's built-ins and the lent zx, so the parent needs neither.
 */
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

interface Step {
  (context: { $: unknown; vars: Record<string, string> }): unknown;
}

const ZX = '/.jetpack.tools/zx/build/index.js';

function quotePosix(arg: string): string {
  return /^[\w/.,:=@%+-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", `'\\''`)}'`;
}

async function main(): Promise<number> {
  const vars = JSON.parse(process.argv[2] ?? '{}') as Record<string, string>;
  const zx = (await import(ZX)) as { $: Record<string, unknown> & ((...args: unknown[]) => unknown); quote: (s: string) => string };
  const $ = zx.$;
  // zx wants bash; an image with only a POSIX sh (busybox, dash) gets that, with set -e and
  // POSIX single quotes around interpolated values.
  if (existsSync('/bin/bash')) Object.assign($, { shell: '/bin/bash', quote: zx.quote });
  else Object.assign($, { shell: '/bin/sh', prefix: 'set -e;', quote: quotePosix });
  $.verbose = true;
  const script = (await import(pathToFileURL(path.resolve('image.mjs')).href)) as { build?: Step; manifest?: Step | object };
  let step = 'build';
  try {
    await script.build?.({ $, vars });
    step = 'manifest';
    const manifest = typeof script.manifest === 'function' ? await (script.manifest as Step)({ $, vars }) : script.manifest;
    if (manifest !== undefined) writeFileSync('manifest.json', JSON.stringify(manifest, null, 2) + '\n');
  } catch (err) {
    // zx's ProcessOutput: a command that failed, with its status and what it said.
    const e = err as { exitCode?: number | null; stderr?: string; message?: string };
    if (typeof e.exitCode === 'number') {
      const said = e.stderr?.trim().split('\n').pop();
      process.stderr.write(`image.mjs ${step}: a command exited with status ${e.exitCode}${said ? `: ${said}` : ''}\n`);
      return e.exitCode || 1;
    }
    process.stderr.write(`image.mjs ${step}: ${(e.message ?? String(err)).trim().split('\n')[0]}\n`);
    return 1;
  }
  return 0;
}

process.exitCode = await main();
