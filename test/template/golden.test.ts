import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { renderTemplate } from '../../src/template/engine.js';
import { fromYamlValue } from '../../src/template/values.js';

// Outputs rendered by Go's own text/template (test/template/golden/main.go, Go 1.19, Helm's
// missingkey=zero and "<no value>" removal): the engine must give the very same bytes, or fail
// where Go fails. (range over an int is Go 1.22's and is not among them.)
const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'golden');
// The yaml package reads JSON too, and keeps 3 (int) apart from 3.0 (float) as Go does.
const cases = fromYamlValue(parseYaml(readFileSync(path.join(dir, 'cases.json'), 'utf8'), { intAsBigInt: true })) as Array<{ name: string; template: string; values: never }>;
const golden = JSON.parse(readFileSync(path.join(dir, 'golden.json'), 'utf8')) as Array<{ name: string; output?: string; error?: boolean }>;

test('every case renders exactly as Go renders it', () => {
  assert.is(cases.length, golden.length);
  const wrong: string[] = [];
  for (const [i, c] of cases.entries()) {
    const want = golden[i]!;
    assert.is(want.name, c.name);
    let got: string | undefined;
    let failed = false;
    try {
      got = renderTemplate(c.template, { name: 't.tpl', values: c.values });
    } catch {
      failed = true;
    }
    if (want.error && !failed) wrong.push(`${c.name}: Go fails, jetpack rendered ${JSON.stringify(got)}`);
    if (!want.error && got !== (want.output ?? '')) wrong.push(`${c.name}: Go ${JSON.stringify(want.output ?? '')}, jetpack ${failed ? 'failed' : JSON.stringify(got)}`);
  }
  assert.equal(wrong, []);
});

test.run();
