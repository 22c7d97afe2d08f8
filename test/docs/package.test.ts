/**
 * docs/API.md's install: the tarball `npm pack` makes holds what `import … from 'jetpack-linux'`
 * and its types load, and the CLI; none of what a build in the checkout leaves in images/.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { REPO, removeDir, sh, tempDir } from '../helpers/cli.js';
import { readJson } from '../helpers/json.js';

const work = tempDir('jetpack-pack-');
test.after(() => removeDir(work));

test('npm pack: the API entry points and types, the CLI and share/; no build leftovers of images/', () => {
  // A copy of the checkout's packed parts with leftovers of the quick start in images/.
  const copy = path.join(work, 'jetpack');
  sh(`mkdir -p "${copy}" && cd "${REPO}" && cp -r package.json .gitignore bin dist share images Makefile.template "${copy}/"`);
  sh(
    `cd "${copy}/images/busybox" && touch busybox.deb rootfs.tar manifest.json image.aci image.aci.id && touch ../example.hello/.jetpack.inputs ../example.portable/example-portable_1.raw`,
  );
  const r = spawnSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: copy, encoding: 'utf8' });
  assert.is(r.status, 0, r.stderr);
  const [packed] = JSON.parse(r.stdout) as Array<{ filename: string; files: Array<{ path: string }> }>;
  const files = packed.files.map((f) => f.path);
  const pkg = readJson<{ name: string; version: string; exports: { '.': { default: string; types: string } }; bin: { jetpack: string } }>(
    path.join(REPO, 'package.json'),
  );
  assert.is(packed.filename, `${pkg.name}-${pkg.version}.tgz`, 'the tarball docs/API.md names');
  for (const needed of [
    pkg.exports['.'].default,
    pkg.exports['.'].types,
    pkg.bin.jetpack,
    'dist/main.cjs',
    'share/jetpack.image.mk',
    'images/example.hello/manifest.json',
  ]) {
    assert.ok(files.includes(needed.replace(/^\.\//, '')), `${needed} is packed`);
  }
  const leftovers = files.filter((f) => /(busybox\.deb|rootfs\.tar|busybox\/manifest\.json|image\.aci(\.id)?|\.jetpack\.|\.raw)$/.test(f));
  assert.equal(leftovers, []);
});

test.run();
