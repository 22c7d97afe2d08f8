// One worker of `run-tests.mjs --unit` (started with tsx loaded): runs the uvu suite files the
// runner sends over IPC, one at a time in this process, and answers each with its captured
// output. It does what uvu's own CLI runner (uvu/run) does for a list of files, one file per exec.
import { pathToFileURL } from 'node:url';

globalThis.UVU_DEFER = 1; // suites queue themselves for exec() instead of running on import
const uvu = await import('uvu');

let output = '';
const write = process.stdout.write.bind(process.stdout);
process.stdout.write = (/** @type {string | Uint8Array} */ chunk, /** @type {unknown[]} */ ...rest) => {
  output += chunk.toString();
  const done = rest.find((arg) => typeof arg === 'function');
  /** @type {(() => void) | undefined} */ (done)?.();
  return true;
};

/** @param {{ name: string, file: string }} job */
async function runFile({ name, file }) {
  output = '';
  globalThis.UVU_QUEUE = [[name]];
  globalThis.UVU_INDEX = 0;
  const started = performance.now();
  try {
    await import(pathToFileURL(file).href);
    await uvu.exec();
  } catch (err) {
    // A suite that cannot load counts as one failed test.
    output += `\n${name}: ${err instanceof Error ? err.stack : String(err)}\n  Total:     1\n  Passed:    0\n`;
  }
  process.exitCode = 0; // exec() sets it per file; the runner counts from the summary
  return { name, output, ms: performance.now() - started };
}

process.on('message', (/** @type {{ name: string, file: string }} */ job) => {
  void runFile(job).then((result) => process.send?.(result));
});
// Exit when the runner lets go, even if a suite left a server or timer behind.
process.on('disconnect', () => {
  process.stdout.write = write;
  process.exit(0);
});
