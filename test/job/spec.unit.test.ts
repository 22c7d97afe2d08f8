/**
 * Job files as jetpack reads them (src/job/spec.ts), from a tmp dir: templated fields rendered
 * with the options, paths from the spec file's directory, hook files read, and one-line refusals.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { UserError } from '../../src/errors.js';
import { MAX_JOB_FILE_BYTES, loadJob, readJobText } from '../../src/job/spec.js';
import { removeDir, tempDir } from '../helpers/cli.js';

const work = tempDir('jetpack-spec-');
test.after(() => removeDir(work));

let count = 0;
/** A spec file (and hook files) in a fresh directory; returns the spec's path. */
function specFile(text: string, hooks: Record<string, string> = {}): string {
  const dir = path.join(work, `job${count++}`);
  mkdirSync(path.join(dir, 'hooks'), { recursive: true });
  for (const [name, body] of Object.entries(hooks)) writeFileSync(path.join(dir, 'hooks', name), body);
  writeFileSync(path.join(dir, 'job.yaml'), text);
  return path.join(dir, 'job.yaml');
}

async function refusal(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (err) {
    assert.instance(err, UserError, String(err));
    return (err as Error).message;
  }
  assert.unreachable('no error');
  return '';
}

const JOB = `
common: &common
  hooks_basedir: ./hooks
jobs:
- name: other
  source: { type: http }
- name: stage
  <<: *common
  options:
    release: next
    extras: [a, b]
  source:
    type: http
    uri: "https://example.com/{{ .Values.release }}/stage.tar.xz"
    target: ./sourcer/{{ .Values.release }}.tar.xz
  output:
    name: stage-{{ join "+" .Values.extras }}.tar.xz
    dir: /abs/./output
  environments:
    - { key: MAKEOPTS, value: "-j9" }
    - { key: N, value: 3 }
  chroot_binds:
    - { source: /var/cache, target: /var/cache }
  hooks_files: [setup.yaml]
`;

test('a job renders its templated fields with its options; relative paths start at the spec dir', async () => {
  const file = specFile(JOB, {
    'setup.yaml': 'hooks:\n- name: greet\n  commands: ["echo {{ .Values.release }}"]\n- name: last\n  type: outer-post-output\n  entrypoint: [/bin/sh, -c]\n',
  });
  const dir = path.dirname(file);
  const { specFile: spec, job, hooks } = await loadJob(file, 'stage');
  assert.is(spec, file);
  assert.is(job.name, 'stage');
  assert.is(job.source.type, 'http');
  assert.is(job.source.uri, 'https://example.com/next/stage.tar.xz');
  assert.is(job.source.target, path.join(dir, 'sourcer/next.tar.xz'));
  assert.equal(job.output, { type: 'file', name: 'stage-a+b.tar.xz', dir: '/abs/output', labels: {} });
  assert.equal(job.environments, [
    { key: 'MAKEOPTS', value: '-j9' },
    { key: 'N', value: '3' },
  ]);
  assert.equal(job.chroot_binds, [{ source: '/var/cache', target: '/var/cache' }]);
  assert.is(job.workspacedir, path.join(dir, 'workspace'), 'the default workspace');
  assert.is(job.hooks_basedir, path.join(dir, 'hooks'));
  assert.equal(job.hooks_files, [path.join(dir, 'hooks', 'setup.yaml')]);
  assert.equal(
    hooks[0].hooks.map((h) => [h.type, h.name, h.commands, h.entrypoint]),
    [
      ['inner-chroot', 'greet', ['echo next'], []],
      ['outer-post-output', 'last', [], ['/bin/sh', '-c']],
    ],
  );
});

test('a job name the file lacks is refused with the names it has', async () => {
  const file = specFile(JOB);
  assert.is(await refusal(loadJob(file, 'nope')), `${file}: no job "nope" (the file has: other, stage)`);
  assert.is(await refusal(loadJob(specFile('jobs: {}\n'), 'x')), `${path.join(work, `job${count - 1}`, 'job.yaml')}: jobs: must be a list of jobs`);
});

test('a wrong field says which job and field, and what it must be', async () => {
  const cases: Array<[string, RegExp]> = [
    ['source: { type: ftp }', /: job x: source\.type: unknown type "ftp" \(one of http, anise, debian, image\)$/],
    ['source: {}', /: job x: source\.type: missing \(one of http, anise, debian, image\)$/],
    ['source: { type: http }\n  output: { type: dir }', /: job x: output\.type: unknown type "dir" \(one of file, image\)$/],
    ['source: { type: http }\n  environments: { a: b }', /: job x: environments: must be a list of \{key, value\}$/],
    ['source: { type: http }\n  chroot_binds: [{ source: /a }]', /: job x: chroot_binds\[0\]: needs both source and target$/],
    ['source: { type: http, anise_repos: [[a]] }', /: job x: source\.anise_repos\[0\]: must be a string$/],
    ['source: [http]', /: job x: source: must be a map$/],
  ];
  for (const [fields, message] of cases) {
    assert.match(await refusal(loadJob(specFile(`jobs:\n- name: x\n  ${fields}\n`), 'x')), message, fields);
  }
});

test('hook files: a missing one, or one without a hooks list, is refused; hooks: null is none', async () => {
  const job = (hooks: string) => `jobs:\n- name: x\n  source: { type: http }\n  hooks_basedir: hooks\n  hooks_files: [${hooks}]\n`;
  const missing = specFile(job('gone.yaml'));
  assert.is(
    await refusal(loadJob(missing, 'x')),
    `${missing}: job x: hooks_files[0]: ${path.join(path.dirname(missing), 'hooks', 'gone.yaml')} does not exist`,
  );
  const notHooks = specFile(job('notes.yaml'), { 'notes.yaml': 'root:x:0:0\n' });
  assert.match(await refusal(loadJob(notHooks, 'x')), /notes\.yaml: not a hook file: it holds no "hooks:" list$/);
  const badType = specFile(job('h.yaml'), { 'h.yaml': 'hooks:\n- name: h\n  type: sometime\n' });
  assert.match(await refusal(loadJob(badType, 'x')), /h\.yaml: hooks\[0\] \(h\)\.type: unknown type "sometime"/);
  const none = specFile(job('empty.yaml'), { 'empty.yaml': 'hooks:\n' });
  assert.equal(
    (await loadJob(none, 'x')).hooks.map((h) => h.hooks),
    [[]],
  );
});

test('readJobText refuses what is missing, not a file, or larger than the bound', async () => {
  const missing = path.join(work, 'nothing.yaml');
  assert.is(await refusal(readJobText(missing, 'job file')), `job file ${missing} does not exist`);
  assert.is(await refusal(readJobText(work, 'job file')), `job file ${work} is not a regular file`);
  const big = path.join(work, 'big.yaml');
  writeFileSync(big, Buffer.alloc(MAX_JOB_FILE_BYTES + 1, 0x20));
  assert.is(await refusal(readJobText(big, 'hook file')), `hook file ${big} is larger than 1 MiB: not read`);
  writeFileSync(big, 'jobs: []\n');
  assert.is(await readJobText(big, 'job file'), 'jobs: []\n');
});

test.run();
