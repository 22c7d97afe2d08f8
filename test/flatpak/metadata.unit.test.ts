/** Flatpak refs, arch names and metadata keyfiles (src/flatpak/metadata.ts). */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { UserError } from '../../src/errors.js';
import { appcArch, flatpakArch, formatRef, parseKeyFile, parseRef, runtimeMetadata } from '../../src/flatpak/metadata.js';

function refuses(fn: () => unknown, message: string): void {
  assert.throws(fn, (err: Error) => err instanceof UserError && err.message === message);
}

test('refs: kind/ID/ARCH/BRANCH, checked by the runtime-name rules and the kind asked for', () => {
  const ref = parseRef('runtime/org.example.Platform/x86_64/23.08');
  assert.equal(ref, { kind: 'runtime', id: 'org.example.Platform', arch: 'x86_64', branch: '23.08' });
  assert.is(formatRef(ref), 'runtime/org.example.Platform/x86_64/23.08');
  assert.is(parseRef('app/org.example.App/aarch64/stable', 'app').kind, 'app');
  refuses(
    () => parseRef('org.example.App/x86_64/stable'),
    '"org.example.App/x86_64/stable" is not a Flatpak ref (runtime/ID/ARCH/BRANCH or app/ID/ARCH/BRANCH)',
  );
  refuses(
    () => parseRef('app/org.example.App/x86_64/stable', 'runtime'),
    '"app/org.example.App/x86_64/stable" is an application ref; a runtime/ID/ARCH/BRANCH ref is needed here',
  );
  refuses(
    () => parseRef('runtime/org.example.P/x86_64/1', 'app'),
    '"runtime/org.example.P/x86_64/1" is a runtime ref; a app/ID/ARCH/BRANCH ref is needed here',
  );
  assert.throws(() => parseRef('runtime/example/x86_64/1'), /is not a reverse DNS name/);
});

test('arch names both ways; an unknown one passes through', () => {
  assert.equal(['amd64', 'armv7l', 'aarch64', 'mips'].map(flatpakArch), ['x86_64', 'arm', 'aarch64', 'mips']);
  assert.equal(['x86_64', 'arm', 'aarch64', 'mips'].map(appcArch), ['amd64', 'armv7l', 'aarch64', 'mips']);
});

test('keyfiles: groups of key=value, comments and blanks skipped, a stray line named by number', () => {
  const groups = parseKeyFile('# made by hand\n[Runtime]\nname = org.example.Platform\nruntime=a=b\n\n[Environment]\nX=1\n', 'metadata');
  assert.equal([...groups.keys()], ['Runtime', 'Environment']);
  assert.equal(
    [...groups.get('Runtime')!],
    [
      ['name', 'org.example.Platform'],
      ['runtime', 'a=b'],
    ],
  );
  refuses(() => parseKeyFile('name=x\n', 'metadata'), 'metadata:1: not a keyfile line (want [Group] or key=value): name=x');
  refuses(() => parseKeyFile('[G]\n=x\n', 'metadata'), 'metadata:2: not a keyfile line (want [Group] or key=value): =x');
});

test("a runtime's metadata needs [Runtime] name and no [Application]", () => {
  assert.is(runtimeMetadata('[Runtime]\nname=org.example.Platform\n', 'm').name, 'org.example.Platform');
  refuses(() => runtimeMetadata('[Application]\nname=org.example.App\n', 'm'), 'm describes an application ([Application]), not a runtime');
  refuses(() => runtimeMetadata('[Runtime]\nsdk=x\n', 'm'), 'm has no [Runtime] name: not a Flatpak runtime');
});

test.run();
