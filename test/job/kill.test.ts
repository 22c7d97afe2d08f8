import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { JETPACK, jetpack, removeDir, sh, tempDir, until } from '../helpers/cli.js';
import { importBusybox } from '../helpers/busybox.js';

// issue 27.4: a job SIGKILLed at any moment leaves no mount and no process on the host, and
// the next run succeeds; a run cleans the mounts a killed older jetpack left in the rootfs.
const work = tempDir();
const root = path.join(work, 'store');
importBusybox(root, work);
const tarball = path.join(work, 'busybox', 'rootfs.tar');

// mmdebstrap --mode=root as far as the host sees it: it mounts /proc, /sys, /dev/shm and a
// devpts in the rootfs, runs children (apt, dpkg) and unmounts at its end. With SLEEPY set,
// it stops in the middle, mounts made and children running, for the kill.
const bin = path.join(work, 'bin');
mkdirSync(bin);
writeFileSync(
  path.join(bin, 'mmdebstrap'),
  `#!/bin/sh
set -e
for root; do :; done
mkdir -p "$root/proc" "$root/sys" "$root/dev/pts" "$root/dev/shm"
mount -t proc proc "$root/proc"
mount -t sysfs sysfs "$root/sys"
mount -t devpts -o newinstance devpts "$root/dev/pts"
mount -t tmpfs tmpfs "$root/dev/shm"
if [ -n "$SLEEPY" ]; then (sleep 4341; true) & sleep 4342; fi
tar -xf "${tarball}" -C "$root"
umount "$root/dev/shm" "$root/dev/pts" "$root/sys" "$root/proc"
`,
);
chmodSync(path.join(bin, 'mmdebstrap'), 0o755);
const PATH = `${bin}:${process.env.PATH}`;

function jobDir(name: string, source: string, hooks: string): string {
  const dir = path.join(work, name);
  mkdirSync(dir);
  writeFileSync(path.join(dir, 'hooks.yml'), hooks);
  writeFileSync(
    path.join(dir, 'job.yaml'),
    `jobs:\n- name: stage\n  source: ${source}\n  output: { type: file, name: stage.tar, dir: ./out }\n  workspacedir: ./ws\n  hooks_files: [hooks.yml]\n`,
  );
  return dir;
}

const HTTP_SOURCE = `{ type: http, uri: "http://127.0.0.1:9/never-fetched.tar", target: "${tarball}" }`;
const NO_HOOKS = 'hooks: []\n';

const mountsUnder = (dir: string) =>
  readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .filter((l) => l.split(' ')[4]?.startsWith(dir));
const running = (marker: string) =>
  sh('ps -eo stat=,args=')
    .split('\n')
    .filter((l) => !l.startsWith('Z') && l.includes(marker));

/** Starts the job with SLEEPY set, waits for `marker` to run, SIGKILLs jetpack; then checks the host and runs the job again. */
async function killAt(dir: string, marker: string, whileRunning: () => void = () => {}): Promise<void> {
  const child = spawn(JETPACK, [`-root=${root}`, 'metro', 'run', '--specfile', path.join(dir, 'job.yaml'), '--job', 'stage'], {
    cwd: dir,
    stdio: 'ignore',
    env: { ...process.env, PATH, SLEEPY: '1' },
  });
  const closed = new Promise((resolve) => child.on('close', resolve));
  await until(`${marker} to start`, () => running(marker).length > 0);
  whileRunning();
  child.kill('SIGKILL');
  await closed;
  await until('the job processes to die', () => running('sleep 434').length === 0, 3000);
  assert.equal(mountsUnder(dir), [], 'no mount is left on the host');
  const again = jetpack(root, ['metro', 'run', '--specfile', path.join(dir, 'job.yaml'), '--job', 'stage'], { cwd: dir, env: { PATH } });
  assert.is(again.status, 0, again.stderr);
  assert.ok(sh(`tar -tf "${path.join(dir, 'out/stage.tar')}"`).includes('./bin/busybox'));
  assert.not.ok(existsSync(path.join(dir, 'ws/rootfs')));
  assert.equal(mountsUnder(dir), []);
}

test('killed while the debian source has its mounts in the rootfs and children running', async () => {
  const dir = jobDir('source', '{ type: debian, suite: bookworm }', NO_HOOKS);
  await killAt(dir, 'sleep 4342', () => assert.equal(mountsUnder(dir), [], "the source's mounts are never on the host"));
});

test('killed during an outer hook that mounted in the rootfs and left a child', async () => {
  const hook = `hooks:\n- type: outer-pre-chroot\n  name: sleepy\n  commands:\n    - 'mount -t tmpfs tmpfs "$MARKDEVKIT_ROOTFS/mnt"; if [ -n "$SLEEPY" ]; then (sleep 4343; true) & sleep 4344; fi; true'\n`;
  const dir = jobDir('outer', HTTP_SOURCE, hook);
  await killAt(dir, 'sleep 4344', () => assert.equal(mountsUnder(dir), [], "the hook's mount is not on the host"));
});

test("an outer hook's background process and mounts end with the hook", () => {
  const hook = `hooks:\n- type: outer-pre-chroot\n  name: daemon\n  commands:\n    - 'mount -t tmpfs tmpfs "$MARKDEVKIT_ROOTFS/mnt"; sleep 4345 >/dev/null 2>&1 & true'\n- type: outer-post-chroot\n  name: look\n  commands:\n    - 'if grep -q " $MARKDEVKIT_ROOTFS/mnt " /proc/self/mountinfo; then exit 9; fi'\n`;
  const dir = jobDir('daemon', HTTP_SOURCE, hook);
  const r = jetpack(root, ['metro', 'run', '--specfile', path.join(dir, 'job.yaml'), '--job', 'stage'], { cwd: dir });
  assert.is(r.status, 0, r.stderr);
  assert.equal(running('sleep 4345'), []);
  assert.equal(mountsUnder(dir), []);
});

test('a run unmounts what a killed older jetpack left in the rootfs, without reaching through a bind into the host', () => {
  const dir = jobDir('stale', HTTP_SOURCE, NO_HOOKS);
  const rootfs = path.join(dir, 'ws/rootfs');
  const host = path.join(work, 'host-dir');
  mkdirSync(host);
  writeFileSync(path.join(host, 'precious'), 'keep me\n');
  sh(
    `mkdir -p "${rootfs}/proc" "${rootfs}/mnt/host" && mount -t proc proc "${rootfs}/proc" && mount --bind "${host}" "${rootfs}/mnt/host" && mount -t tmpfs tmpfs "${rootfs}/mnt/host" && mount --bind "${host}" "${rootfs}/mnt/host"`,
  );
  const r = jetpack(root, ['metro', 'run', '--specfile', path.join(dir, 'job.yaml'), '--job', 'stage'], { cwd: dir });
  assert.is(r.status, 0, r.stderr);
  assert.match(r.stderr, /unmounted 4 mount\(s\) a killed job left in /);
  assert.equal(mountsUnder(dir), []);
  assert.is(readFileSync(path.join(host, 'precious'), 'utf8'), 'keep me\n');
  assert.not.ok(existsSync(rootfs));
});

test('a bind target through an absolute symlink of the rootfs is followed inside the rootfs: nothing is made on the host', () => {
  const hostDir = path.join(work, 'host-target');
  mkdirSync(hostDir);
  const tree = path.join(work, 'linked-tree');
  mkdirSync(tree);
  sh(`tar -xf "${tarball}" -C "${tree}" && ln -s "${hostDir}" "${tree}/srv" && tar -cf "${tree}.tar" -C "${tree}" .`);
  const hook = `hooks:\n- name: inner\n  entrypoint: [/bin/sh, -c]\n  commands: ['echo hi > /srv/pkg/hello']\n  chroot_binds: [{ source: ./pkg, target: /srv/pkg }]\n`;
  const dir = jobDir('linked', `{ type: http, uri: "http://127.0.0.1:9/never-fetched.tar", target: "${tree}.tar" }`, hook);
  mkdirSync(path.join(dir, 'pkg'));
  const r = jetpack(root, ['metro', 'run', '--specfile', path.join(dir, 'job.yaml'), '--job', 'stage'], { cwd: dir });
  assert.is(r.status, 0, r.stderr);
  assert.is(readFileSync(path.join(dir, 'pkg', 'hello'), 'utf8'), 'hi\n', 'the bind reached through the link works');
  assert.equal(readdirSync(hostDir), []);
  assert.equal(mountsUnder(dir), []);
});

test.after(() => {
  for (const l of mountsUnder(work).reverse()) sh(`umount -l "${l.split(' ')[4]}" || true`);
  removeDir(work);
});
test.run();
