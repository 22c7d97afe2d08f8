import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, lstatSync, mkdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { HYBRID_LAYOUTS, addHybridEntries } from '../../src/flatpak/hybrid.js';
import { jetpack, jetpackOk, makeAciWithTar, removeDir, sh, storeState, tempDir } from '../helpers/cli.js';

// Images whose top-level directories are links (Flatpak hybrids, merged /usr): what a
// container lends is mounted where the links lead, so the links stay links, in the
// container, in a build's layer and in a tree changed in place.
const work = tempDir();
const root = path.join(work, 'store');
const MODES: Record<string, NodeJS.ProcessEnv> = { overlay: {}, copy: { JETPACK_NO_OVERLAY: '1' } };
const hostResolvConf = existsSync('/etc/resolv.conf') ? readFileSync('/etc/resolv.conf', 'utf8') : '';
const PASSWD = 'root:x:0:0:root:/root:/bin/sh\n';

/** The host's static busybox with every applet in `bin`, and an /etc/passwd in `etc`. */
function busyboxTree(bin: string, etc: string): void {
  sh(`mkdir -p "${bin}" "${etc}" && cp /bin/busybox "${bin}/"
      for a in $("${bin}/busybox" --list); do [ -e "${bin}/$a" ] || ln -s busybox "${bin}/$a"; done`);
  writeFileSync(path.join(etc, 'passwd'), PASSWD);
}

/** A Flatpak runtime directory: `metadata` and `files/` holding bin/ and etc/. */
const runtime = path.join(work, 'runtime');
busyboxTree(path.join(runtime, 'files', 'bin'), path.join(runtime, 'files', 'etc'));
writeFileSync(path.join(runtime, 'metadata'), '[Runtime]\nname=org.example.Links\nruntime=org.example.Links/x86_64/1\n');

/**
 * A merged-/usr tree as Debian has it (bin, lib, sbin link into usr/, var/run -> /run), with
 * resolv.conf a link to systemd-resolved's stub file, which is not there.
 */
const mergedUsr = path.join(work, 'merged-usr');
busyboxTree(path.join(mergedUsr, 'usr', 'bin'), path.join(mergedUsr, 'etc'));
sh(`cd "${mergedUsr}" && mkdir -p usr/lib/app usr/sbin run tmp var dev proc sys && chmod 1777 tmp
    ln -s usr/bin bin && ln -s usr/lib lib && ln -s usr/sbin sbin && ln -s /run var/run
    echo 'ID=debian' > usr/lib/os-release && ln -s ../run/systemd/resolve/stub-resolv.conf etc/resolv.conf`);

function build(parent: string, name: string, script: string, env: NodeJS.ProcessEnv): string {
  const dir = path.join(work, 'build', name.replace(/\W/g, '_'));
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify({ name }));
  return jetpackOk(root, ['build', `-dir=${dir}`, parent, '/bin/sh', '-ec', script], { env }).trim();
}

/** The image's own layer in the store, as `find` lists it: path, type and link target. */
function ownLayer(id: string): string[] {
  return sh(`cd "${root}/images/${id}/rootfs" && find . -mindepth 1 -printf '%P %y %l\\n' | sort`).split('\n').filter(Boolean);
}

for (const layout of HYBRID_LAYOUTS) {
  test(`a Flatpak hybrid image (${layout} links): run and build see /etc through its link, and the link stays`, () => {
    const image = jetpackOk(root, ['import-flatpak', `-layout=${layout}`, `-name=example/links-${layout}`, runtime]).trim();
    const etcLink = readlinkSync(path.join(root, 'images', image, 'rootfs', 'etc'));
    const children: string[] = [];
    for (const [mode, env] of Object.entries(MODES)) {
      const child = build(image, `example/links-${layout}-${mode}`, 'echo conf > /etc/x.conf', env);
      children.push(child);
      assert.equal(
        ownLayer(child),
        ['files d ', 'files/etc d ', 'files/etc/x.conf f '],
        `${mode}: the write lands in files/etc; no etc/ beside it, no resolv.conf`,
      );
      const c = jetpack(root, ['run', child, '/bin/sh', '-c', 'readlink /etc; cat /etc/passwd /etc/x.conf /etc/resolv.conf'], { env });
      assert.is(c.stderr, '', mode);
      assert.is(
        c.stdout,
        `${etcLink}\n${PASSWD}conf\n${hostResolvConf}`,
        `${mode}: the link, the image's own /etc through it, the host's resolv.conf where it leads`,
      );
    }
    const repo = path.join(work, `repo-${layout}`);
    const [ref] = jetpackOk(root, ['export', '-format=flatpak', children[0], repo]).trim().split(' ');
    assert.match(sh(`ostree ls --repo="${repo}" ${ref} /files/etc/x.conf`), /x\.conf/, 'a Flatpak export of the child carries the change');
    assert.is(existsSync('/files'), false, 'no absolute link was followed on the host');
    assert.equal(storeState(root).tmp, []);
  });
}

test('a merged-/usr image: builds write through bin, lib, sbin into usr/; run, -workdir and -bind go through the links', () => {
  const manifest = { acKind: 'ImageManifest', acVersion: '0.8.11', name: 'example/merged-usr' };
  const image = jetpackOk(root, ['import', makeAciWithTar(work, mergedUsr, manifest)]).trim();
  const host = path.join(work, 'host-dir');
  mkdirSync(host);
  writeFileSync(path.join(host, 'in'), 'from the host\n');
  for (const [mode, env] of Object.entries(MODES)) {
    const script = 'for l in /bin /etc/resolv.conf; do readlink $l; done; cat /lib/os-release /etc/resolv.conf; pwd; cat data/in; echo out > data/out-' + mode;
    const r = jetpack(root, ['run', '-workdir=/lib/app', `-bind=${host}:/lib/app/data`, image, '/bin/sh', '-c', script], { env });
    assert.is(r.stderr, '', mode);
    assert.is(r.stdout, `usr/bin\n../run/systemd/resolve/stub-resolv.conf\nID=debian\n${hostResolvConf}/usr/lib/app\nfrom the host\n`, mode);
    assert.is(readFileSync(path.join(host, `out-${mode}`), 'utf8'), 'out\n', `${mode}: the bind is writable`);

    const child = build(image, `example/merged-usr-${mode}`, 'echo hi > /bin/hello; echo lib > /lib/x; mkdir /sbin/d', env);
    // No bin, lib, sbin of the layer's own: the parent's links show in the child.
    assert.equal(ownLayer(child), ['usr d ', 'usr/bin d ', 'usr/bin/hello f ', 'usr/lib d ', 'usr/lib/x f ', 'usr/sbin d ', 'usr/sbin/d d '], mode);
  }
  assert.equal(storeState(root).tmp, []);
});

test('a mount target that leads through a file or a loop of links, or to the root, is refused in one line', () => {
  const tree = path.join(work, 'odd-links');
  busyboxTree(path.join(tree, 'bin'), path.join(tree, 'etc'));
  sh(`cd "${tree}" && ln -s loop-b loop-a && ln -s loop-a loop-b && ln -s / up`);
  const manifest = { acKind: 'ImageManifest', acVersion: '0.8.11', name: 'example/odd-links' };
  const image = jetpackOk(root, ['import', makeAciWithTar(work, tree, manifest)]).trim();
  sh(`ln -s . "${tree}/proc"`);
  const procUp = jetpackOk(root, ['import', makeAciWithTar(work, tree, { ...manifest, name: 'example/proc-up' })]).trim();
  // A bind through a file: run.test.ts.
  const cases: Array<[string[], string]> = [
    [[`-bind=${work}:/loop-a/x`, image], "cannot mount on /loop-a/x in the container: the image's links on the way loop"],
    [[`-bind=${work}:/up`, image], "cannot mount on /up in the container: it leads to the image's root"],
    [
      [`-bind=${work}:/up/etc/passwd`, image],
      'cannot mount on /up/etc/passwd in the container: it is not a directory in the image (where its links lead: /etc/passwd)',
    ],
    [[procUp], "cannot mount on /proc in the container: it leads to the image's root"],
  ];
  for (const [args, message] of cases) {
    const r = jetpack(root, ['run', ...args, '/bin/true']);
    assert.is(r.stderr, `jetpack: ${message}\n`);
    assert.is(r.status, 1);
  }
  assert.equal(storeState(root).tmp, []);
});

/** What `dir` has now and had not in `before` (a listing()), and what it had and has no longer. */
function changes(dir: string, before: Set<string>): { added: string[]; gone: string[] } {
  const now = listing(dir);
  return { added: [...now].filter((e) => !before.has(e)), gone: [...before].filter((e) => !now.has(e)) };
}

/** A tree's entries: type, path and link target. */
function listing(dir: string): Set<string> {
  return new Set(sh(`cd "${dir}" && find . -mindepth 1 -printf '%y %p %l\\n'`).trim().split('\n'));
}

test('runtime sandbox on hybrid and merged-/usr trees: the links stay, writes land behind them, resolv.conf is lent where its link leads', async () => {
  for (const layout of HYBRID_LAYOUTS) {
    const tree = path.join(work, `sandbox-${layout}`);
    sh(`mkdir "${tree}" && cp -a "${runtime}/." "${tree}/"`);
    await addHybridEntries(tree, layout);
    const before = listing(tree);
    const r = jetpack(root, ['runtime', 'sandbox', tree, '--', '/bin/sh', '-c', 'readlink /etc; cat /etc/passwd /etc/resolv.conf; echo conf > /etc/x.conf']);
    assert.is(r.stderr, '', layout);
    assert.is(r.stdout, `${readlinkSync(path.join(tree, 'etc'))}\n${PASSWD}${hostResolvConf}`, layout);
    assert.is(readFileSync(path.join(tree, 'files', 'etc', 'x.conf'), 'utf8'), 'conf\n');
    assert.ok(lstatSync(path.join(tree, 'etc')).isSymbolicLink(), `${layout}: /etc is still a link`);
    assert.equal(changes(tree, before), { added: ['f ./files/etc/x.conf '], gone: [] }, `${layout}: nothing else changed`);
  }
  assert.is(existsSync('/files'), false, 'no absolute link was followed on the host');

  const tree = path.join(work, 'sandbox-merged-usr');
  sh(`cp -a "${mergedUsr}" "${tree}"`);
  const before = listing(tree);
  const r = jetpack(root, ['runtime', 'sandbox', tree, '--', '/bin/sh', '-c', 'readlink /etc/resolv.conf; cat /etc/resolv.conf; echo hi > /bin/hello']);
  assert.is(r.stdout, `../run/systemd/resolve/stub-resolv.conf\n${hostResolvConf}`, r.stderr);
  assert.equal(changes(tree, before), { added: ['f ./usr/bin/hello '], gone: [] }, 'the write is in usr/bin; the resolv.conf stub made for the run is gone');
});

test('runtime run of a merged-/usr deployment: resolv.conf is lent where its link leads, writes through bin land in usr/bin of its changes', () => {
  const ref = 'org.example.merged/x86_64/1';
  jetpackOk(root, ['package', '--commit', mergedUsr, ref]);
  jetpackOk(root, ['runtime', 'deploy', ref]);
  const r = jetpack(root, ['runtime', 'run', '-command=readlink /etc/resolv.conf; cat /etc/resolv.conf; echo hi > /bin/hello', ref]);
  assert.is(r.stdout, `../run/systemd/resolve/stub-resolv.conf\n${hostResolvConf}`, r.stderr);
  const changed = path.join(root, 'runtimes', '_local', ref, 'rw', 'rootfs');
  assert.is(sh(`cd "${changed}" && find . -mindepth 1 | sort`), './usr\n./usr/bin\n./usr/bin/hello\n');
});

test.after(() => removeDir(work));
test.run();
