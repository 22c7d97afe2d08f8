/**
 * Archives as an ordinary user (docs/ROOTLESS.md): a tarball with owners across the range,
 * setuid and setgid files, hardlinks, user.* xattrs, an ACL, a file capability and device
 * nodes goes through makeaci + import to root's image ID, and its exports are root's bytes;
 * device nodes are kept as placeholders; an owner the namespace cannot map, or jetpack's own
 * record in an archive, is refused by name; images/debian builds to root's image ID.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { JETPACK, REPO, jetpackOk, removeDir, sh, tempDir } from '../helpers/cli.js';
import { sharedDebian } from '../helpers/debian.js';
import { createTestUser, giveToUser, jetpackAs, jetpackAsOk, removeTestUser, shAs, type TestUser } from '../helpers/users.js';

const work = tempDir('jetpack-rootless-archive-');
const rootStore = path.join(work, 'store');
const env = { SOURCE_DATE_EPOCH: '1700000000' };
let user: TestUser;
/** The fixture and its manifest, and the user's copies of them. */
const fixture = path.join(work, 'fixture.tar');
const manifest = path.join(work, 'manifest.json');
let mine: { fixture: string; manifest: string };

test.before(() => {
  user = createTestUser();
  // Made as root: owners at both ends of the range, setuid/setgid, a hardlink, user.* xattrs,
  // an ACL, cap_net_raw+ep (v2, as root's setcap writes it), devices with a hardlink, a FIFO.
  sh(`cd "${work}" && mkdir -p tree/bin tree/dev tree/etc tree/home/a && cd tree &&
    echo hello > bin/tool && chmod 4755 bin/tool && ln bin/tool bin/tool2 &&
    echo sg > bin/sg && chmod 2711 bin/sg && chown 0:65535 bin/sg &&
    echo pinger > bin/ping && setcap cap_net_raw+ep bin/ping &&
    echo x > home/a/f && chown -R 65535:1000 home/a && chown 4242:4343 etc &&
    setfattr -n user.note -v hi etc && setfattr -n user.mime -v text/plain home/a/f && setfacl -m u:1234:r home/a/f &&
    mknod -m 666 dev/null c 1 3 && ln dev/null dev/null2 && mknod -m 660 dev/loop0 b 7 0 && chown 0:6 dev/loop0 &&
    mknod -m 620 dev/tty1 c 4 1 && mkfifo dev/fifo &&
    find . -exec touch -h -d @1700000000 {} + &&
    tar -c -f "${fixture}" --format=posix --numeric-owner --xattrs --xattrs-include='*' --acls .`);
  sh(
    `echo '{"acKind":"ImageManifest","acVersion":"0.8.11","name":"test/rootless-archive","labels":[{"name":"os","value":"linux"},{"name":"arch","value":"amd64"}]}' > "${manifest}"`,
  );
  mine = { fixture: giveToUser(user, fixture), manifest: giveToUser(user, manifest) };
});

test.after(() => {
  if (user) removeTestUser(user);
  removeDir(work);
});

const inHome = (name: string) => path.join(user.home, name);
const asRoot = (args: string[]) => jetpackOk(rootStore, args, { env }).trim();
const asUser = (args: string[], extra: Record<string, string> = {}) => jetpackAsOk(user, args, { env: { ...env, ...extra } }).trim();
const same = (a: string, b: string) => sh(`cmp "${a}" "${b}" && echo same`).trim() === 'same';

test('makeaci + import: root’s image ID, devices kept as placeholders, the capability v2 inside the namespace and v3 outside', () => {
  const rootID = asRoot(['makeaci', fixture, manifest, path.join(work, 'root.aci')]);
  assert.is(asRoot(['import', path.join(work, 'root.aci')]), rootID);
  const userID = asUser(['makeaci', mine.fixture, mine.manifest, inHome('user.aci')]);
  assert.is(userID, rootID);
  assert.ok(same(path.join(work, 'root.aci'), inHome('user.aci')));
  assert.is(asUser(['import', inHome('user.aci')]), rootID);

  const rootfs = path.join(user.store, 'images', rootID, 'rootfs');
  for (const [name, device] of [
    ['dev/null', 'c 1 3'],
    ['dev/null2', 'c 1 3'],
    ['dev/loop0', 'b 7 0'],
  ]) {
    const st = statSync(path.join(rootfs, name));
    assert.ok(st.isFile() && st.size === 0, `${name} is an empty file`);
    assert.is(sh(`getfattr --only-values -n user.jetpack.device "${rootfs}/${name}"`), device);
  }
  assert.ok(statSync(path.join(rootfs, 'dev/fifo')).isFIFO());
  // The user's uid is the namespace's root: outside, the kernel keeps it as a v3 capability's rootid.
  const rootid = Buffer.alloc(4);
  rootid.writeUInt32LE(user.uid);
  const v2 = '0x0100000200200000000000000000000000000000';
  const capability = (file: string) => `getfattr --absolute-names -e hex -n security.capability "${file}" | sed -n 's/^security.capability=//p'`;
  assert.is(sh(capability(`${rootfs}/bin/ping`)).trim(), `0x0100000300200000000000000000000000000000${rootid.toString('hex')}`);
  assert.is(jetpackAsOk(user, ['unshare', 'sh', '-c', capability(`${rootfs}/bin/ping`)]).trim(), v2);
  assert.is(sh(capability(`${work}/tree/bin/ping`)).trim(), v2);
});

test('export -flat (overlay and copy renders), -format=oci and -format=oci-archive: root’s bytes', () => {
  const image = 'test/rootless-archive';
  asRoot(['export', '-flat', image, path.join(work, 'flat.aci')]);
  asUser(['export', '-flat', image, inHome('flat.aci')]);
  assert.ok(same(path.join(work, 'flat.aci'), inHome('flat.aci')));
  asUser(['export', '-flat', image, inHome('flat-copy.aci')], { JETPACK_NO_OVERLAY: '1' });
  assert.ok(same(path.join(work, 'flat.aci'), inHome('flat-copy.aci')));
  assert.not.ok(readFileSync(inHome('flat.aci')).includes('user.jetpack'), 'the record never leaves the store');

  asRoot(['export', '-format=oci-archive', image, path.join(work, 'oci.tar')]);
  asUser(['export', '-format=oci-archive', image, inHome('oci.tar')]);
  assert.ok(same(path.join(work, 'oci.tar'), inHome('oci.tar')));
  asRoot(['export', '-format=oci', image, path.join(work, 'oci')]);
  asUser(['export', '-format=oci', image, inHome('oci')]);
  sh(`diff -r "${work}/oci" "${inHome('oci')}"`);
  // skopeo reads it as root's: the same manifest digest.
  const digest = (dir: string) => sh(`skopeo inspect --raw "oci:${dir}" | sha256sum`);
  assert.is(digest(inHome('oci')), digest(path.join(work, 'oci')));
});

test('the stage job’s tarball of the image (metro run, an image source, a file output): root’s bytes', () => {
  const job = (dir: string) =>
    sh(`mkdir -p "${dir}" && printf '%s\n' 'version: "1.0"' 'jobs:' '- name: stage' '  workspacedir: ./workspace' '  hooks_basedir: ./hooks' \
      '  source: { type: image, image: test/rootless-archive }' '  output: { type: file, name: out.tar, dir: ./output }' > "${dir}/job.yml"`);
  job(path.join(work, 'job'));
  jetpackOk(rootStore, ['metro', 'run', '-specfile', 'job.yml', '-job', 'stage'], { env, cwd: path.join(work, 'job') });
  job(inHome('job'));
  sh(`chown -R ${user.uid}:${user.gid} "${inHome('job')}"`);
  jetpackAsOk(user, ['metro', 'run', '-specfile', 'job.yml', '-job', 'stage'], { env, cwd: inHome('job') });
  assert.ok(same(path.join(work, 'job/output/out.tar'), inHome('job/output/out.tar')));
  assert.match(sh(`tar --numeric-owner -tvf "${inHome('job/output/out.tar')}" ./dev/null`), /^crw-rw-rw- 0\/0 +1,3 /);
});

test('OCI import as the user: root’s image ID (the layer’s devices through placeholders and back)', () => {
  const rootID = asRoot(['import', '-name=test/rootless-oci', `oci-archive:${path.join(work, 'oci.tar')}`])
    .split('\n')
    .pop();
  const userID = asUser(['import', '-name=test/rootless-oci', `oci-archive:${giveToUser(user, path.join(work, 'oci.tar'), 'root-oci.tar')}`])
    .split('\n')
    .pop();
  assert.is(userID, rootID);
});

test('an owner above the user’s range, or jetpack’s own record in an archive: one line naming it, nothing stored', () => {
  sh(`cd "${work}" && mkdir -p big/etc && echo x > big/etc/f && chown 70000:100 big/etc/f &&
    tar -c -f big.tar --format=posix --numeric-owner -C big . &&
    mkdir -p forged/dev && : > forged/dev/null && setfattr -n user.jetpack.device -v "c 1 3" forged/dev/null &&
    tar -c -f forged.tar --format=posix --numeric-owner --xattrs --xattrs-include='*' -C forged .`);
  const bigAci = path.join(work, 'big.aci');
  asRoot(['makeaci', path.join(work, 'big.tar'), manifest, bigAci]);
  const before = sh(`ls "${user.store}/images"`);
  const refusals: Array<[string[], string]> = [
    [
      ['makeaci', giveToUser(user, path.join(work, 'big.tar')), mine.manifest, inHome('no.aci')],
      '"./etc/f": owner uid 70000 does not fit: 65536 is the highest uid',
    ],
    [['import', giveToUser(user, bigAci)], '"rootfs/etc/f": owner uid 70000 does not fit: 65536 is the highest uid'],
    [['makeaci', giveToUser(user, path.join(work, 'forged.tar')), mine.manifest, inHome('no.aci')], 'xattr user.jetpack.device is reserved'],
  ];
  for (const [args, message] of refusals) {
    const r = jetpackAs(user, args);
    assert.is(r.status, 1, args.join(' '));
    assert.is(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.ok(r.stderr.includes(message), r.stderr);
  }
  assert.not.ok(existsSync(inHome('no.aci')));
  // An ACI that carries the record itself (root's tar keeps any xattr): no store imports it.
  const forgedAci = path.join(work, 'forged.aci');
  sh(`cd "${work}" && mkdir -p forged-aci && cp manifest.json forged-aci/manifest && cp -a forged forged-aci/rootfs &&
    tar -c -f "${forgedAci}" --format=posix --numeric-owner --xattrs --xattrs-include='*' -C forged-aci manifest rootfs`);
  const r = jetpackAs(user, ['import', giveToUser(user, forgedAci)]);
  assert.is(r.status, 1);
  assert.match(r.stderr, /refusing archive entry "rootfs\/dev\/null": xattr user.jetpack.device is reserved/);
  assert.is(sh(`ls "${user.store}/images"`), before);
});

test('images/debian as the user (mmdebstrap --mode=unshare): root’s rootfs tarball and image ID', () => {
  const rootDir = sharedDebian();
  const dir = inHome('debian');
  sh(
    `cp -r "${REPO}/images/debian" "${dir}" && rm -f "${dir}"/rootfs.tar* "${dir}"/image.aci* "${dir}"/manifest.json && chown -R ${user.uid}:${user.gid} "${dir}"`,
  );
  // The shared copy is made with the Makefile's default epoch, today's midnight: the same one here.
  shAs(user, `make -s -C "${dir}" image JETPACK="${JETPACK}" >/dev/null 2>&1 || { make -C "${dir}" image JETPACK="${JETPACK}" 2>&1 | tail -20 >&2; exit 1; }`, {
    env: { PATH: `/usr/sbin:/sbin:${process.env.PATH}` },
  });
  assert.ok(same(path.join(rootDir, 'rootfs.tar'), path.join(dir, 'rootfs.tar')), 'mmdebstrap: the same tarball in both modes');
  assert.ok(same(path.join(rootDir, 'image.aci'), path.join(dir, 'image.aci')));
  const rootID = `sha512-${sh(`sha512sum "${rootDir}/image.aci"`).split(' ')[0]}`;
  assert.is(readFileSync(path.join(dir, 'image.aci.id'), 'utf8').trim(), rootID);
  assert.is(sh(`getfattr --only-values -n user.jetpack.device "${user.store}/images/${rootID}/rootfs/dev/null"`), 'c 1 3');
});

test.run();
