import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The nearest directory at or above `dir` that holds a package.json. */
function packageDirAbove(dir: string): string {
  for (let d = dir; ; d = path.dirname(d)) {
    if (existsSync(path.join(d, 'package.json'))) return d;
    if (d === path.dirname(d)) throw new Error(`no package.json above ${dir}`);
  }
}

/** The installed package: the modules run from its dist/ (bundled) or src/ (tests). */
export const PACKAGE_DIR = packageDirAbove(path.dirname(fileURLToPath(import.meta.url)));
export const SHARE_DIR = path.join(PACKAGE_DIR, 'share');
export const BIN_DIR = path.join(PACKAGE_DIR, 'bin');

export function packageVersion(): string {
  return (JSON.parse(readFileSync(path.join(PACKAGE_DIR, 'package.json'), 'utf8')) as { version: string }).version;
}
