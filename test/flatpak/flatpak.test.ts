import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, readFileSync, readdirSync, readlinkSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createReadStream } from 'node:fs';
import path from 'node:path';
import { JETPACK, copyImageDir, jetpack, jetpackAsync, jetpackOk, removeDir, sh, storeState, tempDir } from '../helpers/cli.js';
import { importBusybox } from '../helpers/busybox.js';
import { importDebian } from '../helpers/debian.js';
import { assertStepReported } from '../helpers/progress.js';
import { parseJson } from '../helpers/json.js';
import type { ImageManifest } from '../../src/image/manifest.js';

// The Flatpak workflow with the real flatpak and ostree: a runtime made of Debian minbase,
// committed, installed and run by flatpak; imported back as a hybrid image; built on with
// apt; an application built on it, exported, installed and run on that runtime.
const work = tempDir();
const root = path.join(work, 'store');
const repo = path.join(work, 'repo');
const arch = sh('flatpak --default-arch').trim();
const RUNTIME = `runtime/org.example.Platform/${arch}/1`;
importBusybox(root, work);
importDebian(root);
const make = (dir: string) => {
  const r = spawnSync('make', ['-C', dir, `JETPACK=${JETPACK} -root=${root}`], { encoding: 'utf8', env: { ...process.env, CI: 'true' } });
  assert.is(r.status, 0, `make -C ${dir}: ${r.stdout.slice(-2000)}${r.stderr.slice(-2000)}`);
};

/** flatpak as a user with its own installation under the test's directory. */
function flatpak(user: string, args: string[]) {
  return spawnSync('flatpak', ['--user', ...args], { encoding: 'utf8', env: { ...process.env, FLATPAK_USER_DIR: path.join(work, user) } });
}
function flatpakOk(user: string, args: string[]): string {
  const r = flatpak(user, args);
  assert.is(r.status, 0, `flatpak ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

/** A tree as Flatpak keeps it: type, mode as flatpak build-export normalises it, size, link target, content digest. */
function normalisedTree(dir: string): Map<string, string> {
  const digests = new Map(
    sh(`cd "${dir}" && find . -type f -print0 | sort -z | xargs -0 -r sha256sum`)
      .trim()
      .split('\n')
      .filter(Boolean)
      .map((l) => [l.slice(66), l.slice(0, 64)] as [string, string]),
  );
  const out = new Map<string, string>();
  for (const line of sh(`cd "${dir}" && find . -mindepth 1 -printf '%p|%y|%m|%s|%l\\n'`).trim().split('\n')) {
    const [name, type, mode, size, target] = line.split('|') as [string, string, string, string, string];
    const normal = type === 'd' ? '755' : type === 'f' ? (parseInt(mode, 8) & 0o100 ? '755' : '644') : '';
    out.set(name, [type, normal, type === 'd' ? '' : size, target, digests.get(name) ?? ''].join('|'));
  }
  return out;
}

function flatTree(image: string, name: string): string {
  const dir = path.join(work, name);
  mkdirSync(dir);
  sh(`"${JETPACK}" -root="${root}" export -flat ${image} - | tar -x --numeric-owner -C "${dir}"`);
  return path.join(dir, 'rootfs');
}

copyImageDir('example.flatpak-runtime', path.join(work, 'example.flatpak-runtime'));
make(path.join(work, 'example.flatpak-runtime'));

test('export -format=flatpak commits the Debian runtime with xa.metadata; flatpak installs it and runs a command in it', () => {
  const out = jetpackOk(root, ['export', '-format=flatpak', 'example/flatpak-runtime', repo]).trim();
  assert.match(out, new RegExp(`^${RUNTIME} [0-9a-f]{64}$`));
  const metadata = sh(`ostree cat --repo="${repo}" ${RUNTIME} /metadata`);
  assert.is(metadata, `[Runtime]\nname=org.example.Platform\nruntime=org.example.Platform/${arch}/1\n`);
  assert.match(sh(`ostree show --repo="${repo}" --print-metadata-key=xa.metadata ${RUNTIME}`), /name=org.example.Platform/);
  assert.match(sh(`ostree ls --repo="${repo}" ${RUNTIME} /files/bin/apt-get`), /^-00755 0 0 /, 'owners 0:0, modes canonical');
  assert.match(sh(`ostree ls --repo="${repo}" ${RUNTIME} /files/etc/shadow`), /^-00644 0 0 /);
  assert.match(sh(`ostree ls --repo="${repo}" ${RUNTIME} /files/lib/sysimage/dpkg/status`), /status/, 'the dpkg database is kept in the runtime');
  flatpakOk('user', ['remote-add', '--no-gpg-verify', 'local', repo]);
  flatpakOk('user', ['install', '-y', '--noninteractive', 'local', RUNTIME]);
  assert.match(flatpakOk('user', ['info', 'org.example.Platform//1']), /Ref: runtime\/org.example.Platform/);
  const ran = flatpak('user', [
    'run',
    '--command=/usr/bin/sh',
    'org.example.Platform//1',
    '-c',
    '. /etc/os-release && echo "$ID $VERSION_CODENAME" && dpkg-query --admindir=/usr/lib/sysimage/dpkg -W -f="\\${Status}" dpkg',
  ]);
  assert.is(ran.status, 0, `flatpak run: ${ran.stderr}`);
  assert.is(ran.stdout, 'debian bookworm\ninstall ok installed');
});

test("import-flatpak of the exported ref gives a hybrid image whose files/ is the runtime image's /usr and /etc, normalised", () => {
  const id = jetpackOk(root, ['import-flatpak', `-repo=${repo}`, RUNTIME]).trim();
  const m = JSON.parse(jetpackOk(root, ['image-manifest', id])) as {
    name: string;
    labels: Array<{ name: string; value: string }>;
    annotations: Array<{ name: string; value: string }>;
  };
  assert.is(m.name, 'org.example.platform');
  assert.ok(m.labels.some((l) => l.name === 'version' && l.value === '1'));
  assert.ok(m.annotations.some((a) => a.name === 'flatpak-ref' && a.value === RUNTIME));
  const hybrid = flatTree(id, 'hybrid');
  for (const [link, to] of [
    ['usr', 'files'],
    ['bin', 'files/bin'],
    ['etc', 'files/etc'],
    ['lib', 'files/lib'],
    ['lib64', 'files/lib64'],
    ['sbin', 'files/sbin'],
    ['var/run', '../run'],
  ]) {
    assert.is(readlinkSync(path.join(hybrid, link)), to, link);
  }
  for (const [dir, mode] of [
    ['root', 0o40700],
    ['tmp', 0o41777],
    ['var/tmp', 0o41777],
    ['run', 0o40755],
    ['dev', 0o40755],
    ['proc', 0o40755],
    ['sys', 0o40755],
  ] as const) {
    assert.is(lstatSync(path.join(hybrid, dir)).mode, mode, dir);
  }
  const original = flatTree('example/flatpak-runtime', 'original');
  const want = normalisedTree(path.join(original, 'usr'));
  want.set('./etc', 'd|755|||');
  for (const [name, line] of normalisedTree(path.join(original, 'etc'))) want.set(name.replace(/^\./, './etc'), line);
  const got = normalisedTree(path.join(hybrid, 'files'));
  assert.equal(
    [...want.keys()].filter((k) => !got.has(k)),
    [],
    'missing from files/',
  );
  assert.equal(
    [...got.keys()].filter((k) => !want.has(k)),
    [],
    'not in the runtime image',
  );
  for (const [name, line] of want) assert.is(got.get(name), line, name);
});

test('build on the hybrid image: a package repository under /etc, apt installs into /usr (files/), the result runs', () => {
  const dir = path.join(work, 'apt-on-hybrid');
  const pkg = path.join(dir, 'repo', 'jetpack-hello');
  sh(`mkdir -p "${pkg}/DEBIAN" "${pkg}/usr/bin"
      printf 'Package: jetpack-hello\\nVersion: 1.0\\nArchitecture: all\\nMaintainer: jetpack tests <tests@example.com>\\nDescription: says hello\\n' > "${pkg}/DEBIAN/control"
      printf '#!/bin/sh\\necho hello from a package on a Flatpak runtime\\n' > "${pkg}/usr/bin/jetpack-hello" && chmod 0755 "${pkg}/usr/bin/jetpack-hello"
      cd "${dir}/repo" && dpkg-deb --root-owner-group --build jetpack-hello jetpack-hello_1.0_all.deb >/dev/null && rm -r jetpack-hello && dpkg-scanpackages -m . /dev/null 2>/dev/null > Packages`);
  writeFileSync(
    path.join(dir, 'manifest.json'),
    JSON.stringify({ name: 'example/apt-on-hybrid', app: { exec: ['/usr/bin/jetpack-hello'], user: '0', group: '0' } }),
  );
  writeFileSync(
    path.join(dir, 'Makefile'),
    'PARENT_IMAGE = org.example.platform\n\nbuild:\n' +
      '\techo "deb [trusted=yes] file:$(CURDIR)/repo ./" > /etc/apt/sources.list.d/local.list\n' +
      '\tmkdir -p /var/lib/apt/lists/partial /var/cache/apt/archives/partial /var/log/apt\n' +
      '\tapt-get -o Dir::Etc::SourceList=/dev/null update -qq\n' +
      '\tapt-get -o Dir::Etc::SourceList=/dev/null install -y -qq jetpack-hello\n\n' +
      'include $(or $(.jetpack.image.mk),$(shell $(or $(JETPACK),jetpack) config path.share)/jetpack.image.mk)\n',
  );
  make(dir);
  const id = readFileSync(path.join(dir, 'image.aci.id'), 'utf8').trim();
  assert.is(jetpackOk(root, ['run', id]), 'hello from a package on a Flatpak runtime\n');
  const layer = sh(`"${JETPACK}" -root="${root}" export ${id} - | tar -t`);
  assert.match(layer, /^rootfs\/files\/bin\/jetpack-hello$/m, 'the package landed in files/');
  assert.match(layer, /^rootfs\/files\/etc\/apt\/sources.list.d\/local.list$/m);
  assert.match(jetpackOk(root, ['run', id, '/usr/bin/dpkg-query', '--admindir=/usr/lib/sysimage/dpkg', '-W', 'jetpack-hello']), /^jetpack-hello\t1.0$/m);
});

test('images/example.flatpak-app: export -format=flatpak-app keeps /app; flatpak installs and runs it on the runtime', () => {
  const dir = path.join(work, 'example.flatpak-app');
  copyImageDir('example.flatpak-app', dir);
  make(dir);
  const made = jetpack(root, ['export', '-format=flatpak-app', 'example/flatpak-app', repo]);
  assert.is(made.status, 0, made.stderr);
  const out = made.stdout.trim();
  const ref = `app/org.example.Hello/${arch}/1`;
  for (const step of ['archiving app as files/', `committing ${ref} to ${repo}`]) assertStepReported(made.stderr, step);
  assert.match(out, new RegExp(`^${ref} [0-9a-f]{64}$`));
  assert.is(
    sh(`ostree cat --repo="${repo}" ${ref} /metadata`),
    `[Application]\nname=org.example.Hello\nruntime=org.example.Platform/${arch}/1\ncommand=hello\n`,
  );
  const listing = sh(`ostree ls --repo="${repo}" -R ${ref} | awk '{print $NF}'`);
  assert.match(listing, /^\/files\/bin\/hello$/m);
  assert.match(listing, /^\/export\/share\/applications\/org.example.Hello.desktop$/m);
  assert.match(listing, /^\/export\/share\/icons\/hicolor\/scalable\/apps\/org.example.Hello.svg$/m);
  assert.not.match(listing, /^\/files\/(usr|etc)\b|^\/(usr|etc|metadata\/)/m, 'only /app and the metadata');
  flatpakOk('user', ['install', '-y', '--noninteractive', 'local', ref]);
  const ran = flatpak('user', ['run', 'org.example.Hello']);
  assert.is(ran.status, 0, `flatpak run: ${ran.stderr}`);
  assert.is(ran.stdout, 'Hello from org.example.Hello on Debian GNU/Linux 12 (bookworm)\n');
  const location = flatpakOk('user', ['info', '--show-location', 'org.example.Hello']).trim();
  assert.ok(existsSync(path.join(location, 'export', 'share', 'applications', 'org.example.Hello.desktop')));
});

// ---- a small runtime (busybox's /usr and /etc) for bundles, remotes, layouts and errors -------
const small = path.join(work, 'small-repo');
const SMALL = `runtime/org.example.Small/${arch}/2`;

test('-bundle writes a .flatpak that flatpak installs, and that import-flatpak takes; -layout=experiment', () => {
  const bundle = path.join(work, 'small.flatpak');
  const made = jetpack(root, ['export', '-format=flatpak', '-json', `-ref=${SMALL}`, `-bundle=${bundle}`, 'jetpack/busybox', small]);
  assert.is(made.status, 0, made.stderr);
  // In CI: each long step, a start and a done line.
  for (const step of ['archiving usr and etc as files/', `committing ${SMALL} to ${small}`, `writing the bundle ${bundle}`])
    assertStepReported(made.stderr, step);
  const json = parseJson<{ ref: string; commit: string }>(made.stdout);
  assert.is(json.ref, SMALL);
  assert.match(json.commit, /^[0-9a-f]{64}$/);
  flatpakOk('bundle-user', ['install', '-y', '--noninteractive', '--bundle', bundle]);
  assert.match(flatpakOk('bundle-user', ['info', 'org.example.Small//2']), /Ref: runtime\/org.example.Small/);
  const id = jetpackOk(root, ['import-flatpak', '-layout=experiment', '-name=example/small', bundle]).trim();
  const tree = flatTree(id, 'small-experiment');
  for (const [link, to] of [
    ['usr', '/files'],
    ['etc', '/files/etc'],
    ['bin', '/usr/bin'],
    ['var/db/zoneinfo', '/etc/localtime'],
  ])
    assert.is(readlinkSync(path.join(tree, link)), to, link);
  assert.is(lstatSync(path.join(tree, 'var/tmp')).mode, 0o41755);
  assert.not.ok(existsSync(path.join(tree, 'sbin')), 'the experiment had no sbin link');
});

test('import-flatpak from an HTTP remote and from a directory', async () => {
  const server: Server = createServer((req, res) => {
    const file = path.join(small, decodeURIComponent(new URL(req.url!, 'http://x').pathname));
    if (!file.startsWith(small) || !existsSync(file) || lstatSync(file).isDirectory()) return void res.writeHead(404).end();
    createReadStream(file).pipe(res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/`;
    const r = await jetpackAsync(root, ['import-flatpak', `-repo=${url}`, SMALL]);
    assert.is(r.status, 0, r.stderr);
    assert.match(parseJson<ImageManifest>(jetpackOk(root, ['image-manifest', r.stdout.trim()])).name, /^org\.example\.small$/);
  } finally {
    server.close();
  }
  const dir = path.join(work, 'small-dir');
  sh(`ostree checkout --repo="${small}" ${SMALL} "${dir}"`);
  const link = path.join(work, 'small-link');
  symlinkSync(dir, link);
  const id = jetpackOk(root, ['import-flatpak', `-ref=${SMALL}`, link]).trim();
  assert.is(readlinkSync(path.join(flatTree(id, 'small-from-dir'), 'usr')), 'files');
  assert.equal(readdirSync(dir).sort(), ['files', 'metadata'], 'the source directory (named through a link) is left as it was');
  symlinkSync(dir, path.join(work, '-small-dashed'));
  const dashed = jetpackOk(root, ['import-flatpak', `-ref=${SMALL}`, '--', '-small-dashed'], { cwd: work }).trim();
  assert.is(
    readlinkSync(path.join(flatTree(dashed, 'small-dashed'), 'usr')),
    'files',
    'a directory whose name starts with - is a directory, not options of cp',
  );
});

test('errors: one line each, nothing stored', () => {
  const noMetadata = path.join(work, 'no-metadata');
  mkdirSync(path.join(noMetadata, 'files'), { recursive: true });
  const app = path.join(work, 'an-app');
  mkdirSync(path.join(app, 'files'), { recursive: true });
  writeFileSync(path.join(app, 'metadata'), '[Application]\nname=org.example.App\nruntime=org.example.Platform/x86_64/1\n');
  const usrEtc = path.join(work, 'usr-etc');
  mkdirSync(usrEtc);
  writeFileSync(path.join(usrEtc, 'manifest.json'), JSON.stringify({ name: 'example/usr-etc' }));
  const withUsrEtc = jetpackOk(root, ['build', `-dir=${usrEtc}`, 'jetpack/busybox', '/bin/sh', '-c', 'mkdir -p /usr/etc && echo x > /usr/etc/x']).trim();
  const before = storeState(root);
  const cases: Array<[string[], RegExp]> = [
    [['import-flatpak', noMetadata], /has no metadata file: not a Flatpak runtime/],
    [['import-flatpak', app], /describes an application \(\[Application\]\), not a runtime/],
    [['import-flatpak', `-repo=${repo}`, 'runtime/org.example.Missing/x86_64/1'], /no ref runtime\/org.example.Missing\/x86_64\/1 in /],
    [['import-flatpak', 'runtime/org.example.Platform/x86_64/1'], /is a ref: name its repo with -repo/],
    [['import-flatpak', `-repo=${repo}`, `app/org.example.Hello/${arch}/1`], /is an application ref/],
    [['import-flatpak', '-layout=flat', noMetadata], /-layout takes shipped or experiment/],
    [['export', '-format=flatpak', withUsrEtc, path.join(work, 'never')], /\/usr\/etc is not empty/],
    [['export', '-format=flatpak', 'jetpack/busybox', path.join(work, 'never')], /has no flatpak-id annotation: give -ref=runtime\/ID\/ARCH\/BRANCH/],
    [['export', '-format=flatpak-app', 'jetpack/busybox', path.join(work, 'never')], /has no \/app directory/],
    [
      ['export', '-format=flatpak', '-ref=runtime/two.parts/x86_64/1', 'jetpack/busybox', path.join(work, 'never')],
      /not a reverse DNS name of three or more components/,
    ],
  ];
  for (const [args, why] of cases) {
    const r = jetpack(root, args);
    assert.is(r.status, 1, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, why);
    assert.is(r.stderr.trim().split('\n').length, 1, r.stderr);
  }
  assert.equal(storeState(root), before);
  assert.not.ok(existsSync(path.join(work, 'never')));
});

test.after(() => removeDir(work));
test.run();
