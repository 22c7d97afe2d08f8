/** Runtime names and refs (src/ostree/runtime-name.ts): MaPS's software/arch/version and remote:ref forms. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { UserError } from '../../src/errors.js';
import { LOCAL_REMOTE, parseQualifiedRef, validateRemoteName, validateRuntimeName } from '../../src/ostree/runtime-name.js';

function refuses(fn: () => unknown, message: string): void {
  assert.throws(fn, (err: Error) => err instanceof UserError && err.message === message);
}

test('a runtime name is reverse-dns/arch/version', () => {
  validateRuntimeName('com.example.package/x86_64/2023.08');
  validateRuntimeName('org.oscar_system.oscar/aarch64/1-rc_2');
  refuses(
    () => validateRuntimeName('com.example.package/x86_64'),
    'runtime name "com.example.package/x86_64" must be reverse-dns/arch/version, three parts (e.g. com.example.package/x86_64/2023.08)',
  );
  refuses(
    () => validateRuntimeName('example.package/x86_64/1'),
    'runtime name "example.package/x86_64/1": "example.package" is not a reverse DNS name of three or more components (e.g. com.example.package)',
  );
  refuses(
    () => validateRuntimeName('com..package/x86_64/1'),
    'runtime name "com..package/x86_64/1": "com..package" is not a reverse DNS name of three or more components (e.g. com.example.package)',
  );
  refuses(
    () => validateRuntimeName('com.example.p/amd64/1'),
    'runtime name "com.example.p/amd64/1": unknown architecture "amd64" (one of x86_64, aarch64, i386, arm, ppc64le, s390x, riscv64, loongarch64)',
  );
  refuses(
    () => validateRuntimeName('com.example.p/x86_64/.1'),
    'runtime name "com.example.p/x86_64/.1": ".1" is not a version (letters, digits, ".", "-", "_"; e.g. 2023.08)',
  );
});

test('remote:ref splits at the first colon; a plain ref has no remote', () => {
  assert.equal(parseQualifiedRef('com.example.p/x86_64/1'), { ref: 'com.example.p/x86_64/1' });
  assert.equal(parseQualifiedRef('origin:com.example.p/x86_64/1'), { remote: 'origin', ref: 'com.example.p/x86_64/1' });
  refuses(() => parseQualifiedRef('bad remote:ref'), '"bad remote" is not a remote name');
  refuses(() => parseQualifiedRef(':ref'), '"" is not a remote name');
});

test('a remote name is an ostree ref part and not _local', () => {
  validateRemoteName('origin-2.mirror_x');
  for (const bad of [LOCAL_REMOTE, '', '-x', 'a/b', 'a b']) {
    refuses(() => validateRemoteName(bad), `"${bad}" cannot name a remote (letters, digits, ".", "-", "_"; not _local)`);
  }
});

test.run();
