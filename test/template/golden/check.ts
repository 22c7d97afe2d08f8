// Prints how jetpack's rendering of the golden cases differs from Go's:
//   npx tsx test/template/golden/check.ts [FILE.json...] [-v]
import { caseFiles, compareFile } from './compare.js';

// Only as a command: the test runner also loads every file under test/template/.
if (process.argv[1]?.endsWith('check.ts')) main();

function main(): void {
  process.env.TZ = 'UTC';
  const verbose = process.argv.includes('-v');
  const files = process.argv.slice(2).filter((a) => a !== '-v');
  let total = 0;
  let bad = 0;
  for (const file of files.length ? files : caseFiles()) {
    const { count, mismatches } = compareFile(file);
    total += count;
    bad += mismatches.length;
    console.log(`${file}: ${count - mismatches.length}/${count}`);
    for (const m of verbose ? mismatches : mismatches.slice(0, 40))
      console.log(`  ${m.name}: ${m.problem.length > 600 ? `${m.problem.slice(0, 600)}… (${m.problem.length} characters)` : m.problem}`);
  }
  console.log(`${total - bad} of ${total} cases as Go renders them`);
  process.exitCode = bad ? 1 : 0;
}
