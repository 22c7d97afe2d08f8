import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { JETPACK, MINIMAL_MANIFEST, describeTree, jetpackOk, makeAciWithTar, removeDir, sh, tempDir } from '../helpers/cli.js';
import { makeFidelityRootfs } from '../helpers/rootfs.js';

const work = tempDir();
const root = path.join(work, 'store');
const original = makeFidelityRootfs(work);
const expected = describeTree(original);

function assertSameTree(actual: Map<string, string>, what: string): void {
  for (const [name, want] of expected) {
    assert.is(actual.get(name), want, `${what}: ${name}`);
  }
  assert.equal([...actual.keys()].sort(), [...expected.keys()].sort(), `${what}: same entries`);
}

function extract(aci: string, into: string): string {
  sh(`mkdir -p "${into}" && tar -x --numeric-owner --same-owner -p --xattrs --xattrs-include='*' --acls -f "${aci}" -C "${into}"`);
  return path.join(into, 'rootfs');
}

const aci = makeAciWithTar(work, original, MINIMAL_MANIFEST);
const id = jetpackOk(root, ['import', aci]).trim();

test('the image ID is sha512sum of the uncompressed ACI', () => {
  const sum = sh(`sha512sum "${aci}"`).split(' ')[0];
  assert.is(id, `sha512-${sum}`);
});

test('every entry survives import into the store exactly', () => {
  assertSameTree(describeTree(path.join(root, 'images', id, 'rootfs')), 'store rootfs');
});

test('every entry survives import then flat export exactly', () => {
  const out = path.join(work, 'flat.aci');
  jetpackOk(root, ['export', '-flat', id, out]);
  assertSameTree(describeTree(extract(out, path.join(work, 'flat'))), 'flat export');
});

test('every entry survives import then layered export exactly', () => {
  const out = path.join(work, 'layered.aci');
  jetpackOk(root, ['export', id, out]);
  assertSameTree(describeTree(extract(out, path.join(work, 'layered'))), 'layered export');
});

for (const compression of ['gzip', 'bzip2', 'xz', 'zstd'] as const) {
  test(`a ${compression} ACI gets the ID of its uncompressed bytes and the same tree`, () => {
    const packed = makeAciWithTar(work, original, { ...MINIMAL_MANIFEST, name: `example.com/${compression}` }, compression);
    const store = path.join(work, `store-${compression}`);
    const got = jetpackOk(store, ['import', packed]).trim();
    const decompress = compression === 'gzip' ? 'gzip -dc' : `${compression} -dc`;
    assert.is(got, `sha512-${sh(`${decompress} "${packed}" | sha512sum`).split(' ')[0]}`);
    assertSameTree(describeTree(path.join(store, 'images', got, 'rootfs')), `${compression} import`);
  });
}

test('layered export without -compress gives the stored bytes; with it, the same ID', () => {
  const out = path.join(work, 'again.aci');
  jetpackOk(root, ['export', id, out]);
  assert.ok(readFileSync(out).equals(readFileSync(aci)));
  const zst = path.join(work, 'again.aci.zst');
  jetpackOk(root, ['export', '-compress=zstd', id, zst]);
  assert.is(`sha512-${sh(`zstd -dc "${zst}" | sha512sum`).split(' ')[0]}`, id);
});

test('round trip: import → export → import gives the same ID', () => {
  const out = path.join(work, 'rt.aci.xz');
  jetpackOk(root, ['export', '--compress', 'xz', id, out]);
  const other = path.join(work, 'store-rt');
  assert.is(jetpackOk(other, ['import', out]).trim(), id);
});

test('flat export is deterministic and re-imports to the ID it printed', () => {
  const a = path.join(work, 'det-a.aci');
  const b = path.join(work, 'det-b.aci');
  const idA = jetpackOk(root, ['export', '-flat', id, a]).trim();
  const idB = jetpackOk(root, ['export', '-flat', id, b]).trim();
  assert.is(idA, idB);
  assert.ok(readFileSync(a).equals(readFileSync(b)), 'byte-identical exports');
  assert.is(idA, `sha512-${sh(`sha512sum "${a}"`).split(' ')[0]}`);
  const other = path.join(work, 'store-flat');
  assert.is(jetpackOk(other, ['import', a]).trim(), idA);
  const c = path.join(work, 'det-c.aci');
  assert.is(jetpackOk(other, ['export', '-flat', idA, c]).trim(), idA, 'flat export of a flat import is a fixed point');
  // Into a file tar writes the ACI and jetpack hashes it back; to a pipe (or a write-only
  // redirect) it flows through jetpack: both ways give the same bytes and the same ID.
  const piped = path.join(work, 'det-piped.aci');
  const idPiped = sh(`"${JETPACK}" -root="${root}" export -flat ${id} - 2>&1 >"${piped}" | tail -n 1`).trim();
  assert.is(idPiped, idA);
  assert.ok(readFileSync(piped).equals(readFileSync(a)), 'byte-identical through a redirect');
  const viaCat = path.join(work, 'det-cat.aci');
  sh(`"${JETPACK}" -root="${root}" export -flat ${id} - 2>/dev/null | cat >"${viaCat}"`);
  assert.ok(readFileSync(viaCat).equals(readFileSync(a)), 'byte-identical through a pipe');
  // A read-write stdout that is not at its start (a shell's 1<> after earlier writes): tar
  // would write past where a read-back begins, so the ACI flows through jetpack instead.
  const offset = path.join(work, 'det-offset.aci');
  const idOffset = sh(
    `exec 3<>"${offset}"; printf abcdef >&3; truncate -s 0 "${offset}"; "${JETPACK}" -root="${root}" export -flat ${id} - 2>&1 1>&3 | tail -n 1`,
  ).trim();
  assert.is(idOffset, idA);
  assert.ok(readFileSync(offset).subarray(6).equals(readFileSync(a)), 'the ACI after the offset');
});

test.after(() => removeDir(work));
test.run();
