import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { JETPACK, REPO, copyImageDir, jetpack, jetpackOk, removeDir, sh, tempDir } from '../helpers/cli.js';
import { importBusybox } from '../helpers/busybox.js';
import { serveDirectory, type FileServer } from '../helpers/file-server.js';

// The example jobs of jobs/, run as a user would, from a copy of the repository's jobs/.
const work = tempDir();
const root = path.join(work, 'store');
importBusybox(root, work); // also leaves work/busybox/rootfs.tar, the http example's source
const jobs = path.join(work, 'jobs');
sh(`cp -r "${REPO}/jobs" "${jobs}"`);
let server: FileServer | undefined;

function metro(job: string, env: NodeJS.ProcessEnv = {}) {
  return jetpack(root, ['metro', 'run', '--specfile', path.join(jobs, `${job}.yaml`), '--job', job], { env: { SOURCE_DATE_EPOCH: '1700000000', ...env } });
}

test('jobs/busybox-stage.yaml: an http tarball through outer and inner hooks into a .tar.xz', async () => {
  server = await serveDirectory(path.join(work, 'busybox'), path.join(work, 'requests'));
  // Helm's engine has no env function: the job's base_url option says where the tarball is.
  const spec = path.join(jobs, 'busybox-stage.yaml');
  writeFileSync(spec, readFileSync(spec, 'utf8').replace('base_url: http://127.0.0.1:8080', `base_url: ${server.url}`));
  const r = metro('busybox-stage');
  assert.is(r.status, 0, r.stderr);
  const out = path.join(jobs, 'output', 'busybox-stage-1.0+motd.tar.xz');
  // The hooks' output streams through, as with mark-devkit; the last line names the result.
  assert.is(r.stdout, `Built by a jetpack stage job (1.0)\n${out}\n`);
  assert.match(r.stderr, /^jetpack: hook motd \(inner-chroot\)$/m);
  assert.is(sh(`tar -xJOf "${out}" ./etc/motd ./etc/stage-release`), 'Built by a jetpack stage job (1.0)\nrelease=1.0\n');
  assert.ok(sh(`tar -tJf "${out}"`).split('\n').includes('./bin/busybox'));
});

test('jobs/stage-image.yaml stores example/stage; images/example.stage-child builds on it with make', () => {
  const r = metro('stage-image');
  assert.is(r.status, 0, r.stderr);
  const dir = path.join(work, 'example.stage-child');
  copyImageDir('example.stage-child', dir);
  const made = spawnSync('make', ['-C', dir, `JETPACK=${JETPACK} -root=${root}`], { encoding: 'utf8' });
  assert.is(made.status, 0, made.stderr);
  assert.is(jetpackOk(root, ['run', 'example/stage-child']), 'Hello from example/stage-child on example/stage 1.0\n');
});

test('jobs/debian-minbase.yaml: a Debian minbase from mmdebstrap, a user added inside, apt cleaned', () => {
  const r = metro('debian-minbase', { JETPACK_PROGRESS_INTERVAL_MS: '500' });
  assert.is(r.status, 0, r.stderr);
  // mmdebstrap's own output streams through as it comes: in CI, a start line, its latest line
  // every interval, a done line.
  assert.match(r.stderr, /^jetpack: mmdebstrap bookworm: started$/m);
  assert.match(r.stderr, /^jetpack: mmdebstrap bookworm: I: .* \(\d+(\.\d)?s\)$/m);
  assert.match(r.stderr, /^jetpack: mmdebstrap bookworm: done in \d+(\.\d)?s$/m);
  const out = r.stdout.trim().split('\n').at(-1)!;
  assert.match(r.stdout, /^uid=1000\(builder\) gid=1000\(builder\) groups=1000\(builder\)$/m);
  assert.match(path.basename(out), /^debian-bookworm-minbase-20231114\.tar\.zst$/);
  const members = sh(`tar --zstd -tf "${out}"`).split('\n');
  assert.ok(members.includes('./home/builder/'), 'the user was added');
  assert.match(sh(`tar --zstd -xOf "${out}" ./etc/passwd`), /^builder:x:1000:1000::\/home\/builder:\/bin\/bash$/m);
  assert.not.ok(
    members.some((m) => m.startsWith('./var/lib/apt/lists/') && m !== './var/lib/apt/lists/'),
    'no package lists',
  );
  assert.equal(readdirSync(path.join(jobs, 'workspace', 'debian')), [], 'the rootfs was removed');
});

test.after(() => {
  server?.close();
  removeDir(work);
});
test.run();
