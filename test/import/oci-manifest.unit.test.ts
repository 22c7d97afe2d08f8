/** An OCI image config made into an appc manifest (src/import/oci-manifest.ts), as docs/OCI.md's table says. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { acName, appcArch, appcManifest } from '../../src/import/oci-manifest.js';

test('OCI architectures and variants as appc arch labels', () => {
  const cases: Array<[string | undefined, string | undefined, string]> = [
    [undefined, undefined, 'amd64'],
    ['amd64', undefined, 'amd64'],
    ['386', undefined, 'i386'],
    ['arm64', 'v8', 'aarch64'],
    ['arm', 'v7', 'armv7l'],
    ['arm', 'v6', 'armv6l'],
    ['riscv64', undefined, 'riscv64'],
  ];
  for (const [arch, variant, label] of cases) assert.is(appcArch(arch, variant), label, `${arch}/${variant}`);
});

test('names made into AC identifiers: lower case, runs of other characters as one "-", trimmed', () => {
  assert.is(acName('Docker.io/Library/NGINX'), 'docker.io/library/nginx');
  assert.is(acName('my image!!name'), 'my-image-name');
  assert.is(acName('--x__y--'), 'x_y');
  assert.is(acName('!!!'), 'unnamed');
});

test('the app: exec from Entrypoint+Cmd, user and group, env, workdir, ports, volumes', () => {
  const m = appcManifest(
    'example/app',
    {
      os: 'linux',
      architecture: 'arm64',
      created: '2024-01-01T00:00:00Z',
      config: {
        User: '1000',
        Env: ['PATH=/usr/bin', 'A=b=c', 'bad-name=x', 'NOEQ'],
        Entrypoint: ['/entry'],
        Cmd: ['run', '-v'],
        WorkingDir: '/srv',
        ExposedPorts: { '80/tcp': {}, '53/udp': {}, '8080': {}, weird: {} },
        Volumes: { '/var/lib/Data': {}, '/': {} },
        Labels: { 'org.opencontainers.image.version': '1.2', 'org.opencontainers.image.url': 'https://example.com', 'Not An Identifier': 'x' },
      },
    },
    { 'org.opencontainers.image.title': 'dropped' },
    'latest',
    { imageName: 'example/app-base', imageID: 'sha512-x' },
  );
  assert.equal(m.labels, [
    { name: 'version', value: '1.2' },
    { name: 'os', value: 'linux' },
    { name: 'arch', value: 'aarch64' },
  ]);
  assert.equal(m.app, {
    exec: ['/entry', 'run', '-v'],
    user: '1000',
    group: '1000',
    environment: [
      { name: 'PATH', value: '/usr/bin' },
      { name: 'A', value: 'b=c' },
    ],
    workingDirectory: '/srv',
    // In the config's key order, which for a JSON object puts a bare number first.
    ports: [
      { name: 'tcp-8080', protocol: 'tcp', port: 8080 },
      { name: 'tcp-80', protocol: 'tcp', port: 80 },
      { name: 'udp-53', protocol: 'udp', port: 53 },
    ],
    mountPoints: [
      { name: 'var-lib-data', path: '/var/lib/Data' },
      { name: 'root', path: '/' },
    ],
  });
  assert.equal(m.dependencies, [{ imageName: 'example/app-base', imageID: 'sha512-x' }]);
  assert.equal(m.annotations, [
    { name: 'created', value: '2024-01-01T00:00:00Z' },
    { name: 'homepage', value: 'https://example.com' },
  ]);
});

test('no config: no app; a tag other than latest is the version; a named user keeps group 0', () => {
  const bare = appcManifest('x', {}, {}, 'v3');
  assert.equal(bare, {
    acKind: 'ImageManifest',
    acVersion: '0.8.11',
    name: 'x',
    labels: [
      { name: 'version', value: 'v3' },
      { name: 'os', value: 'linux' },
      { name: 'arch', value: 'amd64' },
    ],
  });
  assert.equal(appcManifest('x', { config: { User: 'www:web' } }, {}, undefined).app, { user: 'www', group: 'web' });
  assert.equal(appcManifest('x', { config: { User: 'www' } }, {}, undefined).app, { user: 'www', group: '0' });
  assert.equal(
    appcManifest('x', { config: {} }, {}, 'latest').labels!.map((l) => l.name),
    ['os', 'arch'],
  );
});

test.run();
