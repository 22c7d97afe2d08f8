import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { flagBoolean, formatFlagHelp, parseFlags, type FlagSpec } from '../../src/cli/flags.js';
import { REPO } from '../helpers/cli.js';

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
  assert.match(formatFlagHelp(SPECS), /^ {2}-cleanup {2}clean up \(default true\)$/m);
  assert.match(formatFlagHelp(SPECS), /^ {2}-keep {5}keep$/m);
});

test('help writes flags one way, -flag: --NAME only where a seed or another tool spells it', () => {
  // MaPS's verbs-as-flags (package --commit, jetpack --upload), helm's --set, flatpak's and skopeo's own flags.
  const quoted =
    /--SUBCOMMAND|--flag|package --(initialize|sandbox|commit|upload)|--(initialize|sandbox|commit) DIR|--upload REF|jetpack --upload|helm --set|build-bundle --runtime|skopeo --src-creds\/--dest-creds/g;
  const doc = readFileSync(path.join(REPO, 'docs', 'CLI.md'), 'utf8').replace(quoted, '');
  assert.equal(doc.match(/(?<![\w-])--[a-z][\w-]*/g) ?? [], []);
});

test.run();
