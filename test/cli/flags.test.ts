import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { flagBoolean, formatFlagHelp, parseFlags, type FlagSpec } from '../../src/cli/flags.js';

const SPECS: FlagSpec[] = [
  { name: 'cleanup', kind: 'boolean', default: true, help: 'clean up' },
  { name: 'keep', kind: 'boolean', help: 'keep' },
];
const parse = (argv: string[]) => parseFlags(argv, SPECS, { command: 'jetpack x' });

test('a boolean flag with a default reads as the default until given, in every spelling', () => {
  assert.is(flagBoolean(parse([]), 'cleanup'), true);
  assert.is(flagBoolean(parse([]), 'keep'), false);
  for (const off of [['-cleanup=false'], ['--cleanup=false'], ['-cleanup=0']]) assert.is(flagBoolean(parse(off), 'cleanup'), false, off.join(' '));
  assert.is(flagBoolean(parse(['-cleanup']), 'cleanup'), true);
  assert.is(flagBoolean(parse(['-keep']), 'keep'), true);
});

test('help names a boolean default', () => {
  assert.match(formatFlagHelp(SPECS), /^  -cleanup  clean up \(default true\)$/m);
  assert.match(formatFlagHelp(SPECS), /^  -keep     keep$/m);
});

test.run();
