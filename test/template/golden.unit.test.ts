import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { caseFiles, compareFile, makesKeys } from './golden/compare.js';

// Every case of test/template/golden/cases/ renders to the very bytes Go's text/template with
// Sprig 3.2.3 and Helm's engine rules made of it (golden/gen.go), or fails with Go's error. The
// cases that make keys are golden-keys.test.ts's, in the full suite.
process.env.TZ = 'UTC';

let total = 0;
for (const file of caseFiles()) {
  test(`golden ${file}: every case as Go renders it`, () => {
    const { count, mismatches } = compareFile(file, (c) => !makesKeys(c));
    total += count;
    assert.equal(
      mismatches.map((m) => `${m.name}: ${m.problem}`),
      [],
    );
  });
}

test('at least 400 golden cases', () => {
  assert.ok(total >= 400, `${total} cases`);
});

test.run();
