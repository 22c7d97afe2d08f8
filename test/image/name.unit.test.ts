import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { UserError } from '../../src/errors.js';
import { type ImageManifest, validateImageManifest } from '../../src/image/manifest.js';
import { formatImageName, looksLikeImageID, matchesQuery, parseImageQuery } from '../../src/image/name.js';
import { hostArch, hostOS } from '../../src/image/platform.js';

const HOST = { os: hostOS(), arch: hostArch() };

function manifest(name: string, labels: Record<string, string> = {}): ImageManifest {
  return validateImageManifest({
    acKind: 'ImageManifest',
    acVersion: '0.8.11',
    name,
    labels: Object.entries(labels).map(([n, value]) => ({ name: n, value })),
  });
}

function rejects(s: string, message: string): void {
  try {
    parseImageQuery(s);
  } catch (err) {
    assert.instance(err, UserError);
    assert.is((err as Error).message, `invalid image name "${s}": ${message}`);
    return;
  }
  assert.unreachable(`accepted ${s}`);
}

test('a bare name gets os and arch from the host, marked as defaulted', () => {
  const q = parseImageQuery('example.com/app');
  assert.is(q.name, 'example.com/app');
  assert.equal(
    [...q.labels],
    [
      ['os', HOST.os],
      ['arch', HOST.arch],
    ],
  );
  assert.equal([...q.defaulted].sort(), ['arch', 'os']);
});

test('name:version,label=value gives version and labels; given os/arch are not defaulted', () => {
  const q = parseImageQuery('3ofcoins.net/freebsd-base:11.0.1,os=freebsd,arch=amd64,channel=a=b');
  assert.is(q.name, '3ofcoins.net/freebsd-base');
  assert.equal(Object.fromEntries(q.labels), { version: '11.0.1', os: 'freebsd', arch: 'amd64', channel: 'a=b' });
  assert.equal([...q.defaulted], []);
  const partial = parseImageQuery('example.com/app,arch=i386');
  assert.equal(Object.fromEntries(partial.labels), { arch: 'i386', os: HOST.os });
  assert.equal([...partial.defaulted], ['os']);
  assert.is(parseImageQuery('app,version=1.0').labels.get('version'), '1.0');
});

test('malformed references are UserErrors that say what is wrong', () => {
  rejects('example.com/app:1:2', 'more than one ":"');
  rejects('example.com/app,os=linux:1.0', 'the ":version" must come before any ",label=value"');
  rejects('Example.com/App', '"Example.com/App" is not an AC Identifier (lowercase a-z, 0-9 and -._~/ separators)');
  rejects('', '"" is not an AC Identifier (lowercase a-z, 0-9 and -._~/ separators)');
  rejects(':1.0', '"" is not an AC Identifier (lowercase a-z, 0-9 and -._~/ separators)');
  rejects('app,OS=linux', 'label name "OS" is not an AC Identifier');
  rejects('app,=linux', 'label name "" is not an AC Identifier');
  rejects('app,os', '"os" is not label=value');
  rejects('app,', '"" is not label=value');
  rejects('app,name=other', '"name" is not a label');
  rejects('app,os=linux,os=freebsd', 'label "os" given twice');
  rejects('app:1.0,version=2.0', 'label "version" given twice');
  rejects('app:', 'label "version" has an empty value');
  rejects('app,channel=', 'label "channel" has an empty value');
});

test('matchesQuery: name must be equal and user labels present with the same value', () => {
  const q = parseImageQuery('example.com/app:1.0,channel=stable');
  const host = { os: HOST.os, arch: HOST.arch };
  assert.ok(matchesQuery(manifest('example.com/app', { version: '1.0', channel: 'stable', ...host }), q));
  assert.ok(matchesQuery(manifest('example.com/app', { version: '1.0', channel: 'stable', extra: 'x' }), q));
  assert.not.ok(matchesQuery(manifest('example.com/other', { version: '1.0', channel: 'stable' }), q));
  assert.not.ok(matchesQuery(manifest('example.com/app', { version: '1.1', channel: 'stable' }), q));
  assert.not.ok(matchesQuery(manifest('example.com/app', { version: '1.0' }), q));
});

test('matchesQuery: a defaulted label only excludes images that say something else', () => {
  const q = parseImageQuery('example.com/app');
  assert.ok(matchesQuery(manifest('example.com/app'), q));
  assert.ok(matchesQuery(manifest('example.com/app', { os: HOST.os }), q));
  assert.ok(matchesQuery(manifest('example.com/app', { os: HOST.os, arch: HOST.arch }), q));
  assert.not.ok(matchesQuery(manifest('example.com/app', { os: 'darwin', arch: 'x86_64' }), q));
  const otherArch = HOST.arch === 'i386' ? 'amd64' : 'i386';
  assert.not.ok(matchesQuery(manifest('example.com/app', { os: 'linux', arch: otherArch }), parseImageQuery('example.com/app,os=linux')));
});

test('matchesQuery: an os or arch the user gave must be on the image', () => {
  const q = parseImageQuery('example.com/app,os=freebsd,arch=amd64');
  assert.ok(matchesQuery(manifest('example.com/app', { os: 'freebsd', arch: 'amd64' }), q));
  assert.not.ok(matchesQuery(manifest('example.com/app'), q));
  assert.not.ok(matchesQuery(manifest('example.com/app', { os: 'freebsd' }), q));
});

test('formatImageName: version first, then the other labels sorted by name', () => {
  assert.is(formatImageName(manifest('example.com/app', { os: 'linux', version: '1.0', arch: 'amd64' })), 'example.com/app:1.0,arch=amd64,os=linux');
  assert.is(formatImageName(manifest('example.com/app', { os: 'linux', channel: 'beta' })), 'example.com/app,channel=beta,os=linux');
  assert.is(formatImageName(manifest('example.com/app')), 'example.com/app');
  assert.is(formatImageName({ name: 'base', labels: [{ name: 'version', value: '11.0.1' }] }), 'base:11.0.1');
});

test('formatImageName output parses back to the same labels', () => {
  const m = manifest('3ofcoins.net/port-builder', { version: '1.2.3', os: 'freebsd', arch: 'amd64' });
  const q = parseImageQuery(formatImageName(m));
  assert.equal(Object.fromEntries(q.labels), { version: '1.2.3', os: 'freebsd', arch: 'amd64' });
  assert.ok(matchesQuery(m, q));
});

test('looksLikeImageID: sha512- and up to 128 lowercase hex digits (the bare prefix matches every ID)', () => {
  const full = `sha512-${'a1'.repeat(64)}`;
  assert.ok(looksLikeImageID(full));
  assert.ok(looksLikeImageID('sha512-0'));
  assert.ok(looksLikeImageID(`sha512-${'f'.repeat(32)}`));
  assert.not.ok(looksLikeImageID(`${full}0`));
  assert.ok(looksLikeImageID('sha512-'));
  assert.not.ok(looksLikeImageID('sha512-ABCD'));
  assert.not.ok(looksLikeImageID('sha256-abcd'));
  assert.not.ok(looksLikeImageID('abcd'));
  assert.not.ok(looksLikeImageID('example.com/app'));
});

test.run();
