import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { JETPACK, MINIMAL_MANIFEST, makeAciWithTar, removeDir, sh, tempDir } from '../helpers/cli.js';
import { importBusybox } from '../helpers/busybox.js';

// When import, build or makeaci says it succeeded, the result is on disk: the image's files
// are flushed (syncfs) before its directory is renamed into images/, and images/ is fsynced
// after. strace shows the system calls in the order they were made.
const work = tempDir();
const root = path.join(work, 'store');
importBusybox(root, work);

/** The syncfs, fsync and rename calls of a jetpack command (all its processes), in order. */
function durabilityCalls(args: string[]): string[] {
  const log = path.join(work, 'strace.txt');
  sh(
    `strace -f -qq -y -e trace=syncfs,fsync,rename,renameat,renameat2 -o "${log}" "${JETPACK}" -root="${root}" ${args.map((a) => `'${a}'`).join(' ')} >/dev/null 2>&1`,
  );
  return readFileSync(log, 'utf8')
    .split('\n')
    .map((l) => l.replace(/^\d+\s+/, ''))
    .filter((l) => /^(syncfs|fsync|rename)/.test(l) && !l.includes('<unfinished'));
}

/** The calls that make image `id` durable, in order: flush, rename into images/, fsync of images/. */
function assertDurableCommit(calls: string[], kind: string): void {
  const images = path.join(root, 'images');
  const rename = calls.findIndex((c) => new RegExp(`^rename\\("${root}/tmp/${kind}-\\w+", "${images}/sha512-[0-9a-f]{128}"\\) = 0`).test(c));
  assert.ok(rename > 0, `the staging dir is renamed into images/:\n${calls.join('\n')}`);
  const flush = calls.findIndex((c) => new RegExp(`^syncfs\\(\\d+<${root}/tmp/${kind}-\\w+>\\) = 0`).test(c));
  assert.ok(flush >= 0 && flush < rename, `syncfs of the store before the rename:\n${calls.join('\n')}`);
  const dirSync = calls.findIndex((c, i) => i > rename && c.startsWith(`fsync(`) && c.includes(`<${images}>) = 0`));
  assert.ok(dirSync > rename, `fsync of images/ after the rename:\n${calls.join('\n')}`);
}

test('import: files flushed before the rename, images/ fsynced after', () => {
  const tree = path.join(work, 'tree');
  sh(`mkdir -p "${tree}/etc" && echo durable > "${tree}/etc/durable"`);
  assertDurableCommit(durabilityCalls(['import', makeAciWithTar(work, tree, { ...MINIMAL_MANIFEST, name: 'example.com/durable' })]), 'import');
});

test('build: the same order', () => {
  const dir = path.join(work, 'build');
  sh(`mkdir -p "${dir}"`);
  writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify({ name: 'example.com/built-durably' }));
  assertDurableCommit(durabilityCalls(['build', `-dir=${dir}`, 'jetpack/busybox', '/bin/sh', '-c', 'echo x > /x']), 'build');
});

test('makeaci: the ACI file is fsynced, renamed into place, and its directory fsynced', () => {
  const tarball = path.join(work, 'rootfs.tar');
  sh(`tar -C "${work}/tree" -cf "${tarball}" .`);
  writeFileSync(path.join(work, 'm.json'), JSON.stringify({ ...MINIMAL_MANIFEST, name: 'example.com/made' }));
  const out = path.join(work, 'out', 'made.aci');
  sh(`mkdir -p "${path.dirname(out)}"`);
  const calls = durabilityCalls(['makeaci', tarball, path.join(work, 'm.json'), out]);
  const rename = calls.findIndex((c) => c.startsWith('rename(') && c.includes(`"${out}"`));
  const fileSync = calls.findIndex((c) => /^fsync\(\d+<.*\/\.made\.aci\.\d+\.tmp>\) = 0/.test(c));
  const dirSync = calls.findIndex((c) => c.startsWith('fsync(') && c.includes(`<${path.dirname(out)}>) = 0`));
  assert.ok(fileSync >= 0 && fileSync < rename && rename < dirSync, calls.join('\n'));
});

test.after(() => removeDir(work));
test.run();
