/** The pure parts of the portable-service check: names, unit matching, os-release (src/portable/rules.ts) and ELF headers (src/portable/elf.ts). */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { parseElf } from '../../src/portable/elf.js';
import { parseOsRelease, prefixOfName, unitMatches } from '../../src/portable/rules.js';

test('the prefix of an image name: up to the first "_", without .raw or a directory', () => {
  assert.is(prefixOfName('/srv/foo_1.2.raw'), 'foo');
  assert.is(prefixOfName('foo-bar.raw'), 'foo-bar');
  assert.is(prefixOfName('dir/foo'), 'foo');
});

test('a unit matches a prefix followed by "-", "." or "@", with a suffix portabled copies', () => {
  const prefixes = ['foo', 'bar'];
  for (const unit of ['foo.service', 'foo-web.socket', 'foo@1.service', 'bar.timer', 'bar.path', 'foo.target']) assert.ok(unitMatches(unit, prefixes), unit);
  for (const unit of ['foobar.service', 'foo.mount', 'baz.service', 'foo', 'foo_x.service']) assert.not.ok(unitMatches(unit, prefixes), unit);
  assert.not.ok(unitMatches('foo.service', []));
});

test('os-release: KEY=value lines, quotes removed, anything else skipped', () => {
  const fields = parseOsRelease('PRETTY_NAME="Debian GNU/Linux 12"\nID=debian\n# comment\nPORTABLE_PREFIXES=\'a b\'\nlower=x\nVERSION_ID="12\n');
  assert.equal(
    [...fields],
    [
      ['PRETTY_NAME', 'Debian GNU/Linux 12'],
      ['ID', 'debian'],
      ['PORTABLE_PREFIXES', 'a b'],
      ['VERSION_ID', '"12'],
    ],
  );
});

test("ELF headers of the host's own node: class, machine, loader and needs; not ELF is undefined; truncated throws", () => {
  const data = readFileSync(process.execPath);
  const elf = parseElf(data)!;
  const machine = { x64: 62, arm64: 183, ia32: 3, arm: 40, ppc64: 21, s390x: 22 }[process.arch as string];
  assert.is(elf.bits, 64);
  assert.ok(elf.littleEndian);
  assert.is(elf.machine, machine);
  assert.match(elf.interpreter ?? '', /^\/lib.*\/ld-linux.*\.so\.\d$/);
  assert.ok(elf.needed.includes('libc.so.6'), elf.needed.join(' '));
  assert.is(parseElf(Buffer.from('#!/bin/sh\necho not elf\n'.padEnd(64))), undefined);
  assert.is(parseElf(data.subarray(0, 40)), undefined, 'shorter than an ELF header');
  assert.throws(() => parseElf(data.subarray(0, 200)));
});

test.run();
