import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { jetpack, jetpackOk, makeAciWithTar, removeDir, sh, tempDir } from '../helpers/cli.js';
import { parseJson, readJson } from '../helpers/json.js';
import type { ImageInfo } from '../../src/store/store.js';

const work = tempDir();
const root = path.join(work, 'store');
const tree = path.join(work, 'tree');
sh(`mkdir -p "${tree}/etc" && echo hi > "${tree}/etc/hi"`);

function image(name: string, labels: Record<string, string>, extra: object = {}): string {
  const manifest = {
    acKind: 'ImageManifest',
    acVersion: '0.8.11',
    name,
    labels: Object.entries(labels).map(([n, value]) => ({ name: n, value })),
    ...extra,
  };
  return jetpackOk(root, ['import', makeAciWithTar(work, tree, manifest)]).trim();
}

const app = image(
  'example.com/app',
  { version: '1.0', os: 'linux', arch: 'amd64' },
  {
    app: { exec: ['/bin/app', '-v'], user: 'nobody', group: 'nogroup', ports: [{ name: 'http', protocol: 'tcp', port: 80 }] },
    annotations: [{ name: 'timestamp', value: '2020-01-02T03:04:05Z' }],
  },
);
const app2 = image('example.com/app', { version: '2.0', os: 'linux', arch: 'amd64' });
const arm = image('example.com/app', { version: '3.0', os: 'linux', arch: 'aarch64' });
const bare = image('example.com/bare', {});

test('images lists short IDs and name:version,labels sorted', () => {
  const out = jetpackOk(root, ['images']);
  const lines = out.trim().split('\n');
  assert.match(lines[0], /^ID\s+NAME\s+SIZE\s+CREATED$/);
  assert.ok(
    lines.some((l) => l.startsWith(`${app.slice(0, 39)}  example.com/app:1.0,arch=amd64,os=linux `) && / {2}\d+ years ago$/.test(l)),
    out,
  );
  assert.ok(
    lines.some((l) => / {2}example\.com\/bare {2}/.test(l)),
    out,
  );
});

test('images -q prints IDs only, -l full IDs, -H tab-separated without header', () => {
  assert.equal(jetpackOk(root, ['images', '-q', '-l']).trim().split('\n').sort(), [app, app2, arm, bare].sort());
  assert.ok(
    jetpackOk(root, ['images', '-q'])
      .trim()
      .split('\n')
      .every((l) => l.length === 39),
  );
  const machine = jetpackOk(root, ['images', '-H', '-l']).trim().split('\n');
  assert.is(machine.length, 4);
  assert.ok(machine.some((l) => l.startsWith(`${arm}\texample.com/app:3.0,arch=aarch64,os=linux\t`)));
});

test('images --json carries every field', () => {
  const list = parseJson<{ id: string; name: string; labels: Record<string, string>; size: number }[]>(jetpackOk(root, ['images', '--json']));
  const one = list.find((i) => i.id === app);
  assert.is(one?.name, 'example.com/app');
  assert.equal(one?.labels, { version: '1.0', os: 'linux', arch: 'amd64' });
  assert.ok(one && one.size > 0);
});

test('a name resolves to the newest match for the host os/arch; labels narrow it', () => {
  assert.match(jetpackOk(root, ['show-image', 'example.com/app']), new RegExp(`^ID\\t${app2}$`, 'm'));
  assert.match(jetpackOk(root, ['show-image', 'example.com/app:1.0']), new RegExp(`^ID\\t${app}$`, 'm'));
  assert.match(jetpackOk(root, ['show-image', 'example.com/app,arch=aarch64']), new RegExp(`^ID\\t${arm}$`, 'm'));
  const r = jetpack(root, ['show-image', 'example.com/app:3.0']);
  assert.is(r.status, 1, 'the aarch64 image does not match the amd64 default');
  assert.is(r.stderr, 'jetpack: no image example.com/app:3.0 in the store (see jetpack images)\n');
  assert.match(jetpackOk(root, ['show-image', 'example.com/bare']), new RegExp(`^ID\\t${bare}$`, 'm'));
});

test('lookups by name use info.json, fall back to the manifest without it, and fsck checks it', () => {
  const infoFile = path.join(root, 'images', app, 'info.json');
  const info = readJson<ImageInfo>(infoFile);
  assert.is(info.name, 'example.com/app');
  assert.equal(info.labels, [
    { name: 'version', value: '1.0' },
    { name: 'os', value: 'linux' },
    { name: 'arch', value: 'amd64' },
  ]);
  try {
    // As a store written before info.json named images: the manifest is read instead.
    writeFileSync(infoFile, JSON.stringify({ ...info, name: undefined, labels: undefined }));
    assert.match(jetpackOk(root, ['show-image', 'example.com/app:1.0']), new RegExp(`^ID\\t${app}$`, 'm'));
    writeFileSync(infoFile, JSON.stringify({ ...info, name: 'example.com/other' }));
    const fsck = jetpack(root, ['fsck']);
    assert.is(fsck.status, 1);
    assert.match(
      fsck.stdout,
      new RegExp(`problem: ${app}: info.json names it example.com/other:1.0,arch=amd64,os=linux, its manifest example.com/app:1.0,arch=amd64,os=linux`),
    );
  } finally {
    writeFileSync(infoFile, JSON.stringify(info));
  }
  assert.is(jetpack(root, ['fsck']).status, 0);
});

test('IDs resolve in full and by unique prefix; an ambiguous prefix lists candidates', () => {
  assert.match(jetpackOk(root, ['image-manifest', app]), /"name": "example.com\/app"/);
  assert.match(jetpackOk(root, ['image-manifest', app.slice(0, 15)]), /"value": "1.0"/);
  const r = jetpack(root, ['show-image', 'sha512-']);
  assert.is(r.status, 1);
  assert.match(r.stderr, /^jetpack: image ID sha512- is ambiguous: sha512-[0-9a-f]{32}, /);
  for (const id of [app, app2, arm, bare]) assert.ok(r.stderr.includes(id.slice(0, 39)));
});

test('show-image shows name, timestamp, app', () => {
  const out = jetpackOk(root, ['show-image', app]);
  assert.match(out, /^Name\texample\.com\/app:1\.0,arch=amd64,os=linux$/m);
  assert.match(out, /^Timestamp\t2020-01-02T03:04:05Z$/m);
  assert.match(out, /^\tExec\t\["\/bin\/app","-v"\] \[nobody:nogroup\]$/m);
  assert.match(out, /^\tPort\thttp tcp\/80$/m);
});

test('bad references give one clear line', () => {
  for (const [ref, message] of [
    ['Bad/Name', /not an AC Identifier/],
    ['example.com/app:1:2', /./],
    ['sha512-ffff', /no image with ID sha512-ffff/],
  ] as const) {
    const r = jetpack(root, ['show-image', ref]);
    assert.is(r.status, 1, ref);
    assert.match(r.stderr, /^jetpack: [^\n]+\n$/, ref);
    assert.match(r.stderr, message, ref);
  }
});

test('importing the same ACI twice keeps one image and says so', () => {
  const aci = makeAciWithTar(work, tree, { acKind: 'ImageManifest', acVersion: '0.8.11', name: 'example.com/twice' });
  const first = jetpack(root, ['import', aci]);
  const second = jetpack(root, ['import', aci]);
  assert.is(second.status, 0);
  assert.is(second.stdout, first.stdout);
  assert.match(second.stderr, /already in the store/);
  jetpackOk(root, ['destroy-image', first.stdout.trim()]);
});

test('-saveid and --saveid write the ID; -name checks the manifest name', () => {
  const aci = makeAciWithTar(work, tree, { acKind: 'ImageManifest', acVersion: '0.8.11', name: 'example.com/saved' });
  const a = path.join(work, 'a.id');
  const b = path.join(work, 'b.id');
  const id = jetpackOk(root, ['import', `-saveid=${a}`, aci]).trim();
  jetpackOk(root, ['import', '--saveid', b, '-name=example.com/saved', aci]);
  assert.is(sh(`cat "${a}"`), `${id}\n`);
  assert.is(sh(`cat "${b}"`), `${id}\n`);
  const r = jetpack(root, ['import', '-name=example.com/other', aci]);
  assert.is(r.status, 1);
  assert.is(r.stderr, 'jetpack: ACI name mismatch: expected example.com/other, the manifest says example.com/saved\n');
});

test('import from stdin and from a file:// URL', () => {
  const aci = makeAciWithTar(work, tree, { acKind: 'ImageManifest', acVersion: '0.8.11', name: 'example.com/stdin' }, 'zstd');
  const viaStdin = jetpackOk(root, ['import', '-'], { input: readFileSync(aci) });
  const viaURL = jetpackOk(root, ['import', `file://${aci}`]);
  assert.is(viaStdin, viaURL);
});

test('a missing file, a directory and an unknown scheme are one-line errors', () => {
  for (const [loc, message] of [
    [path.join(work, 'nope.aci'), /no such file/],
    [work, /is a directory/],
    ['ftp://example.com/x.aci', /unsupported location/],
  ] as const) {
    const r = jetpack(root, ['import', loc]);
    assert.is(r.status, 1, loc);
    assert.match(r.stderr, /^jetpack: [^\n]+\n$/);
    assert.match(r.stderr, message);
  }
});

test.after(() => removeDir(work));
test.run();
