import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { caseFiles, compareFile, makesKeys } from './golden/compare.js';

// The golden cases that make keys, certificates, bcrypt hashes or derived passwords, rendered as
// Go renders them (see golden.unit.test.ts): seconds of CPU in all, so they run in the full suite
// rather than the unit tier.
process.env.TZ = 'UTC';

let total = 0;
for (const file of caseFiles()) {
  test(`golden ${file}: every case that makes keys as Go renders it`, () => {
    const { count, mismatches } = compareFile(file, makesKeys);
    total += count;
    assert.equal(
      mismatches.map((m) => `${m.name}: ${m.problem}`),
      [],
    );
  });
}

test('at least 30 golden cases make keys', () => {
  assert.ok(total >= 30, `${total} cases`);
});

test.run();
