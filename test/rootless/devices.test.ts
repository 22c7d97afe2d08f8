/**
 * Device nodes in the outputs that read a tree rather than archive it (docs/ROOTLESS.md,
 * "Device nodes"): a user's store keeps them as placeholders, and yet a runtime commit, a
 * Flatpak export and a portable squashfs image are root's; an erofs image is refused in one line.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import path from 'node:path';
import { jetpackOk, removeDir, sh, tempDir } from '../helpers/cli.js';
import { createTestUser, giveToUser, jetpackAs, jetpackAsOk, removeTestUser, shAs, type TestUser } from '../helpers/users.js';

const work = tempDir('jetpack-rootless-devices-');
const rootStore = path.join(work, 'store');
const env = { SOURCE_DATE_EPOCH: '1700000000' };
const IMAGE = 'test/rootless-devices';
let user: TestUser;

const asRoot = (args: string[]) => jetpackOk(rootStore, args, { env }).trim();
const asUser = (args: string[]) => jetpackAsOk(user, args, { env }).trim();
const inHome = (name: string) => path.join(user.home, name);

test.before(() => {
  user = createTestUser();
  // busybox, what a portable service image needs, and device nodes in /dev, /usr and /etc
  // (what a Flatpak runtime keeps of an image), with a FIFO beside them.
  sh(`cd "${work}" && mkdir -p tree/bin tree/dev tree/etc tree/usr/lib/systemd/system tree/usr/share/nodes tree/proc tree/sys tree/run tree/tmp tree/var/tmp && cd tree &&
    cp /bin/busybox bin/ && ln -s busybox bin/sh &&
    printf '[Service]\\nExecStart=/bin/sh -c true\\n' > usr/lib/systemd/system/svc.service && echo ID=busybox > etc/os-release && : > etc/machine-id &&
    mknod -m 666 dev/null c 1 3 && mknod -m 660 dev/loop0 b 7 0 && chown 0:6 dev/loop0 && mkfifo dev/initctl &&
    mknod -m 620 usr/share/nodes/tty1 c 4 1 && chown 0:5 usr/share/nodes/tty1 && mknod -m 600 etc/console c 5 1 && mkfifo usr/share/nodes/fifo &&
    find . -exec touch -h -d @1700000000 {} + &&
    tar -c -f ../fixture.tar --format=posix --numeric-owner --xattrs --xattrs-include='*' .`);
  const manifest = {
    acKind: 'ImageManifest',
    acVersion: '0.8.11',
    name: IMAGE,
    labels: ['os:linux', 'arch:amd64', 'version:1'].map((l) => ({ name: l.split(':')[0], value: l.split(':')[1] })),
    annotations: [{ name: 'flatpak-id', value: 'org.example.Devices' }],
  };
  sh(`cat > "${work}/manifest.json"`, { input: JSON.stringify(manifest) });
  const id = asRoot(['makeaci', path.join(work, 'fixture.tar'), path.join(work, 'manifest.json'), path.join(work, 'image.aci')]);
  assert.is(asRoot(['import', path.join(work, 'image.aci')]), id);
  assert.is(asUser(['import', giveToUser(user, path.join(work, 'image.aci'))]), id, "root's image ID");
  assert.is(sh(`getfattr --only-values -n user.jetpack.device "${user.store}/images/${id}/rootfs/dev/loop0"`), 'b 7 0', 'the user keeps placeholders');
});

test.after(() => {
  if (user) removeTestUser(user);
  removeDir(work);
});

test("package --initialize/--commit: root's checksum, the devices and FIFOs left out", () => {
  const REF = 'com.example.devices/x86_64/1';
  asRoot(['package', '--initialize', path.join(work, 'runtime'), '--from', IMAGE]);
  const rootCommit = asRoot(['package', '--commit', path.join(work, 'runtime'), REF]);
  asUser(['package', '--initialize', 'runtime', '--from', IMAGE]);
  assert.is(asUser(['package', '--commit', 'runtime', REF]), rootCommit, "root's commit checksum");
  const listing = sh(`ostree --repo="${rootStore}/ostree/repo" ls -R ${REF}`);
  assert.ok(listing.includes('/dev') && !listing.includes('/dev/null') && !listing.includes('/etc/console'), listing);
});

test("export -format=flatpak: root's commit, the devices and FIFOs left out", () => {
  const rootCommit = asRoot(['export', '-format=flatpak', IMAGE, path.join(work, 'flatpak-repo')]);
  assert.match(rootCommit, /^runtime\/org\.example\.Devices\/\S+\/1 [0-9a-f]{64}$/);
  assert.is(asUser(['export', '-format=flatpak', IMAGE, 'flatpak-repo']), rootCommit, "root's Flatpak commit");
  const listing = sh(`ostree --repo="${work}/flatpak-repo" ls -R ${rootCommit.split(' ')[0]}`);
  assert.ok(listing.includes('/files/share/nodes') && !listing.includes('tty1') && !listing.includes('console') && !listing.includes('fifo'), listing);
});

test("portable squashfs: root's bytes, with the device nodes; erofs: refused in one line", () => {
  asRoot(['export', '-format=portable', IMAGE, path.join(work, 'svc_1.raw')]);
  shAs(user, 'mkdir out');
  asUser(['export', '-format=portable', IMAGE, inHome('out/svc_1.raw')]);
  sh(`cmp "${work}/svc_1.raw" "${inHome('out/svc_1.raw')}"`);
  assert.match(sh(`unsquashfs -lln "${work}/svc_1.raw" dev/loop0`), /^brw-rw---- 0\/6 +7, +0 /m);

  sh(`mkdir "${work}/erofs"`);
  asRoot(['export', '-format=portable', IMAGE, path.join(work, 'erofs/svc_1.raw'), '-fs=erofs']);
  shAs(user, 'mkdir erofs');
  const r = jetpackAs(user, ['export', '-format=portable', IMAGE, inHome('erofs/svc_1.raw'), '-fs=erofs'], { env });
  assert.is(r.status, 1, r.stderr);
  assert.is(r.stderr.trim().split('\n').length, 1, r.stderr);
  assert.match(
    r.stderr,
    /^jetpack: the image has 4 device node\(s\) \(\/dev\/loop0, \/dev\/null, \/etc\/console, …\), and mkfs\.erofs reads them only as device nodes/,
  );
  assert.is(shAs(user, 'ls -A erofs'), '', 'nothing half-written');
});

test("a build's second name of a device: root's image ID and commit of the image's layers; portable squashfs refused in one line", () => {
  const script = 'ln /usr/share/nodes/tty1 /usr/share/nodes/tty2';
  const manifest = JSON.stringify({ acKind: 'ImageManifest', acVersion: '0.8.11', name: 'test/rootless-linked' });
  sh(`mkdir "${work}/linked" && cat > "${work}/linked/manifest.json"`, { input: manifest });
  const id = asRoot(['build', '-dir', path.join(work, 'linked'), IMAGE, '/bin/sh', '-c', script]);
  assert.is(asUser(['build', '-dir', giveToUser(user, path.join(work, 'linked')), IMAGE, '/bin/sh', '-c', script]), id, "root's image ID");
  const REF = 'com.example.linked/x86_64/1';
  assert.is(asUser(['package', '--commit', id, REF]), asRoot(['package', '--commit', id, REF]), "root's commit of a two-layer image");

  const r = jetpackAs(user, ['export', '-format=portable', id, inHome('erofs/svc_1.raw')], { env });
  assert.is(r.status, 1, r.stderr);
  assert.is(r.stderr, "jetpack: the device node /usr/share/nodes/tty1 has 2 names, and mksquashfs's pseudo devices cannot share an inode: export it as root\n");
  assert.is(shAs(user, 'ls -A erofs'), '');
});

test.run();
