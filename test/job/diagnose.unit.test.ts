/** The document `jetpack diagnose job` prints (src/job/diagnose.ts). */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parse } from 'yaml';
import { jobDocument } from '../../src/job/diagnose.js';
import type { RenderedJob } from '../../src/job/spec.js';

const RENDERED: RenderedJob = {
  specFile: '/jobs/job.yaml',
  job: {
    name: 'stage',
    source: { type: 'debian', suite: 'bookworm', packages: [], components: ['main'], mirror: undefined },
    output: { type: 'file', name: 'stage.tar.xz', dir: '/out', labels: {} },
    options: { release: 'next', jobs: 9n },
    environments: [{ key: 'MAKEOPTS', value: '-j9' }],
    workspacedir: '/jobs/workspace',
    chroot_binds: [],
    hooks_basedir: '/jobs/hooks',
    hooks_files: ['/jobs/hooks/setup.yaml'],
  },
  hooks: [
    {
      file: '/jobs/hooks/setup.yaml',
      hooks: [{ type: 'inner-chroot', name: 'greet', description: '', entrypoint: [], commands: ['echo next'], chroot_binds: [] }],
    },
  ],
};

const EXPECTED = {
  job: {
    name: 'stage',
    source: { type: 'debian', suite: 'bookworm', components: ['main'] },
    output: { type: 'file', name: 'stage.tar.xz', dir: '/out', labels: {} },
    options: { release: 'next', jobs: 9 },
    environments: [{ key: 'MAKEOPTS', value: '-j9' }],
    workspacedir: '/jobs/workspace',
    chroot_binds: [],
    hooks_basedir: '/jobs/hooks',
    hooks_files: ['/jobs/hooks/setup.yaml'],
  },
  hooks: [
    {
      file: '/jobs/hooks/setup.yaml',
      hooks: [{ type: 'inner-chroot', name: 'greet', description: '', entrypoint: [], commands: ['echo next'], chroot_binds: [] }],
    },
  ],
};

test('the rendered job and its hooks; source fields left unset or empty are not printed', () => {
  const yaml = jobDocument(RENDERED, 'yaml');
  assert.equal(parse(yaml), EXPECTED);
  assert.match(yaml, /^job:\n {4}name: stage\n {4}source:\n {8}type: debian\n/, 'YAML indented by four');
  const json = jobDocument(RENDERED, 'json');
  assert.equal(JSON.parse(json), EXPECTED);
  assert.ok(json.endsWith('}\n'));
});

test.run();
