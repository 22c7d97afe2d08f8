import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { JETPACK, REPO, jetpack, jetpackOk, removeDir, sh, tempDir } from '../helpers/cli.js';
import { sharedDebian } from '../helpers/debian.js';
import { parseJson } from '../helpers/json.js';
import type { ImageManifest } from '../../src/image/manifest.js';

// End to end: the image directories of images/ built with real make, as a user would, all
// at once through images/Makefile.
const work = tempDir();
const root = path.join(work, 'store');
const images = path.join(work, 'images');
const IMAGES = ['busybox', 'debian', 'example.hello', 'example.portable', 'example.nginx', 'example.showenv', 'example.flatpak-runtime'];

function make(args: string[]) {
  return spawnSync('make', [...args, `JETPACK=${JETPACK} -root=${root}`], { encoding: 'utf8', env: { ...process.env, CI: 'true' } });
}

test('make -j4 -C images builds every image, parents first, on one store', () => {
  sh(`cp -r "${REPO}/images" "${images}"`);
  assert.ok(make(['-C', images, 'clean']).status === 0);
  // images/debian's slow part (mmdebstrap) is made once per test run with the same Makefile;
  // its image is imported here by make like any other.
  sh(`cp "${sharedDebian()}"/rootfs.tar "${sharedDebian()}"/manifest.json "${sharedDebian()}"/image.aci "${images}/debian/"`);
  const r = make(['-j4', '-C', images]);
  assert.is(r.status, 0, `${r.stdout.slice(-3000)}\n${r.stderr.slice(-3000)}`);
  for (const dir of IMAGES) assert.ok(existsSync(path.join(images, dir, 'image.aci.id')), dir);
  const fsck = jetpack(root, ['fsck']);
  assert.is(fsck.status, 0, fsck.stdout);
  assert.match(fsck.stdout, /^7 image\(s\) checked, 0 problem\(s\)/m);
  const again = make(['-C', images]);
  assert.is(again.status, 0, again.stderr);
  assert.not.match(again.stdout, /jetpack.* (build|import) /, 'nothing to do the second time');
});

test('images/busybox and images/example.hello: the quick start', () => {
  const r = jetpack(root, ['run', 'example/hello', 'hello']);
  assert.is(r.status, 0, r.stderr);
  assert.is(r.stdout, 'Hello from example/hello on BusyBox 1.35.0 (jetpack base image)\n');
  const app = jetpack(root, ['run', 'example/hello']);
  assert.is(app.stdout, r.stdout, 'a plain run starts the app');
});

test('images/busybox imports again into a store that lacks its image (another root, destroy-image)', () => {
  const dir = path.join(images, 'busybox');
  const other = path.join(images, '..', 'other-store');
  const id = readFileSync(path.join(dir, 'image.aci.id'), 'utf8').trim();
  const inOther = () => spawnSync('make', ['-C', dir, `JETPACK=${JETPACK} -root=${other}`], { encoding: 'utf8', env: { ...process.env, CI: 'true' } });
  const first = inOther();
  assert.is(first.status, 0, first.stderr);
  assert.match(first.stderr, /image\.aci\.id: sha512-\S+ is not in the store: importing again/);
  assert.is(readFileSync(path.join(dir, 'image.aci.id'), 'utf8').trim(), id, 'the same image, now in the other store');
  assert.is(jetpack(other, ['image-manifest', id]).status, 0);
  assert.not.match(inOther().stdout, /jetpack.* import /, 'nothing to do once it is there');
  jetpackOk(other, ['destroy-image', id]);
  assert.match(inOther().stdout, /jetpack.* import /, 'imported again after destroy-image');
});

test('images/debian: a bookworm minbase base image from mmdebstrap', () => {
  const m = parseJson<ImageManifest>(jetpackOk(root, ['image-manifest', 'jetpack/debian']));
  assert.match(m.labels?.find((l) => l.name === 'version')?.value ?? '', /^12\.\d+$/);
  const r = jetpack(root, ['run', 'jetpack/debian', '/bin/sh', '-c', '. /etc/os-release; echo $VERSION_CODENAME; command -v apt-get']);
  assert.is(r.stdout, 'bookworm\n/usr/bin/apt-get\n');
});

test('images/example.nginx: PKG_INSTALL with apt-get, version read from nginx -v', () => {
  assert.is(make(['-C', path.join(images, 'example.nginx'), 'flat-aci']).status, 0);
  const show = jetpackOk(root, ['show-image', 'example/nginx']);
  const version = /^Name\texample\/nginx:([0-9.]+),arch=amd64,os=linux$/m.exec(show)?.[1];
  assert.ok(version, show);
  const r = jetpack(root, ['run', 'example/nginx', '/bin/sh', '-c', 'nginx -v 2>&1; nginx -t 2>&1 | tail -1; ls /var/lib/apt/lists | wc -l']);
  assert.is(r.stdout, `nginx version: nginx/${version}\nnginx: configuration file /etc/nginx/nginx.conf test is successful\n0\n`);
  assert.match(show, /^\tPort\thttp tcp\/80$/m);
  assert.match(show, /^\tsha512-[0-9a-f]{32} jetpack\/debian:12\.\d+,arch=amd64,os=linux$/m);
  // The flat ACI holds the whole system: Debian's files and nginx.
  const files = sh(`tar -tf "${images}/example.nginx/image.flat.aci"`);
  assert.match(files, /^rootfs\/usr\/sbin\/nginx$/m);
  assert.match(files, /^rootfs\/etc\/debian_version$/m);
});

/** Whether anything answers HTTP on 127.0.0.1:80. */
async function get(url: string): Promise<string | undefined> {
  try {
    return await (await fetch(url, { signal: AbortSignal.timeout(2000) })).text();
  } catch {
    return undefined;
  }
}

test('jetpack run example/nginx serves on loopback with nothing but the image name', async () => {
  assert.is(await get('http://127.0.0.1:80/'), undefined, 'port 80 must be free on this machine for this test');
  const child = spawn(JETPACK, [`-root=${root}`, 'run', 'example/nginx'], { stdio: 'ignore', env: { ...process.env, CI: 'true' } });
  try {
    let body: string | undefined;
    for (let i = 0; i < 100 && body === undefined; i++) {
      await sleep(100);
      body = await get('http://127.0.0.1:80/');
    }
    assert.is(body, readFileSync(path.join(REPO, 'images/example.nginx/index.html'), 'utf8'));
  } finally {
    child.kill('SIGTERM');
    await new Promise((resolve) => child.on('close', resolve));
  }
  await sleep(300);
  assert.is(await get('http://127.0.0.1:80/'), undefined, 'nginx stopped with jetpack');
  // Zombies are not running: this machine's PID 1 may reap the container's init late.
  assert.is(sh(`ps -eo stat=,comm= | awk '$1 !~ /^Z/ && $2 == "nginx"'`), '', 'no nginx left running');
});

test('images/example.showenv: a plain run starts the app as its user, in its directory, with its environment and handlers', () => {
  const m = parseJson<ImageManifest>(jetpackOk(root, ['image-manifest', 'example/showenv']));
  assert.equal(m.app?.mountPoints, [{ name: 'data', path: '/opt/data' }]);
  const r = jetpack(root, ['run', 'example/showenv']);
  assert.is(r.status, 0, r.stderr);
  const [pre, ...rest] = r.stdout.split('\n');
  assert.is(pre, 'user: uid=5(games) gid=100(users) groups=100(users)');
  assert.match(r.stdout, /^cwd: \/opt\/data\nargs: pre-start\n/m);
  assert.match(r.stdout, /^cwd: \/opt\/data\nargs: foo bar\n/m);
  assert.match(r.stdout, /^args: post-stop\n/m);
  assert.match(r.stdout, /^FOO=1$/m);
  assert.match(r.stdout, /^BAR=with spaces$/m);
  assert.match(r.stdout, /^HOME=\/usr\/games$/m);
  assert.match(r.stdout, /^USER=games$/m);
  assert.ok(rest.length > 10);
  // The mount point gets a host directory with -volume; what the app writes there stays.
  const data = path.join(work, 'data');
  mkdirSync(data);
  sh(`chown 5:100 "${data}"`);
  const v = jetpack(root, ['run', `-volume=data:${data}`, '-env=FOO=2', 'example/showenv']);
  assert.match(v.stdout, /^FOO=2$/m, '-env overrides app.environment');
  const inside = jetpack(root, ['run', `-volume=data:${data}`, '-user=games', 'example/showenv', '/bin/sh', '-c', 'id -un; touch /opt/data/written']);
  assert.is(inside.stdout, 'games\n', inside.stderr);
  assert.ok(existsSync(path.join(data, 'written')));
  assert.is(readFileSync('/proc/mounts', 'utf8').includes(data), false, 'no mount left');
});

// Last: its images take the names example/showenv and example/nginx, which the tests above run.
test("Jetpack's own example.showenv and example.nginx Makefiles build with bmake on jetpack/debian", () => {
  for (const name of ['example.showenv', 'example.nginx']) {
    const dir = path.join(work, `jetpack-${name}`);
    sh(`cp -r "${REPO}/images/${name}" "${dir}" && cp "${REPO}/test/make/jetpack-images/${name}/Makefile" "${dir}/Makefile"`);
    sh(`rm -f "${dir}"/image.aci* "${dir}"/.jetpack.*`);
    const r = spawnSync('bmake', ['-C', dir, `JETPACK=${JETPACK} -root=${root}`], { encoding: 'utf8', env: { ...process.env, CI: 'true' } });
    assert.is(r.status, 0, `${name}: ${r.stdout.slice(-3000)}\n${r.stderr.slice(-3000)}`);
    assert.match(r.stdout, '/.jetpack.tools/bmake .jetpack.build. .jetpack.image.mk=./jetpack.image.bsd.mk', name);
    const id = readFileSync(path.join(dir, 'image.aci.id'), 'utf8').trim();
    const again = spawnSync('bmake', ['-C', dir, `JETPACK=${JETPACK} -root=${root}`], { encoding: 'utf8' });
    assert.is(again.stdout + again.stderr, '', `${name}: nothing to do the second time`);
    const files = jetpackOk(root, ['run', id, '/bin/sh', '-c', 'ls -ld /usr/local/bin/showenv /opt/data /usr/local/etc/nginx.conf 2>/dev/null; true']);
    if (name === 'example.showenv') assert.match(files, /^drwxrwxr-x \d+ root users .* \/opt\/data$/m);
    else assert.match(files, /^-rw-r----- 1 root www-data .* \/usr\/local\/etc\/nginx\.conf$/m);
  }
});

test.after(() => removeDir(work));
test.run();
