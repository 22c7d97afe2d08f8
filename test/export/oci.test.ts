import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describeTree, jetpack, jetpackOk, removeDir, sh, tempDir } from '../helpers/cli.js';
import { importBusybox } from '../helpers/busybox.js';
import { tarball, writeHostileCorpus } from '../helpers/hostile-archives.js';
import { parseJson } from '../helpers/json.js';

/** What `skopeo inspect` prints that these tests read. */
type SkopeoInspect = { Digest: string; Layers: string[] };

// jetpack export -format=oci|oci-archive|docker-archive, read back by skopeo and umoci.
const work = tempDir();
const root = path.join(work, 'store');
importBusybox(root, work);
const buildDir = path.join(work, 'build');
mkdirSync(buildDir);
writeFileSync(
  path.join(buildDir, 'manifest.json'),
  JSON.stringify({
    name: 'example.com/oci-child',
    labels: [{ name: 'version', value: '1.2' }],
    app: {
      exec: ['/bin/httpd', '-f'],
      user: '33',
      group: '33',
      workingDirectory: '/srv',
      environment: [{ name: 'GREETING', value: 'hi there' }],
      ports: [{ name: 'http', protocol: 'tcp', port: 8080 }],
      mountPoints: [{ name: 'data', path: '/srv/data' }],
    },
    annotations: [{ name: 'homepage', value: 'https://example.com/' }],
  }),
);
// Deletes a file of the parent (a whiteout), replaces a directory (an opaque one), adds files.
const child = jetpackOk(root, [
  'build',
  '-dir',
  buildDir,
  'jetpack/busybox',
  '/bin/sh',
  '-c',
  'rm /bin/vi && rm -rf /home && mkdir -p /home /srv/data && echo new > /home/only && echo page > /srv/index.html',
]).trim();
const env = { SOURCE_DATE_EPOCH: '1700000000' };

function layerMembers(layout: string, digest: string): string[] {
  return sh(`tar -tzf "${layout}/blobs/sha256/${digest.replace('sha256:', '')}"`)
    .trim()
    .split('\n');
}

test('an OCI layout: one layer per jetpack layer, whiteouts and opaque directories as .wh. files, the config from the manifest', () => {
  const layout = path.join(work, 'layout');
  const digest = jetpackOk(root, ['export', '-format=oci', child, layout], { env }).trim();
  assert.match(digest, /^sha256:[0-9a-f]{64}$/);
  const inspected = JSON.parse(sh(`skopeo inspect oci:"${layout}":1.2`)) as {
    Digest: string;
    Layers: string[];
    Labels: Record<string, string>;
    Architecture: string;
    Os: string;
  };
  assert.is(inspected.Digest, digest);
  assert.is(inspected.Layers.length, 2);
  assert.is(inspected.Labels['org.opencontainers.image.version'], '1.2');
  assert.is(inspected.Architecture, 'amd64');
  const config = JSON.parse(sh(`skopeo inspect --config oci:"${layout}":1.2`)) as {
    config: Record<string, unknown>;
    created: string;
    rootfs: { diff_ids: string[] };
  };
  assert.equal(config.config.Entrypoint, ['/bin/httpd', '-f']);
  assert.is(config.config.User, '33:33');
  assert.is(config.config.WorkingDir, '/srv');
  assert.equal(config.config.Env, ['GREETING=hi there']);
  assert.equal(config.config.ExposedPorts, { '8080/tcp': {} });
  assert.equal(config.config.Volumes, { '/srv/data': {} });
  assert.is(config.rootfs.diff_ids.length, 2);
  const manifest = JSON.parse(sh(`skopeo inspect --raw oci:"${layout}":1.2`)) as {
    layers: Array<{ digest: string; mediaType: string }>;
    annotations: Record<string, string>;
  };
  assert.is(manifest.layers[0].mediaType, 'application/vnd.oci.image.layer.v1.tar+gzip');
  assert.is(manifest.annotations['org.opencontainers.image.url'], 'https://example.com/');
  const top = layerMembers(layout, manifest.layers[1].digest);
  assert.ok(top.includes('./bin/.wh.vi'), top.join(' '));
  assert.ok(top.includes('./home/.wh..wh..opq'), top.join(' '));
  assert.not.ok(
    top.some((m) => m.endsWith('/vi')),
    'the whiteout itself is not in the layer',
  );
});

test('umoci unpack of the layout gives exactly the tree of export -flat', () => {
  const layout = path.join(work, 'layout');
  const bundle = path.join(work, 'bundle');
  sh(`umoci unpack --image "${layout}:1.2" "${bundle}" >/dev/null`);
  const flat = path.join(work, 'flat');
  mkdirSync(flat);
  jetpackOk(root, ['export', '-flat', child, path.join(work, 'flat.aci')], { env }); // the layout was clamped to SOURCE_DATE_EPOCH too
  sh(`tar -x --numeric-owner --same-owner -p --xattrs --xattrs-include='*' --acls -f "${work}/flat.aci" -C "${flat}"`);
  const expected = describeTree(path.join(flat, 'rootfs'));
  const actual = describeTree(path.join(bundle, 'rootfs'));
  // Directory times: umoci sets them as the tar says, and a directory of the parent that the child changed carries the child's time.
  const noDirTime = (m: Map<string, string>) =>
    new Map(
      [...m].map(([k, v]) => [
        k,
        v.startsWith('directory|')
          ? v
              .split('|')
              .filter((_, i) => i !== 5)
              .join('|')
          : v,
      ]),
    );
  const [want, got] = [noDirTime(expected), noDirTime(actual)];
  for (const [name, line] of want) assert.is(got.get(name), line, name);
  assert.equal([...got.keys()].sort(), [...want.keys()].sort());
});

test('the same image gives the same digest and the same oci-archive bytes under SOURCE_DATE_EPOCH; skopeo reads the archive', () => {
  const one = path.join(work, 'one.tar');
  const two = path.join(work, 'two.tar');
  const d1 = jetpackOk(root, ['export', '-format=oci-archive', child, one], { env }).trim();
  const d2 = jetpackOk(root, ['export', '-format=oci-archive', child, two], { env }).trim();
  assert.is(d1, d2);
  assert.is(sh(`sha256sum < "${one}"`), sh(`sha256sum < "${two}"`));
  assert.is(parseJson<SkopeoInspect>(sh(`skopeo inspect oci-archive:"${one}"`)).Digest, d1);
  assert.is(jetpackOk(root, ['export', '-format=oci', child, path.join(work, 'again')], { env }).trim(), d1, 'layout and archive agree');
});

test('a layer is compressed once: later exports reuse its kept blob, checked against its digest', () => {
  const first = jetpackOk(root, ['export', '-format=oci-archive', child, path.join(work, 'c1.tar')], { env }).trim();
  const kept = sh(`ls "${root}"/images/*/oci-blobs/gzip1-1700000000.blob`).trim().split('\n');
  assert.is(kept.length, 2, 'one kept blob per layer');
  writeFileSync(kept[1], 'tampered');
  const again = jetpackOk(root, ['export', '-format=oci-archive', child, path.join(work, 'c2.tar')], { env }).trim();
  assert.is(again, first, 'a damaged kept blob is made again, with the same digest');
  assert.is(sh(`sha256sum < "${work}/c1.tar"`), sh(`sha256sum < "${work}/c2.tar"`));
});

test('buildah builds FROM the oci-archive of a jetpack image and runs the result', () => {
  const dir = path.join(work, 'buildah');
  mkdirSync(dir);
  jetpackOk(root, ['export', '-format=oci-archive', child, path.join(dir, 'child.tar')]);
  writeFileSync(path.join(dir, 'Containerfile'), `FROM oci-archive:${dir}/child.tar\nUSER 0:0\nRUN cat /srv/index.html /home/only > /built\n`);
  const B = `buildah --root "${dir}/root" --runroot "${dir}/run" --storage-driver vfs`;
  sh(`${B} bud -q --isolation chroot -t localhost/from-jetpack -f "${dir}/Containerfile" "${dir}" >/dev/null`);
  const ctr = sh(`${B} from -q localhost/from-jetpack`).trim();
  assert.is(sh(`${B} run --isolation chroot ${ctr} cat /built`), 'page\nnew\n');
  assert.is(sh(`${B} run --isolation chroot ${ctr} sh -c 'test -e /bin/vi && echo present || echo gone'`), 'gone\n', "the child's whiteout holds in buildah");
});

test('docker-archive: RepoTags NAME:TAG, uncompressed layers; -squash gives one layer; zstd layers', () => {
  const file = path.join(work, 'docker.tar');
  jetpackOk(root, ['export', '-format=docker-archive', '-tag=v1', child, file]);
  const inspected = JSON.parse(sh(`skopeo inspect docker-archive:"${file}"`)) as { Layers: string[] };
  assert.is(inspected.Layers.length, 2);
  assert.match(sh(`tar -xOf "${file}" manifest.json`), /"RepoTags":\["example.com\/oci-child:v1"\]/);
  const squashed = path.join(work, 'squashed');
  jetpackOk(root, ['export', '-format=oci', '-squash', child, squashed]);
  assert.is(parseJson<SkopeoInspect>(sh(`skopeo inspect oci:"${squashed}"`)).Layers.length, 1);
  const zstd = path.join(work, 'zstd');
  jetpackOk(root, ['export', '-format=oci', '-compress=zstd', child, zstd]);
  assert.match(sh(`skopeo inspect --raw oci:"${zstd}"`), /tar\+zstd/);
  assert.ok(readdirSync(path.join(zstd, 'blobs', 'sha256')).length === 4);
});

test('-compress-level: gzip 1-3 by igzip, 4-9 by zlib, zstd levels; each level its own digest and kept blob, the same layer tars', () => {
  const digests = new Set<string>();
  const diffIDs = new Set<string>();
  for (const [compress, level] of [
    ['gzip', '1'],
    ['gzip', '3'],
    ['gzip', '9'],
    ['zstd', '1'],
    ['zstd', '19'],
  ] as const) {
    const dir = path.join(work, `level-${compress}-${level}`);
    const digest = jetpackOk(root, ['export', '-format=oci', `-compress=${compress}`, `-compress-level=${level}`, child, dir], { env }).trim();
    digests.add(digest);
    assert.is(parseJson<SkopeoInspect>(sh(`skopeo inspect oci:"${dir}"`)).Digest, digest);
    const manifest = JSON.parse(sh(`skopeo inspect --raw oci:"${dir}"`)) as { layers: Array<{ mediaType: string; digest: string }> };
    for (const layer of manifest.layers) {
      assert.ok(layer.mediaType.endsWith(`+${compress}`));
      const blob = path.join(dir, 'blobs', 'sha256', layer.digest.slice('sha256:'.length));
      sh(compress === 'gzip' ? `gzip -t "${blob}"` : `zstd -q -t "${blob}"`);
    }
    diffIDs.add(JSON.stringify(parseJson<{ rootfs: { diff_ids: string[] } }>(sh(`skopeo inspect --config oci:"${dir}"`)).rootfs.diff_ids));
  }
  assert.is(digests.size, 5, 'a different level is a different blob');
  assert.is(diffIDs.size, 1, 'of the same uncompressed layers');
  assert.ok(sh(`ls "${root}"/images/*/oci-blobs/`).includes('gzip9-1700000000.blob'));
  const again = jetpackOk(root, ['export', '-format=oci', '-compress=gzip', '-compress-level=9', child, path.join(work, 'level-again')], { env }).trim();
  assert.ok(digests.has(again), 'the same level gives the same digest');
});

test('bad requests: one line, nothing written', () => {
  const cases: Array<[string[], RegExp]> = [
    [
      ['export', '-format=tarball', child, path.join(work, 'x')],
      /-format takes aci, oci, oci-archive, docker-archive, flatpak, flatpak-app, portable, not "tarball"/,
    ],
    [['export', '-format=oci', '-flat', child, path.join(work, 'x')], /-flat is for ACIs/],
    [['export', '-format=oci', '-compress=xz', child, path.join(work, 'x')], /gzip, zstd or none, not xz/],
    [['export', '-format=oci', '-compress-level=10', child, path.join(work, 'x')], /-compress-level for gzip is 1 to 9, not 10/],
    [['export', '-format=oci', '-compress=zstd', '-compress-level=0', child, path.join(work, 'x')], /-compress-level for zstd is 1 to 19, not 0/],
    [['export', '-format=oci', '-compress=none', '-compress-level=3', child, path.join(work, 'x')], /-compress-level needs -compress=gzip or zstd/],
    [['export', '-format=docker-archive', '-compress-level=3', child, path.join(work, 'x')], /a docker-archive holds uncompressed layers/],
    [['export', '-format=oci', child, path.join(work, 'layout')], /is not empty/],
    [['export', '-format=oci', '-tag=bad tag', child, path.join(work, 'x')], /is not a valid tag/],
  ];
  for (const [args, why] of cases) {
    const r = jetpack(root, args);
    assert.is(r.status, r.stderr.includes('usage') ? 2 : 1, r.stderr);
    assert.match(r.stderr, why);
  }
  assert.not.ok(readdirSync(work).includes('x'));
  assert.equal(readdirSync(path.join(root, 'tmp')), []);
});

// ---- import: the inverse, and what a hostile layout gets ----------------------------------

/** Runs a store's export -flat of IMAGE and returns the extracted rootfs. */
function flatTree(storeRoot: string, image: string, name: string): string {
  const dir = path.join(work, name);
  mkdirSync(dir);
  jetpackOk(storeRoot, ['export', '-flat', image, path.join(dir, 'flat.aci')], { env });
  sh(`tar -x --numeric-owner --same-owner -p --xattrs --xattrs-include='*' --acls -f "${dir}/flat.aci" -C "${dir}"`);
  return path.join(dir, 'rootfs');
}

function assertSameTrees(actual: string, expected: string): void {
  const [want, got] = [describeTree(expected), describeTree(actual)];
  for (const [name, line] of want) assert.is(got.get(name), line, name);
  assert.equal([...got.keys()].sort(), [...want.keys()].sort());
}

test('import of an OCI layout: one image per layer, the same rootfs and app as the image exported', () => {
  const other = path.join(work, 'other-store');
  const id = jetpackOk(other, ['import', path.join(work, 'layout')]).trim();
  const images = JSON.parse(jetpackOk(other, ['images', '-internal', '--json'])) as Array<{ id: string; name: string; dependencies: string[] }>;
  assert.is(images.length, 2, 'two layers, two images');
  const top = images.find((i) => i.id === id)!;
  assert.is(top.name, 'example.com/oci-child');
  assert.match(images.find((i) => i.id !== id)!.name, /^oci-layer\/sha256-[0-9a-f]{64}$/);
  assertSameTrees(flatTree(other, id, 'imported-flat'), flatTree(root, child, 'original-flat'));
  const m = JSON.parse(jetpackOk(other, ['image-manifest', id])) as {
    labels: Array<{ name: string; value: string }>;
    app: Record<string, unknown>;
    annotations: Array<{ name: string; value: string }>;
  };
  assert.equal(m.app.exec, ['/bin/httpd', '-f']);
  assert.is(m.app.user, '33');
  assert.is(m.app.group, '33');
  assert.is(m.app.workingDirectory, '/srv');
  assert.equal(m.app.environment, [{ name: 'GREETING', value: 'hi there' }]);
  assert.equal(m.app.ports, [{ name: 'tcp-8080', protocol: 'tcp', port: 8080 }]);
  assert.equal(m.app.mountPoints, [{ name: 'srv-data', path: '/srv/data' }]);
  assert.ok(m.labels.some((l) => l.name === 'version' && l.value === '1.2'));
  assert.ok(m.annotations.some((a) => a.name === 'homepage' && a.value === 'https://example.com/'));
});

test('import reuses stored base layers; oci-archive, docker-archive and transport names work', () => {
  const other = path.join(work, 'reuse-store');
  jetpackOk(other, ['import', `oci-archive:${path.join(work, 'one.tar')}`]);
  const sibling = jetpackOk(root, [
    'build',
    '-dir',
    buildDir,
    'jetpack/busybox',
    '/bin/sh',
    '-c',
    'echo sibling > /sibling && sed -i s/oci-child/oci-sibling/ manifest.json',
  ]).trim();
  const archive = path.join(work, 'sibling.tar');
  jetpackOk(root, ['export', '-format=docker-archive', sibling, archive], { env }); // the same clamp as one.tar: the same base layer bytes
  const r = jetpack(other, ['import', archive]);
  assert.is(r.status, 0, r.stderr);
  assert.match(r.stderr, /layer 1 of 2: in the store already/);
  const names = (JSON.parse(jetpackOk(other, ['images', '-internal', '--json'])) as Array<{ name: string }>).map((i) => i.name).sort();
  assert.equal(names.filter((n) => n.startsWith('oci-layer/')).length, 1, 'one base layer for both');
  assert.ok(names.includes('example.com/oci-sibling'), names.join(' '));
  assert.match(jetpack(other, ['import', `oci:${path.join(work, 'layout')}:no-such-tag`]).stderr, /the layout has no image tagged no-such-tag/);
  assert.match(jetpackOk(other, ['import', '-name=example.com/renamed', `oci:${path.join(work, 'layout')}:1.2`]), /^sha512-/);
});

/** An OCI layout holding one image whose only layer is `layer` (an uncompressed tar). */
function layoutWithLayer(dir: string, layer: Buffer): string {
  const blobs = path.join(dir, 'blobs', 'sha256');
  mkdirSync(blobs, { recursive: true });
  const put = (bytes: Buffer) => {
    const hex = sh(`sha256sum`, { input: bytes }).split(' ')[0];
    writeFileSync(path.join(blobs, hex), bytes);
    return { digest: `sha256:${hex}`, size: bytes.length };
  };
  const layerBlob = put(layer);
  const diff = layerBlob.digest;
  const config = put(Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [diff] } })));
  const manifest = put(
    Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...config },
        layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', ...layerBlob }],
      }),
    ),
  );
  writeFileSync(path.join(dir, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
  writeFileSync(
    path.join(dir, 'index.json'),
    JSON.stringify({ schemaVersion: 2, manifests: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', ...manifest }] }),
  );
  return dir;
}

test('ACLs travel as system.posix_acl_* xattrs, the form Go tools write: import keeps them, export writes them, umoci unpacks them', () => {
  const tree = path.join(work, 'acl-tree');
  sh(`mkdir -p "${tree}/srv" && echo shared > "${tree}/srv/shared" && setfacl -m u:1234:rw "${tree}/srv/shared" && setfacl -d -m g:4321:rx "${tree}/srv"`);
  // As buildah and umoci write a layer: the ACL as an xattr record, no SCHILY.acl record.
  sh(`tar -c -f "${tree}.tar" --format=posix --numeric-owner --xattrs --xattrs-include='*' -C "${tree}" .`);
  const layer = readFileSync(`${tree}.tar`);
  const other = path.join(work, 'acl-store');
  const id = jetpackOk(other, ['import', '-name=example.com/acl', layoutWithLayer(path.join(work, 'acl-layout'), layer)]).trim();
  const stored = path.join(other, 'images', id, 'rootfs');
  assert.match(sh(`getfacl -n "${stored}/srv/shared"`), /user:1234:rw-/);
  assert.match(sh(`getfacl -n "${stored}/srv"`), /default:group:4321:r-x/);
  const out = path.join(work, 'acl-out');
  jetpackOk(other, ['export', '-format=oci', '-tag=acl', id, out]);
  const manifest = JSON.parse(sh(`skopeo inspect --raw oci:"${out}":acl`)) as { layers: Array<{ digest: string }> };
  const blob = path.join(out, 'blobs', 'sha256', manifest.layers[0].digest.replace('sha256:', ''));
  const headers = sh(`gzip -dc "${blob}" | tr -c '[:print:]' '\\n' | grep -a SCHILY || true`);
  assert.match(headers, /SCHILY\.xattr\.system\.posix_acl_access=/);
  assert.match(headers, /SCHILY\.xattr\.system\.posix_acl_default=/);
  assert.not.match(headers, /SCHILY\.acl\./, "no second copy in GNU tar's own records");
  const bundle = path.join(work, 'acl-bundle');
  sh(`umoci unpack --image "${out}:acl" "${bundle}" >/dev/null`);
  assert.match(sh(`getfacl -n "${bundle}/rootfs/srv/shared"`), /user:1234:rw-/);
  assert.match(sh(`getfacl -n "${bundle}/rootfs/srv"`), /default:group:4321:r-x/);
});

test('hostile layers get the refusals of ACIs: nothing stored, nothing written outside', () => {
  const canary = path.join(work, 'canary');
  const victim = path.join(work, 'victim');
  mkdirSync(canary);
  writeFileSync(victim, 'untouched\n');
  const corpus = writeHostileCorpus(path.join(work, 'corpus'), { canary, victim }).filter((c) =>
    /^(dotdot|absolute|pax-|gnu-longname|truncated-in|bad-header|garbage)/.test(c.name),
  );
  assert.ok(corpus.length >= 12, `${corpus.length} cases`);
  const hostileStore = path.join(work, 'hostile-store');
  const cases: Array<[string, Buffer, RegExp]> = [
    ...corpus.map((c): [string, Buffer, RegExp] => [c.name, readFileSync(c.file), c.expect]),
    [
      'symlink-out',
      tarball([
        { name: 'etc/', type: 'directory' },
        { name: 'etc/up', type: 'symlink', linkname: '../../../../..' },
      ]),
      /refusing archive entry "etc\/up": symlink target .* points outside the tree/,
    ],
    [
      'beneath-symlink',
      tarball([
        { name: 'lib', type: 'symlink', linkname: '/' },
        { name: 'lib/evil', data: 'pwned' },
      ]),
      /refusing archive entry "lib\/evil": it lies beneath the symlink lib/,
    ],
    ['hardlink-out', tarball([{ name: 'h', type: 'hardlink', linkname: victim }]), /refusing archive entry "h": hardlink target .* points outside the tree/],
  ];
  for (const [name, layer, expect] of cases) {
    const layout = layoutWithLayer(path.join(work, 'hostile', name), layer);
    const r = jetpack(hostileStore, ['import', '-name=example.com/hostile', layout]);
    assert.is(r.status, 1, `${name}: ${r.stderr}`);
    assert.match(r.stderr.trim().split('\n').pop()!, expect, `${name}: ${r.stderr}`);
    assert.equal(readdirSync(path.join(hostileStore, 'images')), [], `${name}: nothing stored`);
  }
  assert.equal(readdirSync(canary), []);
  assert.is(readFileSync(victim, 'utf8'), 'untouched\n');
  const layout = path.join(work, 'hostile', 'dotdot-top-level');
  const blob = readdirSync(path.join(layout, 'blobs', 'sha256'))[0];
  writeFileSync(path.join(layout, 'blobs', 'sha256', blob), 'tampered');
  assert.match(jetpack(hostileStore, ['import', '-name=example.com/hostile', layout]).stderr, /does not match its (digest|descriptor)|has no blob/);
});

test.after(() => removeDir(work));
test.run();
