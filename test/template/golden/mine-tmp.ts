import { compareFile } from './compare.js';
process.env.TZ = 'UTC';
const tail = (s: string) => s.replace(/^(template: )?t\.tpl:\d+(:\d+)?: (executing "[^"]*" at <.*?>: )?/s, '');
for (const f of process.argv.slice(2)) {
  const { count, mismatches } = compareFile(f);
  const real = mismatches.filter((m) => {
    const mm = /error differs:\n\s+Go:\s+(.*)\n\s+jetpack:\s+(.*)$/s.exec(m.problem);
    return !mm || tail(mm[1]!) !== tail(mm[2]!);
  });
  console.log(`${f}: ${count - mismatches.length}/${count}, location-only diffs ${mismatches.length - real.length}, real ${real.length}`);
  for (const m of real) console.log(`  ${m.name}: ${m.problem}`);
}
