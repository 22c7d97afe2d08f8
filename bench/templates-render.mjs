// The jetpack side of bench/templates.sh: renders every golden case (test/template/golden/cases/*.json)
// N times in one Node process, as gen.go's -render-only N does on the Go side (values read the
// same way, `now` fixed, every error caught and dropped). Prints how many cases rendered and
// failed on the last pass, on stderr.
//   node bench/templates-render.mjs ENGINE-BUNDLE N [CASE-FILE...]
// ENGINE-BUNDLE is src/template/engine.ts bundled by esbuild with values.ts's goValuesFromJson
// (bench/templates.sh makes it); the case files default to cases/*.json of the current directory.
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const [bundle, count, ...files] = process.argv.slice(2);
const n = Number(count);
if (!bundle || !(n > 0)) {
  console.error('usage: node bench/templates-render.mjs ENGINE-BUNDLE N [CASE-FILE...]');
  process.exit(2);
}
process.env.TZ = 'UTC';
/** @type {unknown} */
const loaded = await import(pathToFileURL(path.resolve(bundle)).href);
const { renderTemplate, goValuesFromJson } = /** @type {typeof import('../src/template/engine.js') & typeof import('../src/template/values.js')} */ (loaded);
const caseFiles = files.length
  ? files
  : readdirSync('cases')
      .filter((f) => f.endsWith('.json'))
      .sort()
      .map((f) => path.join('cases', f));
const NOW = new Date(1257894000 * 1000);
const now = () => NOW;

/**
 * A case file as test/template/golden/cases/*.json hold them.
 * @typedef {import('../src/template/types.js').GoValue} GoValue
 * @typedef {{ values?: GoValue, cases: { template: string, values?: GoValue, templates?: Record<string, string> }[] }} CaseFile
 * @param {string} file
 */
function runFile(file) {
  // As gen.go: the file is read and decoded on every pass (ints kept apart from floats).
  const { values, cases } = /** @type {CaseFile} */ (goValuesFromJson(readFileSync(file, 'utf8')));
  let ok = 0;
  let failed = 0;
  for (const c of cases) {
    try {
      renderTemplate(c.template, { name: 't.tpl', values: c.values ?? values ?? {}, now, templates: c.templates });
      ok++;
    } catch {
      failed++;
    }
  }
  return { ok, failed };
}

let last = { ok: 0, failed: 0 };
for (let i = 0; i < n; i++) {
  last = { ok: 0, failed: 0 };
  for (const f of caseFiles) {
    const r = runFile(f);
    last.ok += r.ok;
    last.failed += r.failed;
  }
}
console.error(`${last.ok + last.failed} cases in ${caseFiles.length} files: ${last.ok} rendered, ${last.failed} failed`);
