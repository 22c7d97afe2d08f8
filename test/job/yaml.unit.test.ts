/** Job and hook YAML read as untrusted input (src/job/yaml.ts), and the hooks' environment (src/job/env.ts). */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { UserError } from '../../src/errors.js';
import { MARKDEVKIT_VERSION, jobEnv } from '../../src/job/env.js';
import type { Job } from '../../src/job/spec.js';
import { YAML_LIMITS, parseJobYaml } from '../../src/job/yaml.js';

function refusal(text: string): string {
  try {
    parseJobYaml(text, 'job.yaml');
  } catch (err) {
    assert.instance(err, UserError);
    return (err as Error).message;
  }
  assert.unreachable('no error');
  return '';
}

test('values: ints as bigint, merge keys, later keys win', () => {
  assert.equal(parseJobYaml('a: &a { x: 1, y: two }\nb:\n  <<: *a\n  y: 3\n  f: 1.5\n', 'job.yaml'), {
    a: { x: 1n, y: 'two' },
    b: { x: 1n, y: 3n, f: 1.5 },
  });
});

test('a syntax error is one line at file:line:col', () => {
  assert.match(refusal('jobs:\n  - name: x\n  bad: [1, 2\n'), /^job\.yaml:\d+:\d+: not valid YAML: /);
  assert.match(refusal('a: 1\n\tb: 2\n'), /^job\.yaml:2:\d+: not valid YAML: /);
});

test('flow collections nested past the limit are refused before parsing', () => {
  const deep = '['.repeat(YAML_LIMITS.flowDepth + 1) + ']'.repeat(YAML_LIMITS.flowDepth + 1);
  assert.match(refusal(`a: ${deep}\n`), /^job\.yaml:1:\d+: /);
  assert.equal(parseJobYaml(`a: ${'['.repeat(10)}${']'.repeat(10)}\n`, 'job.yaml'), { a: [[[[[[[[[[]]]]]]]]]] });
});

test('an alias bomb is refused by the expanded size, not built', () => {
  const lines = ['a: &a [x, x, x, x, x, x, x, x, x, x]'];
  for (let i = 1; i < 9; i++)
    lines.push(
      `${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(10)
        .fill(`*${String.fromCharCode(96 + i)}`)
        .join(', ')}]`,
    );
  const started = Date.now();
  assert.match(refusal(lines.join('\n') + '\n'), /^job\.yaml:\d+:\d+: /);
  assert.ok(Date.now() - started < 5000, 'refused quickly');
});

test("the hooks' environment: host, then string and int options (- as _), then environments, then MARKDEVKIT_*", () => {
  const job = {
    options: { 'make-opts': '-j2', count: 3n, list: ['x'], flag: true, HOME: '/opt' },
    environments: [
      { key: 'HOME', value: '/root' },
      { key: 'E', value: 'e' },
    ],
    workspacedir: '/w',
  } as unknown as Job;
  const env = jobEnv(job, '/w/rootfs', { HOME: '/home/me', PATH: '/bin', UNSET: undefined });
  assert.equal(env, {
    HOME: '/root',
    PATH: '/bin',
    make_opts: '-j2',
    count: '3',
    E: 'e',
    MARKDEVKIT_VERSION,
    MARKDEVKIT_WORKSPACE: '/w',
    MARKDEVKIT_ROOTFS: '/w/rootfs',
  });
});

test("an ordinary user's hooks get root's sbin directories their PATH lacks, at its end", () => {
  const job = { options: {}, environments: [], workspacedir: '/w' } as unknown as Job;
  const saved = process.env.JETPACK_USERNS;
  process.env.JETPACK_USERNS = '1'; // as inside an ordinary user's namespace (src/rootless/enter.ts)
  try {
    assert.is(jobEnv(job, '/w/rootfs', { PATH: '/usr/local/bin:/usr/bin:/bin:/sbin' }).PATH, '/usr/local/bin:/usr/bin:/bin:/sbin:/usr/local/sbin:/usr/sbin');
    assert.is(jobEnv(job, '/w/rootfs', {}).PATH, '/usr/local/sbin:/usr/sbin:/sbin');
  } finally {
    if (saved === undefined) delete process.env.JETPACK_USERNS;
    else process.env.JETPACK_USERNS = saved;
  }
});

test.run();
