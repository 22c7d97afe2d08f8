import { readFileSync } from 'node:fs';
import path from 'node:path';
import { PACKAGE_DIR } from '../util/package-dir.js';

export const SHARE_DIR = path.join(PACKAGE_DIR, 'share');
export const BIN_DIR = path.join(PACKAGE_DIR, 'bin');

export function packageVersion(): string {
  return (JSON.parse(readFileSync(path.join(PACKAGE_DIR, 'package.json'), 'utf8')) as { version: string }).version;
}
