import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { JETPACK, removeDir, tempDir } from '../helpers/cli.js';

// Job and hook files as untrusted input (issue 26.7, 26.8): each hostile file is refused
// with one line naming file:line:col (or the file), status 1, in bounded time and memory,
// with nothing run, nothing written and no process left.
const work = tempDir();
const root = path.join(work, 'store');

interface Outcome {
  status: number;
  stderr: string;
  seconds: number;
  maxRssKiB: number;
}

/** metro run of job `x` in `dir`, under GNU time for the peak memory. */
function runJob(dir: string): Outcome {
  const start = Date.now();
  const r = spawnSync('/usr/bin/time', ['-f', 'maxrss=%M', JETPACK, `-root=${root}`, 'metro', 'run', '--specfile', path.join(dir, 'job.yaml'), '--job', 'x'], {
    cwd: dir,
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, CI: 'true', JETPACK_DEBUG: '' },
  });
  const rss = /maxrss=(\d+)\n$/.exec(r.stderr);
  return {
    status: r.status ?? -1,
    stderr: r.stderr.replace(/(Command exited with non-zero status \d+\n)?maxrss=\d+\n$/, ''),
    seconds: (Date.now() - start) / 1000,
    maxRssKiB: Number(rss?.[1]),
  };
}

let n = 0;
function caseDir(job: string, hooks: Record<string, string> = {}): string {
  const dir = path.join(work, `case${++n}`);
  mkdirSync(dir);
  writeFileSync(path.join(dir, 'job.yaml'), job);
  for (const [name, text] of Object.entries(hooks)) writeFileSync(path.join(dir, name), text);
  return dir;
}

const JOB = (extra = '') =>
  `jobs:\n- name: x\n  source: { type: http, uri: "http://127.0.0.1:9/x.tar" }\n  output: { type: file, name: x.tar }\n  workspacedir: ./ws\n${extra}`;
const WITH_HOOKS = JOB('  hooks_files: [hooks.yml]\n');

/** Billion laughs: `depth` levels of a 10-item list of the level below. */
function laughs(depth: number): string {
  let text = 'l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n';
  for (let i = 1; i <= depth; i++)
    text += `l${i}: &l${i} [${Array(10)
      .fill(`*l${i - 1}`)
      .join(', ')}]\n`;
  return text;
}

const bigMap = `m: &m {${Array.from({ length: 20000 }, (_, i) => `k${i}: ${i}`).join(', ')}}\n`;
const manyAliases = (count: number) => `  options:\n    l: [${Array(count).fill('*m').join(', ')}]\n`;

const cases: Array<{ what: string; dir: () => string; file: string; error: RegExp }> = [
  {
    what: 'billion laughs in the job file',
    dir: () => caseDir(laughs(9) + JOB()),
    file: 'job.yaml',
    error: /^job\.yaml:\d+:\d+: not read: its aliases expand to more than 1000000 nodes/,
  },
  {
    what: '5000 aliases of one 20000-key map (under the yaml package alias limit)',
    dir: () => caseDir(bigMap + JOB(manyAliases(5000))),
    file: 'job.yaml',
    error: /^job\.yaml:8:\d+: not read: its aliases expand to more than 1000000 nodes/,
  },
  {
    what: 'merge keys of a big map, many times',
    dir: () => caseDir(`${bigMap}jobs:\n${Array.from({ length: 100 }, (_, i) => `- name: j${i}\n  <<: *m\n`).join('')}`),
    file: 'job.yaml',
    error: /^job\.yaml:\d+:\d+: not read: its aliases expand/,
  },
  {
    what: 'billion laughs in a hook file',
    dir: () => caseDir(WITH_HOOKS, { 'hooks.yml': `${laughs(9)}hooks: []\n` }),
    file: 'hooks.yml',
    error: /^hooks\.yml:\d+:\d+: not read: its aliases expand/,
  },
  {
    what: 'a recursive alias',
    dir: () => caseDir(JOB('  options: &o { self: [*o] }\n')),
    file: 'job.yaml',
    error: /^job\.yaml:6:\d+: not (read|valid YAML): alias \*o/,
  },
  {
    what: 'an alias naming no anchor',
    dir: () => caseDir(JOB('  options: *nowhere\n')),
    file: 'job.yaml',
    error: /^job\.yaml:6:12: not valid YAML: alias \*nowhere names no anchor/,
  },
  {
    what: 'a merge of a scalar',
    dir: () => caseDir(`s: &s text\n${JOB('  <<: *s\n')}`),
    file: 'job.yaml',
    error: /^job\.yaml:7:7: not valid YAML: a merge key/,
  },
  {
    what: '100000 nested flow lists',
    dir: () => caseDir(`jobs: ${'['.repeat(100_000)}`),
    file: 'job.yaml',
    error: /^job\.yaml:1:71: not read: flow collections nested deeper than 64/,
  },
  {
    what: '1000 nested block maps',
    dir: () => caseDir(`jobs:\n- name: x\n  options:\n${Array.from({ length: 1000 }, (_, i) => `${' '.repeat(4 + i)}k:\n`).join('')}`),
    file: 'job.yaml',
    error: /^job\.yaml:\d+:\d+: not valid YAML: /,
  },
  {
    what: 'a duplicate key',
    dir: () => caseDir(JOB('  name: y\n')),
    file: 'job.yaml',
    error: /^job\.yaml:6:3: not valid YAML: map keys must be unique \("name" again\)/,
  },
  { what: 'two documents', dir: () => caseDir(`${JOB()}---\njobs: []\n`), file: 'job.yaml', error: /^job\.yaml:\d+:\d+: not valid YAML: / },
  {
    what: 'a syntax error in a hook file',
    dir: () => caseDir(WITH_HOOKS, { 'hooks.yml': 'hooks:\n- name: a\n  commands: [unclosed\n' }),
    file: 'hooks.yml',
    error: /^hooks\.yml:\d+:\d+: not valid YAML: /,
  },
  {
    what: 'a job file over 1 MiB',
    dir: () => caseDir(`${JOB()}# ${'x'.repeat(1 << 20)}\n`),
    file: 'job.yaml',
    error: /^job file .*job\.yaml is larger than 1 MiB: not read$/,
  },
  {
    what: 'a hooks_files entry naming a file with no hooks (../../etc/shadow)',
    dir: () => caseDir(JOB(`  hooks_files: ["${'../'.repeat(12)}etc/shadow"]\n`)),
    file: 'shadow',
    error: /^\/etc\/shadow: not a hook file: it holds no "hooks:" list$/,
  },
  {
    what: 'a hook file that is a YAML list, not a map',
    dir: () => caseDir(WITH_HOOKS, { 'hooks.yml': '- name: a\n  commands: [true]\n' }),
    file: 'hooks.yml',
    error: /^hooks\.yml: not a hook file: it holds no "hooks:" list$/,
  },
  { what: 'an empty hook file', dir: () => caseDir(WITH_HOOKS, { 'hooks.yml': '' }), file: 'hooks.yml', error: /^hooks\.yml: not a hook file/ },
];

for (const c of cases) {
  test(c.what, () => {
    const dir = c.dir();
    const before = readdirSync(dir).sort();
    const r = runJob(dir);
    assert.is(r.status, 1, r.stderr);
    const line = r.stderr
      .replace(/^jetpack: /, '')
      .replace(`${dir}/`, '')
      .trimEnd();
    assert.ok(r.stderr.endsWith('\n') && r.stderr.split('\n').length === 2, `one line: ${r.stderr}`);
    assert.match(line, c.error, line);
    assert.ok(r.seconds < 20, `${r.seconds} s`);
    assert.ok(r.maxRssKiB < 400 * 1024, `peak memory ${r.maxRssKiB} KiB`);
    assert.equal(readdirSync(dir).sort(), before, 'nothing written beside the job');
    assert.not.ok(existsSync(path.join(dir, 'ws')));
    assert.not.ok(spawnSync('ps', ['-eo', 'args']).stdout.toString().includes(path.join(dir, 'job.yaml')), 'no process left');
  });
}

test('an http source whose tarball expands past JETPACK_MAX_UNPACKED is refused before anything is extracted', () => {
  const dir = caseDir(JOB().replace('uri: "http://127.0.0.1:9/x.tar"', 'uri: "http://127.0.0.1:9/x.tar", target: ./bomb.tar.zst'));
  spawnSync('bash', ['-ec', 'mkdir t && head -c 64M /dev/zero > t/zeros && tar -c t | zstd -q -19 > bomb.tar.zst && rm -r t'], { cwd: dir });
  const start = Date.now();
  const r = spawnSync(JETPACK, [`-root=${root}`, 'metro', 'run', '--specfile', path.join(dir, 'job.yaml'), '--job', 'x', '--cleanup=false'], {
    cwd: dir,
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, CI: 'true', JETPACK_DEBUG: '', JETPACK_MAX_UNPACKED: '10M' },
  });
  assert.is(r.status, 1, r.stderr);
  assert.match(r.stderr, /\njetpack: bomb\.tar\.zst expands to more than 10M \(JETPACK_MAX_UNPACKED raises the limit\)\n$/);
  assert.equal(readdirSync(path.join(dir, 'ws', 'rootfs')), [], 'nothing extracted');
  assert.ok(Date.now() - start < 20_000);
});

test('--config is read as job files are: /dev/zero and a file over 1 MiB are refused in one line', () => {
  const dir = caseDir(JOB());
  writeFileSync(path.join(dir, 'big.yaml'), `# ${'x'.repeat(1 << 20)}\n`);
  for (const [config, error] of [
    ['/dev/zero', /^jetpack: -config \/dev\/zero is not a regular file\n$/],
    [path.join(dir, 'big.yaml'), /^jetpack: -config \S+big\.yaml is larger than 1 MiB: not read\n$/],
  ] as const) {
    const r = spawnSync(JETPACK, [`-root=${root}`, 'metro', 'run', '--specfile', path.join(dir, 'job.yaml'), '--job', 'x', '--config', config], {
      cwd: dir,
      encoding: 'utf8',
      timeout: 20_000,
      env: { ...process.env, CI: 'true', JETPACK_DEBUG: '' },
    });
    assert.is(r.status, 1, r.stderr);
    assert.match(r.stderr, error);
  }
});

test.after(() => removeDir(work));
test.run();
