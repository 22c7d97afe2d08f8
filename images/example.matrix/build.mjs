#!/usr/bin/env node
// Builds variants of one image from a list, in parallel, with the typed API: one image per
// entry of variants.json (or the file named first on the command line), at most CONCURRENCY
// builds at once (default: the CPU count). Prints a table of the IDs; when a variant fails,
// prints its build step and output and exits 1, the other variants' images stored whole.
//   node images/example.matrix/build.mjs [VARIANTS.json]
//   JETPACK='sudo jetpack' CONCURRENCY=2 node images/example.matrix/build.mjs
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Jetpack, JetpackError } from 'jetpack-linux';

/** @typedef {{ name: string, message?: string, command?: string }} Variant */

const here = path.dirname(fileURLToPath(import.meta.url));
/** @type {unknown} */
const listed = JSON.parse(readFileSync(process.argv[2] ?? path.join(here, 'variants.json'), 'utf8'));
const variants = /** @type {Variant[]} */ (listed);
const concurrency = Number(process.env.CONCURRENCY) || os.availableParallelism();
const jetpack = new Jetpack();

/**
 * One variant: the parent with its message in /etc/motd, named example/matrix-NAME.
 * @param {Variant} variant
 */
function buildVariant(variant) {
  return jetpack.build({
    parent: 'jetpack/busybox',
    dir: path.join(here, 'files'),
    command: ['/bin/sh', '-c', variant.command ?? `echo "${variant.message}" > /etc/motd`],
    manifest: {
      name: `example/matrix-${variant.name}`,
      labels: [{ name: 'version', value: '1.0.0' }],
      app: { exec: ['/bin/cat', '/etc/motd'], user: '0', group: '0' },
    },
  });
}

/**
 * Runs `work` on every item, at most `limit` at once; each outcome in the items' order.
 * @template T, R
 * @param {T[]} items
 * @param {number} limit
 * @param {(item: T) => Promise<R>} work
 * @returns {Promise<Array<{ value?: R, error?: unknown }>>}
 */
async function eachLimited(items, limit, work) {
  /** @type {Array<{ value?: R, error?: unknown }>} */
  const outcomes = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      outcomes[i] = await work(/** @type {T} */ (items[i])).then(
        (value) => ({ value }),
        (/** @type {unknown} */ error) => ({ error }),
      );
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return outcomes;
}

const outcomes = await eachLimited(variants, concurrency, buildVariant);
const width = Math.max(7, ...variants.map((v) => v.name.length));
console.log(`${'VARIANT'.padEnd(width)}  ID`);
for (const [i, variant] of variants.entries()) {
  const { value } = outcomes[i] ?? {};
  console.log(`${variant.name.padEnd(width)}  ${value ? value.id : 'FAILED'}`);
}
let failures = 0;
for (const [i, variant] of variants.entries()) {
  const outcome = outcomes[i];
  if (!outcome || !('error' in outcome)) continue;
  const { error } = outcome;
  failures++;
  if (!(error instanceof JetpackError)) {
    console.error(`\n${variant.name} failed: ${String(error)}`);
    continue;
  }
  const where = error.step ? ` at step ${error.step}` : '';
  console.error(`\n${variant.name} failed${where} (exit status ${error.status}): ${error.message}`);
  console.error(`${error.stdout}${error.stderr}`.trimEnd());
}
process.exitCode = failures ? 1 : 0;
