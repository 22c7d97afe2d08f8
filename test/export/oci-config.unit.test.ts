/** An appc manifest as an OCI image config and manifest annotations (src/export/oci-config.ts). */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createdOf, ociAnnotations, ociConfig, ociLabels, ociPlatform } from '../../src/export/oci-config.js';
import type { ImageManifest } from '../../src/image/manifest.js';

function manifest(extra: Partial<ImageManifest> = {}): ImageManifest {
  return { acKind: 'ImageManifest', acVersion: '0.8.11', name: 'example.com/app', ...extra };
}

const labels = (pairs: Record<string, string>) => Object.entries(pairs).map(([name, value]) => ({ name, value }));

test('platform: appc arch labels to Go/OCI names, linux/amd64 when unlabelled, unknown ones as they are', () => {
  assert.equal(ociPlatform(manifest()), { os: 'linux', architecture: 'amd64' });
  assert.equal(ociPlatform(manifest({ labels: labels({ os: 'linux', arch: 'aarch64' }) })), { os: 'linux', architecture: 'arm64' });
  assert.equal(ociPlatform(manifest({ labels: labels({ arch: 'armv7l' }) })), { os: 'linux', architecture: 'arm', variant: 'v7' });
  assert.equal(ociPlatform(manifest({ labels: labels({ arch: 'i386' }) })), { os: 'linux', architecture: '386' });
  assert.equal(ociPlatform(manifest({ labels: labels({ os: 'freebsd', arch: 'riscv64' }) })), { os: 'freebsd', architecture: 'riscv64' });
});

test('created: the created or timestamp annotation, else SOURCE_DATE_EPOCH in whole seconds, else none', () => {
  const annotated = manifest({
    annotations: [
      { name: 'timestamp', value: '2020-01-01T00:00:00Z' },
      { name: 'created', value: '2021-02-03T04:05:06Z' },
    ],
  });
  assert.is(createdOf(annotated, 0), '2021-02-03T04:05:06Z');
  assert.is(createdOf(manifest({ annotations: [{ name: 'timestamp', value: '2020-01-01T00:00:00Z' }] }), 0), '2020-01-01T00:00:00Z');
  assert.is(createdOf(manifest(), 1704164645), '2024-01-02T03:04:05Z');
  assert.is(createdOf(manifest(), undefined), undefined);
});

test('labels leave os and arch to the platform and add the standard version and title keys', () => {
  const m = manifest({ labels: labels({ os: 'linux', arch: 'amd64', version: '1.2', channel: 'beta' }) });
  assert.equal(ociLabels(m), {
    version: '1.2',
    channel: 'beta',
    'org.opencontainers.image.version': '1.2',
    'org.opencontainers.image.title': 'example.com/app',
  });
  assert.equal(ociLabels(manifest()), { 'org.opencontainers.image.title': 'example.com/app' });
});

test('annotations keep the appc ones and add the standard key where one fits', () => {
  const m = manifest({
    labels: labels({ version: '3' }),
    annotations: [
      { name: 'homepage', value: 'https://example.com' },
      { name: 'authors', value: 'me' },
      { name: 'own', value: 'x' },
    ],
  });
  assert.equal(ociAnnotations(m, '2024-01-02T03:04:05Z'), {
    homepage: 'https://example.com',
    'org.opencontainers.image.url': 'https://example.com',
    authors: 'me',
    'org.opencontainers.image.authors': 'me',
    own: 'x',
    'org.opencontainers.image.created': '2024-01-02T03:04:05Z',
    'org.opencontainers.image.version': '3',
    'org.opencontainers.image.title': 'example.com/app',
  });
  assert.equal(ociAnnotations(manifest(), undefined), { 'org.opencontainers.image.title': 'example.com/app' });
});

test('config: the app as User, Env, Entrypoint, WorkingDir, ExposedPorts, Volumes; one history entry per layer', () => {
  const m = manifest({
    labels: labels({ arch: 'aarch64' }),
    app: {
      user: 'www',
      group: 'web',
      exec: ['/bin/server', '-v'],
      workingDirectory: '/srv',
      environment: [{ name: 'PATH', value: '/bin' }],
      ports: [{ name: 'http', protocol: 'tcp', port: 8080 }],
      mountPoints: [{ name: 'data', path: '/var/data' }],
    },
  });
  assert.equal(ociConfig(m, ['sha256:a', 'sha256:b'], '2024-01-02T03:04:05Z'), {
    created: '2024-01-02T03:04:05Z',
    os: 'linux',
    architecture: 'arm64',
    config: {
      User: 'www:web',
      Env: ['PATH=/bin'],
      Entrypoint: ['/bin/server', '-v'],
      WorkingDir: '/srv',
      ExposedPorts: { '8080/tcp': {} },
      Volumes: { '/var/data': {} },
      Labels: { 'org.opencontainers.image.title': 'example.com/app' },
    },
    rootfs: { type: 'layers', diff_ids: ['sha256:a', 'sha256:b'] },
    history: [
      { created: '2024-01-02T03:04:05Z', created_by: 'jetpack: layer 1 of example.com/app' },
      { created: '2024-01-02T03:04:05Z', created_by: 'jetpack: layer 2 of example.com/app' },
    ],
  });
});

test('config without an app or a creation time: labels only, no created field anywhere', () => {
  assert.equal(ociConfig(manifest(), ['sha256:a'], undefined), {
    os: 'linux',
    architecture: 'amd64',
    config: { Labels: { 'org.opencontainers.image.title': 'example.com/app' } },
    rootfs: { type: 'layers', diff_ids: ['sha256:a'] },
    history: [{ created_by: 'jetpack: layer 1 of example.com/app' }],
  });
  assert.equal((ociConfig(manifest({ app: { user: '0', group: '0', exec: [], environment: [] } }), [], undefined) as { config: object }).config, {
    User: '0:0',
    Labels: { 'org.opencontainers.image.title': 'example.com/app' },
  });
});

test.run();
