import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { JETPACK, REPO, jetpack, removeDir, sh, tempDir } from '../helpers/cli.js';
import { parseJson } from '../helpers/json.js';

const work = tempDir();
const root = path.join(work, 'store');
const COMMANDS = ['import', 'makeaci', 'images', 'show-image', 'image-manifest', 'export', 'destroy-image', 'fsck', 'config', 'version'];

test('help lists every command; help COMMAND and COMMAND --help show its usage and flags', () => {
  const r = jetpack(root, ['help']);
  assert.is(r.status, 0);
  for (const c of COMMANDS) assert.match(r.stdout, new RegExp(`^  ${c} `, 'm'));
  for (const c of COMMANDS) {
    const viaHelp = jetpack(root, ['help', c]);
    assert.is(viaHelp.status, 0, c);
    assert.match(viaHelp.stdout, new RegExp(`^usage: jetpack ${c}`), c);
    assert.is(jetpack(root, [c, '--help']).stdout, viaHelp.stdout, c);
    assert.is(jetpack(root, [c, '-h']).stdout, viaHelp.stdout, c);
  }
  assert.match(jetpack(root, ['help', 'export']).stdout, /-compress=none\|gzip\|bzip2\|xz\|zstd/);
});

test('no command prints help and exits 2; unknown commands and flags are one-line errors', () => {
  const none = jetpack(root, []);
  assert.is(none.status, 2);
  assert.match(none.stdout, /^usage: jetpack/);
  const unknown = jetpack(root, ['frobnicate']);
  assert.is(unknown.status, 2);
  assert.is(unknown.stderr, 'jetpack: unknown command "frobnicate" (see jetpack help)\n');
  const flag = jetpack(root, ['images', '-bogus']);
  assert.is(flag.status, 1);
  assert.is(flag.stderr, 'jetpack: unknown flag -bogus for jetpack images (see jetpack help images)\n');
  const usage = jetpack(root, ['export']);
  assert.is(usage.status, 2);
  assert.is(usage.stderr, 'jetpack: usage: jetpack export IMAGE [FILE|-|DIR|REPO]\n');
});

test('version prints the package version', () => {
  const { version } = parseJson<{ version: string }>(sh(`cat "${REPO}/package.json"`));
  assert.is(jetpack(root, ['version']).stdout, `jetpack ${version}\n`);
});

test('--version prints the version; version -json one line of JSON with the version, node and the store', () => {
  const { version } = parseJson<{ version: string }>(sh(`cat "${REPO}/package.json"`));
  const flag = jetpack(root, ['--version']);
  assert.is(flag.status, 0);
  assert.is(flag.stdout, `jetpack ${version}\n`);
  assert.is(sh(`"${JETPACK}" -version`), `jetpack ${version}\n`);
  const json = jetpack(root, ['version', '-json']);
  assert.is(json.status, 0, json.stderr);
  assert.match(json.stdout, /^\{[^\n]*\}\n$/, 'one line');
  const about = JSON.parse(json.stdout) as Record<string, string>;
  assert.is(about.version, version);
  assert.match(about.node, /^\d+\.\d+\.\d+/);
  assert.is(about.root, root);
});

test('every hint names a help that exists: top-level flags, commands, subcommands', () => {
  const top = jetpack(root, ['-bogus']);
  assert.is(top.status, 1);
  assert.is(top.stderr, 'jetpack: unknown flag -bogus for jetpack (see jetpack help)\n');
  for (const args of [
    ['-bogus'],
    ['frobnicate'],
    ['images', '-bogus'],
    ['runtime'],
    ['runtime', 'bogus'],
    ['runtime', 'list', '-bogus'],
    ['metro', 'run', '-bogus'],
    ['help', 'nope'],
  ]) {
    const r = jetpack(root, args);
    assert.is.not(r.status, 0, args.join(' '));
    const hint = /\(see jetpack (help[^)]*)\)\n$/.exec(r.stderr);
    assert.ok(hint, `${args.join(' ')}: ${r.stderr}`);
    const help = jetpack(root, hint[1].split(' '));
    assert.is(help.status, 0, `jetpack ${hint[1]}: ${help.stderr}`);
    assert.match(help.stdout, /^usage: /, hint[1]);
  }
});

test('-root and -debug work after the command as before it', () => {
  const other = path.join(work, 'after-store');
  assert.is(sh(`"${JETPACK}" images -root="${other}" -q && "${JETPACK}" images --root "${other}" -json`), '[]\n');
  assert.ok(statSync(path.join(other, 'images')).isDirectory(), 'the store named after the command');
  // The later -root wins (jetpack() puts its own first).
  assert.is(jetpack(root, ['config', 'path.root', `-root=${other}`]).stdout, `${other}\n`);
  assert.match(jetpack(root, ['runtime', 'list', `-root=${other}`, '-bogus']).stderr, /unknown flag -bogus for jetpack runtime list/);
  // runtime run reads flags after REF too, up to the command (the deployment is not looked at for help).
  const runHelp = jetpack(root, ['help', 'runtime', 'run']).stdout;
  assert.match(runHelp, /^usage: jetpack runtime run \[FLAGS\] REF \[\[--\] COMMAND \[ARGS\.\.\.\]\]\n/);
  assert.is(jetpack(root, ['runtime', 'run', 'com.example.x/x86_64/1', `-root=${other}`, '--help']).stdout, runHelp);
  const debug = jetpack(root, ['export', '-debug', 'no-such-image']);
  assert.is(debug.status, 1);
  assert.match(debug.stderr, /\(\S+\/src\/store\/lookup\.ts:\d+:\d+\)/);
  // trust's root keys are -root-key: -root after trust is the store, as for every command.
  assert.match(jetpack(root, ['help', 'trust']).stdout, /^ {2}-root-key +trust the key for every name/m);
  assert.is(jetpack(root, ['trust', `-root=${other}`, '-json']).stdout, '[]\n');
});

test('help says "(repeatable)" once, for every flag that can be given again', () => {
  const doc = readFileSync(path.join(REPO, 'docs', 'CLI.md'), 'utf8');
  for (const line of doc.split('\n')) assert.ok((line.match(/repeatable/g) ?? []).length <= 1, line);
  const run = jetpack(root, ['help', 'run']).stdout;
  assert.match(run, /-env=NAME=VALUE +set an environment variable \(repeatable; overrides app\.environment\)\n/);
  assert.match(jetpack(root, ['help', 'build']).stdout, /-cp=PATH +.* \(repeatable\)\n/);
});

test('NODE_EXTRA_CA_CERTS reaches Node only when an http(s) location is given', () => {
  // Node warns at start-up when the file cannot be read: the warning shows the variable arrived.
  const env = { NODE_EXTRA_CA_CERTS: path.join(work, 'no-such-ca.pem') };
  const version = jetpack(root, ['version'], { env });
  assert.is(version.status, 0);
  assert.is(version.stderr, '');
  // An http URL may redirect to https; the scheme's case does not matter.
  for (const url of ['https://127.0.0.1:9/image.aci', 'http://127.0.0.1:9/image.aci', 'HTTPS://127.0.0.1:9/image.aci']) {
    const r = jetpack(root, ['import', url], { env });
    assert.is(r.status, 1, url);
    assert.match(r.stderr, /Ignoring extra certs from/, url);
    assert.match(r.stderr, `jetpack: cannot download ${url}`);
  }
});

test('-debug and JETPACK_DEBUG give stack traces that name src/ lines', () => {
  for (const [args, env] of [
    [['-debug'], {}],
    [[], { JETPACK_DEBUG: '1' }],
  ] as const) {
    const r = jetpack(root, [...args, 'export', 'no-such-image'], { env });
    assert.is(r.status, 1);
    assert.match(r.stderr, /^jetpack: no image no-such-image in the store/);
    assert.match(r.stderr, /\(\S+\/src\/store\/lookup\.ts:\d+:\d+\)/);
  }
});

test('a command loads only the code it runs (no zlib, crypto, child_process or worker_threads for version)', () => {
  const hook = path.join(work, 'module-list.cjs');
  writeFileSync(hook, "process.on('exit', () => process.stderr.write(process.moduleLoadList.filter((m) => m.startsWith('NativeModule ')).join('\\n')));\n");
  const loaded = (args: string[]) => {
    // A bare environment: NODE_EXTRA_CA_CERTS (bin/jetpack drops it) has Node load crypto at
    // start-up, and the test runner's NODE_OPTIONS would load tsx.
    const env = { PATH: process.env.PATH };
    const r = spawnSync(process.execPath, ['--require', hook, path.join(REPO, 'dist', 'boot.cjs'), `-root=${root}`, ...args], { encoding: 'utf8', env });
    assert.is(r.status, 0, r.stderr);
    return r.stderr.split('\n').map((m) => m.slice('NativeModule '.length));
  };
  const version = loaded(['version']);
  for (const m of ['zlib', 'crypto', 'child_process', 'worker_threads']) assert.not.ok(version.includes(m), `version loads ${m}`);
  const images = loaded(['images']);
  for (const m of ['zlib', 'worker_threads']) assert.not.ok(images.includes(m), `images loads ${m}`);
});

test('the bundle runs from a V8 code cache named by its size and mtime; a changed bundle of the same length is not run from the old cache', () => {
  const pkg = path.join(work, 'pkg');
  sh(
    `mkdir -p "${pkg}/dist" && cp "${REPO}/package.json" "${pkg}/" && cp "${REPO}/dist/boot.cjs" "${REPO}/dist/main.cjs" "${pkg}/dist/" && ln -s "${REPO}/node_modules" "${pkg}/node_modules"`,
  );
  const run = (args: string[]) =>
    spawnSync(process.execPath, [path.join(pkg, 'dist', 'boot.cjs'), `-root=${root}`, ...args], { encoding: 'utf8', env: { PATH: process.env.PATH } });
  const caches = () => readdirSync(path.join(pkg, 'dist')).filter((f) => f.endsWith('.v8cache'));
  assert.is(run(['version']).stdout, jetpack(root, ['version']).stdout);
  assert.is(caches().length, 1, 'written at the first exit');
  const [cache] = caches();
  const written = statSync(path.join(pkg, 'dist', cache)).mtimeMs;
  assert.equal(run(['images', '-json']).stdout.trim(), '[]', 'a command the cache was not made by');
  assert.is(statSync(path.join(pkg, 'dist', cache)).mtimeMs, written, 'an accepted cache is not rewritten');
  const yaml = path.join(work, 'values.yaml');
  writeFileSync(yaml, 'a: from-yaml\n');
  const rendered = spawnSync(process.execPath, [path.join(pkg, 'dist', 'boot.cjs'), 'diagnose', 'template', '--values', yaml, '-'], {
    input: '{{ .Values.a }}',
    encoding: 'utf8',
  });
  assert.is(rendered.stdout, 'from-yaml', `an npm package (yaml) loads from the cached bundle: ${rendered.stderr}`);
  const main = path.join(pkg, 'dist', 'main.cjs');
  const text = readFileSync(main, 'utf8');
  assert.ok(text.includes('usage: jetpack'));
  writeFileSync(main, text.replaceAll('usage: jetpack', 'USAGE: jetpack'));
  utimesSync(main, new Date(), new Date(Date.now() + 5000));
  assert.match(run(['export']).stderr, /^jetpack: USAGE: jetpack export/);
  assert.is(caches().length, 2);
});

test('config prints every variable, or the named ones; path.share holds makeaci', () => {
  const all = jetpack(root, ['config']).stdout;
  assert.match(all, new RegExp(`^path\\.root=${root}$`, 'm'));
  assert.match(all, /^host\.os=linux$/m);
  assert.match(all, /^rootless=no$/m);
  assert.is(jetpack(root, ['config', 'path.root']).stdout, `${root}\n`);
  const share = jetpack(root, ['config', 'path.share']).stdout.trim();
  assert.is(share, path.join(REPO, 'share'));
  sh(`test -x "${share}/makeaci"`);
  const bad = jetpack(root, ['config', 'nope']);
  assert.is(bad.status, 1);
  assert.match(bad.stderr, /^jetpack: unknown config variable nope/);
});

test('a store root under /proc or /sys is refused with one line', () => {
  for (const bad of ['/proc/jetpack-test/store', '/sys/jetpack-test']) {
    const r = jetpack(bad, ['images']);
    assert.is(r.status, 1, bad);
    assert.match(r.stderr, new RegExp(`^jetpack: cannot create the image store at ${bad}: /(proc|sys) is a (proc|sysfs) filesystem, not storage\\n$`));
  }
});

test('the store root comes from -root, else $JETPACK_ROOT', () => {
  const viaEnv = path.join(work, 'env-store');
  const out = sh(`JETPACK_ROOT="${viaEnv}" "${JETPACK}" config path.root`);
  assert.is(out, `${viaEnv}\n`);
  assert.is(sh(`JETPACK_ROOT="${viaEnv}" "${JETPACK}" --root "${root}" config path.root`), `${root}\n`);
  sh(`JETPACK_ROOT="${viaEnv}" "${JETPACK}" images >/dev/null && test -d "${viaEnv}/images" && test -d "${viaEnv}/tmp"`);
});

test('boolean flags take =true/=false in both styles', () => {
  assert.is(jetpack(root, ['images', '-q=false', '--H=true']).status, 0);
  const bad = jetpack(root, ['images', '-q=maybe']);
  assert.is(bad.status, 1);
  assert.match(bad.stderr, /takes true or false/);
});

test('a store that cannot be created is a clear error', () => {
  const r = jetpack('/etc/passwd/store', ['images']);
  assert.is(r.status, 1);
  assert.match(r.stderr, /^jetpack: cannot create the image store at \/etc\/passwd\/store: /);
});

test('docs/CLI.md matches the help the CLI prints', () => {
  sh(`node "${REPO}/scripts/cli-doc.mjs" --check`);
});

test.after(() => removeDir(work));
test.run();
