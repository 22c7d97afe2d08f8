/**
 * The typed API (src/api, dist/api): every method against the real CLI, its success and its
 * failure; the JETPACK override; the examples of docs/API.md type-checked by tsc.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Jetpack, JetpackError } from '../../dist/api/index.js';
import { importBusybox } from '../helpers/busybox.js';
import { JETPACK, REPO, removeDir, sh, tempDir } from '../helpers/cli.js';

const work = tempDir('jetpack-api-');
const root = path.join(work, 'store');
const base = importBusybox(root, work);
const jetpack = new Jetpack({ jetpack: JETPACK, root });

async function rejects(promise: Promise<unknown>, message: RegExp, status = 1): Promise<JetpackError> {
  try {
    await promise;
  } catch (err) {
    assert.instance(err, JetpackError);
    const e = err as JetpackError;
    assert.match(e.message, message);
    assert.is(e.status, status);
    return e;
  }
  throw new assert.Assertion({ message: `expected a JetpackError matching ${message}`, operator: 'throws', expects: message, actual: undefined });
}

test('images, showImage and findImage describe the store', async () => {
  const images = await jetpack.images();
  assert.equal(
    images.map((i) => i.name),
    ['jetpack/busybox'],
  );
  assert.is(images[0].id, base);
  assert.is(images[0].shadowed, false);
  const shown = await jetpack.showImage('jetpack/busybox');
  assert.is(shown.id, base);
  assert.is(shown.labels.os, 'linux');
  assert.is(shown.manifest.name, 'jetpack/busybox');
  assert.is(await jetpack.findImage('example.com/none'), undefined);
  await rejects(jetpack.showImage('example.com/none'), /^no image example\.com\/none in the store/);
  await rejects(new Jetpack({ jetpack: JETPACK, root: '/proc/no-store' }).images(), /cannot create the image store/);
});

test('build: the seven steps as fields, a typed result; a failing command is a JetpackError with step 4 and its status', async () => {
  const dir = path.join(work, 'build-dir');
  sh(`mkdir -p "${dir}" && echo data > "${dir}/data.txt" && echo extra > "${work}/extra.txt"`);
  const saveid = path.join(work, 'saved.id');
  const built = await jetpack.build({
    parent: 'jetpack/busybox',
    dir,
    copy: [path.join(work, 'extra.txt')],
    command: ['/bin/sh', '-c', 'cat data.txt extra.txt > /both'],
    manifest: { name: 'example.com/api', labels: [{ name: 'version', value: '2.0' }] },
    saveid,
  });
  assert.is(built.name, 'example.com/api');
  assert.is(built.labels.version, '2.0');
  assert.equal(built.dependencies, [base]);
  assert.is(built.added, true);
  assert.is(readFileSync(saveid, 'utf8'), `${built.id}\n`);
  const failed = await rejects(
    jetpack.build({ parent: base, dir, command: ['/bin/sh', '-c', 'echo half-way; exit 3'], manifest: { name: 'example.com/broken' } }),
    /^build failed at step 4 \(run the build command\)/,
    3,
  );
  assert.is(failed.step, 4);
  assert.match(failed.stderr, 'half-way', 'the command writes to stderr: stdout is the result');
  // Output that does not end a line cannot run into the result.
  const noEol = await jetpack.build({ parent: base, dir, command: ['/bin/sh', '-c', 'printf no-newline'], manifest: { name: 'example.com/noeol' } });
  assert.is(noEol.name, 'example.com/noeol');
  await jetpack.destroy(noEol.id);
  assert.ok(failed.command.includes('build'));
  const noManifest = await rejects(jetpack.build({ parent: base, command: ['/bin/true'], dir: path.join(work, 'build-dir') }), /step 5/);
  assert.is(noManifest.step, 5);
  await rejects(jetpack.build({ parent: 'example.com/none', command: ['/bin/true'] }), /no image example\.com\/none in the store/);
  await rejects(jetpack.build({ parent: '-net=host', command: ['/bin/true'] }), /invalid image name "-net=host"/); // a name, never a flag
});

test('run: the status and output of a command; a missing image is a JetpackError', async () => {
  const r = await jetpack.run('example.com/api', ['/bin/sh', '-c', 'cat /both; echo "$GREETING" >&2; exit 4'], { env: { GREETING: 'hi there' } });
  assert.equal(r, { status: 4, stdout: 'data\nextra\n', stderr: 'hi there\n' });
  await rejects(jetpack.run('example.com/none', ['/bin/true']), /^no image example\.com\/none/);
});

test('exportImage writes every format with its result; importImage stores it back; a bad format is refused', async () => {
  const aci = await jetpack.exportImage('example.com/api', path.join(work, 'api.aci'));
  assert.equal(aci, { format: 'aci', output: path.join(work, 'api.aci'), id: (await jetpack.showImage('example.com/api')).id });
  const flat = await jetpack.exportImage('example.com/api', path.join(work, 'api.flat.aci'), { flat: true });
  assert.match(flat.id!, /^sha512-/);
  assert.is.not(flat.id, aci.id);
  const oci = await jetpack.exportImage('example.com/api', path.join(work, 'api.oci.tar'), { format: 'oci-archive', tag: 'v2' });
  assert.match(oci.digest!, /^sha256:[0-9a-f]{64}$/);
  await rejects(jetpack.exportImage('example.com/api', path.join(work, 'x'), { format: 'zip' as 'aci' }), /-format takes aci/);
  await rejects(jetpack.exportImage('example.com/api', '-'), /-json needs an output FILE/);
  const other = new Jetpack({ jetpack: JETPACK, root: path.join(work, 'other-store') });
  const imported = await other.importImage(path.join(work, 'api.flat.aci'), { name: 'example.com/api' });
  assert.is(imported.id, flat.id);
  assert.is(imported.added, true);
  assert.is((await other.importImage(path.join(work, 'api.flat.aci'))).added, false);
  await rejects(other.importImage(path.join(work, 'api.flat.aci'), { name: 'example.com/other' }), /ACI name mismatch/);
  await rejects(other.importImage(path.join(work, 'nothing.aci')), /no such file/);
});

test('fetch finds what the store has; a name it lacks is an error while fetching is off', async () => {
  const found = await jetpack.fetch('jetpack/busybox');
  assert.is(found.id, base);
  assert.is(found.added, false);
  await rejects(new Jetpack({ jetpack: JETPACK, root, env: { JETPACK_NO_FETCH: '1' } }).fetch('example.com/none'), /fetching is off/);
});

test('destroy removes images, and refuses one another image depends on', async () => {
  await rejects(jetpack.destroy('jetpack/busybox'), /1 image\(s\) depend on it/);
  await jetpack.destroy('example.com/api');
  assert.is(await jetpack.findImage('example.com/api'), undefined);
  await rejects(jetpack.destroy('example.com/api'), /^no image/);
});

test('JETPACK names the CLI: every call goes through it, and an unrunnable one is a JetpackError', async () => {
  const log = path.join(work, 'calls.log');
  const wrapper = path.join(work, 'jetpack-wrapper');
  writeFileSync(wrapper, `#!/bin/sh\necho "$*" >> "${log}"\nexec "${JETPACK}" "$@"\n`, { mode: 0o755 });
  const saved = process.env.JETPACK;
  process.env.JETPACK = `${wrapper} -root=${root}`;
  try {
    const viaEnv = new Jetpack();
    assert.is((await viaEnv.showImage('jetpack/busybox')).id, base);
    await viaEnv.images();
  } finally {
    if (saved === undefined) delete process.env.JETPACK;
    else process.env.JETPACK = saved;
  }
  assert.equal(readFileSync(log, 'utf8').trim().split('\n'), [`-root=${root} show-image jetpack/busybox -json`, `-root=${root} images -a -json`]);
  await rejects(new Jetpack({ jetpack: '/no/such/jetpack' }).images(), /cannot run \/no\/such\/jetpack/, 127);
});

test('the examples of docs/API.md and the matrix script type-check against the published types', () => {
  const dir = path.join(work, 'typecheck');
  sh(`mkdir -p "${dir}"`);
  const blocks = [...readFileSync(path.join(REPO, 'docs', 'API.md'), 'utf8').matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]);
  assert.ok(blocks.length >= 4, 'docs/API.md has its examples');
  blocks.forEach((code, i) => writeFileSync(path.join(dir, `example${i}.mts`), code));
  sh(`cp "${REPO}/images/example.matrix/build.mjs" "${dir}/matrix.mjs"`);
  writeFileSync(
    path.join(dir, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        target: 'ES2022',
        module: 'NodeNext',
        moduleResolution: 'NodeNext',
        strict: true,
        noEmit: true,
        allowJs: true,
        checkJs: true,
        skipLibCheck: true,
        types: ['node'],
        typeRoots: [path.join(REPO, 'node_modules', '@types')],
        paths: { 'jetpack-linux': [path.join(REPO, 'dist', 'api', 'index.d.ts')] },
      },
      include: ['*.mts', '*.mjs'],
    }),
  );
  const checked = spawnSync(`${REPO}/node_modules/.bin/tsc`, ['-p', 'tsconfig.json'], { cwd: dir, encoding: 'utf8' });
  assert.is(checked.status, 0, checked.stdout);
  // And a mistake is caught: the check can fail.
  writeFileSync(path.join(dir, 'wrong.mts'), "import { Jetpack } from 'jetpack-linux';\nawait new Jetpack().build({ parent: 1, command: 'x' });\n");
  const wrong = spawnSync(`${REPO}/node_modules/.bin/tsc`, ['-p', 'tsconfig.json'], { cwd: dir, encoding: 'utf8' });
  assert.is(wrong.status, 2);
  assert.match(wrong.stdout, /wrong\.mts\(2,\d+\): error TS2322/);
});

test.after(() => removeDir(work));
test.run();
