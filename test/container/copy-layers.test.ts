import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { lstatSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { copyLayerOnto } from '../../src/layers/copy.js';
import { removeDir, sh, tempDir } from '../helpers/cli.js';

// The copy fallback renders a container's layers one onto another in a host directory:
// a link of a lower layer is never followed on the host when a layer above replaces it.
const work = tempDir();

test('a layer replacing a link with a directory: its whiteouts and opaque directories act in the tree, never through the link', async () => {
  const host = path.join(work, 'host');
  const lower = path.join(work, 'lower');
  const upper = path.join(work, 'upper');
  const tree = path.join(work, 'tree');
  sh(`mkdir -p "${host}/sub" "${lower}" "${upper}/etc/sub" "${tree}"
      echo precious > "${host}/victim" && echo precious > "${host}/sub/kept"
      ln -s "${host}" "${lower}/etc"
      mknod "${upper}/etc/victim" c 0 0 && setfattr -n trusted.overlay.opaque -v y "${upper}/etc/sub" && echo new > "${upper}/etc/sub/file"`);
  await copyLayerOnto(lower, tree);
  await copyLayerOnto(upper, tree);
  assert.is(readFileSync(path.join(host, 'victim'), 'utf8'), 'precious\n', 'the host file the link named is still there');
  assert.is(readFileSync(path.join(host, 'sub', 'kept'), 'utf8'), 'precious\n');
  assert.ok(lstatSync(path.join(tree, 'etc')).isDirectory(), 'the directory replaced the link, as overlayfs shows it');
  assert.is(sh(`cd "${tree}" && find etc | sort`), 'etc\netc/sub\netc/sub/file\n');
});

test.after(() => removeDir(work));
test.run();
