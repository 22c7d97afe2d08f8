import { run } from '../util/process.js';

/**
 * Bytes each path takes on disk (du(1)'s blocks, so what removing it frees), by path. One du
 * for all: a file hard-linked into several of them counts once, for the first.
 */
export async function diskUsage(paths: string[]): Promise<Map<string, number>> {
  if (paths.length === 0) return new Map();
  const out = await run('du', ['-s', '-B1', '--', ...paths], { what: 'measuring what the store holds' });
  const sizes = new Map<string, number>();
  for (const line of out.split('\n').filter(Boolean)) {
    const tab = line.indexOf('\t');
    sizes.set(line.slice(tab + 1), Number(line.slice(0, tab)));
  }
  return sizes;
}
