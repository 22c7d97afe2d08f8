/**
 * zx image scripts (`jetpack script`) and the matrix example: the make macros' semantics with
 * image.mjs in place of a Makefile, run for real in build containers.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { importBusybox } from '../helpers/busybox.js';
import { JETPACK, REPO, copyImageDir, jetpack, jetpackOk, removeDir, sh, storeState, tempDir } from '../helpers/cli.js';
import { parseJson } from '../helpers/json.js';

const work = tempDir('jetpack-script-');
const root = path.join(work, 'store');
importBusybox(root, work);

function imageDir(script: string, files: Record<string, string> = {}): string {
  const dir = tempDir('jetpack-scriptdir-');
  writeFileSync(path.join(dir, 'image.mjs'), script);
  for (const [name, content] of Object.entries(files)) writeFileSync(path.join(dir, name), content);
  return dir;
}

const script = (dir: string, args: string[] = [], env: NodeJS.ProcessEnv = {}) => jetpack(root, ['script', dir, ...args], { env });
const idOf = (dir: string) => readFileSync(path.join(dir, 'image.aci.id'), 'utf8').trim();
const fileIn = (id: string, file: string) => jetpackOk(root, ['run', id, '/bin/cat', file]);

test('images/example.zx-hello gives the very image of images/example.hello with SOURCE_DATE_EPOCH', () => {
  const env = { SOURCE_DATE_EPOCH: '1700000000' };
  const zx = path.join(work, 'zx-hello');
  const mk = path.join(work, 'hello');
  copyImageDir('example.zx-hello', zx);
  copyImageDir('example.hello', mk);
  const r = script(zx, [], env);
  assert.is(r.status, 0, r.stderr);
  sh(`SOURCE_DATE_EPOCH=1700000000 make -s -C "${mk}" JETPACK="${JETPACK} -root=${root}" >/dev/null`);
  assert.is(idOf(zx), idOf(mk));
  assert.is(r.stdout.trim(), idOf(zx));
  assert.is(jetpackOk(root, ['run', idOf(zx), 'hello']), 'Hello from example/hello on BusyBox 1.35.0 (jetpack base image)\n');
});

test('steps: prepare on the host, build and manifest in the container as root, values passed verbatim', () => {
  const odd = `it's "quoted" $HOME \\ end`;
  const dir = imageDir(
    `export const parent = 'jetpack/busybox'
export const buildVars = ['GREETING']
export const prepare = {
  async fetch({ $ }) { await $\`echo fetched-on-host > fetched.txt\` },
  async stamp({ dir }) { (await import('node:fs')).writeFileSync(dir + '/stamp.txt', String(process.getuid())) },
}
export async function build({ $, vars }) {
  await $\`id -u > /uid && cp fetched.txt stamp.txt /\`
  await $\`printf %s \${vars.GREETING} > /greeting && printf %s \${vars.ODD} > /odd\`
  await $\`echo 3.1 > /version\`
}
export async function manifest({ $ }) {
  const version = (await $\`cat /version\`).stdout.trim()
  return { name: 'example.com/steps', labels: [{ name: 'version', value: version }] }
}
`,
  );
  const r = script(dir, [`ODD=${odd}`], { GREETING: 'hello   spaced world' });
  assert.is(r.status, 0, r.stderr);
  assert.match(r.stderr, /script: prepare\.fetch\n[\s\S]*script: prepare\.stamp\n/);
  const id = idOf(dir);
  assert.is(fileIn(id, '/uid'), '0\n');
  assert.is(fileIn(id, '/fetched.txt'), 'fetched-on-host\n');
  assert.is(fileIn(id, '/greeting'), 'hello   spaced world');
  assert.is(fileIn(id, '/odd'), odd);
  assert.match(jetpackOk(root, ['images']), /example\.com\/steps:3\.1,arch=amd64,os=linux/);
  assert.ok(existsSync(path.join(dir, 'fetched.txt')), 'prepare ran on the host');
  assert.not.ok(existsSync(path.join(dir, 'manifest.json')), 'the manifest was made in the container');
});

test('rebuilds when, and only when, a file, the parent or a value changed; a no-op builds nothing', () => {
  const dir = imageDir(`export const parent = 'jetpack/busybox'\nexport async function build({ $ }) { await $\`cp data.txt /data.txt\` }\n`, {
    'data.txt': 'v1\n',
    'manifest.json': JSON.stringify({ name: 'example.com/rebuilt' }),
  });
  assert.is(script(dir).status, 0);
  const first = idOf(dir);
  const noop = script(dir);
  assert.is(noop.status, 0);
  assert.is(noop.stderr, '', 'nothing to do');
  assert.is(noop.stdout.trim(), first);
  const rebuilds = (what: string, change: () => void, why: RegExp, args: string[] = []) => {
    change();
    const r = script(dir, args);
    assert.is(r.status, 0, r.stderr);
    assert.match(r.stderr, why, what);
    assert.is(script(dir, args).stderr, '', `then nothing is left to do after: ${what}`);
  };
  rebuilds('a changed file', () => writeFileSync(path.join(dir, 'data.txt'), 'v2, longer\n'), /\(data\.txt changed\)/);
  assert.is(fileIn(idOf(dir), '/data.txt'), 'v2, longer\n');
  rebuilds('an added file', () => writeFileSync(path.join(dir, 'new.txt'), 'new\n'), /\(new\.txt was added\)/);
  rebuilds('a removed file', () => sh(`rm "${dir}/new.txt"`), /\(new\.txt was removed\)/);
  rebuilds('a changed value', () => {}, /\(the values passed in changed\)/, ['V=1', 'W=2']);
  assert.is(script(dir, ['W=2', 'V=1']).stderr, '', 'the order values are given in is no change');
  const json = parseJson<{ id: string; added: boolean }>(jetpackOk(root, ['script', '-json', dir, 'V=1', 'W=2']));
  assert.equal([json.id, json.added], [idOf(dir), false]);
  rebuilds(
    'a new parent',
    () => {
      const newer = tempDir('jetpack-newer-');
      writeFileSync(path.join(newer, 'manifest.json'), JSON.stringify({ name: 'jetpack/busybox', labels: [{ name: 'version', value: '9.9' }] }));
      jetpackOk(root, ['build', 'jetpack/busybox', '/bin/sh', '-c', 'echo newer > /newer'], { cwd: newer });
    },
    /\(the parent image changed\)/,
    ['V=1', 'W=2'],
  );
  assert.is(fileIn(idOf(dir), '/newer'), 'newer\n');
  // The image removed from the store: built again.
  jetpackOk(root, ['destroy-image', idOf(dir)]);
  assert.match(script(dir, ['V=1', 'W=2']).stderr, /the image is no longer in the store/);
  jetpackOk(root, ['destroy-image', idOf(dir)]);
  jetpackOk(root, ['destroy-image', 'jetpack/busybox:9.9']);
});

test('aci and flat-aci export the image; clean removes what the builds wrote and the listed files, never the store', () => {
  const dir = imageDir(
    `export const parent = 'jetpack/busybox'\nexport const clean = ['scratch.txt', 'out']\nexport async function build({ $ }) { await $\`echo x > /x\` }\n`,
    {
      'manifest.json': JSON.stringify({ name: 'example.com/cleaned' }),
      'scratch.txt': 'scratch',
    },
  );
  assert.is(script(dir, ['aci']).status, 0);
  assert.is(script(dir, ['flat-aci']).status, 0);
  assert.equal(sh(`tar -tf "${dir}/image.aci"`).trim().split('\n'), ['manifest', 'rootfs/', 'rootfs/x']);
  // Rebuilt by `image`, the next `aci` writes the new image, not the file of the old one.
  const oldAci = readFileSync(path.join(dir, 'image.aci'));
  writeFileSync(path.join(dir, 'scratch.txt'), 'changed');
  assert.match(script(dir).stderr, /scratch\.txt changed/);
  assert.is(script(dir, ['aci']).status, 0);
  assert.not.ok(readFileSync(path.join(dir, 'image.aci')).equals(oldAci));
  assert.ok(sh(`tar -tf "${dir}/image.flat.aci"`).includes('rootfs/bin/busybox'));
  sh(`mkdir "${dir}/out"`);
  const before = storeState(root);
  const r = script(dir, ['clean']);
  assert.is(r.status, 0, r.stderr);
  for (const f of ['image.aci', 'image.aci.id', 'image.flat.aci', '.jetpack.script.json', 'scratch.txt', 'out'])
    assert.not.ok(existsSync(path.join(dir, f)), f);
  assert.ok(existsSync(path.join(dir, 'image.mjs')));
  assert.equal(storeState(root), before);
  const outside = imageDir(`export const parent = 'jetpack/busybox'\nexport const clean = ['../escape']\n`);
  assert.match(script(outside, ['clean']).stderr, /clean names \.\.\/escape, outside/);
});

test('a failing step fails with a clear message and stores nothing', () => {
  const dir = imageDir(`export const parent = 'jetpack/busybox'\nexport async function build({ $ }) { await $\`echo half > /half\`; await $\`exit 5\` }\n`, {
    'manifest.json': JSON.stringify({ name: 'example.com/failing' }),
  });
  const before = storeState(root);
  const r = script(dir);
  assert.is(r.status, 5, 'the status of the command that failed');
  assert.match(r.stderr, /\nimage\.mjs build: a command exited with status 5\n/);
  assert.match(r.stderr, /jetpack: build failed at step 4 \(run the build command\): \/\.jetpack\.tools\/node exited with status 5\n$/);
  assert.not.ok(existsSync(path.join(dir, 'image.aci.id')));
  assert.equal(storeState(root), before);
  const prep = imageDir(`export const parent = 'jetpack/busybox'\nexport const prepare = { async get() { throw new Error('no network') } }\n`);
  assert.is(
    script(prep).stderr,
    'jetpack: script: building on jetpack/busybox:1.35.0,arch=amd64,os=linux (no earlier build)\njetpack: script: prepare.get\njetpack: image.mjs prepare.get failed: no network\n',
  );
  assert.match(script(imageDir('export const build = 1\n')).stderr, /image\.mjs exports no parent/);
  assert.match(script(imageDir('export const parent = \n')).stderr, /^jetpack: \S+image\.mjs: /);
  assert.match(jetpack(root, ['script', work, 'image']).stderr, /has no image\.mjs/);
  assert.match(jetpack(root, ['script', dir, 'deploy']).stderr, /unknown target "deploy"/);
});

test('what can be checked is checked before the first step: build, manifest, buildVars, the manifest.json', () => {
  const prepare = `export const prepare = async ({ dir }) => { (await import('node:fs')).writeFileSync(dir + '/prepared', '') }\n`;
  const build = 'export async function build({ $ }) { await $`echo COMMAND RAN` }\n';
  const parent = "export const parent = 'jetpack/busybox'\n";
  const before = storeState(root);
  const cases: Array<[string, string, Record<string, string>, RegExp]> = [
    ['parent', `export const parent = 'jetpack/busyboxx'\n${prepare}${build}`, {}, /^jetpack: .*jetpack\/busyboxx.*\n$/],
    ['build', `${parent}${prepare}export const build = 'make'\n`, {}, /^jetpack: image\.mjs: build must be a function\n$/],
    ['manifest type', `${parent}${prepare}${build}export const manifest = 1\n`, {}, /^jetpack: image\.mjs: manifest must be a function or an object\n$/],
    [
      'manifest object',
      `${parent}${prepare}${build}export const manifest = { name: 'example.com/x', app: { group: '0' } }\n`,
      {},
      /^jetpack: image\.mjs: manifest: invalid image manifest: app\.user: required\n$/,
    ],
    [
      'buildVars',
      `${parent}${prepare}${build}export const buildVars = 'GREETING'\n`,
      {},
      /^jetpack: image\.mjs: buildVars must be a list of variable names\n$/,
    ],
  ];
  for (const [what, text, files, expected] of cases) {
    const dir = imageDir(text, files);
    const r = script(dir);
    assert.is(r.status, 1, what);
    assert.match(r.stderr, expected, what);
    assert.not.ok(existsSync(path.join(dir, 'prepared')), `${what}: prepare did not run`);
  }
  // DIR's manifest.json may come from prepare: it is checked after prepare, before the container.
  const noManifest = imageDir(`${parent}${build}`);
  const none = script(noManifest);
  assert.is(none.status, 1);
  assert.match(none.stderr, new RegExp(`\njetpack: build not started: ${noManifest} has no manifest\\.json, and nothing writes one\n$`));
  assert.not.match(none.stdout + none.stderr, /COMMAND RAN/);
  const badManifest = imageDir(`${parent}${build}`, { 'manifest.json': JSON.stringify({ name: 'example.com/x', labels: [{ name: 'Bad', value: '' }] }) });
  const bad = script(badManifest);
  assert.match(
    bad.stderr,
    new RegExp(`\njetpack: build not started: ${badManifest}/manifest\\.json: invalid image manifest: labels\\[0\\]\\.name "Bad": not an AC Identifier`),
  );
  assert.not.match(bad.stdout + bad.stderr, /COMMAND RAN/);
  assert.equal(storeState(root), before);
});

test('host steps get a jetpack on the same store; with JETPACK set, the CLI it names', () => {
  const own = imageDir(
    `export const parent = 'jetpack/busybox'\nexport const prepare = async ({ jetpack, dir }) => { (await import('node:fs')).writeFileSync(dir + '/names.txt', (await jetpack.images()).map((i) => i.name).join(',')) }\n`,
    {
      'manifest.json': JSON.stringify({ name: 'example.com/own' }),
    },
  );
  const saved = process.env.JETPACK;
  delete process.env.JETPACK;
  try {
    assert.is(script(own).status, 0);
  } finally {
    if (saved !== undefined) process.env.JETPACK = saved;
  }
  assert.match(readFileSync(path.join(own, 'names.txt'), 'utf8'), /jetpack\/busybox/);

  const log = path.join(work, 'calls.log');
  const wrapper = path.join(work, 'jetpack-wrapper');
  writeFileSync(wrapper, `#!/bin/sh\necho "$*" >> "${log}"\nexec "${JETPACK}" "$@"\n`, { mode: 0o755 });
  const dir = imageDir(
    `export const parent = 'jetpack/busybox'\nexport const prepare = { async list({ jetpack, dir }) { const images = await jetpack.images(); (await import('node:fs')).writeFileSync(dir + '/images.txt', images.map((i) => i.name).join(',')) } }\n`,
    {
      'manifest.json': JSON.stringify({ name: 'example.com/wrapped' }),
    },
  );
  const r = script(dir, [], { JETPACK: `${wrapper} -root=${root}` });
  assert.is(r.status, 0, r.stderr);
  assert.match(readFileSync(log, 'utf8'), /images -a -json/);
  assert.match(readFileSync(path.join(dir, 'images.txt'), 'utf8'), /jetpack\/busybox/);
});

test('the matrix builds its variants in parallel and prints their IDs; a failing variant is named with its step, the others stored whole', () => {
  const matrix = path.join(REPO, 'images', 'example.matrix', 'build.mjs');
  const env = { ...process.env, JETPACK: `${JETPACK} -root=${root}`, CONCURRENCY: '2' };
  const r = spawnSync(process.execPath, [matrix], { encoding: 'utf8', env });
  assert.is(r.status, 0, r.stderr);
  const rows = r.stdout.trim().split('\n');
  assert.is(rows[0], 'VARIANT  ID');
  assert.equal(
    rows.slice(1).map((l) => l.split(/\s+/)[0]),
    ['alpha', 'beta', 'gamma', 'delta'],
  );
  for (const row of rows.slice(1)) {
    const [name, id] = row.split(/\s+/);
    assert.match(id, /^sha512-[0-9a-f]{128}$/);
    assert.is(jetpackOk(root, ['run', id]), `${name}: the ${{ alpha: 'first', beta: 'second', gamma: 'third', delta: 'fourth' }[name]} variant\n`);
  }
  const variants = path.join(work, 'variants.json');
  writeFileSync(
    variants,
    JSON.stringify([
      { name: 'one', message: 'one' },
      { name: 'bad', command: 'echo broken on purpose; exit 7' },
      { name: 'two', message: 'two' },
    ]),
  );
  const failed = spawnSync(process.execPath, [matrix, variants], { encoding: 'utf8', env });
  assert.is(failed.status, 1);
  assert.match(failed.stdout, /^bad +FAILED$/m);
  assert.match(failed.stderr, /bad failed at step 4 \(exit status 7\): build failed at step 4 \(run the build command\)/);
  assert.match(failed.stderr, 'broken on purpose');
  for (const name of ['one', 'two']) assert.is(jetpackOk(root, ['run', `example/matrix-${name}`]), `${name}\n`);
  assert.is(jetpack(root, ['show-image', 'example/matrix-bad']).status, 1);
});

test('tools lent by bind mount are made again when a host file they bind changed (an upgraded library)', () => {
  const tools = sh(`ls -d "${root}"/tools/host-*/`).trim().split('\n');
  assert.is(tools.length, 1);
  const binds = path.join(tools[0], 'binds.json');
  const lent = JSON.parse(readFileSync(binds, 'utf8')) as Array<{ source: string; stamp: string }>;
  assert.ok(
    lent.some((b) => b.source === process.execPath),
    'node is bound, not copied',
  );
  writeFileSync(binds, JSON.stringify(lent.map((b) => ({ ...b, stamp: 'upgraded-since' }))));
  const dir = imageDir(`export const parent = 'jetpack/busybox'\nexport async function build({ $ }) { await $\`echo ok > /ok\` }\n`, {
    'manifest.json': JSON.stringify({ name: 'example.com/retooled' }),
  });
  const r = script(dir);
  assert.is(r.status, 0, r.stderr);
  assert.not.match(readFileSync(binds, 'utf8'), 'upgraded-since');
  assert.is(sh(`ls -d "${root}"/tools/host-*`).trim().split('\n').length, 1, 'the stale copy is gone');
});

test.after(() => removeDir(work));
test.run();
