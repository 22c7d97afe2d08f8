/**
 * README.md against what the tree does: where its stage job writes, which image directories
 * images/Makefile builds and which README says it leaves out, that .gitignore covers what its
 * commands write in the checkout, and that `npm test -- PATTERN` reaches the test runner.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { REPO, jetpackOk, removeDir, tempDir } from '../helpers/cli.js';
import { parseJson, readJson } from '../helpers/json.js';

const readme = readFileSync(path.join(REPO, 'README.md'), 'utf8');
const work = tempDir('jetpack-readme-');
test.after(() => removeDir(work));

test('README: each metro run line names the file the job writes (output.dir is relative to the job file)', () => {
  const runs = [...readme.matchAll(/^jetpack metro run --specfile (\S+) --job (\S+)\s+# (\S+?)…/gm)];
  assert.ok(runs.length > 0, 'README has a metro run line with its output');
  for (const [, specfile, job, said] of runs) {
    // Run from elsewhere: the paths must not depend on the current directory.
    const shown = parseJson<{ job: { output: { dir: string; name: string } } }>(
      jetpackOk(path.join(work, 'store'), ['diagnose', 'job', '--specfile', path.join(REPO, specfile), '--job', job, '--json'], { cwd: work }),
    );
    const output = path.join(shown.job.output.dir, shown.job.output.name);
    assert.ok(path.relative(REPO, output).startsWith(said), `${specfile}: writes ${output}, README says ${said}…`);
  }
});

test('images/Makefile builds every image directory but those README names as left out, with why', () => {
  const makefile = readFileSync(path.join(REPO, 'images', 'Makefile'), 'utf8');
  const built = /^IMAGES := (.*)$/m.exec(makefile)![1].trim().split(/\s+/);
  const section = readme.slice(readme.indexOf('## Building images'), readme.indexOf('## Running images'));
  const leftOut = [...section.matchAll(/^- `([^`]+)`: \S/gm)].map((m) => m[1]);
  const dirs = readdirSync(path.join(REPO, 'images'), { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name);
  assert.equal([...built, ...leftOut].sort(), dirs.sort(), 'each directory is built or left out, once');
  for (const dir of built) assert.match(section, `\`${dir}\``, `README names ${dir} among the images built`);
});

test('.gitignore covers every file the README commands write in the checkout, and no tracked file', () => {
  const written = [
    // Quick start and images/: make's outputs and state, the base images' downloads and made files.
    ...['busybox.deb', 'rootfs.tar', 'manifest.json', 'image.aci', 'image.aci.id'].map((f) => `images/busybox/${f}`),
    ...['rootfs.tar', 'rootfs.tar.tmp', 'manifest.json', 'image.aci', 'image.aci.id'].map((f) => `images/debian/${f}`),
    ...[
      'image.aci.id',
      'image.aci',
      'image.aci.asc',
      'image.flat.aci',
      'image.oci.tar',
      '.jetpack.inputs',
      '.jetpack.parent.id',
      '.jetpack.parent.checked',
    ].map((f) => `images/example.hello/${f}`),
    'images/example.nginx/manifest.json',
    'images/example.portable/example-portable_1.raw',
    'images/example.zx-hello/.jetpack.script.json',
    'images/example.zx-hello/image.aci.id',
    // Stage jobs.
    'jobs/output/debian-bookworm-minbase-20260101.tar.zst',
    'jobs/workspace/debian/rootfs/etc/passwd',
    'jobs/sourcer/busybox-rootfs-1.0.tar',
    // Run from the checkout.
    'repo/config',
    'repo.uploads/tus/x',
    'users',
    'coverage/index.html', // npm run test:unit:coverage (docs/TESTING.md)
    'example-portable_1.raw',
    'out.aci',
    'nginx.oci.tar',
    'site/index.html',
    'site/images/example.com/app-1.0-linux-amd64.aci.asc',
    'jetpack-linux-0.1.0.tgz',
  ];
  const check = spawnSync('git', ['check-ignore', '--no-index', '--verbose', '--non-matching', '--stdin'], {
    cwd: REPO,
    input: written.join('\n') + '\n',
    encoding: 'utf8',
  });
  const notIgnored = check.stdout
    .split('\n')
    .filter((l) => l.startsWith('::'))
    .map((l) => l.split('\t')[1]);
  assert.equal(notIgnored, [], check.stderr);
  const tracked = spawnSync('git', ['ls-files', '--cached', '--ignored', '--exclude-standard'], { cwd: REPO, encoding: 'utf8' });
  assert.is(tracked.status, 0, tracked.stderr);
  assert.is(tracked.stdout, '', 'no tracked file is ignored (the committed manifests of images/ among them)');
});

test('npm test -- PATTERN: the test script ends with the runner, so npm hands it the pattern; README says so', () => {
  const { scripts } = readJson<{ scripts: Record<string, string> }>(path.join(REPO, 'package.json'));
  assert.match(scripts.test, /(^|&& )node scripts\/run-tests\.mjs$/);
  assert.match(scripts['test:unit'], /^node scripts\/run-tests\.mjs --unit$/);
  assert.match(readme, /`npm test -- PATTERN`/);
  assert.match(readme, /`npm run test:unit -- PATTERN`/);
});

test.run();
