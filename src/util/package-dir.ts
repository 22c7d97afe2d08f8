import { existsSync } from 'node:fs';
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
