/**
 * Hostile and broken input for `jetpack import`: every archive of the corpus must be refused
 * with one clear line, change nothing in the store, and write nothing outside it.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { jetpack, jetpackOk, removeDir, storeState, tempDir, type Result } from '../helpers/cli.js';
import { validAci, whitelistThroughSymlinkAci, writeControlArchives, writeHostileCorpus, type HostileCase } from '../helpers/hostile-archives.js';

const work = tempDir('jetpack-hostile-');
const root = path.join(work, 'store');
const canary = path.join(work, 'canary');
const victim = path.join(work, 'victim');
const VICTIM_TEXT = 'the victim file: hardlinks must never reach it\n';
mkdirSync(canary);
writeFileSync(victim, VICTIM_TEXT);

const corpus = writeHostileCorpus(path.join(work, 'corpus'), { canary, victim });
const controls = writeControlArchives(path.join(work, 'controls'), { canary });

const baseAci = path.join(work, 'base.aci');
writeFileSync(baseAci, validAci('example.com/hostile-base'));
const baseID = jetpackOk(root, ['import', baseAci]).trim();
const snapshot = { ...storeState(root), root: readdirSync(root).sort() };
const baseFsck = jetpack(root, ['fsck']);

function state() {
  return { ...storeState(root), root: readdirSync(root).sort() };
}

/** Puts the store, the canary and the victim back as they were, so one failure never spills into the next case. */
function restore(): void {
  for (const name of readdirSync(path.join(root, 'images'))) {
    if (!snapshot.images.includes(name)) rmSync(path.join(root, 'images', name), { recursive: true, force: true });
  }
  for (const name of readdirSync(path.join(root, 'tmp'))) rmSync(path.join(root, 'tmp', name), { recursive: true, force: true });
  for (const name of readdirSync(canary)) rmSync(path.join(canary, name), { recursive: true, force: true });
  writeFileSync(victim, VICTIM_TEXT);
}

/** Problems with how a refused import reported itself: one line, "jetpack: …", matching `expect`. */
function reportProblems(r: Result, expect: RegExp): string[] {
  const problems: string[] = [];
  if (r.status === 0) problems.push(`import succeeded (exit 0, stdout ${JSON.stringify(r.stdout.trim())}); it must be refused`);
  const lines = r.stderr.split('\n');
  if (lines.at(-1) === '') lines.pop();
  if (lines.length !== 1) problems.push(`stderr must be exactly one line, got ${lines.length}: ${JSON.stringify(r.stderr)}`);
  const line = lines[0] ?? '';
  if (!line.startsWith('jetpack: ')) problems.push(`stderr must start with "jetpack: ": ${JSON.stringify(line)}`);
  if (r.status !== 0 && !expect.test(line)) problems.push(`stderr ${JSON.stringify(line)} does not match ${expect}`);
  if (/internal error/.test(r.stderr)) problems.push('reported as an internal error (a bug), not as a user error');
  // The error is printed on a terminal: hostile bytes must not reach it raw.
  // eslint-disable-next-line no-control-regex -- checks that no raw control character reaches the terminal
  if (/[\x00-\x08\x0b-\x1f\x7f]/.test(r.stderr)) problems.push(`stderr carries raw control characters: ${JSON.stringify(r.stderr)}`);
  // The user never named the staging copy under the store's tmp/, which is gone by now.
  if (/\bimport-[A-Za-z0-9]{6}\b|\/tmp\/import-/.test(r.stderr) || r.stderr.includes(path.join(root, 'tmp'))) {
    problems.push(`stderr names the store's staging file instead of the user's archive: ${JSON.stringify(line)}`);
  }
  return problems;
}

/** Problems with the store and the world outside it after a refused import. */
function sideEffectProblems(c: Pick<HostileCase, 'mustNotExist'>): string[] {
  const problems: string[] = [];
  const now = state();
  if (JSON.stringify(now.images) !== JSON.stringify(snapshot.images)) problems.push(`images/ changed: ${JSON.stringify(now.images)}`);
  if (now.tmp.length > 0) problems.push(`tmp/ not empty: ${JSON.stringify(now.tmp)}`);
  if (JSON.stringify(now.root) !== JSON.stringify(snapshot.root)) problems.push(`store root changed: ${JSON.stringify(now.root)}`);
  const written = readdirSync(canary);
  if (written.length > 0) problems.push(`written outside the store, into the canary dir: ${JSON.stringify(written)}`);
  for (const p of c.mustNotExist ?? []) if (existsSync(p)) problems.push(`${p} exists`);
  const v = statSync(victim);
  if (readFileSync(victim, 'utf8') !== VICTIM_TEXT) problems.push('the victim file outside the store was modified');
  if (v.nlink !== 1) problems.push(`the victim file outside the store has ${v.nlink} links`);
  const fsck = jetpack(root, ['fsck']);
  if (fsck.status !== 0 || !/\b0 problem\(s\)/.test(fsck.stdout))
    problems.push(`fsck after the import: exit ${fsck.status}: ${fsck.stdout.trim()} ${fsck.stderr.trim()}`);
  return problems;
}

function assertNoProblems(problems: string[]): void {
  assert.ok(problems.length === 0, problems.join('\n    '));
}

test('setup: the store holds one valid image and fsck finds it sound', () => {
  assert.equal(snapshot.images, [baseID]);
  assert.equal(snapshot.tmp, []);
  assert.is(baseFsck.status, 0, baseFsck.stdout + baseFsck.stderr);
  assert.match(baseFsck.stdout, /^1 image\(s\) checked, 0 problem\(s\)/);
});

test('setup: the corpus is complete', () => {
  assert.ok(corpus.length >= 60, `only ${corpus.length} cases`);
  assert.is(new Set(corpus.map((c) => c.name)).size, corpus.length, 'case names are unique');
});

// Benign twins go into a scratch store: they prove that the refusals below come from the
// hostile member of each archive and not from a defect of the generator.
const scratch = path.join(work, 'scratch-store');
for (const c of controls) {
  test(`control: ${c.name} imports`, () => {
    const r = jetpack(scratch, ['import', c.file]);
    assert.is(r.status, 0, r.stderr);
    assert.match(r.stdout, /^sha512-[0-9a-f]{128}\n$/);
    assert.equal(readdirSync(canary), [], 'nothing written outside the store');
  });
}

test('control: the valid ACI has one ID in every compression, and legal links keep their targets', () => {
  const ids = controls.filter((c) => c.name.startsWith('valid-')).map((c) => jetpackOk(scratch, ['import', c.file]).trim());
  assert.is(ids.length, 5);
  assert.is(new Set(ids).size, 1, 'decompression gives the same bytes');
  const links = controls.find((c) => c.name === 'legal-links-and-devices')!;
  const id = jetpackOk(scratch, ['import', links.file]).trim();
  const rootfs = path.join(scratch, 'images', id, 'rootfs');
  assert.is(readFileSync(path.join(rootfs, 'h'), 'utf8'), 'links\n');
  assert.is(statSync(path.join(rootfs, 'h')).ino, statSync(path.join(rootfs, 'etc', 'hostname')).ino);
  const fsck = jetpack(scratch, ['fsck']);
  assert.is(fsck.status, 0, fsck.stdout);
});

for (const c of corpus) {
  test(`refused: ${c.name}`, () => {
    try {
      const r = jetpack(root, ['import', c.file]);
      assertNoProblems([...reportProblems(r, c.expect), ...sideEffectProblems(c)]);
    } finally {
      restore();
    }
  });
}

for (const name of ['truncated-in-file-data', 'truncated-no-end-marker', 'symlink-absolute-then-child-far-apart', 'zstd-truncated']) {
  test(`refused from stdin (-): ${name}`, () => {
    const c = corpus.find((k) => k.name === name);
    if (!c) throw new Error(`no corpus case ${name}`);
    try {
      const r = jetpack(root, ['import', '-'], { input: readFileSync(c.file) });
      assertNoProblems([...reportProblems(r, c.expect), ...sideEffectProblems(c)]);
    } finally {
      restore();
    }
  });
}

// appc pathWhitelist: whiteouts hide what the dependencies bring outside the list. When the
// image's own rootfs has a symlink where the dependency has a directory, that symlink hides the
// whole directory already; neither a whiteout (mknod) nor a parent directory copied down for
// one (tar -x) may be created through it, outside the store.
const WHITELISTS: Array<[string, string[]]> = [
  ['whiteouts', ['/etc/keep']],
  ['whiteouts and copied parent directories', ['/etc/sub/keep']],
];
for (const [i, [what, keep]] of WHITELISTS.entries()) {
  test(`pathWhitelist ${JSON.stringify(keep)}: ${what} are never created through the image's own symlink`, () => {
    const store = path.join(work, `whitelist-store-${i}`);
    jetpackOk(store, ['import', baseAci]);
    const file = path.join(work, `whitelist-${i}.aci`);
    writeFileSync(file, whitelistThroughSymlinkAci('example.com/hostile-base', canary, keep));
    try {
      const r = jetpack(store, ['import', file]);
      const problems: string[] = [];
      const written = readdirSync(canary);
      if (written.length > 0) problems.push(`import exit ${r.status} wrote outside the store, into the canary dir: ${JSON.stringify(written)}`);
      if (r.status !== 0) problems.push(...reportProblems(r, /./));
      const fsck = jetpack(store, ['fsck']);
      if (fsck.status !== 0) problems.push(`fsck: ${fsck.stdout.trim()}`);
      if (readdirSync(path.join(store, 'tmp')).length > 0) problems.push('tmp/ not empty');
      assertNoProblems(problems);
    } finally {
      restore();
    }
  });
}

test('the store still works: a valid image imports after all of the above', () => {
  const after = path.join(work, 'after.aci');
  writeFileSync(after, validAci('example.com/after-hostile', { bigFile: 200 * 1024 }));
  const r = jetpack(root, ['import', after]);
  assert.is(r.status, 0, r.stderr);
  const id = r.stdout.trim();
  assert.match(id, /^sha512-[0-9a-f]{128}$/);
  assert.is(readFileSync(path.join(root, 'images', id, 'rootfs', 'etc', 'hostname'), 'utf8'), 'hostile-base\n');
  assert.is(statSync(path.join(root, 'images', id, 'rootfs', 'usr', 'share', 'random.bin')).size, 200 * 1024);
  assert.equal(storeState(root), { images: [baseID, id].sort(), tmp: [] });
  const names = JSON.parse(jetpackOk(root, ['images', '-json'])) as Array<{ name: string }>;
  assert.equal(names.map((i) => i.name).sort(), ['example.com/after-hostile', 'example.com/hostile-base']);
  const again = jetpack(root, ['import', baseAci]);
  assert.is(again.status, 0, again.stderr);
  assert.is(again.stdout.trim(), baseID);
  assert.match(again.stderr, /already in the store/);
  const fsck = jetpack(root, ['fsck']);
  assert.is(fsck.status, 0, fsck.stdout);
  assert.match(fsck.stdout, /^2 image\(s\) checked, 0 problem\(s\), 0 leftover\(s\) removed/);
  assert.equal(readdirSync(canary), []);
});

test('cleanup', () => {
  removeDir(work);
});

test.run();
