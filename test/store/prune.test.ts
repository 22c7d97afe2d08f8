import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { once } from 'node:events';
import { jetpack, jetpackAsync, jetpackOk, makeAciWithTar, removeDir, sh, storeState, tempDir } from '../helpers/cli.js';
import { parseJson } from '../helpers/json.js';

// images (globs, sizes, shadowed and internal entries), prune / gc -all, containers, rm, rmi on
// small imported ACIs: no build, so the suite stays fast.
const work = tempDir();
const root = path.join(work, 'store');
const tree = path.join(work, 'tree');
sh(`mkdir -p "${tree}/etc"`);

const platform = [
  { name: 'os', value: 'linux' },
  { name: 'arch', value: 'amd64' },
];

/** Imports an ACI named `name` whose /etc/n holds `content`; returns its ID. */
function image(name: string, content: string, extra: object = {}): string {
  writeFileSync(path.join(tree, 'etc', 'n'), content);
  return jetpackOk(root, ['import', makeAciWithTar(work, tree, { acKind: 'ImageManifest', acVersion: '0.8.11', name, labels: platform, ...extra })]).trim();
}

/** Before the images are stored: their creation times fall after it. */
const fixturesStarted = Date.now() - 1000;
const oldBase = image('example.com/base', 'base 1');
const child = image('example.com/child', 'child', { dependencies: [{ imageName: 'example.com/base', imageID: oldBase }] });
const newBase = image('example.com/base', 'base 2'); // shadows oldBase, which child needs
const oldTool = image('jetpack/tool', 'tool 1');
const newTool = image('jetpack/tool', 'tool 2'); // shadows oldTool, which nothing needs
const layer = image('oci-layer/sha256-0123456789abcdef', 'layer');
const pulled = image('example.com/pulled', 'pulled', { dependencies: [{ imageName: 'oci-layer/sha256-0123456789abcdef', imageID: layer }] });

/** Every path of the store with its size: what -dry-run must leave as it was. */
const snapshot = () => sh(`cd "${root}" && find . -printf '%p %s %y\\n' | sort`);

/** Holds flock(1) on `file` until killed: a running operation's staging dir, or the store lock. */
async function holdLock(file: string): Promise<ChildProcess> {
  const holder = spawn('flock', ['-x', file, 'sh', '-c', 'echo locked; exec sleep 60'], { stdio: ['ignore', 'pipe', 'inherit'], detached: true });
  await once(holder.stdout, 'data');
  return holder;
}

/** Ends a holdLock: its sleep too, which holds the lock's fd. */
async function release(holder: ChildProcess): Promise<void> {
  process.kill(-holder.pid!, 'SIGKILL');
  await once(holder, 'close');
}

test('images NAME… filters by glob over the name and name:version,labels; no match lists nothing', () => {
  const names = (args: string[]) =>
    jetpackOk(root, ['images', '-H', ...args])
      .trim()
      .split('\n')
      .filter(Boolean)
      .map((l) => l.split('\t')[1]);
  assert.equal(names(['jetpack/*']), ['jetpack/tool,arch=amd64,os=linux']);
  assert.equal(names(['example.com/b?se', 'jetpack/t[a-o]ol']), ['example.com/base,arch=amd64,os=linux', 'jetpack/tool,arch=amd64,os=linux']);
  assert.equal(names(['*,arch=amd64,os=linux']).length, 4, 'the labels are matched too');
  assert.equal(names(['nothing/*']), []);
  assert.equal(jetpackOk(root, ['images', '-q', '-l', 'jetpack/*']), `${newTool}\n`);
  assert.equal(
    parseJson<{ id: string }[]>(jetpackOk(root, ['images', '-json', 'example.com/child'])).map((i) => i.id),
    [child],
  );
  const bad = jetpack(root, ['images', 'a[b']);
  assert.is(bad.status, 1);
  assert.is(bad.stderr, 'jetpack: image name pattern "a[b" has a [ without its ]\n');
});

test('images shows size and creation time; -H in bytes and RFC 3339', () => {
  const lines = jetpackOk(root, ['images', 'jetpack/*']).split('\n');
  assert.match(lines[0], /^ID\s+NAME\s+SIZE\s+CREATED$/);
  assert.match(lines[1], /^sha512-[0-9a-f]{32}\s+jetpack\/tool,arch=amd64,os=linux\s+\d+(\.\d)? KB\s+(just now|\d+ (second|minute|hour)s? ago)$/);
  const [, , size, created] = jetpackOk(root, ['images', '-H', 'jetpack/*']).trim().split('\t');
  assert.match(size, /^\d+$/);
  assert.ok(Date.parse(created) >= fixturesStarted && Date.parse(created) <= Date.now(), created);
  const json = parseJson<{ created: string; size: number }[]>(jetpackOk(root, ['images', '-json', 'jetpack/*']))[0];
  assert.is(json.created, created);
  assert.is(json.size, Number(size));
});

test('images -a marks shadowed images; internal OCI layers are listed only with -internal or -a', () => {
  const ids = (args: string[]) =>
    jetpackOk(root, ['images', '-q', '-l', ...args])
      .trim()
      .split('\n')
      .sort();
  assert.equal(ids([]), [child, newBase, newTool, pulled].sort(), 'neither shadowed nor internal');
  assert.equal(ids(['-internal']), [child, newBase, newTool, pulled, layer].sort());
  assert.equal(ids(['-a']), [child, oldBase, newBase, oldTool, newTool, pulled, layer].sort());
  const marked = new Map(
    jetpackOk(root, ['images', '-a', '-H', '-l'])
      .trim()
      .split('\n')
      .map((l) => [l.split('\t')[0], l.split('\t')[4]]),
  );
  assert.is(marked.get(oldTool), 'shadowed');
  assert.is(marked.get(oldBase), 'shadowed');
  assert.is(marked.get(newTool), '');
  assert.is(marked.get(layer), 'internal');
  const json = JSON.parse(jetpackOk(root, ['images', '-a', '-json'])) as Array<{ id: string; shadowed: boolean; internal: boolean }>;
  assert.equal(
    json.find((i) => i.id === layer),
    { ...json.find((i) => i.id === layer)!, shadowed: false, internal: true },
  );
  assert.ok(json.find((i) => i.id === oldTool)!.shadowed);
});

test('rmi is destroy-image by the name podman users type', () => {
  const doomed = image('example.com/doomed', 'doomed');
  assert.match(jetpackOk(root, ['help']), /\n\s+rmi\s/);
  const r = jetpack(root, ['rmi', 'example.com/doomed']);
  assert.is(r.status, 0, r.stderr);
  assert.not.ok(storeState(root).images.includes(doomed));
  const refused = jetpack(root, ['rmi', oldBase]);
  assert.is(refused.status, 1);
  assert.match(refused.stderr, /^jetpack: cannot destroy image example.com\/base: 1 image\(s\) depend on it/);
});

// What prune finds besides images: a leftover of a killed job, a kept build container, a stale
// tool cache, kept OCI blobs and layouts of an old encoding, a killed export's scratch file,
// and an OSTree commit no ref reaches.
const leftover = path.join(root, 'tmp', 'job-killed');
const kept = path.join(root, 'containers', 'build-kept1');
const staleTools = path.join(root, 'tools', 'host-1-2-3');
const blobs = path.join(root, 'images', newTool, 'oci-blobs');
const repo = path.join(root, 'ostree', 'repo');

function litter(): void {
  for (const dir of [leftover, kept, staleTools, blobs, path.join(root, 'images', newTool, 'oci-layout-gzip-as-stored', 'blobs')])
    mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(leftover, 'scratch'), 'x'.repeat(100_000));
  writeFileSync(path.join(kept, 'enter'), '#!/bin/sh\n');
  for (const name of [
    'gzip1-as-stored.blob',
    'gzip1-as-stored.json',
    'gzip-as-stored.blob',
    'gzip-as-stored.json',
    '.zstd3-as-stored.999999999.blob',
    'none-as-stored.blob',
  ])
    writeFileSync(path.join(blobs, name), name);
  if (!existsSync(repo)) sh(`mkdir -p "${repo}" && ostree init --repo="${repo}" --mode=bare`);
  sh(`ostree commit --repo="${repo}" --orphan --tree=dir="${tree}" --subject=litter-${Date.now()} >/dev/null`);
}

test('prune -dry-run lists each item with its size and the total, and changes nothing', () => {
  litter();
  const before = snapshot();
  const out = jetpackOk(root, ['prune', '-dry-run']);
  assert.is(snapshot(), before, '-dry-run removed or changed something');
  const lines = out.trim().split('\n');
  const item = (kind: string, what: string) => lines.find((l) => new RegExp(`^\\s*\\d+(\\.\\d)? [KMG]?B  ${kind}\\s+${what}$`).test(l));
  assert.ok(item('leftover', 'tmp/job-killed'), out);
  assert.ok(item('image', `${oldTool.slice(0, 39)} jetpack/tool,arch=amd64,os=linux`), out);
  assert.ok(item('container', 'containers/build-kept1'), out);
  assert.ok(item('tool-cache', 'tools/host-1-2-3'), out);
  for (const name of ['gzip-as-stored.blob', 'gzip-as-stored.json', '.zstd3-as-stored.999999999.blob', 'none-as-stored.blob'])
    assert.ok(item('oci-cache', `images/${newTool}/oci-blobs/${name.replace(/\./g, '\\.')}`), name);
  assert.ok(item('oci-cache', `images/${newTool}/oci-layout-gzip-as-stored`), out);
  assert.ok(item('ostree', 'ostree/repo: \\d+ object\\(s\\) no ref reaches'), out);
  assert.not.ok(out.includes('gzip1-as-stored'), 'the kept blob of the current encoding stays');
  assert.not.ok(out.includes(oldBase.slice(0, 39)), 'a shadowed image something depends on stays');
  assert.match(lines.at(-1)!, /^would free \d+(\.\d)? [KMG]?B in 10 item\(s\)$/);
  const json = parseJson<{ items: { kind: string; bytes: number }[]; bytes: number }>(jetpackOk(root, ['gc', '-all', '-dry-run', '-json']));
  assert.is(json.items.length, 10, 'gc -all is prune');
  assert.is(
    json.bytes,
    json.items.reduce((s, i) => s + i.bytes, 0),
  );
  assert.ok(json.items.find((i) => i.kind === 'leftover')!.bytes >= 100_000);
  assert.is(snapshot(), before);
});

test('prune never touches a running operation, and while one runs keeps images, tool caches and OSTree objects', async () => {
  const running = path.join(root, 'tmp', 'build-running');
  mkdirSync(running);
  const holder = await holdLock(running);
  try {
    const r = await jetpackAsync(root, ['prune', '-json']);
    assert.is(r.status, 0, r.stderr);
    assert.match(r.stderr, /^jetpack: 1 operation\(s\) under way \(build-running\): images, tool caches and OSTree objects stay until they end$/m);
    const kinds = new Set(parseJson<{ items: { kind: string }[] }>(r.stdout).items.map((i) => i.kind));
    assert.equal([...kinds].sort(), ['container', 'leftover', 'oci-cache']);
    assert.ok(existsSync(running), 'the running build stays');
    assert.ok(storeState(root).images.includes(oldTool));
    assert.ok(existsSync(staleTools));
    assert.not.ok(existsSync(leftover));
  } finally {
    await release(holder);
  }
  removeDir(running);
});

test('prune waits for the store lock: it never races a commit', async () => {
  const holder = await holdLock(path.join(root, 'lock'));
  const started = Date.now();
  const pruning = jetpackAsync(root, ['prune', '-dry-run']);
  await new Promise((resolve) => setTimeout(resolve, 1500));
  await release(holder);
  const r = await pruning;
  assert.is(r.status, 0, r.stderr);
  assert.ok(Date.now() - started >= 1500);
});

test('prune removes what nothing needs, prints what it freed, and keeps what is needed', () => {
  litter();
  const r = jetpack(root, ['prune']);
  assert.is(r.status, 0, r.stderr);
  assert.match(r.stdout, /\n\s*\d+(\.\d)? [KMG]?B {2}image\s+sha512-\S+ jetpack\/tool,arch=amd64,os=linux\n/);
  assert.match(r.stdout.trim().split('\n').at(-1)!, /^freed \d+(\.\d)? [KMG]?B in 10 item\(s\)$/);
  const images = storeState(root).images;
  assert.not.ok(images.includes(oldTool));
  for (const id of [oldBase, newBase, child, newTool, pulled, layer]) assert.ok(images.includes(id), id);
  for (const gone of [leftover, kept, staleTools, path.join(blobs, 'gzip-as-stored.blob'), path.join(root, 'images', newTool, 'oci-layout-gzip-as-stored')])
    assert.not.ok(existsSync(gone), gone);
  assert.ok(existsSync(path.join(blobs, 'gzip1-as-stored.blob')));
  assert.match(sh(`ostree prune --repo="${repo}" --refs-only --no-prune`), /No unreachable objects/);
  assert.match(jetpackOk(root, ['prune']), /^freed 0 B in 0 item\(s\)\n$/);
  assert.is(jetpack(root, ['fsck']).status, 0);
});

test('an internal layer goes once no image depends on it; a freed shadowed parent goes with its child', () => {
  jetpackOk(root, ['destroy-image', pulled]);
  jetpackOk(root, ['destroy-image', child]);
  const out = jetpackOk(root, ['gc']);
  assert.match(out, /image\s+sha512-\S+ oci-layer\/sha256-0123456789abcdef,arch=amd64,os=linux\n/);
  assert.match(out, /image\s+sha512-\S+ example.com\/base,arch=amd64,os=linux\n/);
  const images = storeState(root).images;
  assert.not.ok(images.includes(layer));
  assert.not.ok(images.includes(oldBase));
  assert.ok(images.includes(newBase));
});

test('tag gives an image a second name: lookups reach it (labels narrow, the newest wins), images lists it', () => {
  const tagged = image('example.com/tagged', 'tagged');
  const r = jetpack(root, ['tag', 'example.com/tagged', 'mybox:1']);
  assert.is(r.status, 0, r.stderr);
  assert.is(r.stderr, `tagged ${tagged.slice(0, 39)} mybox:1,arch=amd64,os=linux\n`);
  const resolved = (ref: string) => jetpackOk(root, ['show-image', '-q', ref]).trim();
  assert.is(resolved('mybox'), tagged);
  assert.is(resolved('mybox:1,os=linux'), tagged);
  assert.is(jetpack(root, ['show-image', 'mybox:2']).status, 1, 'the tag has version 1');
  jetpackOk(root, ['tag', newBase, 'mybox:2']);
  assert.is(resolved('mybox'), newBase, 'the newest tag wins');
  assert.is(resolved('mybox:1'), tagged);
  jetpackOk(root, ['tag', newTool, 'mybox:1']);
  assert.is(resolved('mybox:1'), newTool, 'a name given again moves to the new image');
  const rows = jetpackOk(root, ['images', '-H', '-l', 'mybox'])
    .trim()
    .split('\n')
    .map((l) => l.split('\t').slice(0, 2));
  assert.equal(rows, [
    [newTool, 'mybox:1,arch=amd64,os=linux'],
    [newBase, 'mybox:2,arch=amd64,os=linux'],
  ]);
  assert.ok(jetpackOk(root, ['images', '-H', '-l', 'example.com/tagged']).startsWith(`${tagged}\texample.com/tagged,`), 'the image keeps its own name');
  const [json] = parseJson<{ id: string; name: string; labels: Record<string, string>; tag?: boolean }[]>(jetpackOk(root, ['images', '-json', 'mybox:2*']));
  assert.equal([json.id, json.name, json.labels.version, json.tag], [newBase, 'mybox', '2', true]);
  jetpackOk(root, ['tag', 'example.com/tagged', 'example.com/tagged2']);
  assert.match(jetpack(root, ['show-image', 'example.com/tagged3']).stderr, /did you mean example\.com\/tagged2?( or example\.com\/tagged2?)?\?/);
  jetpackOk(root, ['untag', 'example.com/tagged2']);
});

test('tag and untag refuse bad input in one line and change nothing', () => {
  const before = snapshot();
  const fails = (args: string[], stderr: RegExp) => {
    const r = jetpack(root, args);
    assert.is(r.status, 1, args.join(' '));
    assert.match(r.stderr, stderr);
    assert.is(r.stderr.split('\n').length, 2, r.stderr);
  };
  fails(['tag', 'example.com/nope', 'x'], /^jetpack: no image example\.com\/nope in the store/);
  fails(['tag', 'example.com/tagged', 'Bad Name'], /^jetpack: invalid image name "Bad Name": /);
  fails(['tag', 'example.com/tagged', 'sha512-abc'], /^jetpack: invalid tag "sha512-abc": it looks like an image ID\n$/);
  fails(['untag', 'nope'], /^jetpack: no tag nope \(see jetpack images\)\n$/);
  fails(
    ['untag', 'example.com/tagged'],
    /^jetpack: example\.com\/tagged is the name in the manifest of sha512-\S+, not a tag: it cannot be removed \(jetpack rmi removes the image\)\n$/,
  );
  fails(['untag', 'Bad Name'], /^jetpack: invalid image name/);
  assert.is(jetpack(root, ['tag', 'example.com/tagged']).status, 2);
  assert.is(snapshot(), before);
});

test('gc keeps what a tag reaches; untag removes only the name, and then gc may collect the image', () => {
  const old = image('example.com/retagged', 'old');
  jetpackOk(root, ['tag', old, 'keepme']);
  image('example.com/retagged', 'new'); // shadows old's own name; the tag still reaches it
  const layerTagged = image('oci-layer/sha256-fedcba9876543210', 'tagged layer');
  jetpackOk(root, ['tag', layerTagged, 'mylayer']);
  const dry = jetpackOk(root, ['gc', '-dry-run']);
  assert.not.ok(dry.includes(old.slice(0, 39)), dry);
  assert.not.ok(dry.includes(layerTagged.slice(0, 39)), dry);
  const listed = JSON.parse(jetpackOk(root, ['images', '-a', '-json', '*retagged*', 'keepme'])) as Array<{ id: string; name: string; shadowed: boolean }>;
  assert.equal(
    listed.filter((i) => i.id === old).map((i) => [i.name, i.shadowed]),
    [
      ['example.com/retagged', true],
      ['keepme', false],
    ],
    'its own name is shadowed, its tag is not',
  );
  const r = jetpack(root, ['untag', 'keepme']);
  assert.is(r.status, 0, r.stderr);
  assert.is(r.stderr, `untagged keepme,arch=amd64,os=linux (${old.slice(0, 39)} stays)\n`);
  assert.ok(storeState(root).images.includes(old), 'untag never removes the image');
  assert.is(jetpack(root, ['show-image', 'keepme']).status, 1);
  assert.match(jetpackOk(root, ['gc']), new RegExp(`image\\s+${old.slice(0, 39)} example\\.com/retagged`));
  assert.not.ok(storeState(root).images.includes(old));
  assert.ok(storeState(root).images.includes(layerTagged), 'a tagged internal layer stays');
});

test('rmi by a tag removes only the tag; by ID or own name it removes the image with its tags', () => {
  const target = image('example.com/rmi-me', 'rmi');
  jetpackOk(root, ['tag', target, 'alias-a']);
  jetpackOk(root, ['tag', target, 'alias-b:2']);
  const untag = jetpack(root, ['rmi', 'alias-a']);
  assert.is(untag.status, 0, untag.stderr);
  assert.is(untag.stderr, `untagged alias-a,arch=amd64,os=linux (${target.slice(0, 39)} example.com/rmi-me,arch=amd64,os=linux stays)\n`);
  assert.ok(storeState(root).images.includes(target));
  assert.is(jetpack(root, ['show-image', 'alias-a']).status, 1);
  const gone = jetpack(root, ['destroy-image', 'example.com/rmi-me']);
  assert.is(gone.status, 0, gone.stderr);
  assert.is(gone.stderr, `destroyed ${target.slice(0, 39)} example.com/rmi-me,arch=amd64,os=linux and its tag(s) alias-b:2,arch=amd64,os=linux\n`);
  assert.not.ok(storeState(root).images.includes(target));
  assert.is(jetpackOk(root, ['images', '-q', 'alias-*']), '', 'no tag outlives its image');
  assert.match(jetpack(root, ['show-image', 'alias-b']).stderr, /^jetpack: no image alias-b in the store/);
  assert.is(jetpack(root, ['fsck']).status, 0);
});

test('a tag left naming a removed image (a crash before tags.json was rewritten) reaches nothing and shadows nothing', () => {
  const alive = image('example.com/survivor', 'survivor');
  const tagsFile = path.join(root, 'tags.json');
  const tags = parseJson<object[]>(readFileSync(tagsFile, 'utf8'));
  const ghost = `sha512-${'0'.repeat(128)}`;
  writeFileSync(
    tagsFile,
    JSON.stringify([...tags, { name: 'example.com/survivor', labels: platform, id: ghost, tagged: new Date(Date.now() + 60_000).toISOString() }]),
  );
  assert.is(jetpackOk(root, ['show-image', '-q', 'example.com/survivor']).trim(), alive);
  assert.not.ok(jetpackOk(root, ['gc', '-dry-run']).includes(alive.slice(0, 39)));
  assert.equal(
    parseJson<{ id: string }[]>(jetpackOk(root, ['images', '-json', 'example.com/survivor'])).map((i) => i.id),
    [alive],
  );
  writeFileSync(tagsFile, JSON.stringify(tags));
});

test('containers lists kept build containers (-q, -json); rm removes one; a wrong name removes nothing', () => {
  const other = path.join(root, 'containers', 'build-kept2');
  for (const dir of [kept, other]) {
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'enter'), '#!/bin/sh\n');
  }
  assert.is(jetpackOk(root, ['containers', '-q']), 'build-kept1\nbuild-kept2\n');
  const table = jetpackOk(root, ['containers']).split('\n');
  assert.match(table[0], /^NAME\s+SIZE\s+KEPT\s+ENTER$/);
  assert.ok(table[1].startsWith('build-kept1') && table[1].endsWith(path.join(kept, 'enter')), table[1]);
  const json = parseJson<{ name: string; dir: string; bytes: number }[]>(jetpackOk(root, ['containers', '-json']));
  assert.equal(
    json.map((c) => [c.name, c.dir]),
    [
      ['build-kept1', kept],
      ['build-kept2', other],
    ],
  );
  assert.ok(json[0].bytes > 0);
  const wrong = jetpack(root, ['rm', 'build-kept1', 'build-nope']);
  assert.is(wrong.status, 1);
  assert.is(wrong.stderr, 'jetpack: no kept container build-nope (see jetpack containers)\n');
  assert.ok(existsSync(kept), 'nothing removed');
  jetpackOk(root, ['rm', 'build-kept1', other]);
  assert.is(jetpackOk(root, ['containers', '-q']), '');
  assert.not.ok(existsSync(kept));
});

test.after(() => removeDir(work));
test.run();
