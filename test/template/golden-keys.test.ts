import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { KEY_CASE_FILES, caseFiles, compareFile } from './golden/compare.js';

// The golden cases that generate keys and certificates, rendered as Go renders them (see
// golden.unit.test.ts): seconds of CPU, so they run in the full suite rather than the unit tier.
process.env.TZ = 'UTC';

test('the key case files exist', () => {
  for (const file of KEY_CASE_FILES) assert.ok(caseFiles().includes(file), file);
});

for (const file of KEY_CASE_FILES) {
  test(`golden ${file}: every case as Go renders it`, () => {
    const { count, mismatches } = compareFile(file);
    assert.ok(count > 0, `${file} has no cases`);
    assert.equal(mismatches.map((m) => `${m.name}: ${m.problem}`), []);
  });
}

test.run();
