import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { jetpack, jetpackOk, removeDir, tempDir } from '../helpers/cli.js';
import { importBusybox } from '../helpers/busybox.js';

// What an image's author wrote reaches the metadata file and ostree's command line
// (--add-metadata-string=xa.metadata=…): a command with a control character is refused in
// one line before anything is written, never an internal error from a NUL in an argument.
const work = tempDir();
const root = path.join(work, 'store');
importBusybox(root, work);

function appImage(name: string, manifest: object): string {
  const dir = path.join(work, name);
  mkdirSync(dir);
  writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify({ name: `example.com/${name}`, ...manifest }));
  return jetpackOk(root, ['build', `-dir=${dir}`, 'jetpack/busybox', '/bin/sh', '-c', 'mkdir -p /app/bin && echo x > /app/bin/hello']).trim();
}

const app = { user: '0', group: '0' };
const cases: Array<[string, object]> = [
  ['nul-in-exec', { app: { ...app, exec: ['hello\u0000--body=x'] } }],
  ['escape-in-exec', { app: { ...app, exec: ['hello\u001b[2J'] } }],
  ['tab-in-annotation', { app: { ...app, exec: ['hello'] }, annotations: [{ name: 'flatpak-command', value: 'hello\tthere' }] }],
  ['newline-in-exec', { app: { ...app, exec: ['hello\n[Context]'] } }],
];

for (const [name, manifest] of cases) {
  test(`export -format=flatpak-app refuses a command with a control character: ${name}`, () => {
    const id = appImage(name, manifest);
    const repo = path.join(work, `repo-${name}`);
    const r = jetpack(root, ['export', '-format=flatpak-app', '-runtime=org.example.Platform/x86_64/1', '-ref=app/org.example.Hostile/x86_64/1', id, repo]);
    assert.is(r.status, 1, r.stderr);
    assert.match(r.stderr, /^jetpack: example\.com\/[a-z-]+: the command ".*" holds a control character/m);
    assert.not.match(r.stderr, /internal error/);
    assert.not.ok(existsSync(repo), 'no repo written');
  });
}

test.after(() => removeDir(work));
test.run();
