/** Rows as aligned columns under a header, or tab-separated without one (-H). */
export function table(rows: string[][], header: string[] | null, separator: string): string {
  const all = header ? [header, ...rows] : rows;
  if (separator === '\t') return all.map((r) => r.join('\t') + '\n').join('');
  const widths = all[0]?.map((_, col) => Math.max(...all.map((r) => r[col].length))) ?? [];
  return all.map((r) => r.map((cell, col) => (col === r.length - 1 ? cell : cell.padEnd(widths[col]))).join('  ') + '\n').join('');
}
