/**
 * A name the store lacks (docs/FETCH.md, "Not in the store and not fetched"): a name without a
 * dot in its first component is never discovered, and the one line names the closest names and
 * the make -C that builds an images/ name; a name under a domain is still discovered.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { JETPACK, REPO, copyImageDir, jetpack, jetpackAsync, jetpackOk, makeAciWithTar, removeDir, sh, storeState, tempDir } from '../helpers/cli.js';

const work = tempDir('jetpack-names-');
const root = path.join(work, 'store');
mkdirSync(path.join(work, 'rootfs', 'etc'), { recursive: true });
jetpackOk(root, [
  'import',
  makeAciWithTar(work, path.join(work, 'rootfs'), {
    acKind: 'ImageManifest',
    acVersion: '0.8.11',
    name: 'example/hello',
    labels: [{ name: 'version', value: '1.0' }],
  }),
]);

// A loopback address of the test's own whose port 443 counts the connections made to it.
const [a, b] = [1 + Math.floor(Math.random() * 250), 1 + Math.floor(Math.random() * 250)];
const HOST = `127.${a}.${b}.1`;
/** HOST as one number, a first component without a dot: https://NUMBER/… is HOST to a URL parser. */
const HOST_NUMBER = String(((127 * 256 + a) * 256 + b) * 256 + 1);
let connections = 0;
const listener = createServer((socket) => {
  connections++;
  socket.destroy();
});
test.before(() => new Promise<void>((resolve, reject) => listener.once('error', reject).listen(443, HOST, resolve)));
test.after(() => {
  listener.close();
  removeDir(work);
});

const fetchOn = { JETPACK_NO_FETCH: '' };

/** The stderr of a command that must fail with status 1 and leave the store as it was. */
function refused(args: string[], cwd = REPO): string {
  const before = storeState(root);
  const r = jetpack(root, args, { env: fetchOn, cwd });
  assert.is(r.status, 1, `${args.join(' ')}: ${r.stderr}`);
  assert.equal(storeState(root), before);
  return r.stderr;
}

test('a misspelled parent: not in the store, no domain, the closest name and the make -C that builds it, on one line', () => {
  const line =
    'jetpack: no image jetpack/busyboxx in the store, and "jetpack" is no domain to fetch it from; did you mean jetpack/busybox (make -C images/busybox builds it)?\n';
  assert.is(refused(['fetch', 'jetpack/busyboxx']), line);
  assert.is(refused(['build', 'jetpack/busyboxx', '/bin/true']), line);
  assert.is(refused(['fetch', '-force', 'jetpack/busyboxx']), line);
  assert.is(
    refused(['run', 'jetpack/busyboxx']),
    'jetpack: no image jetpack/busyboxx in the store; did you mean jetpack/busybox (make -C images/busybox builds it)?\n',
  );
});

test('PARENT_IMAGE = jetpack/busyboxx: make stops at the parent with that line, the directory whole', () => {
  const dir = path.join(work, 'hello');
  copyImageDir('example.hello', dir);
  sh(`sed -i 's|^PARENT_IMAGE = .*|PARENT_IMAGE = jetpack/busyboxx|' "${dir}/Makefile"`);
  const before = storeState(root);
  const r = spawnSync('make', ['-C', dir, `JETPACK=${JETPACK}`], { encoding: 'utf8', env: { ...process.env, JETPACK_ROOT: root, ...fetchOn } });
  assert.is.not(r.status, 0);
  assert.ok(
    r.stderr.includes(
      `jetpack: no image jetpack/busyboxx in the store, and "jetpack" is no domain to fetch it from; did you mean jetpack/busybox (make -C ${REPO}/images/busybox builds it)?\n`,
    ),
    r.stderr,
  );
  assert.equal(storeState(root), before);
});

test('a name images/ builds: the make -C, relative below the working directory, whole elsewhere', () => {
  const line = (dir: string) => `jetpack: no image jetpack/debian in the store, and "jetpack" is no domain to fetch it from; make -C ${dir} builds it\n`;
  assert.is(refused(['fetch', 'jetpack/debian']), line('images/debian'));
  assert.is(refused(['fetch', 'jetpack/debian'], work), line(`${REPO}/images/debian`));
  assert.is(refused(['fetch', 'jetpack/debian'], path.join(REPO, 'images')), line('debian'));
});

test('did you mean: names the store holds (no make -C for them), a typo away or with the same last component', () => {
  assert.is(
    refused(['fetch', 'example/helo']),
    'jetpack: no image example/helo in the store, and "example" is no domain to fetch it from; did you mean example/hello?\n',
  );
  assert.is(refused(['show-image', 'hello']), 'jetpack: no image hello in the store; did you mean example/hello?\n');
  assert.is(refused(['show-image', 'nothing/close']), 'jetpack: no image nothing/close in the store (see jetpack images)\n');
  assert.is(
    refused(['build', '-no-fetch', 'example.com/helo', '/bin/true']),
    'jetpack: no image example.com/helo in the store, and fetching is off (-no-fetch or JETPACK_NO_FETCH)\n',
  );
  assert.is(
    refused(['build', '-no-fetch', 'example.org/hello', '/bin/true']),
    'jetpack: no image example.org/hello in the store, and fetching is off (-no-fetch or JETPACK_NO_FETCH); did you mean example/hello?\n',
  );
});

test('a name without a dot never reaches the network, even one a URL parser reads as an address', async () => {
  connections = 0;
  const before = storeState(root);
  const r = await jetpackAsync(root, ['fetch', '-timeout=2', `${HOST_NUMBER}/app`], { env: fetchOn });
  assert.is(r.status, 1);
  assert.is(r.stderr, `jetpack: no image ${HOST_NUMBER}/app in the store, and "${HOST_NUMBER}" is no domain to fetch it from\n`);
  assert.is(connections, 0);
  assert.equal(storeState(root), before);
});

test('a name under a domain is still discovered', async () => {
  connections = 0;
  const before = storeState(root);
  const r = await jetpackAsync(root, ['fetch', '-timeout=2', `${HOST}/app`], { env: fetchOn });
  assert.is(r.status, 1);
  assert.match(r.stderr, new RegExp(`jetpack: discovery found no image location for ${HOST.replaceAll('.', '\\.')}/app \\(2 pages asked; see above\\)\\n$`));
  assert.is(connections, 2, 'https://HOST/app and https://HOST');
  assert.equal(storeState(root), before);
});

test.run();
