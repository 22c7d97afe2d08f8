import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The installed package: dist/cli/paths.js sits two levels below it. */
export const PACKAGE_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const SHARE_DIR = path.join(PACKAGE_DIR, 'share');
export const BIN_DIR = path.join(PACKAGE_DIR, 'bin');

export function packageVersion(): string {
  return (JSON.parse(readFileSync(path.join(PACKAGE_DIR, 'package.json'), 'utf8')) as { version: string }).version;
}
