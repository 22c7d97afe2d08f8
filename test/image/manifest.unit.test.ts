import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { UserError } from '../../src/errors.js';
import {
  BLANK_AC_VERSION,
  type ImageManifest,
  annotationValue,
  labelValue,
  parseImageManifest,
  parseStoredManifest,
  serializeManifest,
  validateImageManifest,
  withAnnotation,
  withLabel,
} from '../../src/image/manifest.js';
import { parseJson } from '../helpers/json.js';

const MINIMAL = '{"acKind":"ImageManifest","acVersion":"0.8.11","name":"example.com/app"}';
const ID = `sha512-${'0123456789abcdef'.repeat(8)}`;

/** The manifest of Jetpack's images/example.showenv, after the build filled in its defaults. */
const SHOWENV = {
  acKind: 'ImageManifest',
  acVersion: '0.8.11',
  name: 'example/showenv',
  labels: [
    { name: 'version', value: '1.2.0' },
    { name: 'os', value: 'linux' },
    { name: 'arch', value: 'amd64' },
  ],
  app: {
    exec: ['/usr/local/bin/showenv'],
    user: 'games',
    group: 'guest',
    workingDirectory: '/opt/data',
    environment: [
      { name: 'SHOWENV_VAR', value: 'Hello, World!' },
      { name: 'PATH', value: '/usr/local/bin:/usr/bin:/bin' },
    ],
    mountPoints: [{ name: 'data', path: '/opt/data', readOnly: false }],
    eventHandlers: [
      { name: 'pre-start', exec: ['/bin/sh', '-c', 'echo pre-start'] },
      { name: 'post-stop', exec: ['/bin/sh', '-c', 'echo post-stop'] },
    ],
    ports: [{ name: 'http', protocol: 'tcp', port: 80, count: 1, socketActivated: false }],
    isolators: [{ name: 'resource/memory', value: { limit: '1G' } }],
    supplementaryGIDs: [0, 5],
    userAnnotations: { note: 'shows its environment' },
    userLabels: { tier: 'demo' },
  },
  dependencies: [
    {
      imageName: '3ofcoins.net/freebsd-base',
      imageID: ID,
      labels: [
        { name: 'version', value: '11.0.1' },
        { name: 'os', value: 'freebsd' },
        { name: 'arch', value: 'amd64' },
      ],
      size: 12345,
    },
  ],
  pathWhitelist: ['/opt/data', '/usr/local/bin/showenv'],
  annotations: [
    { name: 'timestamp', value: '2016-11-08T12:00:00Z' },
    { name: 'created', value: '2016-11-08T12:00:00.5+01:00' },
    { name: 'homepage', value: 'https://github.com/3ofcoins/jetpack' },
    { name: 'documentation', value: 'http://example.com/docs' },
    { name: 'authors', value: 'Maciej Pasternacki' },
  ],
};

function minimal(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { ...parseJson<Record<string, unknown>>(MINIMAL), ...extra };
}

function withApp(app: Record<string, unknown>): Record<string, unknown> {
  return minimal({ app: { user: '0', group: '0', ...app } });
}

function rejects(value: unknown, message: string): void {
  try {
    validateImageManifest(value);
  } catch (err) {
    assert.instance(err, UserError);
    assert.is((err as Error).message, `invalid image manifest: ${message}`);
    return;
  }
  assert.unreachable(`accepted ${JSON.stringify(value)}`);
}

test('the minimal manifest is valid', () => {
  const m = parseImageManifest(MINIMAL);
  assert.equal(m, { acKind: 'ImageManifest', acVersion: '0.8.11', name: 'example.com/app' });
  assert.is(BLANK_AC_VERSION, '0.8.11');
});

test('a full manifest like example.showenv is valid and returned as given', () => {
  const m = validateImageManifest(structuredClone(SHOWENV));
  assert.equal(m, SHOWENV);
  assert.is(m.app?.user, 'games');
  assert.is(m.app?.workingDirectory, '/opt/data');
});

test('parseImageManifest reads a Buffer and reports bad JSON', () => {
  assert.is(parseImageManifest(Buffer.from(MINIMAL)).name, 'example.com/app');
  assert.throws(
    () => parseImageManifest('{"acKind":'),
    (err: Error) => err instanceof UserError && err.message.startsWith('invalid image manifest: not valid JSON: '),
  );
});

test('parseStoredManifest reads what the store wrote and names a damaged file in one line', () => {
  assert.is(parseStoredManifest(Buffer.from(MINIMAL), '/s/manifest').name, 'example.com/app');
  for (const [bytes, says] of [
    ['{"acKind":', 'not valid JSON'],
    ['[]', 'not an image manifest'],
    ['null', 'not an image manifest'],
    ['{"acKind":"PodManifest","name":"x"}', 'not an image manifest'],
    ['{"acKind":"ImageManifest"}', 'not an image manifest'],
  ] as const) {
    assert.throws(
      () => parseStoredManifest(bytes, '/s/manifest'),
      (err: Error) =>
        err instanceof UserError &&
        err.message.startsWith(`/s/manifest is damaged: ${says}`) &&
        err.message.endsWith('(jetpack fsck)') &&
        !err.message.includes('\n'),
    );
  }
});

test('the manifest must be a JSON object', () => {
  rejects([], 'expected an object, got array');
  rejects(null, 'expected an object, got null');
  rejects('{}', 'expected an object, got string');
});

test('acKind, acVersion and name are required and checked', () => {
  rejects({ acVersion: '0.8.11', name: 'a' }, 'acKind: required');
  rejects(minimal({ acKind: 'PodManifest' }), 'acKind "PodManifest": must be "ImageManifest"');
  rejects(minimal({ acKind: 1 }), 'acKind: expected a string, got number');
  rejects({ acKind: 'ImageManifest', name: 'a' }, 'acVersion: required');
  rejects(minimal({ acVersion: '0.8' }), 'acVersion "0.8": not a SemVer 2.0.0 version');
  validateImageManifest(minimal({ acVersion: '1.0.0-rc.1+build.5' }));
  rejects({ acKind: 'ImageManifest', acVersion: '0.8.11' }, 'name: required');
  rejects(minimal({ name: 'Example.com/App' }), 'name "Example.com/App": not an AC Identifier (lowercase a-z, 0-9 and -._~/ separators)');
  rejects(minimal({ name: '' }), 'name "": not an AC Identifier (lowercase a-z, 0-9 and -._~/ separators)');
});

test('unknown top-level fields are allowed and kept; known fields of the wrong type are not', () => {
  assert.equal(validateImageManifest(minimal({ 'x-custom': [1] }))['x-custom' as keyof ImageManifest], [1]);
  rejects(minimal({ labels: {} }), 'labels: expected an array, got object');
  rejects(minimal({ labels: null }), 'labels: expected an array, got null');
  rejects(minimal({ app: [] }), 'app: expected an object, got array');
  rejects(minimal({ dependencies: 'x' }), 'dependencies: expected an array, got string');
  rejects(minimal({ pathWhitelist: {} }), 'pathWhitelist: expected an array, got object');
  rejects(minimal({ annotations: 1 }), 'annotations: expected an array, got number');
});

test('labels: names are unique AC Identifiers other than "name", values strings', () => {
  const labels = (...l: unknown[]) => minimal({ labels: l });
  validateImageManifest(labels({ name: 'version', value: '1.0' }, { name: 'channel', value: '' }));
  rejects(labels('x'), 'labels[0]: expected an object, got string');
  rejects(
    labels({ name: 'version', value: '1' }, { name: 'Foo', value: 'x' }),
    'labels[1].name "Foo": not an AC Identifier (lowercase a-z, 0-9 and -._~/ separators)',
  );
  rejects(labels({ value: 'x' }), 'labels[0].name: required');
  rejects(labels({ name: 'version' }), 'labels[0].value: required');
  rejects(labels({ name: 'version', value: 1 }), 'labels[0].value: expected a string, got number');
  rejects(labels({ name: 'name', value: 'x' }), 'labels[0].name "name": not allowed as a label (the image name is a field of its own)');
  rejects(labels({ name: 'version', value: '1' }, { name: 'version', value: '2' }), 'labels[1].name "version": duplicate label');
});

test('labels: os and arch must form a pair appc knows', () => {
  const labels = (...l: [string, string][]) => minimal({ labels: l.map(([name, value]) => ({ name, value })) });
  validateImageManifest(labels(['os', 'linux'], ['arch', 'aarch64']));
  validateImageManifest(labels(['arch', 'x86_64'], ['os', 'darwin']));
  validateImageManifest(labels(['os', 'freebsd']));
  rejects(labels(['os', 'plan9']), 'labels[0].value "plan9": unknown os (known: linux, freebsd, darwin)');
  rejects(
    labels(['os', 'linux'], ['arch', 'x86_64']),
    'labels[1].value "x86_64": not a valid arch for os "linux" (valid: amd64, i386, aarch64, aarch64_be, armv6l, armv7l, armv7b, ppc64, ppc64le, s390x)',
  );
  rejects(labels(['arch', 'amd64']), 'labels[0].value "amd64": an arch label needs an os label');
});

test('app: user and group are required non-empty strings', () => {
  validateImageManifest(withApp({}));
  rejects(minimal({ app: { group: '0' } }), 'app.user: required');
  rejects(minimal({ app: { user: '0' } }), 'app.group: required');
  rejects(withApp({ user: '' }), 'app.user: must not be empty');
  rejects(withApp({ group: 0 }), 'app.group: expected a string, got number');
});

test('app.exec: optional, but a given exec[0] must be non-empty', () => {
  validateImageManifest(withApp({ exec: [] }));
  validateImageManifest(withApp({ exec: ['nginx', '-g', 'daemon off;'] }));
  rejects(withApp({ exec: '/bin/sh' }), 'app.exec: expected an array, got string');
  rejects(withApp({ exec: ['/bin/sh', 1] }), 'app.exec[1]: expected a string, got number');
  rejects(withApp({ exec: [''] }), 'app.exec[0]: must not be empty');
});

test('app.supplementaryGIDs: unsigned integers', () => {
  validateImageManifest(withApp({ supplementaryGIDs: [0, 4294967295] }));
  rejects(withApp({ supplementaryGIDs: [-1] }), 'app.supplementaryGIDs[0] -1: must be an integer from 0 to 4294967295');
  rejects(withApp({ supplementaryGIDs: [1.5] }), 'app.supplementaryGIDs[0] 1.5: must be an integer from 0 to 4294967295');
  rejects(withApp({ supplementaryGIDs: ['5'] }), 'app.supplementaryGIDs[0]: expected a number, got string');
});

test('app.eventHandlers: pre-start/post-stop, once each, with a command', () => {
  const handlers = (...h: unknown[]) => withApp({ eventHandlers: h });
  rejects(handlers({ name: 'on-start', exec: ['/x'] }), 'app.eventHandlers[0].name "on-start": not an event (known: pre-start, post-stop)');
  rejects(handlers({ name: 'pre-start', exec: ['/x'] }, { name: 'pre-start', exec: ['/y'] }), 'app.eventHandlers[1].name "pre-start": duplicate event handler');
  rejects(handlers({ name: 'post-stop' }), 'app.eventHandlers[0].exec: required');
  rejects(handlers({ name: 'post-stop', exec: [] }), 'app.eventHandlers[0].exec: must not be empty');
  rejects(handlers({ name: 'post-stop', exec: [''] }), 'app.eventHandlers[0].exec[0]: must not be empty');
});

test('app.workingDirectory: absolute', () => {
  rejects(withApp({ workingDirectory: 'opt/data' }), 'app.workingDirectory "opt/data": must be an absolute path');
  rejects(withApp({ workingDirectory: '' }), 'app.workingDirectory "": must be an absolute path');
});

test('app.environment: unique variable names, string values', () => {
  const env = (...e: unknown[]) => withApp({ environment: e });
  validateImageManifest(env({ name: '_0_DEBUG_0_', value: '' }, { name: 'DEBUG.0', value: 'x' }, { name: 'DEBUG-0', value: 'x' }));
  const notAName = 'not a variable name (A-Z, a-z, 0-9, _ . -, not starting with a digit)';
  rejects(env({ name: 'VERBOSE|DEBUG', value: 'x' }), `app.environment[0].name "VERBOSE|DEBUG": ${notAName}`);
  rejects(env({ name: '0DEBUG', value: 'x' }), `app.environment[0].name "0DEBUG": ${notAName}`);
  rejects(env({ name: '', value: 'x' }), `app.environment[0].name "": ${notAName}`);
  rejects(env({ name: 'DEBUG', value: 'x' }, { name: 'DEBUG', value: 'y' }), 'app.environment[1].name "DEBUG": duplicate environment variable');
  rejects(env({ name: 'DEBUG', value: true }), 'app.environment[0].value: expected a string, got boolean');
});

test('app.isolators: AC Identifier names with a value', () => {
  validateImageManifest(withApp({ isolators: [{ name: 'os/linux/capabilities-retain-set', value: { set: ['CAP_NET_BIND_SERVICE'] } }] }));
  rejects(
    withApp({ isolators: [{ name: 'Resource/CPU', value: 1 }] }),
    'app.isolators[0].name "Resource/CPU": not an AC Identifier (lowercase a-z, 0-9 and -._~/ separators)',
  );
  rejects(withApp({ isolators: [{ name: 'resource/cpu' }] }), 'app.isolators[0].value: required');
});

test('app.mountPoints: unique AC Names, absolute paths, boolean readOnly', () => {
  const mounts = (...m: unknown[]) => withApp({ mountPoints: m });
  validateImageManifest(mounts({ name: 'data', path: '/opt/data' }, { name: 'ports', path: '/usr/ports', readOnly: true }));
  rejects(mounts({ name: 'my_data', path: '/d' }), 'app.mountPoints[0].name "my_data": not an AC Name (lowercase a-z, 0-9 and - separators)');
  rejects(mounts({ name: 'data', path: 'opt/data' }), 'app.mountPoints[0].path "opt/data": must be an absolute path');
  rejects(mounts({ name: 'data' }), 'app.mountPoints[0].path: required');
  rejects(mounts({ name: 'data', path: '/d', readOnly: 'yes' }), 'app.mountPoints[0].readOnly: expected a boolean, got string');
  rejects(mounts({ name: 'data', path: '/a' }, { name: 'data', path: '/b' }), 'app.mountPoints[1].name "data": duplicate mount point');
});

test('app.ports: unique AC Names, protocol, port 1-65535, count >= 1, boolean socketActivated', () => {
  const ports = (...p: unknown[]) => withApp({ ports: p });
  validateImageManifest(ports({ name: 'http', protocol: 'tcp', port: 80 }, { name: 'range', protocol: 'udp', port: 65530, count: 6, socketActivated: true }));
  rejects(ports({ name: 'HTTP', protocol: 'tcp', port: 80 }), 'app.ports[0].name "HTTP": not an AC Name (lowercase a-z, 0-9 and - separators)');
  rejects(ports({ name: 'http', port: 80 }), 'app.ports[0].protocol: required');
  rejects(ports({ name: 'http', protocol: '', port: 80 }), 'app.ports[0].protocol: must not be empty');
  rejects(ports({ name: 'http', protocol: 'tcp' }), 'app.ports[0].port: required');
  rejects(ports({ name: 'http', protocol: 'tcp', port: 0 }), 'app.ports[0].port 0: must be an integer from 1 to 65535');
  rejects(ports({ name: 'http', protocol: 'tcp', port: 65536 }), 'app.ports[0].port 65536: must be an integer from 1 to 65535');
  rejects(ports({ name: 'http', protocol: 'tcp', port: '80' }), 'app.ports[0].port: expected a number, got string');
  rejects(ports({ name: 'http', protocol: 'tcp', port: 80, count: 0 }), 'app.ports[0].count 0: must be an integer >= 1');
  rejects(ports({ name: 'http', protocol: 'tcp', port: 65535, count: 2 }), 'app.ports[0].count 2: port range 65535-65536 ends beyond 65535');
  rejects(ports({ name: 'http', protocol: 'tcp', port: 80, socketActivated: 1 }), 'app.ports[0].socketActivated: expected a boolean, got number');
  rejects(ports({ name: 'http', protocol: 'tcp', port: 80 }, { name: 'http', protocol: 'tcp', port: 8080 }), 'app.ports[1].name "http": duplicate port');
});

test('app.userAnnotations and app.userLabels: objects of strings', () => {
  rejects(withApp({ userAnnotations: [] }), 'app.userAnnotations: expected an object, got array');
  rejects(withApp({ userAnnotations: { a: 1 } }), 'app.userAnnotations.a: expected a string, got number');
  rejects(withApp({ userLabels: 'x' }), 'app.userLabels: expected an object, got string');
  rejects(withApp({ userLabels: { 'Any Key!': null } }), 'app.userLabels.Any Key!: expected a string, got null');
});

test('dependencies: imageName, full imageID, labels, size', () => {
  const deps = (...d: unknown[]) => minimal({ dependencies: d });
  validateImageManifest(deps({ imageName: 'example.com/base' }, { imageName: 'example.com/other', imageID: ID, size: 0 }));
  rejects(deps({ imageID: ID }), 'dependencies[0].imageName: required');
  rejects(deps({ imageName: 'Base' }), 'dependencies[0].imageName "Base": not an AC Identifier (lowercase a-z, 0-9 and -._~/ separators)');
  const notID = 'not an image ID (sha512- and 128 lowercase hex digits)';
  rejects(deps({ imageName: 'b', imageID: 'sha512-0123abcd' }), `dependencies[0].imageID "sha512-0123abcd": ${notID}`);
  rejects(deps({ imageName: 'b', imageID: ID.toUpperCase() }), `dependencies[0].imageID "${ID.toUpperCase()}": ${notID}`);
  rejects(deps({ imageName: 'b', imageID: ID.replace('sha512', 'sha256') }), `dependencies[0].imageID "${ID.replace('sha512', 'sha256')}": ${notID}`);
  rejects(
    deps({
      imageName: 'b',
      labels: [
        { name: 'os', value: 'linux' },
        { name: 'os', value: 'linux' },
      ],
    }),
    'dependencies[0].labels[1].name "os": duplicate label',
  );
  rejects(deps({ imageName: 'b', labels: [{ name: 'arch', value: 'amd64' }] }), 'dependencies[0].labels[0].value "amd64": an arch label needs an os label');
  rejects(deps({ imageName: 'b', size: -1 }), 'dependencies[0].size -1: must be an integer >= 0');
  rejects(deps({ imageName: 'b', size: '10' }), 'dependencies[0].size: expected a number, got string');
});

test('pathWhitelist: absolute paths without duplicates', () => {
  validateImageManifest(minimal({ pathWhitelist: [] }));
  rejects(minimal({ pathWhitelist: ['/etc', 'usr'] }), 'pathWhitelist[1] "usr": must be an absolute path');
  rejects(minimal({ pathWhitelist: ['/etc', '/etc'] }), 'pathWhitelist[1] "/etc": duplicate path');
  rejects(minimal({ pathWhitelist: [1] }), 'pathWhitelist[0]: expected a string, got number');
});

test('annotations: unique AC Identifier names, string values, well-known formats', () => {
  const annotations = (...a: [string, unknown][]) => minimal({ annotations: a.map(([name, value]) => ({ name, value })) });
  validateImageManifest(annotations(['appc.io/executor/supports-systemd-notify', 'true'], ['authors', '']));
  rejects(annotations(['Created', 'x']), 'annotations[0].name "Created": not an AC Identifier (lowercase a-z, 0-9 and -._~/ separators)');
  rejects(annotations(['authors', 'a'], ['authors', 'b']), 'annotations[1].name "authors": duplicate annotation');
  rejects(annotations(['authors', 5]), 'annotations[0].value: expected a string, got number');
  const notDate = 'not an RFC 3339 date-time (like 2006-01-02T15:04:05Z)';
  rejects(annotations(['created', '2016-11-08 12:00:00Z']), `annotations[0].value "2016-11-08 12:00:00Z": ${notDate}`);
  rejects(annotations(['created', '2016-02-30T12:00:00Z']), `annotations[0].value "2016-02-30T12:00:00Z": ${notDate}`);
  rejects(annotations(['homepage', 'ftp://example.com/']), 'annotations[0].value "ftp://example.com/": not an http or https URL');
  rejects(annotations(['documentation', 'example.com/docs']), 'annotations[0].value "example.com/docs": not an http or https URL');
});

test('labelValue and annotationValue read single entries', () => {
  const m = validateImageManifest(structuredClone(SHOWENV));
  assert.is(labelValue(m, 'version'), '1.2.0');
  assert.is(labelValue(m, 'channel'), undefined);
  assert.is(annotationValue(m, 'authors'), 'Maciej Pasternacki');
  assert.is(annotationValue(parseImageManifest(MINIMAL), 'created'), undefined);
});

test('withLabel sets in place, appends, removes, and leaves the input alone', () => {
  const m = validateImageManifest(structuredClone(SHOWENV));
  const names = (x: ImageManifest) => x.labels?.map((l) => `${l.name}=${l.value}`);
  assert.equal(names(withLabel(m, 'os', 'freebsd')), ['version=1.2.0', 'os=freebsd', 'arch=amd64']);
  assert.equal(names(withLabel(m, 'channel', 'beta')), ['version=1.2.0', 'os=linux', 'arch=amd64', 'channel=beta']);
  assert.equal(names(withLabel(m, 'os', undefined)), ['version=1.2.0', 'arch=amd64']);
  assert.equal(m, SHOWENV);
  const bare = withLabel(withLabel(parseImageManifest(MINIMAL), 'os', 'linux'), 'os', undefined);
  assert.not.ok('labels' in bare);
  assert.equal(withLabel(parseImageManifest(MINIMAL), 'arch', undefined), JSON.parse(MINIMAL));
});

test('withAnnotation sets in place, appends, removes, and leaves the input alone', () => {
  const m = validateImageManifest(structuredClone(SHOWENV));
  const created = withAnnotation(m, 'created', '2020-01-01T00:00:00Z');
  assert.is(created.annotations?.[1]?.value, '2020-01-01T00:00:00Z');
  assert.is(created.annotations?.length, 5);
  assert.equal(withAnnotation(m, 'x', 'y').annotations?.at(-1), { name: 'x', value: 'y' });
  assert.equal(
    withAnnotation(m, 'timestamp', undefined).annotations?.map((a) => a.name),
    ['created', 'homepage', 'documentation', 'authors'],
  );
  assert.is(annotationValue(m, 'created'), '2016-11-08T12:00:00.5+01:00');
  assert.equal(withAnnotation(parseImageManifest(MINIMAL), 'timestamp', 'now').annotations, [{ name: 'timestamp', value: 'now' }]);
});

test('serializeManifest: 2-space JSON, trailing newline, spec key order, other keys last', () => {
  const shuffled = parseJson<unknown>(
    '{"x-extra":true,"annotations":[],"pathWhitelist":[],"dependencies":[],"app":{"user":"0","group":"0"},"labels":[],"name":"a","acVersion":"0.8.11","acKind":"ImageManifest","x-more":1}',
  );
  const text = serializeManifest(validateImageManifest(shuffled));
  assert.equal(Object.keys(parseJson<object>(text)), [
    'acKind',
    'acVersion',
    'name',
    'labels',
    'app',
    'dependencies',
    'pathWhitelist',
    'annotations',
    'x-extra',
    'x-more',
  ]);
  assert.is(serializeManifest(parseImageManifest(MINIMAL)), '{\n  "acKind": "ImageManifest",\n  "acVersion": "0.8.11",\n  "name": "example.com/app"\n}\n');
});

test('serializeManifest round-trips through parseImageManifest', () => {
  for (const m of [parseImageManifest(MINIMAL), validateImageManifest(structuredClone(SHOWENV))]) {
    const text = serializeManifest(m);
    assert.equal(parseImageManifest(text), m);
    assert.is(serializeManifest(parseImageManifest(text)), text);
  }
  const proto = parseImageManifest('{"acKind":"ImageManifest","acVersion":"0.8.11","name":"a","__proto__":{"x":1}}');
  assert.match(serializeManifest(proto), '"__proto__": {');
});

test.run();
