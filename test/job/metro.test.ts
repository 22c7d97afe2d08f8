import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { serveDirectory, type FileServer } from '../helpers/file-server.js';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { JETPACK, jetpack, jetpackOk, removeDir, sh, tempDir } from '../helpers/cli.js';
import { importBusybox } from '../helpers/busybox.js';
import { parseJson } from '../helpers/json.js';

// jetpack metro run: mark-devkit's job files, phase by phase, with a real http source served
// on loopback (images/busybox's rootfs tarball) and real containers for inner hooks.
const work = tempDir();
const root = path.join(work, 'store');
importBusybox(root, work);
const tarball = path.join(work, 'busybox', 'rootfs.tar');
sh(`xz -T0 -k -c "${tarball}" > "${tarball}.xz"`);
let server: FileServer | undefined;
let base = '';
const downloads = () => server!.requests();

test.before(async () => {
  server = await serveDirectory(path.dirname(tarball), path.join(work, 'requests'));
  base = server.url;
});

/** Writes a job directory: job.yaml and hooks/*.yml. */
function jobDir(name: string, job: string, hooks: Record<string, string>): string {
  const dir = path.join(work, name);
  mkdirSync(path.join(dir, 'hooks'), { recursive: true });
  writeFileSync(path.join(dir, 'job.yaml'), job);
  for (const [file, text] of Object.entries(hooks)) writeFileSync(path.join(dir, 'hooks', file), text);
  return dir;
}

/** A hook that appends its name (and what it shows) to the trace: $TRACE on the host, the bind inside. */
function hook(type: string, name: string, show = ''): string {
  const line = `${name}${show ? ` ${show}` : ''}`;
  const cmd = type === 'inner-chroot' ? `echo ${line} >> /var/cache/pkg/trace` : `echo ${line} >> $TRACE`;
  return `- type: ${type}\n  name: ${name}\n  entrypoint: [/bin/sh, -c]\n  commands:\n    - '${cmd}'\n`;
}

const STAGE_JOB = (uri: string, extra = '') => `version: "1.0"
common: &common
  options:
    arch: x86-64bit
    release: next
    build-id: 7
    extras: [freshen]
    flag: true
  workspacedir: ./ws
  hooks_basedir: ./hooks
jobs:
- name: other
  source: { type: http, uri: "${uri}" }
- name: stage
  <<: *common
  source:
    type: http
    uri: "${uri}"
    target: ./cache/{{ .Values.release }}/rootfs.tar.xz
  output:
    type: file
    name: stage3-{{ .Values.arch }}-{{ .Values.release }}{{- if .Values.extras }}+{{- end }}{{ join "+" .Values.extras }}-{{ now | date "2006-01-02" }}.tar.xz
    dir: ./out/{{ .Values.release }}
  environments:
    - { key: SHELL, value: /bin/sh }
    - { key: release, value: overridden }
    - { key: TRACE, value: ./binds/pkg/trace }
  chroot_binds:
    - { source: ./binds/pkg, target: /var/cache/pkg }
  hooks_files: [a.yml, b.yml]
${extra}`;

const SDE = { SOURCE_DATE_EPOCH: '1700000000' };
const NAME = 'stage3-x86-64bit-next+freshen-2023-11-14.tar.xz';

function runJob(dir: string, args: string[] = [], env: NodeJS.ProcessEnv = SDE) {
  // Relative paths of the job resolve from the job file's directory; TRACE is relative to
  // the cwd, which is the job directory here too.
  return jetpack(root, ['metro', 'run', '--specfile', path.join(dir, 'job.yaml'), '--job', 'stage', ...args], { env, cwd: dir });
}

test("every hook type runs in mark-devkit's order, inner and outer-chroot interleaved; the output is named by its template", () => {
  const a = [
    hook('outer-post-output', 'a-post-output', '$MARKDEVKIT_OUTPUTNAME'),
    hook('inner-chroot', 'a-inner'),
    hook('outer-pre-sourcer', 'a-pre-sourcer'),
    hook('outer-chroot', 'a-outer-chroot'),
    hook('outer-post-chroot', 'a-post-chroot'),
    hook('outer-pre-chroot', 'a-pre-chroot'),
  ];
  const b = [hook('outer-chroot', 'b-outer-chroot'), hook('inner-chroot', 'b-inner'), hook('outer-pre-sourcer', 'b-pre-sourcer')];
  const dir = jobDir('order', STAGE_JOB(`${base}/rootfs.tar.xz`), { 'a.yml': `hooks:\n${a.join('')}`, 'b.yml': `hooks:\n${b.join('')}` });
  const r = runJob(dir);
  assert.is(r.status, 0, r.stderr);
  assert.is(r.stdout, `${path.join(dir, 'out/next', NAME)}\n`);
  assert.is(
    readFileSync(path.join(dir, 'binds/pkg/trace'), 'utf8'),
    ['a-pre-sourcer', 'b-pre-sourcer', 'a-pre-chroot', 'a-inner', 'a-outer-chroot', 'b-outer-chroot', 'b-inner', 'a-post-chroot', `a-post-output ${NAME}`].join(
      '\n',
    ) + '\n',
  );
  // The output is a tarball of ./… members with the rootfs, not the bind's content.
  const members = sh(`tar -tJf "${path.join(dir, 'out/next', NAME)}"`).split('\n');
  assert.ok(members.includes('./bin/busybox'));
  assert.ok(members.includes('./var/cache/pkg/'), 'the bind target was made in the rootfs');
  assert.not.ok(members.includes('./var/cache/pkg/trace'), 'nothing of the bind source');
  assert.not.ok(existsSync(path.join(dir, 'ws/rootfs')), 'the rootfs is removed at the end (cleanup)');
  assert.equal(
    readFileSync('/proc/mounts', 'utf8')
      .split('\n')
      .filter((l) => l.includes(dir)),
    [],
  );
});

test('the environment contract: host, options (ints and strings, - as _), environments, MARKDEVKIT_*', () => {
  const show = (where: string) =>
    `echo "${where} $build_id $arch $release $flag $SHELL $MARKDEVKIT_VERSION $MARKDEVKIT_WORKSPACE $MARKDEVKIT_ROOTFS $HOST_VAR"`;
  const hooks = `hooks:\n- type: outer-pre-chroot\n  name: outer\n  commands:\n    - '${show('outer')} >> $TRACE'\n- name: inner\n  entrypoint: [/bin/sh, -c]\n  commands:\n    - '${show('inner')} >> /var/cache/pkg/trace'\n`;
  const dir = jobDir('env', STAGE_JOB(`${base}/rootfs.tar.xz`), { 'a.yml': hooks, 'b.yml': 'hooks: []\n' });
  const r = runJob(dir, ['--skip-packer-phase'], { ...SDE, HOST_VAR: 'from-host' });
  assert.is(r.status, 0, r.stderr);
  const ws = path.join(dir, 'ws');
  const expected = (where: string) => `${where} 7 x86-64bit overridden  /bin/sh 0.32.0 ${ws} ${ws}/rootfs from-host`;
  assert.is(readFileSync(path.join(dir, 'binds/pkg/trace'), 'utf8'), `${expected('outer')}\n${expected('inner')}\n`);
});

test('--cleanup=false keeps the rootfs; --skip-source-phase reuses it; the source is downloaded once (a cache)', () => {
  const hooks = `hooks:\n- name: mark\n  entrypoint: [/bin/sh, -c]\n  commands:\n    - 'echo run >> /runs'\n`;
  const dir = jobDir('keep', STAGE_JOB(`${base}/rootfs.tar.xz`), { 'a.yml': hooks, 'b.yml': 'hooks: []\n' });
  const before = downloads();
  assert.is(runJob(dir, ['--cleanup=false', '--skip-packer-phase']).status, 0);
  assert.is(readFileSync(path.join(dir, 'ws/rootfs/runs'), 'utf8'), 'run\n');
  assert.is(runJob(dir, ['--cleanup=false', '--skip-source-phase', '--skip-packer-phase']).status, 0);
  assert.is(readFileSync(path.join(dir, 'ws/rootfs/runs'), 'utf8'), 'run\nrun\n', 'the same rootfs, the hooks again');
  assert.is(runJob(dir, ['--cleanup=false', '--skip-packer-phase']).status, 0);
  assert.is(readFileSync(path.join(dir, 'ws/rootfs/runs'), 'utf8'), 'run\nrun\nrun\n', 'without cleanup the rootfs is kept and extracted over');
  assert.is(downloads() - before, 1, 'source.target is a cache');
  const entered = jetpack(root, ['enter', path.join(dir, 'ws/rootfs'), '/bin/sh', '-c', 'cat /runs | wc -l; echo $$']);
  assert.is(entered.stdout, '3\n1\n', entered.stderr);
  assert.is(runJob(dir, ['--skip-hooks-phase']).status, 0);
  assert.not.ok(existsSync(path.join(dir, 'ws/rootfs')));
});

test("inner hooks get the host's resolv.conf; the rootfs's own (a symlink here) is back after", () => {
  const hooks = `hooks:\n- type: outer-pre-chroot\n  name: link\n  commands:\n    - ln -sf ../run/resolv.conf "$MARKDEVKIT_ROOTFS/etc/resolv.conf"\n- name: look\n  entrypoint: [/bin/sh, -c]\n  commands:\n    - cat /etc/resolv.conf > /var/cache/pkg/resolv\n`;
  const dir = jobDir('resolv', STAGE_JOB(`${base}/rootfs.tar.xz`), { 'a.yml': hooks, 'b.yml': 'hooks: []\n' });
  assert.is(runJob(dir, ['--cleanup=false', '--skip-packer-phase']).status, 0);
  assert.is(readFileSync(path.join(dir, 'binds/pkg/resolv'), 'utf8'), readFileSync('/etc/resolv.conf', 'utf8'));
  assert.is(sh(`readlink "${path.join(dir, 'ws/rootfs/etc/resolv.conf')}"`), '../run/resolv.conf\n');
});

test('same job twice with SOURCE_DATE_EPOCH: the same bytes', () => {
  const dir = jobDir('repro', STAGE_JOB(`${base}/rootfs.tar.xz`), { 'a.yml': `hooks:\n${hook('inner-chroot', 'x')}`, 'b.yml': 'hooks: []\n' });
  assert.is(runJob(dir).status, 0);
  const first = readFileSync(path.join(dir, 'out/next', NAME));
  assert.is(runJob(dir).status, 0);
  assert.ok(readFileSync(path.join(dir, 'out/next', NAME)).equals(first));
});

test('a failing hook stops the job: which hook, its status; no output, no mount, no rootfs', () => {
  const hooks = `hooks:\n${hook('outer-pre-chroot', 'fine')}- name: breaks\n  entrypoint: [/bin/sh, -c]\n  commands:\n    - 'true'\n    - 'exit 3'\n${hook('outer-post-chroot', 'never')}`;
  const dir = jobDir('fail', STAGE_JOB(`${base}/rootfs.tar.xz`), { 'a.yml': hooks, 'b.yml': 'hooks: []\n' });
  const r = runJob(dir);
  assert.is(r.status, 3);
  assert.match(r.stderr, new RegExp(`jetpack: hook breaks \\(inner-chroot, ${path.join(dir, 'hooks/a.yml')}\\): command 2 exited with status 3\\n$`));
  assert.is(readFileSync(path.join(dir, 'binds/pkg/trace'), 'utf8'), 'fine\n');
  assert.not.ok(existsSync(path.join(dir, 'out')));
  assert.not.ok(existsSync(path.join(dir, 'ws/rootfs')));
  assert.equal(
    readFileSync('/proc/mounts', 'utf8')
      .split('\n')
      .filter((l) => l.includes(dir)),
    [],
  );
});

test('bad job files: one line naming the file, the job and the field; nothing runs', () => {
  const dir = jobDir('bad', STAGE_JOB(`${base}/rootfs.tar.xz`), { 'a.yml': `hooks:\n- type: inner-chrooot\n  name: typo\n`, 'b.yml': 'hooks: []\n' });
  const spec = path.join(dir, 'job.yaml');
  const cases: Array<[string[], RegExp]> = [
    [['--job', 'nope'], new RegExp(`^jetpack: ${spec}: no job "nope" \\(the file has: other, stage\\)\\n$`)],
    [
      ['--job', 'stage'],
      /hooks\/a\.yml: hooks\[0\] \(typo\)\.type: unknown type "inner-chrooot" \(one of outer-pre-sourcer, outer-pre-chroot, inner-chroot, outer-chroot, outer-post-chroot, outer-post-output\)\n$/,
    ],
  ];
  for (const [args, expected] of cases) {
    const r = jetpack(root, ['metro', 'run', '--specfile', spec, ...args]);
    assert.is(r.status, 1, r.stderr);
    assert.match(r.stderr, expected);
  }
  writeFileSync(path.join(dir, 'job.yaml'), 'jobs:\n- name: x\n  source: [unclosed\n');
  assert.match(jetpack(root, ['metro', 'run', '--specfile', spec, '--job', 'x']).stderr, new RegExp(`^jetpack: ${spec}:\\d+:\\d+: not valid YAML`));
  writeFileSync(path.join(dir, 'job.yaml'), 'jobs:\n- name: x\n  source: { type: ftp }\n');
  assert.match(
    jetpack(root, ['metro', 'run', '--specfile', spec, '--job', 'x']).stderr,
    /job x: source\.type: unknown type "ftp" \(one of http, anise, debian, image\)/,
  );
  writeFileSync(path.join(dir, 'job.yaml'), 'jobs:\n- name: x\n  source: { type: http }\n  hooks_files: [missing.yml]\n');
  assert.match(jetpack(root, ['metro', 'run', '--specfile', spec, '--job', 'x']).stderr, /job x: hooks_files\[0\]: .*\/missing\.yml does not exist/);
  assert.not.ok(existsSync(path.join(dir, 'ws')), 'nothing was prepared');
});

test('checks before the source phase: the output, every template, every hook file; no hook runs, no workspace is made', () => {
  const marker = path.join(work, 'checks-ran');
  const hooks = { 'a.yml': `hooks:\n- type: outer-pre-sourcer\n  name: marks\n  entrypoint: [/bin/sh, -c]\n  commands: ['touch ${marker}']\n` };
  const job = (output: string, extra = '') =>
    `jobs:\n- name: stage\n  options: { release: next }\n  source: { type: image, image: jetpack/busybox }\n  output: ${output}\n  workspacedir: ./ws\n  hooks_basedir: hooks\n  hooks_files: [a.yml${extra}]\n`;
  const cases: Array<[string, string, Record<string, string>, RegExp]> = [
    [
      'image label',
      job('{ type: image, name: example.com/checked, labels: { "Bad Label": "1" } }'),
      {},
      /job stage: output: invalid image manifest: labels\[\d\]\.name "Bad Label": not an AC Identifier \(/,
    ],
    [
      'image name',
      job('{ type: image, name: "Not An Image Name" }'),
      {},
      /job stage: output: invalid image manifest: name "Not An Image Name": not an AC Identifier/,
    ],
    [
      'tarball suffix',
      job('{ type: file, name: "stage-{{ .Values.release }}.zip" }'),
      {},
      /job stage: output\.name stage-next\.zip: the suffix says no tarball format/,
    ],
    ['no output', job('{}'), {}, /job stage: output\.name is required\n$/],
    [
      'template',
      job('{ type: file, name: "stage-{{ .Values.release | nosuchfunc }}.tar" }'),
      {},
      /job stage: output\.name:1: function "nosuchfunc" not defined\n$/,
    ],
    [
      'hook template',
      job('{ type: file, name: stage.tar }', ', b.yml'),
      { 'b.yml': 'hooks:\n- name: x\n  commands: ["echo {{ .Values.release"]\n' },
      /^jetpack: template: \S+\/hooks\/b\.yml:3: /,
    ],
    ['hook file', job('{ type: file, name: stage.tar }', ', missing.yml'), {}, /job stage: hooks_files\[1\]: .*\/missing\.yml does not exist\n$/],
  ];
  for (const [what, text, files, expected] of cases) {
    const dir = jobDir(`checks-${what.replace(/ /g, '-')}`, text, { ...hooks, ...files });
    const r = jetpack(root, ['metro', 'run', '--specfile', path.join(dir, 'job.yaml'), '--job', 'stage']);
    assert.is(r.status, 1, `${what}: ${r.stderr}`);
    assert.is(r.stderr.split('\n').length, 2, `${what}: one line: ${r.stderr}`);
    assert.match(r.stderr, expected, what);
    assert.not.ok(existsSync(marker), `${what}: no hook ran`);
    assert.not.ok(existsSync(path.join(dir, 'ws')), `${what}: no workspace`);
  }
});

test('an anise source runs the host anise, and says so when it is not installed', () => {
  const job = `jobs:\n- name: stage\n  source: { type: anise, anise_repos: [repository/mottainai-stable], anise_packages: [sys-apps/baselayout] }\n  output: { type: file, name: x.tar }\n  workspacedir: ./ws\n`;
  const dir = jobDir('anise', job, {});
  const r = jetpack(root, ['metro', 'run', '--specfile', path.join(dir, 'job.yaml'), '--job', 'stage'], { env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin' } });
  assert.is(r.status, 1);
  assert.match(r.stderr, /^jetpack: anise is not installed on this host: the anise source needs it/m);
});

test('diagnose job shows the rendered job and hooks, YAML or JSON', () => {
  const dir = jobDir('diag', STAGE_JOB(`${base}/rootfs.tar.xz`), {
    'a.yml': 'hooks:\n- name: x\n  commands:\n    - echo {{ .Values.arch }}\n    {{- if .Values.flavor }}\n    - echo flavor\n    {{- end }}\n',
    'b.yml': 'hooks: []\n',
  });
  const yaml = jetpackOk(root, ['diagnose', 'job', '--specfile', path.join(dir, 'job.yaml'), '--job', 'stage'], { env: SDE });
  assert.match(yaml, new RegExp(`^        name: ${NAME.replace(/[.+]/g, '\\$&')}$`, 'm'));
  assert.match(yaml, new RegExp(`^    workspacedir: ${path.join(dir, 'ws')}$`, 'm'));
  assert.match(yaml, /^ {16}- echo x86-64bit$/m);
  assert.not.match(yaml, /flavor/);
  const json = parseJson<{ job: { source: { target: string } }; hooks: { hooks: { commands: string[] }[] }[] }>(
    jetpackOk(root, ['diagnose', 'job', '--json', '--specfile', path.join(dir, 'job.yaml'), '--job', 'stage'], { env: SDE }),
  );
  assert.is(json.job.source.target, path.join(dir, 'cache/next/rootfs.tar.xz'));
  assert.equal(json.hooks[0].hooks[0].commands, ['echo x86-64bit']);
});

test('image source and image output: a stage from a store image, stored as a base image', () => {
  const job = `jobs:\n- name: stage\n  source: { type: image, image: jetpack/busybox }\n  output: { type: image, name: example.com/stage, labels: { version: "1.0" } }\n  workspacedir: ./ws\n  hooks_basedir: hooks\n  hooks_files: [a.yml]\n`;
  const dir = jobDir('image', job, { 'a.yml': `hooks:\n- name: add\n  entrypoint: [/bin/sh, -c]\n  commands: ['echo staged > /etc/staged']\n` });
  const r = jetpack(root, ['metro', 'run', '--specfile', path.join(dir, 'job.yaml'), '--job', 'stage'], { env: SDE });
  assert.is(r.status, 0, r.stderr);
  const id = r.stdout.trim();
  assert.match(id, /^sha512-[0-9a-f]{128}$/);
  assert.is(jetpackOk(root, ['run', 'example.com/stage:1.0', 'cat', '/etc/staged']), 'staged\n');
  const again = jetpack(root, ['metro', 'run', '--specfile', path.join(dir, 'job.yaml'), '--job', 'stage'], { env: SDE });
  assert.is(again.stdout.trim(), id, 'the same image again');
});

test('SIGKILL of a running job leaves no process and no mount', async () => {
  const dir = jobDir('killed', STAGE_JOB(`${base}/rootfs.tar.xz`), {
    'a.yml': `hooks:\n- name: long\n  entrypoint: [/bin/sh, -c]\n  commands: ['sleep 4321']\n`,
    'b.yml': 'hooks: []\n',
  });
  const child = spawn(JETPACK, [`-root=${root}`, 'metro', 'run', '--specfile', path.join(dir, 'job.yaml'), '--job', 'stage'], { cwd: dir, stdio: 'ignore' });
  for (let i = 0; i < 100 && !sh('ps -eo args').includes('sleep 4321'); i++) await sleep(100);
  assert.ok(sh('ps -eo args').includes('sleep 4321'), 'the hook started');
  child.kill('SIGKILL');
  await new Promise((resolve) => child.on('close', resolve));
  await sleep(1000);
  assert.not.ok(sh('ps -eo stat=,args= | grep -v "^Z" || true').includes('sleep 4321'), 'the hook died with jetpack');
  assert.equal(
    readFileSync('/proc/mounts', 'utf8')
      .split('\n')
      .filter((l) => l.includes(dir)),
    [],
  );
});

test.after(() => {
  server?.close();
  removeDir(work);
});
test.run();
