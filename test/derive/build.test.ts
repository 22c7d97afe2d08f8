import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { JETPACK, jetpack, jetpackAsync, jetpackOk, makeAciWithTar, removeDir, sh, storeState, tempDir, until } from '../helpers/cli.js';
import { importBusybox } from '../helpers/busybox.js';
import { parseJson } from '../helpers/json.js';
import type { ImageManifest } from '../../src/image/manifest.js';

const work = tempDir();
const MANIFEST = { name: 'example.com/hello', labels: [{ name: 'version', value: '1.0' }] };

/** A build directory holding manifest.json (and any other files given). */
function buildDir(files: Record<string, string> = {}, manifest: object | null = MANIFEST): string {
  const dir = tempDir('jetpack-builddir-');
  if (manifest) writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify(manifest));
  for (const [name, content] of Object.entries(files)) {
    sh(`mkdir -p "$(dirname "${path.join(dir, name)}")"`);
    writeFileSync(path.join(dir, name), content);
  }
  return dir;
}

function listAci(aci: string): string[] {
  return sh(`tar -tf "${aci}"`).trim().split('\n');
}

/** Whether a process with exactly this command line runs. */
function running(args: string): boolean {
  return sh('ps -eo args').split('\n').includes(args);
}

function mountsOf(root: string): string[] {
  return readFileSync('/proc/mounts', 'utf8')
    .split('\n')
    .filter((l) => l.includes(root));
}

for (const mode of ['overlay', 'copy'] as const) {
  const env = { JETPACK_NO_OVERLAY: mode === 'copy' ? '1' : '', SOURCE_DATE_EPOCH: '1700000000' };
  const root = path.join(work, `store-${mode}`);
  const base = importBusybox(root, work);
  const test = suite(`build (${mode})`);
  const build = (args: string[], opts: { cwd?: string; input?: string } = {}) => jetpack(root, ['build', ...args], { ...opts, env });
  const buildOk = (args: string[], opts: { cwd?: string; input?: string } = {}) => {
    const r = build(args, opts);
    if (r.status !== 0) throw new Error(`build ${args.join(' ')} failed: ${r.stderr}`);
    return r.stdout.trim();
  };
  const clean = () => {
    const state = storeState(root);
    assert.equal(state.tmp, [], 'no container left in tmp/');
    assert.equal(mountsOf(root), [], 'no mount left');
    const fsck = jetpack(root, ['fsck']);
    assert.is(fsck.status, 0, fsck.stdout);
    assert.match(fsck.stdout, /0 problem\(s\), 0 leftover\(s\) removed/);
  };

  test('config says which container path is in use', () => {
    assert.is(jetpack(root, ['config', 'overlay'], { env }).stdout.trim(), mode === 'overlay' ? 'yes' : 'no');
  });

  test('a trivial build saves only what changed, with the merged manifest', () => {
    const dir = buildDir();
    const idFile = path.join(dir, 'image.id');
    const id = buildOk([`-saveid=${idFile}`, base, '/bin/sh', '-c', 'echo hi > /hello'], { cwd: dir });
    assert.is(readFileSync(idFile, 'utf8'), `${id}\n`);
    const layered = path.join(work, `${mode}-layered.aci`);
    jetpackOk(root, ['export', id, layered]);
    assert.equal(listAci(layered), ['manifest', 'rootfs/', 'rootfs/hello']);
    assert.is(sh(`tar -xOf "${layered}" rootfs/hello`), 'hi\n');
    const m = parseJson<ImageManifest>(jetpackOk(root, ['image-manifest', id]));
    assert.is(m.acKind, 'ImageManifest');
    assert.is(m.acVersion, '0.8.11');
    assert.equal(m.labels, [
      { name: 'version', value: '1.0' },
      { name: 'os', value: 'linux' },
      { name: 'arch', value: 'amd64' },
    ]);
    assert.equal(m.annotations, [{ name: 'timestamp', value: '2023-11-14T22:13:20Z' }]);
    assert.is(m.dependencies?.length, 1);
    assert.is(m.dependencies?.[0].imageID, base);
    assert.is(m.dependencies?.[0].imageName, 'jetpack/busybox');
    assert.ok(m.dependencies?.[0].labels?.some((l) => l.name === 'version'));
    assert.is(m.pathWhitelist, undefined);
    const flat = path.join(work, `${mode}-flat.aci`);
    jetpackOk(root, ['export', '-flat', id, flat]);
    const files = listAci(flat);
    assert.ok(files.includes('rootfs/hello') && files.includes('rootfs/bin/busybox'));
    assert.not.ok(
      files.some((f) => f.includes('.jetpack.build.')),
      'the work dir is gone',
    );
    assert.not.ok(files.includes('rootfs/etc/resolv.conf'), 'the host resolv.conf did not stay');
    clean();
  });

  test('the command runs as root in /.jetpack.build. with the build dir contents, -cp files and stdin', () => {
    const dir = buildDir({ 'sub/data.txt': 'data\n', 'top.txt': 'top\n' });
    sh(`ln -s /etc/shadow "${dir}/outside-link"`);
    const extra = path.join(work, `${mode}-extra`);
    sh(`mkdir -p "${extra}" && echo one > "${extra}/one.conf" && echo two > "${extra}/two.conf" && echo single > "${extra}/single"`);
    const script = [
      'set -e',
      'pwd > /out.pwd',
      'id -u > /out.uid',
      'ls -A | sort > /out.ls',
      'readlink outside-link > /out.link',
      'cat sub/data.txt one.conf two.conf single > /out.data',
      'read line; echo "$line" > /out.stdin',
      'echo $$ > /out.pid',
      'hostname > /out.hostname',
      'cat /etc/resolv.conf > /out.resolv',
      'ls /dev | sort | tr "\\n" " " > /out.dev',
      '! touch /sys/x 2>/dev/null',
      'echo "$PATH|$HOME|$USER" > /out.env',
    ].join('\n');
    const id = buildOk(['-cp', `${extra}/*.conf`, `--cp=${extra}/single`, base, '/bin/sh', '-c', script], { cwd: dir, input: 'typed\n' });
    const flat = path.join(work, `${mode}-ctx.aci`);
    jetpackOk(root, ['export', '-flat', id, flat]);
    const read = (f: string) => sh(`tar -xOf "${flat}" rootfs/${f}`);
    assert.is(read('out.pwd'), '/.jetpack.build.\n');
    assert.is(read('out.uid'), '0\n');
    assert.is(read('out.ls'), 'manifest.json\none.conf\noutside-link\nsingle\nsub\ntop.txt\ntwo.conf\n');
    assert.is(read('out.link'), '/etc/shadow\n', 'symlinks are copied, not followed');
    assert.is(read('out.data'), 'data\none\ntwo\nsingle\n');
    assert.is(read('out.stdin'), 'typed\n');
    assert.is(read('out.pid'), '1\n', 'own PID namespace');
    assert.is(read('out.hostname'), 'jetpack\n', 'own UTS namespace');
    assert.is(read('out.resolv'), readFileSync('/etc/resolv.conf', 'utf8'), "the host's resolv.conf during the run");
    for (const d of ['null', 'zero', 'full', 'random', 'urandom', 'tty', 'pts', 'shm', 'ptmx']) assert.ok(read('out.dev').split(' ').includes(d), d);
    assert.is(read('out.env'), '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin|/root|root\n');
    clean();
  });

  test('the -dir flag, GNU-style flags and the image IMAGE build form', () => {
    const dir = buildDir({ 'f.txt': 'from dir\n' });
    const a = buildOk(['--dir', dir, base, '/bin/sh', '-c', 'cp -p f.txt /f.txt']);
    const b = jetpack(root, ['image', base, 'build', `-dir=${dir}`, '/bin/sh', '-c', 'cp -p f.txt /f.txt'], { env });
    assert.is(b.status, 0, b.stderr);
    assert.is(b.stdout.trim(), a, 'same build, same SOURCE_DATE_EPOCH: same image');
  });

  test('a parent that has /.jetpack.build. gets a work dir with a unique suffix', () => {
    const tree = path.join(work, `${mode}-with-workdir`);
    sh(`mkdir -p "${tree}/.jetpack.build."`);
    const withDir = jetpackOk(root, [
      'import',
      makeAciWithTar(work, tree, {
        acKind: 'ImageManifest',
        acVersion: '0.8.11',
        name: 'example.com/haswork',
        dependencies: [{ imageName: 'jetpack/busybox', imageID: base }],
      }),
    ]).trim();
    const dir = buildDir();
    const id = buildOk([withDir, '/bin/sh', '-c', 'pwd > /where'], { cwd: dir });
    const where = sh(`"${JETPACK}" -root="${root}" export -flat ${id} - 2>/dev/null | tar -xOf - rootfs/where`).trim();
    assert.match(where, /^\/\.jetpack\.build\.[0-9a-f-]{36}$/);
  });

  test('an explicit "" removes an inherited label; other dependencies follow the parent', () => {
    const dir = buildDir(
      {},
      {
        name: 'example.com/noarch',
        labels: [
          { name: 'arch', value: '' },
          { name: 'os', value: '' },
        ],
        dependencies: [{ imageName: 'jetpack/busybox' }],
      },
    );
    const id = buildOk([base, '/bin/true'], { cwd: dir });
    const m = parseJson<ImageManifest>(jetpackOk(root, ['image-manifest', id]));
    assert.is(m.labels, undefined);
    assert.equal(
      m.dependencies?.map((d) => d.imageName),
      ['jetpack/busybox', 'jetpack/busybox'],
    );
  });

  test('deletions become whiteouts in the layer and a pathWhitelist in the layered ACI', () => {
    const dir = buildDir();
    const id = buildOk([base, '/bin/sh', '-c', 'rm -rf /etc/hosts /usr/sbin && touch -d @1700000000 /etc /usr'], { cwd: dir });
    const m = parseJson<ImageManifest>(jetpackOk(root, ['image-manifest', id]));
    assert.ok(m.pathWhitelist?.includes('/etc/passwd'));
    assert.not.ok(m.pathWhitelist?.includes('/etc/hosts'));
    assert.not.ok(m.pathWhitelist?.some((p) => p.startsWith('/usr/sbin')));
    const flat = path.join(work, `${mode}-del.aci`);
    jetpackOk(root, ['export', '-flat', id, flat]);
    const files = listAci(flat);
    assert.not.ok(files.includes('rootfs/etc/hosts'));
    assert.not.ok(files.some((f) => f.startsWith('rootfs/usr/sbin')));
    assert.ok(files.includes('rootfs/etc/passwd'));
    // The layered ACI re-imported elsewhere renders the same tree.
    const layered = path.join(work, `${mode}-del-layered.aci`);
    jetpackOk(root, ['export', id, layered]);
    const other = path.join(work, `store-${mode}-reimport`);
    importBusybox(other, path.join(work, 'again'));
    assert.is(jetpackOk(other, ['import', layered]).trim(), id);
    const flat2 = path.join(work, `${mode}-del2.aci`);
    assert.is(jetpackOk(other, ['export', '-flat', id, flat2]).trim(), jetpackOk(root, ['export', '-flat', id, flat]).trim());
    removeDir(other);
  });

  test('a failing command saves nothing, removes the container and names step 4', () => {
    const before = storeState(root).images;
    const r = build([base, '/bin/sh', '-c', 'echo partial > /partial; exit 3'], { cwd: buildDir() });
    assert.is(r.status, 3, "jetpack exits with the command's status");
    assert.match(r.stderr, /^jetpack: build failed at step 4 \(run the build command\): \/bin\/sh exited with status 3\n$/);
    assert.equal(storeState(root).images, before);
    clean();
  });

  test('a missing or invalid manifest.json saves nothing and names step 5', () => {
    const before = storeState(root).images;
    const missing = build([base, '/bin/true'], { cwd: buildDir({}, null) });
    assert.is(missing.status, 1);
    assert.match(missing.stderr, /^jetpack: build failed at step 5 \(read manifest\.json\): the build left no manifest\.json in the work directory\n$/);
    const invalid = build([base, '/bin/sh', '-c', `echo '{"name":"Not Valid"}' > manifest.json`], { cwd: buildDir() });
    assert.match(invalid.stderr, /^jetpack: build failed at step 5 \(read manifest\.json\): invalid image manifest: name /);
    const json = build([base, '/bin/sh', '-c', 'echo "{" > manifest.json'], { cwd: buildDir() });
    assert.match(json.stderr, /step 5 .*not valid JSON/);
    assert.equal(storeState(root).images, before);
    clean();
  });

  test('an invalid manifest.json the work dir starts with fails before the command runs, naming the file and field', () => {
    const before = storeState(root).images;
    const cases: Array<[string, object | string, RegExp]> = [
      ['app.user', { name: 'example.com/x', app: { exec: ['/bin/sh'], group: '0' } }, /invalid image manifest: app\.user: required/],
      [
        'label',
        { name: 'example.com/x', labels: [{ name: 'Bad Label', value: '1' }] },
        /invalid image manifest: labels\[0\]\.name "Bad Label": not an AC Identifier/,
      ],
      ['os label', { name: 'example.com/x', labels: [{ name: 'os', value: 'plan9' }] }, /invalid image manifest: labels\[\d\]\.value "plan9": unknown os/],
      ['JSON', '{"name": ', /: not valid JSON: /],
      ['array', '[]', /: must hold a JSON object$/],
    ];
    for (const [what, manifest, expected] of cases) {
      const dir = buildDir();
      writeFileSync(path.join(dir, 'manifest.json'), typeof manifest === 'string' ? manifest : JSON.stringify(manifest));
      const r = build([base, '/bin/sh', '-c', 'echo COMMAND RAN'], { cwd: dir });
      assert.is(r.status, 1, what);
      assert.not.match(r.stdout + r.stderr, /COMMAND RAN/, `${what}: the command did not run`);
      assert.is(r.stderr.split('\n').length, 2, `${what}: one line: ${r.stderr}`);
      assert.ok(r.stderr.startsWith(`jetpack: build not started: ${path.join(dir, 'manifest.json')}: `), r.stderr);
      assert.match(r.stderr.trim(), expected, what);
    }
    // A -cp manifest.json is copied last, so it is the one checked.
    const cp = path.join(buildDir({}, null), 'manifest.json');
    writeFileSync(cp, JSON.stringify({ name: 'example.com/x', app: { group: '0' } }));
    const r = build([`-cp=${cp}`, base, '/bin/sh', '-c', 'echo COMMAND RAN'], { cwd: buildDir() });
    assert.match(r.stderr, new RegExp(`^jetpack: build not started: ${cp}: invalid image manifest: app\\.user: required\n$`));
    assert.not.match(r.stdout, /COMMAND RAN/);
    // The parent's defaults count: an arch label is fine when the parent gives the os.
    buildOk([base, '/bin/true'], { cwd: buildDir({}, { name: 'example.com/arch-only', labels: [{ name: 'arch', value: 'amd64' }] }) });
    assert.equal(storeState(root).images.length, before.length + 1);
    clean();
  });

  test('a missing command and an unknown parent are clear errors', () => {
    const r = build([base, '/no/such/command'], { cwd: buildDir() });
    assert.is(r.status, 127);
    assert.match(r.stderr, /step 4/);
    const p = build(['example.com/nothing', '/bin/true'], { cwd: buildDir() });
    assert.is(p.stderr, 'jetpack: no image example.com/nothing in the store, and fetching is off (-no-fetch or JETPACK_NO_FETCH)\n');
    clean();
  });

  test('Ctrl-C (SIGINT) stops the build and leaves nothing', async () => {
    const before = storeState(root).images;
    const child = spawn(JETPACK, [`-root=${root}`, 'build', base, '/bin/sh', '-c', 'touch /started; sleep 3011'], {
      cwd: buildDir(),
      env: { ...process.env, ...env },
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    await until('the build command to start', () => running('sleep 3011'), 60_000);
    child.kill('SIGINT');
    const code = await new Promise((r) => child.on('close', r));
    assert.is.not(code, 0);
    assert.match(stderr, /build failed at step 4/);
    assert.equal(storeState(root).images, before);
    assert.not.ok(running('sleep 3011'), 'the container died');
    clean();
  });

  test('a disk that fills up while the image is saved fails step 7 and leaves nothing, even with -keep', () => {
    const mnt = path.join(work, `${mode}-tiny`);
    sh(`mkdir -p "${mnt}" && mount -t tmpfs -o size=14m tmpfs "${mnt}"`);
    try {
      const tiny = path.join(mnt, 'store');
      const parent = importBusybox(tiny, path.join(work, `${mode}-tiny-scratch`));
      const before = storeState(tiny);
      // /big fills the disk; /many makes the list of members tar reads far longer than a
      // pipe holds, so tar dies with most of it unread.
      const fill = 'head -c 5600000 /dev/urandom > /big && mkdir /many && cd /many && i=0 && while [ $i -lt 20000 ]; do : > f$i; i=$((i+1)); done';
      const r = jetpack(tiny, ['build', '-keep', parent, '/bin/sh', '-c', fill], { cwd: buildDir(), env });
      assert.is(r.status, 1, r.stderr);
      assert.match(r.stderr, /\njetpack: build failed at step 7 \(save the image\): [^\n]*no space left on device[^\n]*\n$/i);
      if (mode === 'overlay') {
        // The disk filled while the ACI was written: the container was already taken apart.
        assert.match(r.stderr, /^jetpack: -keep: nothing kept, the container was already taken apart to save the image\n/);
      } else {
        // The disk filled while the changes were collected: the container is whole, but the
        // full disk has no room for the files that keeping it needs.
        assert.match(r.stderr, /^jetpack: -keep: nothing kept: [^\n]*no space left on device[^\n]*\n/i);
      }
      assert.not.ok(existsSync(path.join(tiny, 'containers')), 'no kept container, no containers/');
      assert.equal(storeState(tiny), before);
      assert.equal(mountsOf(tiny), []);
      assert.is(jetpack(tiny, ['fsck']).status, 0);
    } finally {
      sh(`umount "${mnt}"`);
    }
  });

  test('SIGKILL of jetpack kills the container; the next build reaps what it left', async () => {
    const before = storeState(root).images;
    const child = spawn(JETPACK, [`-root=${root}`, 'build', base, '/bin/sleep', '3021'], { cwd: buildDir(), env: { ...process.env, ...env }, stdio: 'ignore' });
    await new Promise((r) => setTimeout(r, 1500));
    child.kill('SIGKILL');
    await new Promise((r) => child.on('close', r));
    await new Promise((r) => setTimeout(r, 300));
    assert.not.ok(running('sleep 3021'), 'the container died with jetpack');
    assert.equal(mountsOf(root), []);
    assert.equal(storeState(root).images, before);
    assert.is(storeState(root).tmp.length, 1, 'its directory is left until someone reaps it');
    buildOk([base, '/bin/true'], { cwd: buildDir() });
    clean();
  });

  test('what a command writes in /dev stays in its container; the devices work', () => {
    const script =
      'echo x > /dev/scratch && mkdir /dev/shm/d && echo gone > /dev/null && head -c 4 /dev/zero | od -An -tx1 | tr -d " \\n" > /out.zero && test -c /dev/urandom';
    const id = buildOk([base, '/bin/sh', '-c', script], { cwd: buildDir() });
    const layered = path.join(work, `${mode}-dev.aci`);
    jetpackOk(root, ['export', id, layered]);
    assert.equal(
      listAci(layered).filter((e) => e.startsWith('rootfs/dev')),
      [],
      'nothing of /dev reaches the layer',
    );
    assert.is(sh(`tar -xOf "${layered}" rootfs/out.zero`), '00000000');
    const after = jetpack(root, ['run', base, '/bin/sh', '-c', 'test ! -e /dev/scratch && test ! -e /dev/shm/d'], { env });
    assert.is(after.status, 0, 'the next container starts from the template');
    // The copy path is for hosts without overlayfs: its containers mount none, /dev included.
    const overlays = jetpack(root, ['run', base, '/bin/sh', '-c', 'grep -c "^overlay " /proc/mounts || true'], { env }).stdout.trim();
    assert.is(overlays, mode === 'copy' ? '0' : '2', 'overlay mounts in the container (root and /dev)');
    assert.is(sh(`ls -A "${root}/tools/dev-1" | sort | tr "\\n" " "`), 'fd full null ptmx pts random shm stderr stdin stdout tty urandom zero ');
    clean();
  });

  test('a stack of 30 layers builds and renders (overlay options stay within a page)', () => {
    let parent = base;
    const dir = buildDir({}, { name: 'example.com/deep' });
    for (let i = 1; i <= 30; i++) parent = buildOk([parent, '/bin/sh', '-c', `echo ${i} > /layer-${i}`], { cwd: dir });
    const r = jetpack(root, ['run', parent, '/bin/sh', '-c', 'cat /layer-*'], { env });
    assert.is(r.status, 0, r.stderr);
    assert.equal(
      r.stdout
        .trim()
        .split('\n')
        .map(Number)
        .sort((a, b) => a - b),
      Array.from({ length: 30 }, (_, i) => i + 1),
    );
    const flat = path.join(work, `${mode}-deep.aci`);
    jetpackOk(root, ['export', '-flat', parent, flat]);
    assert.is(listAci(flat).filter((e) => /^rootfs\/layer-\d+$/.test(e)).length, 30);
    clean();
  });

  test('-keep keeps a failed container with a script that enters it', () => {
    const r = build(['-keep', base, '/bin/sh', '-c', 'echo kept > /marker; exit 1'], { cwd: buildDir() });
    assert.is(r.status, 1);
    const enter = /enter it with (\S+);/.exec(r.stderr)?.[1];
    assert.ok(enter && existsSync(enter), r.stderr);
    assert.is(sh(`echo 'cat /marker; ls -d /.jetpack.build.' | "${enter}"`), 'kept\n/.jetpack.build.\n');
    sh(`rm -rf "${path.dirname(enter)}"`);
    clean();
  });

  test('jetpack run: a throwaway container, its exit status, -net=none', () => {
    const r = jetpack(root, ['run', base, '/bin/sh', '-c', 'echo x > /scratch; cat /etc/os-release | head -1; exit 7'], { env });
    assert.is(r.status, 7);
    assert.match(r.stdout, /^NAME="BusyBox"/);
    const after = jetpack(root, ['run', base, '/bin/sh', '-c', 'test ! -e /scratch'], { env });
    assert.is(after.status, 0, 'changes were discarded');
    const net = jetpack(root, ['run', '-net=none', base, '/bin/sh', '-c', 'tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d " "'], { env });
    assert.is(net.stdout, 'lo\n');
    const shell = jetpack(root, ['run', base], { env, input: 'echo $$\n' });
    assert.is(shell.stdout, '1\n', 'the default is an interactive /bin/sh');
    clean();
  });

  test('two builds at once both succeed, and images answers during a build', async () => {
    const dirA = buildDir({}, { name: 'example.com/a' });
    const dirB = buildDir({}, { name: 'example.com/b' });
    let finished = 0;
    const run = (dir: string) =>
      new Promise<number>((resolve) => {
        const c = spawn(JETPACK, [`-root=${root}`, 'build', base, '/bin/sh', '-c', 'sleep 8; echo $RANDOM > /r'], {
          cwd: dir,
          env: { ...process.env, ...env },
          stdio: 'ignore',
        });
        c.on('close', (code) => {
          finished++;
          resolve(code ?? -1);
        });
      });
    const both = Promise.all([run(dirA), run(dirB)]);
    await new Promise((r) => setTimeout(r, 1000));
    const listing = await jetpackAsync(root, ['images', '-q']);
    assert.is(listing.status, 0);
    assert.is(finished, 0, 'images answered while both builds were still running');
    assert.equal(await both, [0, 0]);
    assert.match(jetpackOk(root, ['images']), /example\.com\/a/);
    assert.match(jetpackOk(root, ['images']), /example\.com\/b/);
    clean();
  });

  test.run();
}

process.on('exit', () => removeDir(work));
