import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { JETPACK, MINIMAL_MANIFEST, describeTree, jetpack, jetpackOk, makeAciWithTar, removeDir, sh, tempDir } from '../helpers/cli.js';
import { importBusybox } from '../helpers/busybox.js';
import { PROGRESS_LINE, assertStepReported } from '../helpers/progress.js';
import { makeFidelityRootfs } from '../helpers/rootfs.js';

// Runtime trees (MaPS) on the real ostree: fidelity of initialize and commit, the checks of
// names, determinism, and the deploy/run/update/reset/uninstall cycle on a busybox tree.
const work = tempDir();
const root = path.join(work, 'store');
const repo = path.join(root, 'ostree', 'repo');
const original = makeFidelityRootfs(work);
jetpackOk(root, ['import', makeAciWithTar(work, original, { ...MINIMAL_MANIFEST, name: 'example.com/fidelity' })]);
importBusybox(root, work);
const REF = 'com.example.package/x86_64/2023.08';
const ostree = (args: string, r = repo) => sh(`ostree --repo="${r}" ${args}`);

/** What OSTree keeps of an entry: type, mode, owner, size, link target, xattrs (no times, no device nodes, no hardlink identity). */
function ostreeView(tree: Map<string, string>): Map<string, string> {
  const kept = new Map<string, string>();
  for (const [name, line] of tree) {
    const [type, mode, uid, gid, size, , , , , target, attrs] = line.split('|');
    if (/special file|fifo|socket/.test(type)) continue;
    kept.set(name, [type, mode, uid, gid, size, target, attrs].join('|'));
  }
  return kept;
}

function assertSameEntries(actual: Map<string, string>, expected: Map<string, string>, what: string): void {
  for (const [name, want] of expected) assert.is(actual.get(name), want, `${what}: ${name}`);
  assert.equal([...actual.keys()].sort(), [...expected.keys()].sort(), `${what}: same entries`);
}

test('package --initialize copies a store image exactly: owners, modes, xattrs, ACLs, devices, hardlinks, times', () => {
  const dir = path.join(work, 'init-fidelity');
  jetpackOk(root, ['package', '--initialize', dir, '--from', 'example.com/fidelity']);
  assertSameEntries(describeTree(dir), describeTree(original), 'initialized tree');
});

test('initialize refuses a non-empty DIR and leaves it alone; without a base it says what to do', () => {
  const dir = path.join(work, 'not-empty');
  mkdirSync(dir);
  writeFileSync(path.join(dir, 'mine'), 'keep');
  const r = jetpack(root, ['runtime', 'initialize', dir, '--from', 'jetpack/busybox']);
  assert.is(r.status, 1);
  assert.match(r.stderr, /not empty/);
  assert.is(r.stderr.trim().split('\n').length, 1);
  assert.is(readFileSync(path.join(dir, 'mine'), 'utf8'), 'keep');
  const none = jetpack(root, ['package', '--initialize', path.join(work, 'no-base')]);
  assert.is(none.status, 1);
  assert.match(none.stderr, /jetpack\/debian is not in the store \(make -C images\/debian\), or name one with --from/);
  const unknown = jetpack(root, ['package', '--initialize', path.join(work, 'no-base'), '--from', 'example.com/nothing']);
  assert.is(unknown.status, 1);
  assert.match(unknown.stderr, /--from example.com\/nothing: no such image in the store nor ref/);
  assert.not.ok(existsSync(path.join(work, 'no-base')));
});

test('commit checks the name as MaPS does, one line each, and creates nothing', () => {
  const bad: Array<[string, RegExp]> = [
    ['com.example/x86_64/1', /reverse DNS name of three or more components/],
    ['com.-rf.package/x86_64/1', /reverse DNS name of three or more components/],
    ['com.example.package/x86_64', /three parts/],
    ['com.example.package/amd64/1', /unknown architecture "amd64" \(one of x86_64, aarch64/],
    ['com.example.package/x86_64/', /is not a version/],
    ['com.example.package/x86_64/1/2', /three parts/],
  ];
  const other = path.join(work, 'unused-repo');
  for (const [name, why] of bad) {
    const r = jetpack(root, ['package', '--commit', original, name, '--repo', other]);
    assert.is(r.status, 1, name);
    assert.match(r.stderr, why, name);
    assert.is(r.stderr.trim().split('\n').length, 1, `${name}: ${r.stderr}`);
  }
  const missing = jetpack(root, ['package', '--commit', path.join(work, 'nowhere'), REF, '--repo', other]);
  assert.is(missing.status, 1);
  assert.match(missing.stderr, /nowhere is not a directory$/m);
  assert.match(
    jetpack(root, ['package', '--commit', 'example.com/none', REF, '--repo', other]).stderr,
    /is not a directory, and no image example.com\/none in the store/,
  );
  assert.not.ok(existsSync(path.join(other, 'config')), 'the repo is created only by a commit that can happen');
});

test('commit keeps what OSTree can hold, leaves out devices and says so; the real ostree gives the tree back', () => {
  const r = jetpack(root, ['package', '--commit', original, REF, '--subject', 'first', '--body', 'the fidelity tree']);
  assert.is(r.status, 0, r.stderr);
  assert.match(r.stdout, /^[0-9a-f]{64}\n$/);
  assert.match(r.stderr, /leaving out 3 device node\(s\), FIFO\(s\) or socket\(s\) \(dev\/fifo, dev\/loop9, dev\/null\)/);
  ostree('fsck --quiet');
  assert.is(ostree(`rev-parse ${REF}`).trim(), r.stdout.trim());
  assert.match(ostree(`log ${REF}`), /first\n\n\s+the fidelity tree/);
  const checkout = path.join(work, 'checkout');
  ostree(`checkout --force-copy ${REF} "${checkout}"`);
  assertSameEntries(ostreeView(describeTree(checkout)), ostreeView(describeTree(original)), 'ostree checkout');
  const listed = ostree(`ls -R ${REF}`)
    .trim()
    .split('\n')
    .map((l) => /^\S+\s+\d+\s+\d+\s+\d+\s+(.*?)(?: -> .*)?$/.exec(l)![1])
    .filter((p) => p !== '/')
    .map((p) => `.${p}`)
    .sort();
  assert.equal(listed, [...ostreeView(describeTree(original)).keys()].sort(), 'ostree ls -R');
});

test('the same tree twice gives the same commit under SOURCE_DATE_EPOCH; manifest.toml becomes metadata', () => {
  const tree = path.join(work, 'toml-tree');
  sh(`cp -a "${original}" "${tree}"`);
  writeFileSync(path.join(tree, 'manifest.toml'), '[Core]\ncommand = "echo hi"\n[Meta]\nTitle = "Fidelity"\nURL = "https://example.com/"\n');
  const env = { SOURCE_DATE_EPOCH: '1700000000' };
  const one = jetpackOk(root, ['runtime', 'commit', tree, 'com.example.repro/x86_64/1'], { env }).trim();
  const two = jetpackOk(root, ['runtime', 'commit', tree, 'com.example.repro/x86_64/1'], { env }).trim();
  const elsewhere = jetpackOk(root, ['runtime', 'commit', '-repo', path.join(work, 'repro-repo'), tree, 'com.example.repro/x86_64/1'], { env }).trim();
  assert.is(one, two);
  assert.is(one, elsewhere);
  assert.match(ostree(`show ${one}`), /Date:\s+2023-11-14 22:13:20 \+0000/);
  assert.is(ostree(`show --print-metadata-key=jetpack.runtime.command ${one}`).trim(), `'echo hi'`);
  assert.is(ostree(`show --print-metadata-key=jetpack.runtime.meta.Title ${one}`).trim(), `'Fidelity'`);
  assert.is(ostree(`show --print-metadata-key=version ${one}`).trim(), `'1'`);
  writeFileSync(path.join(tree, 'manifest.toml'), '[Core\n');
  const bad = jetpack(root, ['runtime', 'commit', tree, 'com.example.repro/x86_64/2']);
  assert.is(bad.status, 1);
  assert.match(bad.stderr, /manifest.toml: not valid TOML/);
  assert.is(sh(`ostree --repo="${repo}" refs`).includes('com.example.repro/x86_64/2'), false);
});

test('a store image of several layers commits directly, with the tree its render gives', () => {
  const buildDir = path.join(work, 'layered-build');
  mkdirSync(buildDir);
  const built = jetpackOk(
    root,
    [
      'build',
      '-dir',
      buildDir,
      'jetpack/busybox',
      '/bin/sh',
      '-c',
      'rm /bin/vi && mkdir -p /opt/app && echo v1 > /opt/app/version && printf "{\\"name\\":\\"example.com/layered\\"}" > manifest.json',
    ],
    {
      cwd: work,
    },
  ).trim();
  const fromImage = jetpackOk(root, ['runtime', 'commit', built, 'com.example.layered/x86_64/1']).trim();
  const dir = path.join(work, 'layered-dir');
  jetpackOk(root, ['runtime', 'initialize', '--from', 'example.com/layered', dir]);
  assert.not.ok(existsSync(path.join(dir, 'bin', 'vi')), 'the whiteout is applied');
  const fromDir = jetpackOk(root, ['runtime', 'commit', dir, 'com.example.layered/x86_64/2']).trim();
  const content = (rev: string) => /ContentChecksum:\s+(\S+)/.exec(ostree(`show ${rev}`))![1];
  assert.is(content(fromImage), content(fromDir), 'same tree: same ContentChecksum');
  assert.match(ostree(`show --print-metadata-key=jetpack.image.name ${fromImage}`), /example.com\/layered/);
  ostree('fsck --quiet');
});

test('initialize --from REF checks out a copy of its own: changing it leaves the repo intact', () => {
  const dir = path.join(work, 'from-ref');
  jetpackOk(root, ['runtime', 'initialize', dir, '--from', REF]);
  assert.is(readFileSync(path.join(dir, 'etc', 'hello'), 'utf8'), 'hello\n');
  writeFileSync(path.join(dir, 'etc', 'hello'), 'changed\n');
  ostree('fsck --quiet');
  assert.is(ostree(`cat ${REF} /etc/hello`), 'hello\n');
});

test('deploy, run (changes persist), update (changes kept), reset, uninstall', () => {
  const tree = path.join(work, 'bb-tree');
  const ref = 'org.example.tool/x86_64/1.0';
  jetpackOk(root, ['package', '--initialize', tree, '--from', 'jetpack/busybox']);
  writeFileSync(path.join(tree, 'manifest.toml'), '[Core]\ncommand = "cat /etc/greeting"\n');
  writeFileSync(path.join(tree, 'etc', 'greeting'), 'v1\n');
  const v1 = jetpackOk(root, ['package', '--commit', tree, ref]).trim();
  assert.is(jetpackOk(root, ['runtime', 'deploy', ref]).trim(), v1);
  const run = (args: string[] = []) => jetpack(root, ['runtime', 'run', ref, ...args]);
  assert.is(run().stdout, 'v1\n', 'manifest.toml command');
  assert.is(run(['--command', 'echo mine > /root/notes; exit 5']).status, 5, "the command's status");
  assert.is(run(['--command', 'cat /root/notes']).stdout, 'mine\n', 'changes persist between runs');
  assert.is(run(['cat', '/root/notes']).stdout, 'mine\n', 'COMMAND [ARGS...], as run IMAGE COMMAND');
  assert.is(run(['--', 'sh', '-c', 'echo "$1"; exit 6', 'sh', '-x']).status, 6, 'after --, a command line of flags');
  assert.is(run(['--', 'sh', '-c', 'echo "$1"', 'sh', '-x']).stdout, '-x\n');
  assert.is(run(['sh', '-c', 'echo "$1"', 'sh', '--command']).stdout, '--command\n', 'flags after COMMAND are its own');
  const both = run(['--command', 'true', 'cat', '/root/notes']);
  assert.is(both.status, 2);
  assert.is(both.stderr, 'jetpack: runtime run: give -command CMD or COMMAND [ARGS...], not both\n');
  assert.not.ok(existsSync(path.join(root, 'runtimes', '_local', ref, 'current', 'root', 'notes')), 'the checkout is not written');
  ostree('fsck --quiet');

  writeFileSync(path.join(tree, 'etc', 'greeting'), 'v2\n');
  const v2 = jetpackOk(root, ['package', '--commit', tree, ref]).trim();
  assert.is.not(v2, v1);
  assert.is(jetpackOk(root, ['runtime', 'update', ref]).trim(), v2);
  assert.is(run().stdout, 'v2\n', 'the new commit runs');
  assert.is(run(['--command', 'cat /root/notes']).stdout, 'mine\n', 'update keeps the changes');
  assert.match(jetpack(root, ['runtime', 'update', ref]).stderr, /up to date/);

  const listing = JSON.parse(jetpackOk(root, ['runtime', 'list', '--json'])) as Array<{
    ref: string;
    commit: string;
    deployed: boolean;
    size: number;
    date: string;
  }>;
  const mine = listing.find((l) => l.ref === ref)!;
  assert.is(mine.commit, v2);
  assert.ok(mine.deployed);
  assert.ok(mine.size > 100_000, `size ${mine.size}`);
  assert.match(mine.date, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  assert.match(
    jetpackOk(root, ['runtime', 'list']),
    new RegExp(`^REF +COMMIT +DATE +SIZE +DEPLOYED\\n(.*\\n)*${ref.replace(/\./g, '\\.')} +${v2.slice(0, 12)} .* yes\\n`),
  );

  jetpackOk(root, ['runtime', 'reset', ref]);
  assert.match(run(['--command', 'cat /root/notes']).stderr, /No such file/);
  jetpackOk(root, ['runtime', 'uninstall', ref]);
  assert.not.ok(existsSync(path.join(root, 'runtimes', '_local', ref)));
  assert.not.ok(ostree('refs').includes(ref));
  ostree('fsck --quiet');
  assert.match(run().stderr, /no runtime org.example.tool\/x86_64\/1.0: not committed here/);
});

test('run and deploy of unknown runtimes, a busy deployment, a bad remote: one clear line each', () => {
  const r = jetpack(root, ['runtime', 'deploy', 'nothing:com.example.package/x86_64/1']);
  assert.is(r.status, 1);
  assert.match(r.stderr, /no remote "nothing"/);
  const d = jetpack(root, ['runtime', 'run', REF]);
  assert.match(d.stderr, /is not deployed \(jetpack runtime deploy/);
  assert.match(jetpack(root, ['runtime', 'remote', 'add', 'x', 'ftp://example.com/']).stderr, /must be http:\/\/, https:\/\/ or file:\/\//);
  assert.match(jetpack(root, ['runtime', 'remote', 'delete', 'x']).stderr, /no remote x/);
  assert.match(jetpack(root, ['runtime', 'bogus']).stderr, /unknown runtime subcommand "bogus"/);
});

test('a commit killed midway leaves no ref and a repo that ostree fsck finds clean', async () => {
  const big = path.join(work, 'big-tree');
  sh(`mkdir -p "${big}" && for i in $(seq 1 400); do head -c 300000 /dev/urandom > "${big}/f$i"; done`);
  const ref = 'com.example.killed/x86_64/1';
  const child = spawn(JETPACK, [`-root=${root}`, 'runtime', 'commit', big, ref], { stdio: 'ignore' });
  // Killed while ostree is at work: as soon as its process shows, however fast the machine is.
  const ostreeRunning = () => sh(`pgrep -f "^ostree commit --branch=${ref}" || true`).trim() !== '';
  let seen = false;
  for (let i = 0; i < 2000 && !seen; i++) {
    seen = ostreeRunning();
    if (!seen) await sleep(5);
  }
  child.kill('SIGKILL');
  assert.ok(seen, 'ostree commit was running when jetpack was killed');
  await new Promise((resolve) => child.on('close', resolve));
  await sleep(200); // ostree dies with jetpack (pdeathsig)
  assert.not.ok(ostree('refs').includes(ref), 'no ref');
  ostree('fsck --quiet');
  assert.is(sh(`pgrep -f "^ostree commit --branch=${ref}" || true`).trim(), '', 'no ostree left running');
});

test('a full disk during update leaves the deployment as it was', () => {
  const mnt = path.join(work, 'small');
  sh(`mkdir -p "${mnt}" && mount -t tmpfs -o size=48m,nr_inodes=6000 tmpfs "${mnt}"`);
  try {
    const small = path.join(mnt, 'store');
    const ref = 'org.example.small/x86_64/1';
    jetpackOk(small, ['import', path.join(work, 'busybox', 'image.aci')]);
    const tree = path.join(mnt, 'tree');
    jetpackOk(small, ['runtime', 'initialize', tree, '--from', 'jetpack/busybox']);
    writeFileSync(path.join(tree, 'version'), 'v1\n');
    const v1 = jetpackOk(small, ['runtime', 'commit', tree, ref]).trim();
    jetpackOk(small, ['runtime', 'deploy', ref]);
    writeFileSync(path.join(tree, 'version'), 'v2\n');
    jetpackOk(small, ['runtime', 'commit', tree, ref]);
    // No inode left for the new checkout's directories.
    sh(`mkdir "${mnt}/fill" && i=0; while touch "${mnt}/fill/$i" 2>/dev/null; do i=$((i+1)); done`);
    const r = jetpack(small, ['runtime', 'update', ref]);
    assert.is(r.status, 1);
    assert.match(r.stderr, /checking out .*(No space left on device|no space left)/i);
    sh(`rm -rf "${mnt}/fill"`);
    const deployment = path.join(small, 'runtimes', '_local', ref);
    assert.is(readlinkSync(path.join(deployment, 'current')), `commit-${v1}`);
    assert.equal(sh(`ls "${deployment}"`).trim().split('\n'), ['commit-' + v1, 'current', 'lock', 'rw']);
    assert.is(jetpackOk(small, ['runtime', 'run', ref, '--command', 'cat /version']), 'v1\n');
  } finally {
    sh(`umount "${mnt}"`);
  }
});

test('export-repo in CI: a start and a done line for the copy; -quiet silences them, not the result', () => {
  const exported = path.join(work, 'exported');
  const loud = jetpack(root, ['runtime', 'export-repo', exported, REF]);
  assert.is(loud.status, 0, loud.stderr);
  assertStepReported(loud.stderr, `exporting ${REF} to ${exported}`);
  for (const args of [
    ['-quiet', 'runtime', 'export-repo', `${exported}-2`, REF],
    ['runtime', 'export-repo', '-quiet', `${exported}-3`, REF],
  ]) {
    const quiet = jetpack(root, args);
    assert.is(quiet.status, 0, quiet.stderr);
    assert.not.match(quiet.stderr, PROGRESS_LINE, `${args.join(' ')}: ${quiet.stderr}`);
    assert.match(quiet.stderr, new RegExp(`exported ${REF.replace(/\./g, '\\.')} to `));
  }
});

test.after(() => removeDir(work));
test.run();
