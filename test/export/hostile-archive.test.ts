/**
 * Hostile OCI archives, docker-archives and layouts for `jetpack import`: members read only as
 * regular files of the archive (never through a link to the host, never from a device or FIFO),
 * names that leave the archive refused, expansion bounded. Each case: exit 1 with one line,
 * the store unchanged and fsck clean, nothing outside touched, no process left, in bounded time.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { JETPACK, jetpack, removeDir, sh, storeState, tempDir } from '../helpers/cli.js';
import { tarball, type Member } from '../helpers/hostile-archives.js';

const work = tempDir('jetpack-hostile-oci-');
const root = path.join(work, 'store');
const victim = path.join(work, 'victim');
const canary = path.join(work, 'canary');
mkdirSync(canary);
const TIME_BOUND_MS = 20_000;

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const layer = tarball([{ name: 'hello', data: 'hello from the layer\n' }]);
// The victim is a valid layer on the host: a link to it must not import it.
writeFileSync(victim, tarball([{ name: 'host-secret', data: 'read from the host\n' }]));
const config = (diffs: Buffer[]) =>
  Buffer.from(
    JSON.stringify({ architecture: 'amd64', os: 'linux', config: {}, rootfs: { type: 'layers', diff_ids: diffs.map((d) => `sha256:${sha256(d)}`) } }),
  );

function dockerArchive(
  file: string,
  members: Member[],
  manifest: object = [{ Config: 'config.json', RepoTags: ['example.com/hostile:1'], Layers: ['layer.tar'] }],
): string {
  writeFileSync(file, tarball([{ name: 'manifest.json', data: JSON.stringify(manifest) }, ...members]));
  return `docker-archive:${file}`;
}

/** An oci-archive whose index names a manifest naming `configBlob` and `layerBlob`; `members` holds (or replaces) the blobs. */
function ociArchive(file: string, members: (blobs: { manifest: Member; config: string; layer: string }) => Member[]): string {
  const cfg = config([layer]);
  const manifest = JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: `sha256:${sha256(cfg)}`, size: cfg.length },
    layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: `sha256:${sha256(layer)}`, size: layer.length }],
  });
  const index = JSON.stringify({
    schemaVersion: 2,
    manifests: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: `sha256:${sha256(Buffer.from(manifest))}`, size: manifest.length }],
  });
  const base: Member[] = [
    { name: 'oci-layout', data: '{"imageLayoutVersion":"1.0.0"}' },
    { name: 'index.json', data: index },
    { name: 'blobs/', type: 'directory' },
    { name: 'blobs/sha256/', type: 'directory' },
  ];
  const blobs = {
    manifest: { name: `blobs/sha256/${sha256(Buffer.from(manifest))}`, data: manifest },
    config: `blobs/sha256/${sha256(cfg)}`,
    layer: `blobs/sha256/${sha256(layer)}`,
  };
  writeFileSync(file, tarball([...base, ...members(blobs)]));
  return `oci-archive:${file}`;
}

const good = (extra: Member[] = []) => [{ name: 'config.json', data: config([layer]) }, ...extra];
const cases: Array<{ name: string; source: string; expect: RegExp; env?: Record<string, string> }> = [];
const dir = path.join(work, 'cases');
mkdirSync(dir);
const at = (name: string) => path.join(dir, name);

cases.push({
  name: 'layer.tar a symlink to a host file',
  source: dockerArchive(at('abs-link.tar'), good([{ name: 'layer.tar', type: 'symlink', linkname: victim }])),
  expect: /refusing the layer "layer.tar" of the docker-archive .*: it is a symlink, not a regular file/,
});
cases.push({
  name: 'layer.tar a symlink to /dev/zero',
  source: dockerArchive(at('zero-link.tar'), good([{ name: 'layer.tar', type: 'symlink', linkname: '/dev/zero' }])),
  expect: /refusing the layer "layer.tar" .*: it is a symlink/,
});
cases.push({
  name: 'config a symlink to /dev/zero',
  source: dockerArchive(at('config-zero.tar'), [
    { name: 'config.json', type: 'symlink', linkname: '/dev/zero' },
    { name: 'layer.tar', data: layer },
  ]),
  expect: /refusing the config "config.json" .*: it is a symlink/,
});
cases.push({
  name: 'layer.tar a hardlink',
  source: dockerArchive(
    at('hardlink.tar'),
    good([
      { name: 'other', data: layer },
      { name: 'layer.tar', type: 'hardlink', linkname: 'other' },
    ]),
  ),
  expect: /refusing the layer "layer.tar" .*: it is a hardlink/,
});
cases.push({
  name: 'layer.tar a FIFO',
  source: dockerArchive(at('fifo.tar'), good([{ name: 'layer.tar', type: 'fifo' }])),
  expect: /refusing archive entry "layer.tar": the docker-archive .* may hold no device nodes or FIFOs/,
});
cases.push({
  name: 'layer.tar a character device',
  source: dockerArchive(at('char.tar'), good([{ name: 'layer.tar', type: 'char', devmajor: 1, devminor: 5 }])),
  expect: /refusing archive entry "layer.tar": .*no device nodes or FIFOs/,
});
cases.push({
  name: 'Layers leaving the archive',
  source: dockerArchive(at('dotdot.tar'), good([{ name: 'layer.tar', data: layer }]), [
    { Config: 'config.json', RepoTags: ['a:1'], Layers: ['../../etc/passwd'] },
  ]),
  expect: /names its layer "..\/..\/etc\/passwd", a path outside it/,
});
cases.push({
  name: 'an absolute Config',
  source: dockerArchive(at('abs-config.tar'), good([{ name: 'layer.tar', data: layer }]), [
    { Config: '/etc/passwd', RepoTags: ['a:1'], Layers: ['layer.tar'] },
  ]),
  expect: /names its config "\/etc\/passwd", a path outside it/,
});
cases.push({
  name: 'a layer beneath a symlinked directory',
  source: dockerArchive(at('dir-link.tar'), good([{ name: 'd', type: 'symlink', linkname: path.dirname(victim) }]), [
    { Config: 'config.json', RepoTags: ['a:1'], Layers: [`d/${path.basename(victim)}`] },
  ]),
  expect: /has no layer "d\/victim"/,
});
cases.push({
  name: 'manifest.json not a list',
  source: dockerArchive(at('not-list.tar'), good(), { Config: 'config.json' }),
  expect: /manifest.json of the docker-archive .* is not a list of images/,
});
cases.push({
  name: 'an OCI layer blob a symlink to a host file with its digest',
  source: ociArchive(at('oci-link.tar'), (b) => [b.manifest, { name: b.config, data: config([layer]) }, { name: b.layer, type: 'symlink', linkname: victim }]),
  expect: /refusing the layer "blobs\/sha256\/[0-9a-f]{64}" of the oci-archive .*: it is a symlink/,
});
cases.push({
  name: 'an OCI config blob a symlink to /dev/zero',
  source: ociArchive(at('oci-config-zero.tar'), (b) => [
    b.manifest,
    { name: b.config, type: 'symlink', linkname: '/dev/zero' },
    { name: b.layer, data: layer },
  ]),
  expect: /refusing the image config "blobs\/sha256\/[0-9a-f]{64}" .*: it is a symlink/,
});
// A layout on disk (oci:DIR) whose blob is a link to a host file: refused the same way.
const layoutDir = at('layout');
sh(`mkdir -p ${layoutDir} && tar -x -f ${at('oci-link.tar')} -C ${layoutDir} --exclude='blobs/sha256/${sha256(layer)}'`);
symlinkSync('/dev/zero', path.join(layoutDir, 'blobs', 'sha256', sha256(layer)));
cases.push({
  name: 'a layout blob a symlink to /dev/zero',
  source: `oci:${layoutDir}`,
  expect: /refusing the layer "blobs\/sha256\/[0-9a-f]{64}" of the layout .*: a symlink, not a regular file/,
});

// Expansion: a sparse member claiming 4 GiB (30 KB on the wire), gzip of 200 MB of zeros, too many members.
sh(`mkdir -p ${at('sparse')} && truncate -s 4G ${at('sparse')}/big && tar -c -f ${at('sparse-layer.tar')} --sparse --format=gnu -C ${at('sparse')} big`);
const sparseLayer = readFileSync(at('sparse-layer.tar'));
cases.push({
  name: 'a layer whose sparse member claims 4 GiB',
  source: dockerArchive(at('sparse.tar'), [
    { name: 'config.json', data: config([sparseLayer]) },
    { name: 'layer.tar', data: sparseLayer },
  ]),
  expect: /layer 1 of the docker-archive .* expands to more than 10M \(JETPACK_MAX_UNPACKED raises the limit\)/,
  env: { JETPACK_MAX_UNPACKED: '10M' },
});
const bomb = Buffer.from(sh(`head -c 200M /dev/zero | gzip -1 | base64 -w0`), 'base64');
cases.push({
  name: 'a gzip bomb layer',
  source: dockerArchive(at('bomb.tar'), good([{ name: 'layer.tar', data: bomb }])),
  expect: /layer 1 of the docker-archive .* expands to more than 10M/,
  env: { JETPACK_MAX_UNPACKED: '10M' },
});
const many = tarball(Array.from({ length: 50 }, (_, i) => ({ name: `f${i}`, data: 'x' })));
cases.push({
  name: 'a layer with too many members',
  source: dockerArchive(at('many.tar'), [
    { name: 'config.json', data: config([many]) },
    { name: 'layer.tar', data: many },
  ]),
  expect: /has more than 40 members \(JETPACK_MAX_ENTRIES raises the limit\)/,
  env: { JETPACK_MAX_ENTRIES: '40' },
});
cases.push({
  name: 'a bad JETPACK_MAX_UNPACKED',
  source: dockerArchive(at('bad-env.tar'), good([{ name: 'layer.tar', data: layer }])),
  expect: /JETPACK_MAX_UNPACKED=lots is not a size such as 16G or 500M/,
  env: { JETPACK_MAX_UNPACKED: 'lots' },
});

function leftovers(marker: string): string[] {
  return sh(`ps -eo pid,args | grep -F -- '${marker}' | grep -v grep || true`).trim().split('\n').filter(Boolean);
}

test('hostile OCI archives, docker-archives and layouts: refused by name, nothing stored, nothing read from the host, in bounded time', () => {
  jetpack(root, ['images']);
  const before = storeState(root);
  const victimBytes = readFileSync(victim);
  const problems: string[] = [];
  for (const c of cases) {
    const started = Date.now();
    const r = spawnSync(JETPACK, [`-root=${root}`, 'import', '-name=example.com/hostile', c.source], {
      encoding: 'utf8',
      timeout: TIME_BOUND_MS,
      env: { ...process.env, CI: 'true', JETPACK_DEBUG: '', ...c.env },
    });
    const took = Date.now() - started;
    const last = (r.stderr ?? '').trim().split('\n').pop() ?? '';
    if (r.signal) problems.push(`${c.name}: still running after ${TIME_BOUND_MS} ms (killed)`);
    else if (r.status !== 1) problems.push(`${c.name}: exit ${r.status}, ${last}`);
    else if (!c.expect.test(last)) problems.push(`${c.name}: said ${JSON.stringify(last)}, expected ${c.expect}`);
    if (took > TIME_BOUND_MS) problems.push(`${c.name}: took ${took} ms`);
    if (JSON.stringify(storeState(root)) !== JSON.stringify(before)) problems.push(`${c.name}: the store changed: ${JSON.stringify(storeState(root))}`);
    const marker = c.source.slice(c.source.indexOf(':') + 1);
    if (leftovers(marker).length) problems.push(`${c.name}: processes left: ${leftovers(marker).join('; ')}`);
  }
  assert.equal(problems, []);
  assert.is(jetpack(root, ['fsck']).status, 0, 'fsck clean');
  assert.equal(readdirSync(canary), []);
  assert.equal(readFileSync(victim), victimBytes);
});

test('the same archives with regular members import (the refusals are about the members, not the form)', () => {
  const ok = dockerArchive(at('good.tar'), good([{ name: 'layer.tar', data: layer }]));
  const r = jetpack(root, ['import', '-name=example.com/good', ok]);
  assert.is(r.status, 0, r.stderr);
  const oci = ociArchive(at('good-oci.tar'), (b) => [b.manifest, { name: b.config, data: config([layer]) }, { name: b.layer, data: layer }]);
  assert.is(jetpack(root, ['import', '-name=example.com/good-oci', oci]).status, 0);
  assert.is(jetpack(root, ['fsck']).status, 0);
});

test.after(() => removeDir(work));
test.run();
