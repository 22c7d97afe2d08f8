import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { JETPACK, REPO, jetpack, jetpackOk, removeDir, sh, tempDir } from '../helpers/cli.js';

// End to end: the image directories of images/ built with real make, as a user would.
const work = tempDir();
const root = path.join(work, 'store');

function buildImageDir(name: string, target = 'image'): string {
  const dir = path.join(work, name);
  sh(`cp -r "${REPO}/images/${name}" "${dir}"`);
  const make = (goal: string) => spawnSync('make', ['-C', dir, `JETPACK=${JETPACK} -root=${root}`, goal], { encoding: 'utf8', env: { ...process.env, CI: 'true' } });
  make('clean');
  const r = make(target);
  if (r.status !== 0) throw new Error(`make ${name} failed:\n${r.stdout.slice(-3000)}\n${r.stderr.slice(-3000)}`);
  return dir;
}

test('images/busybox and images/example.hello: the quick start', () => {
  buildImageDir('busybox');
  buildImageDir('example.hello');
  const r = jetpack(root, ['run', 'example/hello', 'hello']);
  assert.is(r.status, 0, r.stderr);
  assert.is(r.stdout, 'Hello from example/hello on BusyBox 1.35.0 (jetpack base image)\n');
});

test('images/debian: a bookworm minbase base image from mmdebstrap', () => {
  buildImageDir('debian');
  const m = JSON.parse(jetpackOk(root, ['image-manifest', 'jetpack/debian']));
  assert.match(m.labels.find((l: { name: string }) => l.name === 'version').value, /^12\.\d+$/);
  const r = jetpack(root, ['run', 'jetpack/debian', '/bin/sh', '-c', '. /etc/os-release; echo $VERSION_CODENAME; command -v apt-get']);
  assert.is(r.stdout, 'bookworm\n/usr/bin/apt-get\n');
});

test('images/example.nginx: PKG_INSTALL with apt-get, version read from nginx -v', () => {
  const dir = buildImageDir('example.nginx', 'flat-aci');
  const show = jetpackOk(root, ['show-image', 'example/nginx']);
  const version = /^Name\texample\/nginx:([0-9.]+),arch=amd64,os=linux$/m.exec(show)?.[1];
  assert.ok(version, show);
  const r = jetpack(root, ['run', 'example/nginx', '/bin/sh', '-c', 'nginx -v 2>&1; nginx -t 2>&1 | tail -1; ls /var/lib/apt/lists | wc -l']);
  assert.is(r.stdout, `nginx version: nginx/${version}\nnginx: configuration file /etc/nginx/nginx.conf test is successful\n0\n`);
  assert.match(show, /^\tPort\thttp tcp\/80$/m);
  assert.match(show, /^\tsha512-[0-9a-f]{32} jetpack\/debian:12\.\d+,arch=amd64,os=linux$/m);
  // The flat ACI holds the whole system: Debian's files and nginx.
  const files = sh(`tar -tf "${dir}/image.flat.aci"`);
  assert.match(files, /^rootfs\/usr\/sbin\/nginx$/m);
  assert.match(files, /^rootfs\/etc\/debian_version$/m);
});

test('images/example.showenv: a static manifest with app, environment, mount point and handlers', () => {
  buildImageDir('example.showenv');
  const m = JSON.parse(jetpackOk(root, ['image-manifest', 'example/showenv']));
  assert.equal(m.app.environment, [{ name: 'FOO', value: '1' }, { name: 'BAR', value: 'with spaces' }]);
  assert.equal(m.app.mountPoints, [{ name: 'data', path: '/opt/data' }]);
  assert.equal(m.app.eventHandlers.map((h: { name: string }) => h.name), ['pre-start', 'post-stop']);
  const r = jetpack(root, ['run', 'example/showenv', '/bin/sh', '-c', 'stat -c "%a %U:%G" /opt/data; /usr/local/bin/showenv x | head -3']);
  assert.is(r.stdout, '775 root:users\nuser: uid=0(root) gid=0(root) groups=0(root)\ncwd: /\nargs: x\n');
});

test.after(() => removeDir(work));
test.run();
