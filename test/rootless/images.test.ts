import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { JETPACK, REPO, removeDir, sh, tempDir } from '../helpers/cli.js';
import { sharedDebian } from '../helpers/debian.js';
import { createTestUser, removeTestUser, runAs, type TestUser } from '../helpers/users.js';

// Point 2 of docs/ROOTLESS.md's promise: the image directories of images/ made by an ordinary
// user give the very image IDs root's make gives, with GNU make, BSD make and image scripts.
const test = suite('rootless images');

const EPOCH = { SOURCE_DATE_EPOCH: '1700000000' };
const IMAGES = ['busybox', 'debian', 'example.hello', 'example.portable', 'example.nginx', 'example.showenv', 'example.flatpak-runtime'];
const BSD_IMAGES = ['example.showenv', 'example.nginx'];

let scratch: string;
let user: TestUser;
let rootStore: string;
/** The trees of images/ as root and as the user build them. */
let asRoot: string;
let asUser: string;

const idIn = (dir: string) => readFileSync(path.join(dir, 'image.aci.id'), 'utf8').trim();

/** A copy of images/ at `dest`, with images/debian's slow part (mmdebstrap) taken from the run's shared copy. */
function copyImages(dest: string): void {
  sh(`cp -r "${REPO}/images" "${dest}" && make -s -C "${dest}" clean >/dev/null`);
  sh(`cp "${sharedDebian()}/rootfs.tar" "${sharedDebian()}/manifest.json" "${dest}/debian/"`);
  for (const name of BSD_IMAGES)
    sh(`cp -r "${dest}/${name}" "${dest}/bsd.${name}" && cp "${REPO}/test/make/jetpack-images/${name}/Makefile" "${dest}/bsd.${name}/Makefile"`);
}

test.before(() => {
  scratch = tempDir();
  rootStore = path.join(scratch, 'store');
  user = createTestUser();
  asRoot = path.join(scratch, 'images');
  asUser = path.join(user.home, 'images');
  copyImages(asRoot);
  copyImages(asUser);
  sh(`chown -R ${user.uid}:${user.gid} "${asUser}"`);
});

test.after(() => {
  removeTestUser(user);
  removeDir(scratch);
});

test("make -j2 -C images as the user gives root's image IDs, every image", () => {
  const env = { ...process.env, CI: 'true', ...EPOCH };
  const r = spawnSync('make', ['-j2', '-C', asRoot, `JETPACK=${JETPACK} -root=${rootStore}`], { encoding: 'utf8', env });
  assert.is(r.status, 0, r.stderr.slice(-3000));
  const u = runAs(user, ['make', '-j2', '-C', asUser, `JETPACK=${JETPACK}`], { env: EPOCH });
  assert.is(u.status, 0, `${u.stdout.slice(-2000)}\n${u.stderr.slice(-3000)}`);
  const differing = IMAGES.filter((name) => idIn(path.join(asUser, name)) !== idIn(path.join(asRoot, name)));
  assert.equal(differing, [], "every image has root's ID");
});

test("bmake with Jetpack's BSD Makefiles as the user gives root's image IDs", () => {
  for (const name of BSD_IMAGES) {
    const r = spawnSync('bmake', ['-C', path.join(asRoot, `bsd.${name}`), `JETPACK=${JETPACK} -root=${rootStore}`], {
      encoding: 'utf8',
      env: { ...process.env, CI: 'true', ...EPOCH },
    });
    assert.is(r.status, 0, r.stderr.slice(-3000));
    const u = runAs(user, ['bmake', '-C', path.join(asUser, `bsd.${name}`), `JETPACK=${JETPACK}`], { env: EPOCH });
    assert.is(u.status, 0, u.stderr.slice(-3000));
    assert.is(idIn(path.join(asUser, `bsd.${name}`)), idIn(path.join(asRoot, `bsd.${name}`)), name);
  }
});

test("jetpack script of an image script as the user gives root's image ID", () => {
  const dir = 'example.zx-hello';
  const r = spawnSync(JETPACK, [`-root=${rootStore}`, 'script', path.join(asRoot, dir)], { encoding: 'utf8', env: { ...process.env, CI: 'true', ...EPOCH } });
  assert.is(r.status, 0, r.stderr.slice(-3000));
  const u = runAs(user, [JETPACK, 'script', path.join(asUser, dir)], { env: EPOCH });
  assert.is(u.status, 0, u.stderr.slice(-3000));
  assert.is(idIn(path.join(asUser, dir)), idIn(path.join(asRoot, dir)));
  assert.is(idIn(path.join(asUser, dir)), idIn(path.join(asUser, 'example.hello')), 'the script makes example.hello');
});

test("the images made on other outputs: example.stage-child (a stage job's image), example.flatpak-app (an exported runtime imported back)", () => {
  const rootEnv = { ...process.env, CI: 'true', ...EPOCH };
  const steps = (store: string[]) => [
    [
      'sh',
      '-c',
      `cp -r "${REPO}/jobs" jobs && cd jobs && "$@"`,
      'sh',
      JETPACK,
      ...store,
      'metro',
      'run',
      '--specfile',
      'stage-image.yaml',
      '--job',
      'stage-image',
    ],
    ['make', '-C', 'images/example.stage-child', `JETPACK=${JETPACK} ${store.join(' ')}`],
    [JETPACK, ...store, 'export', '-format=flatpak', 'example/flatpak-runtime', 'flatpak-repo'],
    [JETPACK, ...store, 'import-flatpak', '-repo=flatpak-repo', 'runtime/org.example.Platform/x86_64/1'],
    ['make', '-C', 'images/example.flatpak-app', `JETPACK=${JETPACK} ${store.join(' ')}`],
  ];
  for (const argv of steps([`-root=${rootStore}`])) {
    const r = spawnSync(argv[0], argv.slice(1), { cwd: scratch, encoding: 'utf8', env: rootEnv });
    assert.is(r.status, 0, `${argv.join(' ')}: ${r.stderr.slice(-2000)}`);
  }
  for (const argv of steps([])) {
    const r = runAs(user, argv, { env: EPOCH });
    assert.is(r.status, 0, `${argv.join(' ')}: ${r.stderr.slice(-2000)}`);
  }
  for (const name of ['example.stage-child', 'example.flatpak-app']) assert.is(idIn(path.join(asUser, name)), idIn(path.join(asRoot, name)), name);
});

test.run();
