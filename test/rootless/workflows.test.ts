import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { JETPACK, REPO, describeTree, jetpackOk, removeDir, sh, tempDir, until } from '../helpers/cli.js';
import { importBusybox } from '../helpers/busybox.js';
import { serveDirectory, type FileServer } from '../helpers/file-server.js';
import { createTestUser, giveToUser, jetpackAs, jetpackAsOk, removeTestUser, runAs, shAs, spawnAs, subordinateRange, type TestUser } from '../helpers/users.js';

// Point 3 of docs/ROOTLESS.md's promise: every workflow works for an ordinary user, and what
// it makes is what root makes from the same input (SOURCE_DATE_EPOCH set): stage jobs (http,
// image and debian sources, inner and outer hooks, chroot_binds), runtimes (initialize,
// sandbox, commit, deploy, run), push and pull, Flatpak and portable exports, fetch, run with
// the app's user, gc, prune and fsck. One user and one busybox import serve every test.
const test = suite('rootless workflows');

const EPOCH = { SOURCE_DATE_EPOCH: '1700000000' };
let scratch: string;
let user: TestUser;
let rootStore: string;
let busybox: FileServer;
let registry: ChildProcess | undefined;
let site: Server | undefined;

const root = (args: string[], opts: { cwd?: string } = {}) => jetpackOk(rootStore, args, { cwd: opts.cwd, env: EPOCH });
const asUser = (args: string[], opts: { env?: Record<string, string>; cwd?: string } = {}) =>
  jetpackAsOk(user, args, { ...opts, env: { ...EPOCH, ...opts.env } });
const sha256 = (file: string) => sh(`sha256sum "${file}"`).split(' ')[0];

/** What a child process printed, and its status, once it ends. */
function finished(child: ChildProcess): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    let [stdout, stderr] = ['', ''];
    child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

/** Builds `dir` (holding manifest.json) on jetpack/busybox with `script`, in root's store and the user's; returns the ID, the same in both. */
function buildBoth(name: string, manifest: object, script: string): string {
  const dir = path.join(scratch, name);
  mkdirSync(dir);
  writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify(manifest));
  const mine = giveToUser(user, dir);
  const id = root(['build', '-dir', dir, 'jetpack/busybox', '/bin/sh', '-c', script]).trim();
  assert.is(asUser(['build', '-dir', mine, 'jetpack/busybox', '/bin/sh', '-c', script]).trim(), id, `${name}: root's image ID`);
  return id;
}

/** A job directory (job.yaml, hooks/hooks.yml) made for root at `scratch/name`, and the user's copy of it in its home. */
function jobDirs(name: string, job: string, hooks: string): { mine: string; theirs: string } {
  const mine = path.join(scratch, name);
  mkdirSync(path.join(mine, 'hooks'), { recursive: true });
  writeFileSync(path.join(mine, 'job.yaml'), job);
  writeFileSync(path.join(mine, 'hooks', 'hooks.yml'), hooks);
  return { mine, theirs: giveToUser(user, mine) };
}

test.before(async () => {
  scratch = tempDir();
  rootStore = path.join(scratch, 'store');
  user = createTestUser();
  const id = importBusybox(rootStore, scratch);
  assert.is(asUser(['import', giveToUser(user, path.join(scratch, 'busybox', 'image.aci'))]).trim(), id, "busybox: root's image ID");
  busybox = await serveDirectory(path.join(scratch, 'busybox'), path.join(scratch, 'requests'));
});

test.after(() => {
  busybox?.close();
  registry?.kill();
  site?.close();
  removeTestUser(user);
  removeDir(scratch);
});

const STAGE_HOOKS = `hooks:
- type: outer-pre-chroot
  name: release
  entrypoint: [/bin/sh, -c]
  commands:
    - mkdir -p "$MARKDEVKIT_ROOTFS/etc" && echo "release={{ .Values.release }}" > "$MARKDEVKIT_ROOTFS/etc/stage-release"
- type: inner-chroot
  name: owners
  entrypoint: [/bin/sh, -c]
  commands:
    - echo staged > /etc/motd && chown 1234:5678 /etc/motd && chmod 4755 /bin/busybox
    - id -u > /var/cache/pkg/inner-uid
`;

test("metro run: an http stage with outer and inner hooks and chroot_binds gives root's tarball byte for byte; an image output root's ID", () => {
  const job = `version: "1.0"
jobs:
- name: stage
  options: { release: "7" }
  source: { type: http, uri: "${busybox.url}/rootfs.tar", target: ./sourcer/rootfs.tar }
  output: { type: file, name: stage.tar.xz, dir: ./out }
  workspacedir: ./ws
  hooks_basedir: ./hooks
  chroot_binds:
    - { source: ./binds/pkg, target: /var/cache/pkg }
  hooks_files: [hooks.yml]
- name: to-image
  source: { type: image, image: jetpack/busybox }
  output: { type: image, name: example/staged, labels: { version: "1" } }
  workspacedir: ./ws-image
  hooks_basedir: ./hooks
  hooks_files: [hooks.yml]
  options: { release: "8" }
  chroot_binds:
    - { source: ./binds/pkg, target: /var/cache/pkg }
`;
  const { mine, theirs } = jobDirs('stage', job, STAGE_HOOKS);
  const metro = (specfile: string, name: string) => ['metro', 'run', '--specfile', specfile, '--job', name];
  // chroot_binds sources are relative to the current directory (mark-devkit's): the job's.
  const rootOut = root(metro('job.yaml', 'stage'), { cwd: mine }).trim();
  const userOut = asUser(metro('job.yaml', 'stage'), { cwd: theirs }).trim();
  assert.is(userOut, path.join(theirs, 'out', 'stage.tar.xz'));
  assert.is(sha256(userOut), sha256(rootOut), "the stage tarball is root's, byte for byte");
  assert.match(sh(`tar -tvf "${userOut}" --numeric-owner`), /-rw-r--r-- 1234\/5678 +7 [^\n]* \.\/etc\/motd\n/);
  // The bind is the user's own directory: what the hook wrote there is the user's (uid 0 inside).
  assert.is(readFileSync(path.join(theirs, 'binds', 'pkg', 'inner-uid'), 'utf8'), '0\n');
  assert.is(sh(`stat -c %u:%g "${theirs}/binds/pkg/inner-uid"`).trim(), `${user.uid}:${user.gid}`);

  const rootImage = root(metro('job.yaml', 'to-image'), { cwd: mine }).trim().split('\n').pop();
  assert.is(asUser(metro('job.yaml', 'to-image'), { cwd: theirs }).trim().split('\n').pop(), rootImage, "the image output has root's ID");
});

/** A tarball's tree as root extracts it (devices made): every entry's type, mode, owner, size, device numbers, target, xattrs and content. */
function tarballTree(tarball: string, name: string): Map<string, string> {
  const dir = path.join(scratch, name);
  mkdirSync(dir);
  sh(`tar -x --zstd --numeric-owner --same-owner -p --xattrs --xattrs-include='*' -f "${tarball}" -C "${dir}"`);
  const digests = new Map(
    sh(`cd "${dir}" && find . -type f -print0 | sort -z | xargs -0 -r sha256sum`)
      .trim()
      .split('\n')
      .map((l) => [l.slice(66), l.slice(0, 64)] as [string, string]),
  );
  const tree = new Map([...describeTree(dir)].map(([entry, line]) => [entry, `${line}|${digests.get(entry) ?? ''}`]));
  sh(`rm -rf "${dir}"`);
  return tree;
}

test("metro run of jobs/debian-minbase.yaml (mmdebstrap --mode=unshare, useradd in an inner hook): root's tarball, /dev's devices included", async () => {
  const mine = path.join(scratch, 'jobs');
  sh(`cp -r "${REPO}/jobs" "${mine}"`);
  const theirs = giveToUser(user, mine);
  const args = ['metro', 'run', '--specfile', 'debian-minbase.yaml', '--job', 'debian-minbase', '--quiet'];
  // Both at once: mmdebstrap takes a minute or two.
  const asRoot = spawn(JETPACK, [`-root=${rootStore}`, ...args], { cwd: mine, env: { ...process.env, ...EPOCH }, stdio: ['ignore', 'pipe', 'pipe'] });
  const mmdebstrapAsUser = spawnAs(user, [JETPACK, ...args], { cwd: theirs, env: EPOCH });
  const [r, u] = await Promise.all([finished(asRoot), finished(mmdebstrapAsUser)]);
  assert.is(r.status, 0, r.stderr.slice(-3000));
  assert.is(u.status, 0, u.stderr.slice(-3000));
  const name = 'debian-bookworm-minbase-20231114.tar.zst';
  assert.is(u.stdout.trim().split('\n').pop(), path.join(theirs, 'output', name));
  const [want, got] = [tarballTree(path.join(mine, 'output', name), 'debian-root'), tarballTree(path.join(theirs, 'output', name), 'debian-user')];
  for (const [entry, line] of want) assert.is(got.get(entry), line, entry);
  assert.equal([...got.keys()].sort(), [...want.keys()].sort());
  assert.match(got.get('./dev/null')!, /^character special file\|666\|0\|0\|0\|[0-9.]+\|1:3\|/);
  assert.match(got.get('./home/builder')!, /^directory\|\d+\|1000\|1000\|/);
  const digest = (file: string) => sh(`sha256sum < "${file}"`);
  assert.is(digest(path.join(theirs, 'output', name)), digest(path.join(mine, 'output', name)), 'the same tarball, byte for byte');
});

test("package --initialize/--sandbox/--commit as the user: in-namespace owners, root's commit checksum; runtime deploy and run; package --upload", async () => {
  const REF = 'com.example.rootless/x86_64/1';
  const change = 'echo hello > /etc/greeting && chown 1000:1000 /etc/greeting && chmod 4755 /bin/busybox';
  const tree = path.join(scratch, 'tree');
  root(['package', '--initialize', tree, '--from', 'jetpack/busybox']);
  root(['package', '--sandbox', tree, '--', '/bin/sh', '-c', change]);
  const rootCommit = root(['package', '--commit', tree, REF]).trim();
  asUser(['package', '--initialize', 'tree', '--from', 'jetpack/busybox']);
  asUser(['package', '--sandbox', 'tree', '--', '/bin/sh', '-c', change]);
  // In the user's tree, ID 1000 is its subordinate ID 999 above the range's start; OSTree records 1000.
  const commit = asUser(['package', '--commit', 'tree', REF]).trim();
  assert.is(commit, rootCommit, "root's commit checksum");
  // The bare repo's file objects carry the owners as the host sees them: 1000 inside is the
  // range's start + 999 outside; the commit, made in the namespace, records 1000.
  const start = subordinateRange(user)!.start;
  const repo = path.join(user.store, 'ostree', 'repo');
  assert.match(shAs(user, `ostree --repo="${repo}" ls ${REF} /etc/greeting`), new RegExp(`^-00644 ${start + 999} ${start + 999} +6 /etc/greeting$`, 'm'));
  // So the host's ostree finds them "corrupted"; in the user's namespace (jetpack unshare) they are sound.
  assert.is.not(runAs(user, ['ostree', `--repo=${repo}`, 'fsck', '--quiet']).status, 0);
  asUser(['unshare', 'ostree', `--repo=${repo}`, 'fsck', '--quiet']);
  assert.match(asUser(['unshare', 'ostree', `--repo=${repo}`, 'ls', REF, '/etc/greeting']), /^-00644 1000 1000 +6 \/etc\/greeting$/m);
  asUser(['runtime', 'deploy', REF]);
  assert.is(asUser(['runtime', 'run', REF, '--', '/bin/sh', '-c', 'cat /etc/greeting; stat -c %u:%g /etc/greeting']), 'hello\n1000:1000\n');

  // An upload server the user runs, on loopback: the upload is published with the same checksum.
  jetpackAsOk(user, ['upload-server', 'adduser', 'tester', '-users', 'users'], { input: 's3cret\n' });
  const url = `http://127.0.0.1:${await freePort()}`;
  const server = spawnAs(user, [JETPACK, 'upload-server', '-listen', url.slice('http://'.length), '-repo', 'served', '-users', 'users']);
  try {
    await until('the upload server to listen', () => sh(`curl -s -o /dev/null -w '%{http_code}' ${url}/repo/config || true`).trim() === '200', 30_000);
    asUser(['package', '--upload', REF], { env: { TUSTARGET: url, MTDAUTH: 'tester:s3cret' } });
    assert.is(shAs(user, `ostree --repo=served rev-parse ${REF}`).trim(), commit, 'published with the commit checksum');
  } finally {
    server.kill();
  }
});

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createNetServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

test("push to and pull from a docker-registry on loopback: root's manifest digest; the pull is root's image", async () => {
  const dir = path.join(scratch, 'registry');
  mkdirSync(dir);
  const host = `127.0.0.1:${await freePort()}`;
  writeFileSync(
    path.join(dir, 'config.yml'),
    `version: 0.1\nlog: { level: error }\nstorage: { filesystem: { rootdirectory: ${dir}/data } }\nhttp: { addr: "${host}" }\n`,
  );
  registry = spawn('docker-registry', ['serve', path.join(dir, 'config.yml')], { stdio: 'ignore' });
  for (let i = 0; i < 100 && sh(`curl -s -o /dev/null -w '%{http_code}' http://${host}/v2/ || true`).trim() !== '200'; i++) await sleep(100);
  const id = buildBoth(
    'pushed',
    { name: 'example.com/pushed', app: { exec: ['/bin/cat', '/pushed'], user: '0', group: '0' } },
    'echo pushed > /pushed && chown 321:654 /pushed',
  );
  const rootDigest = root(['push', '-tls-verify=false', id, `docker://${host}/t/pushed:root`]).trim();
  assert.is(asUser(['push', '-tls-verify=false', id, `docker://${host}/t/pushed:user`]).trim(), rootDigest, "root's manifest digest");
  const pulledByRoot = root(['pull', '-tls-verify=false', `docker://${host}/t/pushed:user`]).trim();
  // (The tag becomes the pulled image's version label: both pull the same one.)
  assert.is(asUser(['pull', '-tls-verify=false', `docker://${host}/t/pushed:user`]).trim(), pulledByRoot, "the pulled image has root's ID");
  assert.is(asUser(['run', pulledByRoot]), 'pushed\n');
});

test("export -format=flatpak gives root's commit, import-flatpak of it root's image; portable squashfs and erofs images are root's bytes; a portable directory", () => {
  const flatpak = buildBoth(
    'flatpak',
    { name: 'example/flatpak', labels: [{ name: 'version', value: '1' }], annotations: [{ name: 'flatpak-id', value: 'org.example.Rootless' }] },
    'mkdir -p /usr/share/rootless && echo flat > /usr/share/rootless/file',
  );
  const rootCommit = root(['export', '-format=flatpak', flatpak, path.join(scratch, 'flatpak-repo')]).trim();
  assert.match(rootCommit, /^runtime\/org\.example\.Rootless\/\S+\/1 [0-9a-f]{64}$/);
  assert.is(asUser(['export', '-format=flatpak', flatpak, 'flatpak-repo']).trim(), rootCommit, "root's Flatpak commit");
  shAs(user, 'ostree --repo=flatpak-repo fsck --quiet');
  const ref = rootCommit.split(' ')[0];
  const rootImport = root(['import-flatpak', '-repo', path.join(scratch, 'flatpak-repo'), ref])
    .trim()
    .split('\n')
    .pop();
  assert.is(asUser(['import-flatpak', '-repo', 'flatpak-repo', ref]).trim().split('\n').pop(), rootImport, "import-flatpak: root's image ID");

  const portable = buildBoth(
    'portable',
    { name: 'example/portable', labels: [{ name: 'version', value: '1' }] },
    'mkdir -p /usr/lib/systemd/system /proc /sys /dev /run /tmp /var/tmp && printf "[Service]\\nExecStart=/bin/sh -c true\\n" > /usr/lib/systemd/system/svc.service && echo ID=busybox > /etc/os-release && : > /etc/machine-id',
  );
  for (const fs of ['squashfs', 'erofs']) {
    const [mine, theirs] = [path.join(scratch, fs, 'svc_1.raw'), path.join(user.home, fs, 'svc_1.raw')];
    mkdirSync(path.dirname(mine));
    shAs(user, `mkdir "${path.dirname(theirs)}"`);
    root(['export', '-format=portable', portable, mine, `-fs=${fs}`]);
    asUser(['export', '-format=portable', portable, theirs, `-fs=${fs}`]);
    assert.is(sha256(theirs), sha256(mine), `${fs}: root's bytes`);
  }
  asUser(['export', '-format=portable', portable, 'svc_1']);
  assert.is(readFileSync(path.join(user.home, 'svc_1', 'usr/lib/systemd/system/svc.service'), 'utf8'), '[Service]\nExecStart=/bin/sh -c true\n');
  assert.match(asUser(['portable', 'check', 'svc_1']), /svc\.service/);
});

test('fetch by name: discovery on a loopback site, the signature checked against the key the user trusts', async () => {
  const net = `127.${1 + Math.floor(Math.random() * 250)}.${1 + Math.floor(Math.random() * 250)}`;
  const host = `${net}.1`;
  const gnupg = path.join(scratch, 'gnupg');
  const gpg = (args: string) => sh(`GNUPGHOME="${gnupg}" gpg --batch --quiet ${args}`);
  sh(`mkdir -m 700 "${gnupg}"`);
  gpg(`--passphrase '' --quick-gen-key 'Publisher <publisher@example.com>' ed25519 sign never`);
  const fingerprint = /^fpr:+([0-9A-F]+):/m.exec(gpg('--with-colons --fingerprint publisher@example.com'))![1];
  const key = path.join(scratch, 'publisher.asc');
  gpg(`--armor --export publisher@example.com > "${key}"`);
  const image = path.join(scratch, 'fetched');
  sh(`mkdir -p "${image}/rootfs/bin" && cp /bin/busybox "${image}/rootfs/bin/" && ln -s busybox "${image}/rootfs/bin/sh"`);
  const labels = [
    { name: 'version', value: '1.0' },
    { name: 'os', value: 'linux' },
    { name: 'arch', value: 'amd64' },
  ];
  writeFileSync(path.join(image, 'manifest'), JSON.stringify({ acKind: 'ImageManifest', acVersion: '0.8.11', name: `${host}/app`, labels }));
  const aci = path.join(scratch, 'app.aci');
  sh(`tar -cf "${aci}" -C "${image}" manifest rootfs`);
  jetpackOk(path.join(scratch, 'signer'), ['sign', '-key=publisher@example.com', aci], { env: { GNUPGHOME: gnupg } });
  const page = jetpackOk(scratch, ['discovery-page', `${host}/`, `http://${host}/files/{name}-{version}-{os}-{arch}.{ext}`]);
  const files = new Map<string, string | Buffer>([
    ['/?ac-discovery=1', page],
    [`/files/${host}/app-1.0-linux-amd64.aci`, readFileSync(aci)],
    [`/files/${host}/app-1.0-linux-amd64.aci.asc`, readFileSync(`${aci}.asc`)],
  ]);
  site = createServer((req, res) => {
    const body = files.get(req.url!);
    if (body === undefined) res.writeHead(404).end();
    else res.end(body);
  });
  await new Promise<void>((resolve) => site!.listen(80, host, resolve));
  asUser(['trust', `-prefix=${host}/`, `-fingerprint=${fingerprint}`, giveToUser(user, key)]);
  // Not waited for synchronously: the site is served by this process.
  const r = await finished(spawnAs(user, [JETPACK, 'fetch', '-tls-verify=false', `${host}/app:1.0`], { env: { ...EPOCH, JETPACK_NO_FETCH: '' } }));
  assert.is(r.status, 0, r.stderr);
  assert.match(r.stderr, `signature of ${host}/app by Publisher <publisher@example.com> (${fingerprint.toLowerCase()}) is good`);
  assert.is(r.stdout.trim(), `sha512-${sh(`sha512sum "${aci}"`).split(' ')[0]}`, "the ACI's own ID");
});

test("run switches to the app's user and group, inside the user's range", async () => {
  const id = buildBoth(
    'app-user',
    {
      name: 'example.com/app-user',
      app: { exec: ['/bin/sh', '-c', 'id -u; id -g; touch /tmp/mine; stat -c %u:%g /tmp/mine; sleep 30'], user: '1234', group: '4321' },
    },
    'true',
  );
  const child = spawnAs(user, [JETPACK, 'run', id]);
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  await until('the app to start', () => out.includes('1234:4321'), 30_000);
  // Seen from the host, the app's process has the subordinate ID 1234 of the user's range.
  const start = Number(
    readFileSync('/etc/subuid', 'utf8')
      .split('\n')
      .find((l) => l.startsWith(`${user.name}:`))!
      .split(':')[1],
  );
  const owners = sh(`ps -eo uid=,gid=,args= | grep -F 'sleep 30' | grep -v grep || true`);
  child.kill('SIGKILL');
  assert.is(out, '1234\n4321\n1234:4321\n');
  assert.match(owners, new RegExp(`^\\s*${start + 1233}\\s+\\d+\\s+sleep 30`, 'm'));
});

test("gc, prune and fsck in the user's store: nothing of it is owned by real root", () => {
  const id = buildBoth('doomed', { name: 'example.com/doomed' }, 'head -c 100000 /dev/zero > /big');
  assert.match(asUser(['fsck']), /\d+ image\(s\) checked, 0 problem\(s\)/);
  // A damaged image: fsck reports it and exits 1.
  sh(`printf x >> "${user.store}/images/${id}/aci"`);
  const damaged = jetpackAs(user, ['fsck']);
  assert.is(damaged.status, 1);
  assert.match(damaged.stdout + damaged.stderr, new RegExp(id.slice(0, 20)));
  asUser(['destroy-image', id]);
  assert.match(asUser(['fsck']), /0 problem\(s\)/);
  assert.match(asUser(['gc']), /^freed /m);
  assert.match(asUser(['prune']), /^freed /m);
  assert.is(sh(`find "${user.home}" -user root`), '');
});

test.run();
