import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { JETPACK, copyImageDir, jetpack, jetpackOk, removeDir, sh, tempDir } from '../helpers/cli.js';
import { importBusybox } from '../helpers/busybox.js';
import { assertStepReported } from '../helpers/progress.js';
import { parseJson } from '../helpers/json.js';

// Portable service images checked by jetpack and by systemd's own tools: systemd-dissect,
// portablectl inspect against a systemd-portabled the test starts (with its own dbus-daemon,
// in a mount and PID namespace), and the image's service run by systemd-nspawn.
const work = tempDir();
const root = path.join(work, 'store');
importBusybox(root, work);
const dir = path.join(work, 'example.portable');
copyImageDir('example.portable', dir);
const makePortable = spawnSync('make', ['-C', dir, `JETPACK=${JETPACK} -root=${root}`, 'portable'], {
  encoding: 'utf8',
  env: { ...process.env, SOURCE_DATE_EPOCH: '1700000000' },
});
const raw = path.join(dir, 'example-portable_1.raw');

const PORTABLED = `mount -t tmpfs tmpfs /run
mkdir -p /run/systemd/system /run/dbus
dbus-daemon --system --nopidfile --nofork 2>/dev/null &
for i in $(seq 100); do [ -S /run/dbus/system_bus_socket ] && break; sleep 0.05; done
/lib/systemd/systemd-portabled &
for i in $(seq 100); do busctl --system status org.freedesktop.portable1 >/dev/null 2>&1 && break; sleep 0.05; done
"$@"`;

/** Runs a command beside a systemd-portabled of the test's own (its namespaces die with the command). */
function withPortabled(args: string[]) {
  return spawnSync('unshare', ['-m', '-p', '-f', '--mount-proc', '--propagation', 'private', 'sh', '-c', PORTABLED, 'sh', ...args], {
    encoding: 'utf8',
    timeout: 60_000,
  });
}
const inspect = (image: string) => withPortabled(['portablectl', 'inspect', image]);
const check = (target: string, extra: string[] = []) => jetpack(root, ['portable', 'check', ...extra, target]);

test('make portable writes example-portable_1.raw; jetpack, systemd-dissect and portablectl inspect accept it', () => {
  assert.is(makePortable.status, 0, makePortable.stderr);
  const ok = check(raw);
  assert.is(ok.status, 0, ok.stdout + ok.stderr);
  assert.match(ok.stdout, /OS: jetpack example portable service 1\n {2}Prefixes: example-portable\n {2}Unit files:\n {4}example-portable.service\n/);
  const dissect = sh(`systemd-dissect "${raw}"`);
  assert.match(dissect, /✓ portable service/);
  assert.match(dissect, /squashfs/);
  for (const [file, want] of [
    ['/usr/lib/systemd/system/example-portable.service', /ExecStart=\/bin\/busybox httpd/],
    ['/usr/lib/os-release', /PORTABLE_PREFIXES=example-portable/],
    ['/srv/www/index.html', /Hello from a portable service image/],
    ['/etc/machine-id', /^$/],
    ['/etc/resolv.conf', /^$/],
  ] as const) {
    const out = path.join(work, path.basename(file));
    sh(`systemd-dissect --copy-from "${raw}" ${file} "${out}"`);
    assert.match(readFileSync(out, 'utf8'), want, file);
  }
  const inspected = inspect(raw);
  assert.is(inspected.status, 0, inspected.stderr);
  assert.match(
    inspected.stdout,
    /Portable Service:\n\texample-portable \(busybox httpd\)\nOperating System:\n\tjetpack example portable service 1\nUnit files:\n\texample-portable.service/,
  );
});

test("the store image lacks only /etc/resolv.conf (the build binds the host's), which the export adds to the output", () => {
  const r = check('example/portable', ['-json']);
  assert.is(r.status, 1);
  const report = JSON.parse(r.stdout) as { ok: boolean; failures: Array<{ rule: string; path: string }>; prefixes: string[] };
  assert.equal(
    report.failures.map((f) => `${f.rule} ${f.path}`),
    ['resolv.conf /etc/resolv.conf'],
  );
  assert.equal(report.prefixes, ['example-portable'], 'the store image takes its prefixes from PORTABLE_PREFIXES');
  assert.not.ok(sh(`"${JETPACK}" -root="${root}" export -flat example/portable - | tar -t`).includes('rootfs/etc/resolv.conf'), 'never added in the store');
});

test('a service of the image runs, as its unit says, from the .raw (systemd-nspawn over the mounted image) and answers on loopback', () => {
  const exec = /ExecStart=(.*)/.exec(withPortabled(['portablectl', 'inspect', '--cat', raw]).stdout)?.[1]?.trim();
  assert.ok(exec, 'portablectl inspect --cat shows the unit');
  const mnt = path.join(work, 'mnt');
  mkdirSync(mnt);
  const script = `mount -t squashfs -o loop,ro "$1" "$2" && shift 2 && { systemd-nspawn --quiet --register=no --keep-unit -D "${mnt}" "$@" & pid=$!; }
    for i in $(seq 100); do curl -sf http://127.0.0.1:8080/ && break; sleep 0.1; done; kill $pid; wait $pid 2>/dev/null; true`;
  const r = spawnSync('unshare', ['-m', '--propagation', 'private', 'sh', '-c', script, 'sh', raw, mnt, ...exec.split(/\s+/)], {
    encoding: 'utf8',
    timeout: 60_000,
  });
  assert.match(r.stdout, /<h1>Hello from a portable service image<\/h1>/, r.stderr);
  assert.is(spawnSync('pgrep', ['-f', 'httpd -f -v -p 127.0.0.1:8080']).status, 1, 'no httpd left');
});

test('portablectl attach --runtime --no-reload copies the unit with its drop-in, where portabled can reach systemd', () => {
  const r = withPortabled([
    'sh',
    '-c',
    `portablectl attach --runtime --no-reload "${raw}" && cat /run/systemd/system.attached/example-portable.service.d/20-portable.conf`,
  ]);
  if (r.status !== 0 && /org\.freedesktop\.systemd1|Launch helper exited/.test(r.stderr + r.stdout)) {
    // Attaching asks systemd (org.freedesktop.systemd1 on the bus) about the units; there is no
    // systemd running as PID 1 on this machine to answer (docs/PORTABLE.md).
    console.log(`  portablectl attach cannot run here: systemd-portabled needs systemd as PID 1 (${r.stderr.trim().split('\n').at(-1)})`);
    return;
  }
  assert.is(r.status, 0, r.stderr);
  assert.match(r.stdout, /^# Drop-in created for image 'example-portable_1', do not edit\./m);
  assert.match(r.stdout, /RootImage=/);
});

test('-fs=erofs, a directory image, and the same bytes twice under SOURCE_DATE_EPOCH', () => {
  const env = { SOURCE_DATE_EPOCH: '1700000000' };
  for (const fs of ['squashfs', 'erofs']) {
    const [a, b] = [path.join(work, `a-${fs}`), path.join(work, `b-${fs}`)];
    mkdirSync(a);
    mkdirSync(b);
    for (const d of [a, b]) {
      const out = path.join(d, 'example-portable_1.raw');
      const made = jetpack(root, ['export', '-format=portable', `-fs=${fs}`, 'example/portable', out], { env });
      assert.is(made.status, 0, made.stderr);
      // In CI: each long step has a start and a done line (erofs copies the tree first).
      assertStepReported(made.stderr, `writing ${out} (${fs})`);
      if (fs === 'erofs') assertStepReported(made.stderr, 'copying example/portable');
    }
    assert.is(sh(`sha256sum < "${a}/example-portable_1.raw"`), sh(`sha256sum < "${b}/example-portable_1.raw"`), fs);
    const r = check(path.join(a, 'example-portable_1.raw'));
    assert.is(r.status, 0, r.stdout);
    assert.match(sh(`systemd-dissect "${a}/example-portable_1.raw"`), new RegExp(`✓ portable service[\\s\\S]*${fs}`), fs);
  }
  const tree = path.join(work, 'example-portable_2');
  const copied = jetpack(root, ['export', '-format=portable', '-json', 'example/portable', tree]);
  assert.is(copied.status, 0, copied.stderr);
  assertStepReported(copied.stderr, 'copying example/portable');
  const json = parseJson<object>(copied.stdout);
  assert.equal(json, { format: 'portable', output: tree, units: ['example-portable.service'] });
  assert.ok(existsSync(path.join(tree, 'etc/resolv.conf')));
  assert.is(check(tree).status, 0);
  assert.is(inspect(tree).status, 0);
});

// ---- the rules, one by one, and a corpus both judges see ----------------------------------

const treeOfRaw = path.join(work, 'unpacked');
sh(`unsquashfs -q -n -d "${treeOfRaw}" "${raw}" || true`);

/** A copy of the example image's tree at DIR/NAME, changed by `change`. */
function variant(name: string, change: (tree: string) => void = () => {}): string {
  const at = path.join(work, 'corpus', String(Math.random()).slice(2), name);
  sh(`mkdir -p "${path.dirname(at)}" && cp -a "${treeOfRaw}" "${at}"`);
  change(at);
  return at;
}
const UNIT = 'usr/lib/systemd/system';
const moveUnit = (to: string) => (t: string) => sh(`mv "${t}/${UNIT}/example-portable.service" "${t}/${to}"`);

test('jetpack portable check and portablectl inspect agree on a corpus of 14 images', () => {
  const corpus: Array<[string, string, boolean]> = [
    ['as exported', variant('example-portable'), true],
    ['prefix-worker.service', variant('example-portable', moveUnit(`${UNIT}/example-portable-worker.service`)), true],
    ['prefix@.service', variant('example-portable', moveUnit(`${UNIT}/example-portable@.service`)), true],
    [
      'prefix.socket besides',
      variant('example-portable', (t) => writeFileSync(path.join(t, UNIT, 'example-portable.socket'), '[Socket]\nListenStream=127.0.0.1:8080\n')),
      true,
    ],
    [
      'unit in /etc/systemd/system',
      variant('example-portable', (t) => sh(`mkdir -p "${t}/etc/systemd/system" && mv "${t}/${UNIT}/example-portable.service" "${t}/etc/systemd/system/"`)),
      true,
    ],
    ['a version in the name', variant('example-portable_1.2'), true],
    ['os-release in /etc only', variant('example-portable', (t) => sh(`rm "${t}/etc/os-release" && mv "${t}/usr/lib/os-release" "${t}/etc/os-release"`)), true],
    ['no os-release', variant('example-portable', (t) => sh(`rm "${t}/etc/os-release" "${t}/usr/lib/os-release"`)), false],
    ['no unit file', variant('example-portable', (t) => rmSync(path.join(t, UNIT, 'example-portable.service'))), false],
    ['an empty unit file', variant('example-portable', (t) => writeFileSync(path.join(t, UNIT, 'example-portable.service'), '')), false],
    ['another name', variant('example-portable', moveUnit(`${UNIT}/other.service`)), false],
    ['prefix run on (example-portablex)', variant('example-portable', moveUnit(`${UNIT}/example-portablex.service`)), false],
    ['a suffix portabled does not copy', variant('example-portable', moveUnit(`${UNIT}/example-portable.conf`)), false],
    ['units for another prefix', variant('other-name'), false],
  ];
  for (const [what, image, good] of corpus) {
    const ours = check(image);
    const theirs = inspect(image);
    assert.is(theirs.status === 0, good, `portablectl inspect, ${what}: ${theirs.stderr}`);
    assert.is(ours.status === 0, good, `jetpack portable check, ${what}: ${ours.stdout}`);
  }
});

test('executables: dependencies resolved inside the image, static binaries pass, another architecture and a missing loader fail', () => {
  const withEnv = (t: string) => {
    copyFileSync('/usr/bin/env', path.join(t, 'bin/dyn-env'));
    writeFileSync(path.join(t, UNIT, 'example-portable.service'), '[Service]\nExecStart=/bin/dyn-env true\n');
  };
  const missing = check(variant('example-portable', withEnv), ['-json']);
  const failures = (JSON.parse(missing.stdout) as { failures: Array<{ rule: string; message: string }> }).failures;
  assert.ok(
    failures.some((f) => f.rule === 'loader' && /ELF interpreter/.test(f.message)),
    missing.stdout,
  );
  assert.ok(
    failures.some((f) => f.rule === 'executable' && /needs libc\.so\.6/.test(f.message)),
    missing.stdout,
  );
  const complete = variant('example-portable', (t) => {
    withEnv(t);
    for (const lib of sh(`ldd /usr/bin/env | grep -o '/[^ ]*'`).trim().split('\n')) sh(`mkdir -p "${t}$(dirname ${lib})" && cp -L ${lib} "${t}${lib}"`);
  });
  assert.is(check(complete).status, 0, check(complete).stdout);
  const foreign = check(
    variant('example-portable', (t) => {
      const busybox = readFileSync(path.join(t, 'bin/busybox'));
      busybox.writeUInt16LE(busybox.readUInt16LE(18) === 62 ? 183 : 62, 18);
      writeFileSync(path.join(t, 'bin/busybox'), busybox);
      chmodSync(path.join(t, 'bin/busybox'), 0o755);
    }),
  );
  assert.is(foreign.status, 1);
  assert.match(foreign.stdout, /\/bin\/busybox: built for another architecture/);
  const noExec = check(variant('example-portable', (t) => chmodSync(path.join(t, 'bin/busybox'), 0o644)));
  assert.match(noExec.stdout, /\/bin\/busybox: not executable/);
});

test('files, mount points, merged /usr, format: each failure names the path and the fix', () => {
  const broken = variant('example-portable', (t) => {
    sh(
      `rm -rf "${t}/etc/machine-id" "${t}/var/tmp" "${t}/proc" && mkdir -p "${t}/usr/bin" && rm -rf "${t}/lib" && mkdir "${t}/lib" && mv "${t}/bin" "${t}/usr/bin-old" && ln -s usr/bin-old "${t}/bin"`,
    );
  });
  const r = check(broken);
  assert.is(r.status, 1);
  for (const want of [
    /^\/etc\/machine-id: missing .*\[machine-id\]\n {4}fix: create an empty \/etc\/machine-id$/m,
    /^\/var\/tmp: missing mount point \[mount-points\]$/m,
    /^\/proc: missing mount point/m,
    /^\/lib: a merged-\/usr image .*\[merged-usr\]\n {4}fix: ln -s usr\/lib \/lib$/m,
  ]) {
    assert.match(r.stdout, want);
  }
  assert.match(r.stderr, /^jetpack: .* fails 4 portable service rules\n$/);
  const notRaw = path.join(work, 'image.img');
  copyFileSync(raw, notRaw);
  assert.match(check(notRaw).stdout, /must be named NAME.raw \[format\]/);
  const junk = path.join(work, 'junk_1.raw');
  writeFileSync(junk, Buffer.alloc(4096));
  const junkCheck = check(junk);
  assert.match(junkCheck.stdout, /neither squashfs nor erofs \(the raw images jetpack reads\) \[format\]/, junkCheck.stdout + junkCheck.stderr);
});

test('PORTABLE_PREFIXES: an image named for a prefix its os-release does not declare fails (attach refuses it)', () => {
  const other = variant('other_1', moveUnit(`${UNIT}/other.service`));
  const r = check(other);
  assert.is(r.status, 1);
  assert.match(r.stdout, /PORTABLE_PREFIXES=example-portable does not declare other \(attach refuses it\) \[prefixes\]/);
  assert.match(
    jetpack(root, ['portable', 'check', other, 'example-portable']).stdout,
    /no non-empty unit file matching example-portable/,
    'PREFIX arguments replace the name',
  );
});

test('extensions: extension-release.NAME matched against the base', () => {
  const ext = (fields: string) =>
    variant('example-portable-ext', (t) => {
      sh(
        `rm -f "${t}/etc/os-release" "${t}/usr/lib/os-release" && mkdir -p "${t}/usr/lib/extension-release.d" && mv "${t}/${UNIT}/example-portable.service" "${t}/${UNIT}/example-portable-ext.service"`,
      );
      writeFileSync(path.join(t, 'usr/lib/extension-release.d/extension-release.example-portable-ext'), fields);
    });
  const base = path.join(treeOfRaw);
  assert.is(check(ext('ID=jetpack-example\nVERSION_ID=1\n'), ['-extension', `-base=${base}`]).status, 0);
  assert.is(check(ext('ID=_any\n'), ['-extension', `-base=${base}`]).status, 0);
  assert.match(check(ext('ID=debian\nVERSION_ID=1\n'), ['-extension', `-base=${base}`]).stdout, /ID=debian is not the base's ID=jetpack-example/);
  assert.match(check(ext('ID=jetpack-example\nVERSION_ID=2\n'), ['-extension', `-base=${base}`]).stdout, /VERSION_ID=2 is not the base's VERSION_ID=1/);
  assert.match(check(ext('ID=jetpack-example\nSYSEXT_SCOPE=system\n'), ['-extension']).stdout, /SYSEXT_SCOPE=system leaves out portable/);
  assert.match(check(ext('ID=jetpack-example\nARCHITECTURE=s390x\n'), ['-extension']).stdout, /ARCHITECTURE=s390x is not the host's/);
  assert.match(check(variant('example-portable-ext'), ['-extension']).stdout, /extension-release.example-portable-ext: missing/);
});

test('export refuses an image that fails a rule it cannot mend; nothing is written', () => {
  const bare = path.join(work, 'bare');
  mkdirSync(bare);
  writeFileSync(path.join(bare, 'manifest.json'), JSON.stringify({ name: 'example/not-portable' }));
  jetpackOk(root, ['build', `-dir=${bare}`, 'jetpack/busybox', '/bin/true']);
  const out = path.join(work, 'not-portable_1.raw');
  const r = jetpack(root, ['export', '-format=portable', 'example/not-portable', out]);
  assert.is(r.status, 1);
  assert.match(r.stderr, /^jetpack: example\/not-portable is not a portable service image: .*no non-empty unit file matching not-portable/);
  assert.not.ok(existsSync(out));
  assert.equal(sh(`ls -A "${work}" | grep -c '^\\.not-portable' || true`).trim(), '0');
  assert.match(jetpack(root, ['export', '-format=portable', '-fs=ext4', 'example/portable', out]).stderr, /-fs takes squashfs or erofs/);
  // A dangling /etc/machine-id link to a host file: the export must not write through it.
  const hostFile = path.join(work, 'host-machine-id');
  writeFileSync(hostFile, 'keep me\n');
  const linked = path.join(work, 'linked');
  mkdirSync(linked);
  writeFileSync(path.join(linked, 'manifest.json'), JSON.stringify({ name: 'example/linked-machine-id' }));
  jetpackOk(root, ['build', `-dir=${linked}`, 'example/portable', '/bin/sh', '-c', `rm /etc/machine-id && ln -s ${hostFile} /etc/machine-id`]);
  for (const fs of ['squashfs', 'erofs']) {
    const refused = jetpack(root, ['export', '-format=portable', `-fs=${fs}`, 'example/linked-machine-id', path.join(work, 'example-portable_9.raw')]);
    assert.is(refused.status, 1, fs);
    assert.match(refused.stderr, /\/etc\/machine-id is a link to something the image does not hold/);
  }
  const dirOut = jetpack(root, ['export', '-format=portable', 'example/linked-machine-id', path.join(work, 'example-portable_9')]);
  assert.is(dirOut.status, 1);
  assert.is(readFileSync(hostFile, 'utf8'), 'keep me\n');
  const file = path.join(work, 'example-portable_3');
  writeFileSync(file, 'x');
  assert.match(jetpack(root, ['export', '-format=portable', 'example/portable', file]).stderr, /is not an empty directory/);
  assert.is(readFileSync(file, 'utf8'), 'x');
});

test.after(() => removeDir(work));
test.run();
