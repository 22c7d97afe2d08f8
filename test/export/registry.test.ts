import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { JETPACK, describeTree, jetpackAsync, jetpackOk, removeDir, sh, tempDir } from '../helpers/cli.js';
import { importBusybox } from '../helpers/busybox.js';
import { parseJson } from '../helpers/json.js';

// jetpack push and pull against Debian's docker-registry on 127.0.0.1, with htpasswd auth and
// a self-signed certificate, through skopeo.
const work = tempDir();
const root = path.join(work, 'store');
importBusybox(root, work);
const buildDir = path.join(work, 'build');
mkdirSync(buildDir);
writeFileSync(
  path.join(buildDir, 'manifest.json'),
  JSON.stringify({ name: 'example.com/pushed', labels: [{ name: 'version', value: '2' }], app: { exec: ['/bin/cat', '/greeting'], user: '0', group: '0' } }),
);
const child = jetpackOk(root, ['build', '-dir', buildDir, 'jetpack/busybox', '/bin/sh', '-c', 'echo pushed > /greeting && rm /bin/vi']).trim();
let registry: ChildProcess | undefined;
let host = '';
let registryLog = '';
/** Blob data the registry received (its access log on stdout: one PATCH …/blobs/uploads/… per blob sent). */
const uploadsStarted = () => (registryLog.match(/"PATCH \/v2\/[^"]*\/blobs\/uploads\//g) ?? []).length;
const auth = ['-tls-verify=false', '-creds=tester:s3cret'];

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

test.before(async () => {
  const dir = path.join(work, 'registry');
  mkdirSync(dir);
  sh(
    `cd "${dir}" && openssl req -x509 -newkey rsa:2048 -nodes -keyout key.pem -out cert.pem -days 1 -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 2>/dev/null && htpasswd -Bbn tester s3cret > htpasswd`,
  );
  const port = await freePort();
  host = `127.0.0.1:${port}`;
  writeFileSync(
    path.join(dir, 'config.yml'),
    `version: 0.1\nlog: { level: info }\nstorage: { filesystem: { rootdirectory: ${dir}/data } }\nhttp: { addr: "${host}", tls: { certificate: ${dir}/cert.pem, key: ${dir}/key.pem } }\nauth: { htpasswd: { realm: jetpack-test, path: ${dir}/htpasswd } }\n`,
  );
  registry = spawn('docker-registry', ['serve', path.join(dir, 'config.yml')], { stdio: ['ignore', 'pipe', 'ignore'] });
  registry.stdout!.on('data', (d: Buffer) => (registryLog += d.toString()));
  for (let i = 0; i < 100; i++) {
    if (sh(`curl -sk -o /dev/null -w '%{http_code}' https://${host}/v2/ || true`).trim() === '401') return;
    await sleep(100);
  }
  throw new Error('docker-registry did not start');
});

test('push a parent, then its child: only the new layer is uploaded; pull gives the same rootfs and manifest', async () => {
  const parent = await jetpackAsync(root, ['push', ...auth, 'jetpack/busybox', `docker://${host}/test/pushed:parent`]);
  assert.is(parent.status, 0, parent.stderr);
  const before = uploadsStarted();
  const pushed = await jetpackAsync(root, ['push', ...auth, child, `docker://${host}/test/pushed:2`]);
  assert.is(pushed.status, 0, pushed.stderr);
  await sleep(300); // the access log is written as the requests end
  assert.is(uploadsStarted() - before, 2, 'the new layer and the config; the parent layer was there');
  assert.match(pushed.stdout, /^sha256:[0-9a-f]{64}\n$/);
  // The kept layout links to the kept layer blobs: with those removed, it is made again.
  sh(`rm -r "${root}/images/${child}/oci-blobs"`);
  const again = await jetpackAsync(root, ['push', ...auth, child, `docker://${host}/test/pushed:again`]);
  assert.is(again.status, 0, again.stderr);
  assert.is(again.stdout, pushed.stdout);

  const other = path.join(work, 'pulled-store');
  const pulled = await jetpackAsync(other, ['pull', ...auth, `docker://${host}/test/pushed:2`]);
  assert.is(pulled.status, 0, pulled.stderr);
  const id = pulled.stdout.trim();
  const flat = (storeRoot: string, image: string, name: string) => {
    const dir = path.join(work, name);
    mkdirSync(dir);
    jetpackOk(storeRoot, ['export', '-flat', image, path.join(dir, 'flat.aci')]);
    sh(`tar -x --numeric-owner --same-owner -p --xattrs --xattrs-include='*' --acls -f "${dir}/flat.aci" -C "${dir}"`);
    return describeTree(path.join(dir, 'rootfs'));
  };
  const [want, got] = [flat(root, child, 'flat-original'), flat(other, id, 'flat-pulled')];
  for (const [name, line] of want) assert.is(got.get(name), line, name);
  assert.equal([...got.keys()].sort(), [...want.keys()].sort());
  const m = JSON.parse(jetpackOk(other, ['image-manifest', id])) as { name: string; labels: Array<{ name: string; value: string }>; app: { exec: string[] } };
  assert.is(m.name, 'example.com/pushed');
  assert.ok(m.labels.some((l) => l.name === 'version' && l.value === '2'));
  assert.equal(m.app.exec, ['/bin/cat', '/greeting']);
  assert.is(jetpackOk(other, ['run', id]), 'pushed\n');
});

/**
 * podman as the test runs it: its own storage under the test's directory; in a mount namespace
 * without the cgroup2 hierarchy of a hybrid cgroup layout (crun refuses hybrid mode even with
 * cgroups disabled), with cgroups disabled and explicit limits (the default raises RLIMIT_NOFILE
 * above this machine's hard limit, which setrlimit refuses).
 */
function podman(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const store = path.join(work, 'podman');
  const podmanArgs = ['--root', `${store}/root`, '--runroot', `${store}/run`, '--storage-driver=vfs', ...args];
  const script = 'if mountpoint -q /sys/fs/cgroup/unified; then umount /sys/fs/cgroup/unified; fi; exec podman "$@"';
  return spawnSync('unshare', ['-m', '--propagation', 'private', 'sh', '-c', script, 'podman', ...podmanArgs], { encoding: 'utf8' });
}

test('podman runs the pushed image from the registry', () => {
  const ref = `${host}/test/pushed:2`;
  const pulled = podman(['pull', '-q', '--tls-verify=false', '--creds=tester:s3cret', `docker://${ref}`]);
  assert.is(pulled.status, 0, pulled.stderr);
  const ran = podman(['run', '--rm', '--network=none', '--cgroups=disabled', '--ulimit=nofile=1024:1024', '--ulimit=nproc=1024:1024', ref]);
  assert.is(ran.status, 0, `podman run refused: ${ran.stderr.trim()}`);
  assert.is(ran.stdout, 'pushed\n');
});

test('wrong credentials, an unknown image, a location skopeo does not take: one clear line', async () => {
  const wrong = await jetpackAsync(root, ['push', '-tls-verify=false', '-creds=tester:nope', child, `docker://${host}/test/x:1`]);
  assert.is(wrong.status, 1);
  assert.match(wrong.stderr, /skopeo copy .* failed: .*(unauthorized|authentication required)/i);
  const missing = await jetpackAsync(path.join(work, 'empty-store'), ['pull', ...auth, `docker://${host}/test/none:1`]);
  assert.is(missing.status, 1);
  assert.match(missing.stderr, /skopeo copy .* failed: .*(manifest unknown|not found)/i);
  assert.match((await jetpackAsync(root, ['push', child, 'ftp://example.com/x'])).stderr, /is not a location skopeo takes/);
});

test('make oci writes image.oci.tar, make push sends the image to PUSH_TO', () => {
  const dir = path.join(work, 'imagedir');
  mkdirSync(dir);
  writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify({ name: 'example.com/made' }));
  writeFileSync(
    path.join(dir, 'Makefile'),
    'PARENT_IMAGE = jetpack/busybox\n\nbuild:\n\techo made > /made\n\ninclude $(or $(.jetpack.image.mk),$(shell $(or $(JETPACK),jetpack) config path.share)/jetpack.image.mk)\n',
  );
  const make = (args: string) => sh(`make -C "${dir}" JETPACK="${JETPACK} -root=${root}" ${args} 2>&1`);
  make('oci');
  assert.is(parseJson<{ Layers: string[] }>(sh(`skopeo inspect oci-archive:"${dir}/image.oci.tar"`)).Layers.length, 2);
  assert.match(make(`push PUSH_TO=docker://${host}/test/made:1 PUSH_FLAGS="${auth.join(' ')}"`), /sha256:[0-9a-f]{64}/);
  assert.match(
    sh(`skopeo inspect --tls-verify=false --creds tester:s3cret docker://${host}/test/made:1`),
    /"org.opencontainers.image.title": "example.com\/made"/,
  );
  const missing = spawnSync('make', ['-C', dir, `JETPACK=${JETPACK} -root=${root}`, 'push'], { encoding: 'utf8' });
  assert.is.not(missing.status, 0);
  assert.match(missing.stderr, /make push needs PUSH_TO=docker:\/\/HOST\/REPO:TAG/);
  make('clean');
  assert.not.ok(existsSync(path.join(dir, 'image.oci.tar')));
});

test.after(() => {
  registry?.kill();
  removeDir(work);
});
test.run();
