import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { jetpack, jetpackOk, makeAciWithTar, sh, tempDir } from '../helpers/cli.js';

const work = tempDir();
const root = path.join(work, 'store');
const tree = path.join(work, 'tree');
sh(`mkdir -p "${tree}/etc" && echo hi > "${tree}/etc/hi"`);
const manifest = { acKind: 'ImageManifest', acVersion: '0.8.11', name: 'example.com/json', labels: [{ name: 'version', value: '1' }] };
const id = jetpackOk(root, ['import', makeAciWithTar(work, tree, manifest)]).trim();
const empty = path.join(work, 'empty');
mkdirSync(empty);

test('-json prints the result as one line of JSON, whatever the command', () => {
  const cases: string[][] = [['images', '-a'], ['show-image', id], ['version'], ['gc', '-dry-run'], ['trust'], ['portable', 'check', empty]];
  for (const args of cases) {
    const r = jetpack(root, [...args, '-json']);
    assert.ok(r.stdout.length > 0, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stdout, /^[[{][^\n]*\n$/, `${args.join(' ')} prints one line`);
    JSON.parse(r.stdout);
  }
  assert.is((JSON.parse(jetpackOk(root, ['images', '-json'])) as Array<{ id: string }>)[0].id, id);
});

test.run();
