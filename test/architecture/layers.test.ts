import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { appendFileSync, cpSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { removeDir, REPO, tempDir } from '../helpers/cli.js';

// The layering of docs/ARCHITECTURE.md, as `npm run lint:deps` checks it (.dependency-cruiser.cjs):
// the tree passes, and a copy of it with broken imports fails naming each one.
const DEPCRUISE = path.join(REPO, 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruise.mjs');

function depcruise(cwd: string): { status: number | null; out: string } {
  const env = { ...process.env, FORCE_COLOR: '0' };
  const r = spawnSync(process.execPath, [DEPCRUISE, 'src', '--config', '.dependency-cruiser.cjs'], { cwd, env, encoding: 'utf8' });
  // eslint-disable-next-line no-control-regex -- the ANSI escape sequences are what is matched
  return { status: r.status, out: (r.stdout + r.stderr).replace(/\x1b\[[0-9;]*m/g, '') };
}

test('the tree keeps its layers', () => {
  const r = depcruise(REPO);
  assert.is(r.status, 0, r.out);
  assert.match(r.out, /no dependency violations found/);
});

test('an upward import, a folder cycle, a workflow importing another, an orphan module and a folder in no layer each fail the check', () => {
  const copy = tempDir();
  cpSync(path.join(REPO, 'src'), path.join(copy, 'src'), { recursive: true });
  for (const file of ['.dependency-cruiser.cjs', 'tsconfig.json', 'package.json']) cpSync(path.join(REPO, file), path.join(copy, file));
  symlinkSync(path.join(REPO, 'node_modules'), path.join(copy, 'node_modules'));
  const src = (file: string): string => path.join(copy, 'src', file);
  // util is the bottom layer; the store sits above it.
  appendFileSync(src('util/size.ts'), "\nexport { IMAGE_FILES } from '../store/layout.js';\n");
  // aci/ reads tar streams through archive/; archive/ importing aci/ closes a cycle within one layer.
  appendFileSync(src('archive/limits.ts'), "\nexport { newImageHash } from '../aci/id-hash.js';\n");
  // Two workflows share only through the layers below.
  appendFileSync(src('fetch/confirm.ts'), "\nexport { exportFlat } from '../export/export.js';\n");
  writeFileSync(src('util/unused.ts'), 'export const unused = 1;\n');
  mkdirSync(src('misc'));
  writeFileSync(src('misc/thing.ts'), "export { parseSize } from '../util/size.js';\n");

  const r = depcruise(copy);
  removeDir(copy);
  assert.is.not(r.status, 0, r.out);
  assert.match(r.out, /no-upward-from-base: src\/util\/size\.ts → src\/store\/layout\.ts/);
  assert.match(r.out, /no-folder-cycle: src\/archive →\s*src\/aci →\s*src\/archive\n/);
  assert.match(r.out, /no-workflow-to-workflow: src\/fetch\/confirm\.ts → src\/export\/export\.ts/);
  assert.match(r.out, /no-orphans: src\/util\/unused\.ts/);
  assert.match(r.out, /in-a-layer: src\/misc\/thing\.ts → src\/util\/size\.ts/);
});

test.run();
