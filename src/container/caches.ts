import { readdir } from 'node:fs/promises';
import { ifExists } from '../util/fs.js';
import { DEVICES_DIR } from './devices.js';
import { currentTools } from './tools.js';

/**
 * Entries of the containers' cache directory that no container made now would use: tools
 * of host binaries since upgraded, older /dev templates, scratch copies of killed fills.
 */
export async function staleCaches(cacheDir: string): Promise<string[]> {
  const names = (await ifExists(readdir(cacheDir))) ?? [];
  const current = new Set([(await currentTools()).name, DEVICES_DIR]);
  return names.filter((n) => !current.has(n)).sort();
}
