/** Rows as aligned columns under a header, or tab-separated without one (-H). */
export function table(rows: string[][], header: string[] | null, separator: string): string {
  const all = header ? [header, ...rows] : rows;
  if (separator === '\t') return all.map((r) => r.join('\t') + '\n').join('');
  const widths = all[0]?.map((_, col) => Math.max(...all.map((r) => r[col].length))) ?? [];
  return all
    .map(
      (r) =>
        r
          .map((cell, col) => (col === r.length - 1 ? cell : cell.padEnd(widths[col])))
          .join('  ')
          .trimEnd() + '\n',
    )
    .join('');
}

/** Bytes in decimal units, as df -H and GLib say them: "512 B", "1.2 MB"; "-" when unknown. */
export function humanSize(bytes: number | undefined): string {
  if (bytes === undefined) return '-';
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let n = bytes;
  let u = 0;
  while (n >= 1000 && u < units.length - 1) {
    n /= 1000;
    u++;
  }
  return `${u === 0 ? n : n.toFixed(1)} ${units[u]}`;
}

/** How long ago `time` was, as podman images says it: "5 minutes ago", "3 days ago". */
export function ago(time: string, now = Date.now()): string {
  const seconds = Math.max(0, Math.floor((now - Date.parse(time)) / 1000));
  if (Number.isNaN(seconds)) return '-';
  const steps: Array<[string, number]> = [
    ['year', 365 * 86400],
    ['month', 30 * 86400],
    ['week', 7 * 86400],
    ['day', 86400],
    ['hour', 3600],
    ['minute', 60],
  ];
  for (const [unit, size] of steps) {
    const n = Math.floor(seconds / size);
    if (n >= 1) return `${n} ${unit}${n === 1 ? '' : 's'} ago`;
  }
  return 'just now';
}
