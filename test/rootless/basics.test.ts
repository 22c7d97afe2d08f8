import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { importBusybox } from '../helpers/busybox.js';
import { JETPACK, removeDir, sh, tempDir } from '../helpers/cli.js';
import {
  asUserArgv,
  createTestUser,
  giveToUser,
  jetpackAs,
  jetpackAsOk,
  removeTestUser,
  shAs,
  spawnAs,
  subordinateRange,
  type TestUser,
} from '../helpers/users.js';

// An ordinary user's jetpack (docs/ROOTLESS.md): the namespace it enters, its store, its
// refusals, and what it may not reach.
const test = suite('rootless basics');

let scratch: string;
let busyboxAci: string;
let busyboxId: string;
let user: TestUser;

test.before(() => {
  scratch = tempDir();
  busyboxId = importBusybox(path.join(scratch, 'root-store'), scratch);
  busyboxAci = path.join(scratch, 'busybox', 'image.aci');
  user = createTestUser();
  const aci = giveToUser(user, busyboxAci);
  assert.is(jetpackAsOk(user, ['import', aci]).trim().split('\n').pop(), busyboxId);
});

test.after(() => {
  removeTestUser(user);
  removeDir(scratch);
});

/** A build directory in the home of `owner` holding a manifest.json, owned by it. */
function userDir(name: string, owner = user): string {
  const dir = path.join(owner.home, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify({ acKind: 'ImageManifest', acVersion: '0.8.11', name: `test/${name}` }));
  sh(`chown -R ${owner.uid}:${owner.gid} "${dir}"`);
  return dir;
}

test("the store is the user's own: ~/.local/share/jetpack, or $XDG_DATA_HOME/jetpack; -root as for root", () => {
  assert.is(jetpackAsOk(user, ['config', 'path.root']).trim(), user.store);
  const viaNode = jetpackAsOk(user, ['config']).match(/^path\.root=(.*)$/m)?.[1];
  assert.is(viaNode, user.store, 'the shell shortcut and Node agree');
  assert.is(jetpackAsOk(user, ['config', 'rootless']), 'yes\n');
  assert.is(jetpackAsOk(user, ['config', 'path.root'], { env: { XDG_DATA_HOME: `${user.home}/xdg` } }).trim(), `${user.home}/xdg/jetpack`);
  assert.is(jetpackAsOk(user, ['-root=/tmp/elsewhere', 'config', 'path.root']).trim(), '/tmp/elsewhere');
  assert.match(jetpackAsOk(user, ['images', '-json']), busyboxId);
});

test('jetpack runs in a user namespace: 0 is the user, 1… the subordinate range', () => {
  const range = subordinateRange(user)!;
  const map = jetpackAsOk(user, ['run', 'jetpack/busybox', 'cat', '/proc/self/uid_map'])
    .trim()
    .split('\n')
    .map((l) => l.trim().split(/\s+/).map(Number));
  assert.equal(map, [
    [0, user.uid, 1],
    [1, range.start, range.count],
  ]);
  assert.is(jetpackAsOk(user, ['run', 'jetpack/busybox', 'id', '-u']).trim(), '0');
});

test('a build as the user: overlay and the copy driver; nothing in the store is owned by real root', () => {
  const dir = userDir('build-basic');
  for (const env of [{}, { JETPACK_NO_OVERLAY: '1' }] as Array<Record<string, string>>) {
    const out = jetpackAsOk(user, ['build', 'jetpack/busybox', '/bin/sh', '-c', 'echo hi > /greeting && chown 1000:1000 /greeting'], {
      cwd: dir,
      env,
    });
    const id = out.trim().split('\n').pop()!;
    assert.is(jetpackAsOk(user, ['run', id, 'stat', '-c', '%u:%g', '/greeting']).trim(), '1000:1000');
    assert.is(jetpackAsOk(user, ['run', id, 'cat', '/greeting']).trim(), 'hi');
  }
  const range = subordinateRange(user)!;
  assert.is(sh(`stat -c %u "${user.store}/images/${busyboxId}/rootfs/etc/passwd"`).trim(), String(user.uid), 'uid 0 inside is the user');
  assert.is(sh(`find "${user.store}" \\( -uid 0 -o -gid 0 \\) -print | head -5`), '', 'no file of real root');
  const owners = sh(`find "${user.store}" -printf '%U\\n' | sort -un`).trim().split('\n').map(Number);
  assert.ok(
    owners.every((o) => o === user.uid || (o >= range.start && o < range.start + range.count)),
    `every owner is the user or in its range: ${owners.join(' ')}`,
  );
});

test("the container's devices are the host's; /sys is readable", () => {
  const out = jetpackAsOk(user, [
    'run',
    'jetpack/busybox',
    'sh',
    '-c',
    'test -c /dev/null && echo x > /dev/null && head -c 2 /dev/zero | od -An -tx1 && ls /sys/kernel >/dev/null && echo sys',
  ]);
  assert.match(out, /00 00/);
  assert.match(out, /sys/);
});

test('-bind of what the user may not read, or write when mounted read-write, is refused before anything runs', () => {
  const secret = path.join(scratch, 'secret');
  writeFileSync(secret, 'root only\n', { mode: 0o600 });
  sh(`chmod 755 "${scratch}"`);
  const r = jetpackAs(user, ['run', `-bind=${secret}:/secret:ro`, 'jetpack/busybox', 'cat', '/secret']);
  assert.is(r.status, 1);
  assert.is(r.stdout, '');
  assert.match(r.stderr, /^jetpack: -bind .*secret: the user running jetpack may not read it \(EACCES\)\n$/);
  const shared = path.join(scratch, 'readable');
  mkdirSync(shared, { recursive: true });
  writeFileSync(path.join(shared, 'f'), 'readable\n');
  sh(`chmod 755 "${shared}" && chmod 644 "${shared}/f"`);
  const rw = jetpackAs(user, ['run', `-bind=${shared}:/mnt/shared`, 'jetpack/busybox', 'touch', '/mnt/shared/x']);
  assert.match(rw.stderr, /may not read and write it \(EACCES\)/);
  assert.is(jetpackAsOk(user, ['run', `-bind=${shared}:/mnt/shared:ro`, 'jetpack/busybox', 'cat', '/mnt/shared/f']), 'readable\n');
  // As root, the same bind is no business of the user namespace's.
  assert.is(sh(`"${JETPACK}" -root="${scratch}/root-store" run -bind=${secret}:/secret:ro jetpack/busybox cat /secret`), 'root only\n');
});

test('a user without subordinate IDs is told which file and which usermod fixes it', () => {
  const bare = createTestUser({ subordinateIds: false });
  try {
    const r = jetpackAs(bare, ['images']);
    assert.is(r.status, 1);
    assert.match(
      r.stderr,
      new RegExp(
        `^jetpack: running as ${bare.name} needs subordinate IDs, and /etc/subuid gives ${bare.name} none \\(as root: usermod --add-subuids \\d+-\\d+ --add-subgids \\d+-\\d+ ${bare.name}\\)\\n$`,
      ),
    );
    const help = jetpackAs(bare, ['--help']);
    assert.is(help.status, 0, 'help needs no namespace');
  } finally {
    removeTestUser(bare);
  }
});

test('user namespaces disabled by sysctl are named', () => {
  // The sysctl is machine-wide: a private mount namespace shows jetpack a 0 without changing it for anyone else.
  const argv = asUserArgv(user, [JETPACK, 'images']);
  const script = `echo 0 > "${scratch}/zero" && mount --bind "${scratch}/zero" /proc/sys/user/max_user_namespaces && exec "$@"`;
  const r = spawnSync('unshare', ['--mount', '--propagation', 'private', 'sh', '-c', script, 'sh', ...argv], { encoding: 'utf8' });
  assert.is(r.status, 1);
  assert.match(
    r.stderr,
    /^jetpack: cannot run as \S+: user namespaces are disabled \(user.max_user_namespaces=0; as root: sysctl -w user.max_user_namespaces=15000\)\n$/,
  );
});

test('two users build at once, each in its own store, and get one image', async () => {
  const other = createTestUser();
  try {
    jetpackAsOk(other, ['import', giveToUser(other, busyboxAci)]);
    const env = { SOURCE_DATE_EPOCH: '1700000000' };
    const build = (u: TestUser) => {
      const child = spawnAs(u, [JETPACK, 'build', 'jetpack/busybox', '/bin/sh', '-c', 'sleep 1; echo $((6*7)) > /answer'], {
        env,
        cwd: userDir('build-both', u),
      });
      let out = '';
      child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
      return new Promise<string>((resolve, reject) =>
        child.on('close', (code) => (code === 0 ? resolve(out.trim().split('\n').pop()!) : reject(new Error(`exit ${code}`)))),
      );
    };
    const [a, b] = await Promise.all([build(user), build(other)]);
    assert.is(a, b, 'the same image, byte for byte');
    assert.is(shAs(other, `ls "${other.store}/images" | grep -c ${a}`).trim(), '1');
    assert.is(jetpackAs(other, ['-root', user.store, 'images']).status, 1, "another user's store is not readable");
  } finally {
    removeTestUser(other);
  }
});

test('a killed rootless build leaves no process, no mount and no image', async () => {
  const before = sh(`ls "${user.store}/images"`);
  const child = spawnAs(user, [JETPACK, 'build', 'jetpack/busybox', '/bin/sleep', '3031'], { cwd: userDir('build-kill') });
  for (let i = 0; i < 100 && spawnSync('pgrep', ['-u', user.name, '-f', 'sleep 3031']).status !== 0; i++) await sleep(100);
  assert.is(spawnSync('pgrep', ['-u', user.name, '-f', 'sleep 3031']).status, 0, 'the build command ran');
  child.kill('SIGKILL');
  await new Promise((r) => child.on('close', r));
  for (let i = 0; i < 50 && spawnSync('pgrep', ['-u', user.name]).status === 0; i++) await sleep(100);
  assert.is(sh(`pgrep -a -u ${user.name} || true`), '', 'no process of the user is left');
  assert.is(sh(`grep -c "${user.store}" /proc/self/mountinfo || true`).trim(), '0');
  assert.is(sh(`ls "${user.store}/images"`), before, 'no half image');
  // The next command reaps what the killed one left in tmp/.
  jetpackAsOk(user, ['build', 'jetpack/busybox', '/bin/true'], { cwd: userDir('build-kill') });
  assert.is(sh(`ls -A "${user.store}/tmp"`), '');
});

test('jetpack unshare runs a command in the namespace, where the user can remove what its store holds', () => {
  assert.is(jetpackAsOk(user, ['unshare', 'id', '-u']), '0\n');
  assert.is(jetpackAsOk(user, ['unshare', 'stat', '-c', '%u', `${user.store}/images`]), '0\n', 'the user is its root');
  assert.is(jetpackAs(user, ['unshare', 'sh', '-c', 'exit 3']).status, 3);
  jetpackAsOk(user, ['unshare', 'rm', '-rf', user.store]);
  assert.is(sh(`ls -A "${path.dirname(user.store)}"`), '');
});

test.run();
