import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { jetpack, jetpackAsync, jetpackOk, removeDir, sh, tempDir } from '../helpers/cli.js';
import { importDebian } from '../helpers/debian.js';
import { serveDirectory } from '../helpers/file-server.js';

// The runtime flow of docs/RUNTIMES.md start to end on the Debian minbase: initialize from jetpack/debian,
// apt-get install in the sandbox without fakeroot, commit, deploy, run; then publish the repo
// over HTTP on loopback and deploy it into another store.
const work = tempDir();
const root = path.join(work, 'store');
importDebian(root);
const tree = path.join(work, 'tree');
const REF = 'com.example.hello/x86_64/2023.08';
let commit = '';

test('package --initialize takes jetpack/debian by default', () => {
  jetpackOk(root, ['package', '--initialize', tree]);
  assert.match(readFileSync(path.join(tree, 'etc', 'os-release'), 'utf8'), /Debian GNU\/Linux 12/);
});

test("package --sandbox: apt-get install as root without fakeroot, the host's resolv.conf lent and the tree's put back", () => {
  writeFileSync(path.join(tree, 'etc', 'resolv.conf'), "# the tree's own\n");
  const host = readFileSync('/etc/resolv.conf', 'utf8');
  const r = jetpack(root, [
    'package',
    '--sandbox',
    tree,
    '--',
    '/bin/sh',
    '-ec',
    'cat /etc/resolv.conf; apt-get update -qq; DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends hello >/dev/null; chown 1234:1234 /srv; mknod /srv/null c 1 3; hello',
  ]);
  assert.is(r.status, 0, r.stderr);
  assert.ok(r.stdout.startsWith(host), 'the sandbox sees the host resolv.conf');
  assert.match(r.stdout, /Hello, world!\n$/);
  assert.is(readFileSync(path.join(tree, 'etc', 'resolv.conf'), 'utf8'), "# the tree's own\n");
  assert.is(sh(`stat -c '%u:%g' "${tree}/srv"`).trim(), '1234:1234', 'the change lands in the tree');
  assert.is(jetpack(root, ['package', '--sandbox', tree, '--', 'sh', '-c', 'exit 9']).status, 9, "the command's status");
});

test('package --commit leaves the device nodes out, and the runtime runs the installed package', () => {
  const r = jetpack(root, ['package', '--commit', tree, REF]);
  assert.is(r.status, 0, r.stderr);
  assert.match(r.stderr, /leaving out 9 device node/);
  commit = r.stdout.trim();
  sh(`ostree --repo="${root}/ostree/repo" fsck --quiet`);
  jetpackOk(root, ['runtime', 'deploy', REF]);
  assert.is(jetpackOk(root, ['runtime', 'run', REF, '--command', 'hello']), 'Hello, world!\n');
});

test('an exported archive repo served over HTTP deploys in another store with the same commit', async () => {
  const published = path.join(work, 'published');
  jetpackOk(root, ['runtime', 'export-repo', published]);
  assert.match(readFileSync(path.join(published, 'config'), 'utf8'), /mode=archive-z2/);
  const server = await serveDirectory(published, path.join(work, 'requests'));
  try {
    const other = path.join(work, 'other');
    assert.is((await jetpackAsync(other, ['runtime', 'remote', 'add', 'pub', `${server.url}/`])).status, 0);
    const offered = await jetpackAsync(other, ['runtime', 'list', '--remote', 'pub', '--json']);
    assert.equal(JSON.parse(offered.stdout), [{ ref: REF, commit }]);
    const deployed = await jetpackAsync(other, ['runtime', 'deploy', REF]);
    assert.is(deployed.status, 0, deployed.stderr);
    assert.is(deployed.stdout.trim(), commit, 'the same commit checksum');
    const ran = await jetpackAsync(other, ['runtime', 'run', `pub:${REF}`, '--command', 'hello']);
    assert.is(ran.stdout, 'Hello, world!\n');
    assert.ok(server.requests() > 100, 'objects came over HTTP');
    assert.equal(JSON.parse((await jetpackAsync(other, ['runtime', 'remote', 'list', '--json'])).stdout), [{ name: 'pub', url: `${server.url}/` }]);
    assert.is((await jetpackAsync(other, ['runtime', 'remote', 'delete', 'pub'])).status, 0);
    assert.equal(JSON.parse((await jetpackAsync(other, ['runtime', 'remote', 'list', '--json'])).stdout), []);
  } finally {
    server.close();
  }
});

test.after(() => removeDir(work));
test.run();
