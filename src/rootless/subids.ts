import { readFile } from 'node:fs/promises';
import { ifExists } from '../util/fs.js';

export interface IdRange {
  start: number;
  count: number;
}

export const SUBUID_FILE = '/etc/subuid';
export const SUBGID_FILE = '/etc/subgid';

/** The subordinate ranges `file` (subuid(5) or subgid(5)) gives the user named `name` or numbered `id`, in file order. */
export async function subordinateRanges(file: string, name: string, id: number): Promise<IdRange[]> {
  const text = (await ifExists(readFile(file, 'utf8'))) ?? '';
  const ranges: IdRange[] = [];
  for (const line of text.split('\n')) {
    const [owner, start, count] = line.trim().split(':');
    if ((owner === name || owner === String(id)) && /^\d+$/.test(start ?? '') && /^[1-9]\d*$/.test(count ?? ''))
      ranges.push({ start: Number(start), count: Number(count) });
  }
  return ranges;
}

/** A free 65536-ID range after every range `file` already gives (what `usermod --add-subuids` would be told). */
export async function freeRange(file: string): Promise<IdRange> {
  const text = (await ifExists(readFile(file, 'utf8'))) ?? '';
  let end = 100000;
  for (const line of text.split('\n')) {
    const [, start, count] = line.trim().split(':');
    if (/^\d+$/.test(start ?? '') && /^\d+$/.test(count ?? '')) end = Math.max(end, Number(start) + Number(count));
  }
  return { start: end, count: 65536 };
}

/**
 * The lines of newuidmap(1)/newgidmap(1) that map inside ID 0 to the user's own ID and 1… to
 * the subordinate ranges, one after another.
 */
export function idMapArgs(own: number, ranges: IdRange[]): string[] {
  const args = ['0', String(own), '1'];
  let inner = 1;
  for (const r of ranges) {
    args.push(String(inner), String(r.start), String(r.count));
    inner += r.count;
  }
  return args;
}
