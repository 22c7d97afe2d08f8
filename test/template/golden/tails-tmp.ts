// My view of the golden differences: errors compared without the executor's "FILE:L:C: executing X at <node>:" prefixes.
import { compareFile } from '/work/wt/helm/test/template/golden/compare.ts';
const strip = (s: string) => s.replace(/(template: )?[^\s:]+:\d+(:\d+)?: (executing "[^"]*" at <.*?>: )?/g, '').replace(/template: /g, '');
for (const f of process.argv.slice(2)) {
  const { count, mismatches } = compareFile(f);
  let real = 0;
  for (const m of mismatches) {
    const g = /Go: +(.*)\n +jetpack: +(.*)/s.exec(m.problem);
    if (g && strip(g[1]!) === strip(g[2]!)) continue;
    real++;
    console.log(`  ${m.name}: ${m.problem.slice(0, 1500)}`);
  }
  console.log(`${f}: ${count - mismatches.length}/${count} exact, ${real} differ beyond error positions`);
}
