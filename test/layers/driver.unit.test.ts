import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { copyDriver } from '../../src/layers/copy.js';
import type { Layer, LayerDriver } from '../../src/layers/driver.js';
import { overlayDriver } from '../../src/layers/overlay.js';
import { layerDriver } from '../../src/layers/select.js';

// The layer driver interface (src/layers/driver.ts): the same steps through both drivers on a
// tmpfs of the test's own: create a layer on parents, write into it, mount it, render parents,
// diff and commit, remove.
const base = mkdtempSync(path.join(os.tmpdir(), 'jetpack-driver-'));
const work = path.join(base, 'tmpfs');
mkdirSync(work);
execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64m', 'jetpack-driver-test', work]);

const bottom = path.join(work, 'bottom');
const top = path.join(work, 'top');
execFileSync('sh', [
  '-ec',
  'mkdir -p "$1"/etc "$1"/bin "$1"/gone/deep "$2"/srv; echo base > "$1"/etc/motd; echo keep > "$1"/etc/keep; echo old > "$1"/bin/tool; echo x > "$1"/gone/deep/file; echo added > "$2"/srv/data',
  'sh',
  bottom,
  top,
]);
const parents = [bottom, top];

/** Runs `script` in the layer's merged tree (its root), mounted as a container would mount it. */
function inTree(layer: Layer, script: string): string {
  const mount = layer.mount();
  if (!mount) return execFileSync('sh', ['-ec', script], { cwd: layer.root, encoding: 'utf8' });
  const options = `lowerdir=${[...mount.lowerdirs].reverse().join(':')},upperdir=${mount.upperdir},workdir=${mount.workdir}`;
  const mountThenRun = 'cd "$1"; mount -t overlay -o "$2" overlay "$3"; cd "$3"; shift 3; exec sh -ec "$@"';
  return execFileSync('unshare', ['--mount', '--propagation', 'private', 'sh', '-ec', mountThenRun, 'sh', layer.dir, options, layer.root, script], {
    encoding: 'utf8',
  });
}

const isWhiteout = (file: string): boolean => {
  const st = lstatSync(file);
  return st.isCharacterDevice() && st.rdev === 0;
};

let n = 0;
async function newLayer(driver: LayerDriver): Promise<Layer> {
  const dir = path.join(work, `${driver.name}-${n++}`);
  mkdirSync(dir);
  return driver.create(dir, parents);
}

for (const driver of [overlayDriver, copyDriver]) {
  test(`${driver.name}: a layer on parents shows their merged tree, and what the host writes into it`, async () => {
    const layer = await newLayer(driver);
    writeFileSync(layer.hostPath('host-written'), 'from the host\n');
    assert.is(inTree(layer, 'cat etc/motd srv/data host-written'), 'base\nadded\nfrom the host\n');
    assert.is((await layer.view().readFile('srv/data'))?.toString(), 'added\n', 'the view reads the tree unmounted');
    assert.not.ok(existsSync(path.join(top, 'host-written')), 'the parents are unchanged');
    await layer.remove();
  });

  test(`${driver.name}: diff leaves exactly the changes since seal() in layerDir; commit leaves nothing beside it`, async () => {
    const layer = await newLayer(driver);
    await layer.seal();
    inTree(layer, 'echo new > bin/tool; mkdir -p opt; echo mine > opt/file; rm etc/motd; rm -r gone; mkdir work-dir; echo scratch > work-dir/x');
    await layer.diff(['work-dir']);
    const upper = layer.layerDir;
    assert.is(readFileSync(path.join(upper, 'bin/tool'), 'utf8'), 'new\n');
    assert.is(readFileSync(path.join(upper, 'opt/file'), 'utf8'), 'mine\n');
    assert.ok(isWhiteout(path.join(upper, 'etc/motd')), 'a deleted file is a whiteout');
    assert.ok(isWhiteout(path.join(upper, 'gone')), 'a deleted directory is a whiteout');
    assert.not.ok(existsSync(path.join(upper, 'etc/keep')), 'an unchanged file is not in the layer');
    assert.not.ok(existsSync(path.join(upper, 'srv')), 'an unchanged parent directory is not in the layer');
    if (driver === copyDriver) assert.not.ok(existsSync(path.join(upper, 'work-dir')), 'an excluded path is left out');
    await layer.commit();
    assert.equal(readdirSync(layer.dir), ['rootfs'], 'only the layer is left');
    assert.is(lstatSync(upper).mtimeMs, lstatSync(top).mtimeMs, "the layer's root has the top parent's metadata");
    assert.is(readFileSync(path.join(bottom, 'etc/motd'), 'utf8'), 'base\n', 'the parents are unchanged');
  });

  test(`${driver.name}: remove() takes away all but the layer`, async () => {
    const layer = await newLayer(driver);
    assert.ok(readdirSync(layer.dir).length > 1, 'the layer keeps more than its layerDir while it lives');
    await layer.remove();
    assert.equal(readdirSync(layer.dir), ['rootfs']);
  });

  test(`${driver.name}: a relocated layer is the same layer in its new directory`, async () => {
    const layer = await newLayer(driver);
    writeFileSync(layer.hostPath('moved'), 'along\n');
    const dir = `${layer.dir}-moved`;
    execFileSync('mv', [layer.dir, dir]);
    const moved = layer.relocated(dir);
    assert.is(moved.layerDir, path.join(dir, 'rootfs'));
    assert.is(inTree(moved, 'cat moved srv/data'), 'along\nadded\n');
    await moved.remove();
  });

  test(`${driver.name}: render shows the parents' merged tree to a command, the parents unchanged`, async () => {
    const dir = path.join(work, `render-${driver.name}`);
    mkdirSync(dir);
    const tree = await driver.render(parents, dir);
    const [cmd, args] = tree.wrap('sh', ['-c', 'cat "$0"/rootfs/etc/motd "$0"/rootfs/srv/data', tree.parent]);
    assert.is(execFileSync(cmd, args, { encoding: 'utf8' }), 'base\nadded\n');
    assert.not.ok(existsSync(path.join(bottom, 'srv')));
  });
}

test('overlay: a kept layer carries on from the one left in its directory', async () => {
  const layer = await newLayer(overlayDriver);
  inTree(layer, 'echo first > first');
  const again = await overlayDriver.create(layer.dir, parents, { keep: true });
  assert.is(inTree(again, 'cat first'), 'first\n');
  await again.remove();
});

test('copy: a kept layer is refused, nothing made', async () => {
  const dir = path.join(work, 'copy-keep');
  mkdirSync(dir);
  try {
    await copyDriver.create(dir, parents, { keep: true });
    assert.unreachable('a copy layer cannot outlive its container');
  } catch (err) {
    assert.match((err as Error).message, /needs overlayfs/);
  }
  assert.equal(readdirSync(dir), []);
});

test('copy: diff before seal() is refused', async () => {
  const layer = await newLayer(copyDriver);
  try {
    await layer.diff([]);
    assert.unreachable('there is nothing to diff against');
  } catch (err) {
    assert.match((err as Error).message, /before it was sealed/);
  }
});

test('the driver is chosen in one place: copy with JETPACK_NO_OVERLAY, else overlay where the kernel has it', async () => {
  const saved = process.env.JETPACK_NO_OVERLAY;
  try {
    process.env.JETPACK_NO_OVERLAY = '1';
    assert.is(await layerDriver(), copyDriver);
    delete process.env.JETPACK_NO_OVERLAY;
    assert.is(await layerDriver(), /\toverlay$/m.test(readFileSync('/proc/filesystems', 'utf8')) ? overlayDriver : copyDriver);
  } finally {
    if (saved === undefined) delete process.env.JETPACK_NO_OVERLAY;
    else process.env.JETPACK_NO_OVERLAY = saved;
  }
});

test.after(() => {
  execFileSync('umount', [work]);
  rmSync(base, { recursive: true, force: true });
});

test.run();
