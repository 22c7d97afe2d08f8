import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { LayerTree } from '../../src/layers/layer-tree.js';
import { removeDir, sh, tempDir } from '../helpers/cli.js';

// Reading an image's layers without mounting them: overlay rules, and no host path reached
// through a link in any layer.
const work = tempDir();
const host = path.join(work, 'host-etc');
mkdirSync(host);
writeFileSync(path.join(host, 'os-release'), 'PRETTY_NAME="HOST LEAK"\n');
const [lower, upper] = [path.join(work, 'lower'), path.join(work, 'upper')];
mkdirSync(lower);
mkdirSync(path.join(upper, 'etc'), { recursive: true });
symlinkSync(host, path.join(lower, 'etc')); // the lower layer's /etc: an absolute link (to the host, read from outside)
mkdirSync(path.join(lower, 'usr/lib'), { recursive: true });
writeFileSync(path.join(lower, 'usr/lib/os-release'), 'PRETTY_NAME="image"\n');
mkdirSync(path.join(lower, 'opaque'));
writeFileSync(path.join(lower, 'opaque/hidden'), 'x');
mkdirSync(path.join(upper, 'opaque'));
sh(`setfattr -n trusted.overlay.opaque -v y "${upper}/opaque"`);
symlinkSync('/usr/lib/os-release', path.join(upper, 'etc/os-release'));
sh(`mknod "${upper}/gone" c 0 0`);
writeFileSync(path.join(lower, 'gone'), 'deleted by the upper layer');
const tree = new LayerTree([lower, upper]);

test('a link in a lower layer under an upper directory is never followed on the host', async () => {
  assert.is((await tree.readFile('etc/os-release'))?.toString(), 'PRETTY_NAME="image"\n', 'the absolute link resolves in the image');
  assert.equal(await tree.readdir('etc'), ['os-release']);
  assert.is(
    await new LayerTree([lower]).readFile('etc/os-release').then((b) => b?.toString()),
    undefined,
    "etc -> /abs/host-etc means the image's /abs/host-etc, absent",
  );
});

test('whiteouts and opaque directories hide what is below', async () => {
  assert.is(await tree.lstat('gone'), undefined);
  assert.is(await tree.lstat('opaque/hidden'), undefined);
  assert.equal(await tree.readdir('opaque'), []);
  assert.ok((await new LayerTree([lower]).lstat('opaque/hidden'))?.stat.isFile());
});

test.after(() => removeDir(work));
test.run();
