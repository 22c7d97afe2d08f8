import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { JETPACK, REPO, removeDir, tempDir } from '../helpers/cli.js';

// The make macros ask `jetpack config path.root` every time make reads an image Makefile, so
// bin/jetpack answers it in the shell. Its answer must be Node's (src/store/layout.ts) for
// every spelling of the root, and the common ones must need no Node at all.
const work = tempDir();
const cwd = path.join(work, 'image-dir');
mkdirSync(cwd);

function answer(args: string[], env: Record<string, string>, withoutNode: boolean): { status: number; out: string } {
  const r = withoutNode
    ? spawnSync('/bin/sh', [JETPACK, ...args], { cwd, encoding: 'utf8', env: { PATH: '/nonexistent', ...env } })
    : spawnSync(process.execPath, [path.join(REPO, 'dist', 'boot.cjs'), ...args], { cwd, encoding: 'utf8', env: { ...process.env, JETPACK_ROOT: '', ...env } });
  return { status: r.status ?? -1, out: r.stdout + r.stderr };
}

const FAST: Array<[string[], Record<string, string>]> = [
  [['config', 'path.root'], {}],
  [['config', 'path.root'], { JETPACK_ROOT: '/srv/store' }],
  [['config', 'path.root'], { JETPACK_ROOT: 'relative/store' }],
  [['-root=/x/y', 'config', 'path.root'], { JETPACK_ROOT: '/srv/store' }],
  [['--root=/with space', 'config', 'path.root'], {}],
  [['-root=', 'config', 'path.root'], { JETPACK_ROOT: '/srv/store' }],
  [['-root=store', 'config', 'path.root'], {}],
  [['-root=/x', 'config', 'path.share'], {}],
];
// Spellings Node normalises: the shell leaves them to Node, which must still be asked.
const NORMALISED: Array<[string[], Record<string, string>]> = [
  [['-root=/a/', 'config', 'path.root'], {}],
  [['-root=a/../b', 'config', 'path.root'], {}],
  [['-root=/a//b/./c', 'config', 'path.root'], {}],
  [['config', 'path.root'], { JETPACK_ROOT: './store' }],
];

test('config path.root and path.share: the shell answers as Node does, without starting Node; spellings Node normalises are left to it', () => {
  for (const [args, env] of FAST) {
    const node = answer(args, env, false);
    assert.is(node.status, 0, node.out);
    assert.equal(answer(args, env, true), node, `${args.join(' ')} ${JSON.stringify(env)}`);
  }
  for (const [args, env] of NORMALISED) {
    const viaScript = spawnSync(JETPACK, args, { cwd, encoding: 'utf8', env: { ...process.env, JETPACK_ROOT: '', ...env } });
    assert.is(viaScript.stdout, answer(args, env, false).out, args.join(' '));
  }
});

test.after(() => removeDir(work));
test.run();
