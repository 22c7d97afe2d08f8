import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { isACIdentifier, isACKind, isACName, isRFC3339, isSemver } from '../../src/image/identifiers.js';
import { VALID_OS_ARCH, hostArch, hostOS, isValidOSArch } from '../../src/image/platform.js';

function accepts(check: (s: string) => boolean, good: string[], bad: string[]): void {
  for (const s of good) assert.ok(check(s), `${check.name} should accept ${JSON.stringify(s)}`);
  for (const s of bad) assert.not.ok(check(s), `${check.name} should reject ${JSON.stringify(s)}`);
}

test('isACIdentifier: lowercase alphanumerics joined by single -._~/ separators', () => {
  accepts(
    isACIdentifier,
    ['a', 'example.com/app', '3ofcoins.net/freebsd-base', 'a~b_c', 'resource/cpu', 'os', '0'],
    ['', 'Example.com', '-a', 'a-', 'a//b', 'a..b', 'a b', '/a', 'a/', 'ä', 'a_', 'a:b'],
  );
});

test('isACName: lowercase alphanumerics joined by single dashes', () => {
  accepts(isACName, ['data', 'http', 'port-80', 'a1-b2'], ['', 'a.b', 'a/b', 'a_b', 'A', '-a', 'a-', 'a--b']);
});

test('isACKind: alphanumeric', () => {
  accepts(isACKind, ['ImageManifest', 'PodManifest', 'x1'], ['', 'Image-Manifest', 'Image Manifest']);
});

test('isSemver: SemVer 2.0.0 with prerelease and build', () => {
  accepts(
    isSemver,
    [
      '0.8.11',
      '1.0.0',
      '10.20.30',
      '1.0.0-alpha',
      '1.0.0-alpha.1',
      '1.0.0-0.3.7',
      '1.0.0-x.7.z.92',
      '1.0.0+20130313144700',
      '1.0.0-beta+exp.sha.5114f85',
      '1.0.0-x-y-z.--',
    ],
    ['', '0.8', '1', '01.0.0', '1.01.0', '1.0.01', '1.0.0-', '1.0.0-01', '1.0.0+', '1.0.0-a..b', 'v1.0.0', '1.0.0 ', '1.0.0+a+b'],
  );
});

test('isRFC3339: date-time with T, fraction and zone; real calendar values', () => {
  accepts(
    isRFC3339,
    [
      '2006-01-02T15:04:05Z',
      '2006-01-02T15:04:05.999999999Z',
      '2016-11-08T12:00:00+01:00',
      '2016-11-08T23:59:59-07:30',
      '2000-02-29T00:00:00Z',
      '2024-02-29T00:00:00Z',
    ],
    [
      '2006-01-02 15:04:05Z',
      '2006-01-02t15:04:05Z',
      '2006-01-02T15:04:05z',
      '2006-01-02T15:04:05',
      '2006-01-02',
      '2006-13-02T15:04:05Z',
      '2006-00-02T15:04:05Z',
      '2006-01-00T15:04:05Z',
      '2006-01-32T15:04:05Z',
      '2006-04-31T15:04:05Z',
      '2023-02-29T00:00:00Z',
      '1900-02-29T00:00:00Z',
      '2006-01-02T24:00:00Z',
      '2006-01-02T15:60:05Z',
      '2006-01-02T15:04:60Z',
      '2006-01-02T15:04:05+24:00',
      '2006-01-02T15:04:05+01:60',
      '2006-01-02T15:04:05+0100',
      '2006-01-02T15:04:05.Z',
    ],
  );
});

test('isValidOSArch follows appc ValidOSArch', () => {
  assert.ok(isValidOSArch('linux', 'amd64'));
  assert.ok(isValidOSArch('linux', 'ppc64le'));
  assert.ok(isValidOSArch('linux', 's390x'));
  assert.ok(isValidOSArch('freebsd', 'arm'));
  assert.ok(isValidOSArch('darwin', 'x86_64'));
  assert.not.ok(isValidOSArch('linux', 'x86_64'));
  assert.not.ok(isValidOSArch('darwin', 'amd64'));
  assert.not.ok(isValidOSArch('plan9', 'amd64'));
  assert.not.ok(isValidOSArch('constructor', 'amd64'));
  assert.equal(Object.keys(VALID_OS_ARCH), ['linux', 'freebsd', 'darwin']);
});

test('host platform maps to an appc pair', () => {
  assert.is(hostOS(), 'linux');
  const expected: Record<string, string> = { x64: 'amd64', arm64: 'aarch64', ia32: 'i386', arm: 'armv7l', s390x: 's390x' };
  if (process.arch in expected) assert.is(hostArch(), expected[process.arch]);
  assert.ok(isValidOSArch(hostOS(), hostArch()), `${hostOS()}/${hostArch()}`);
});

test.run();
