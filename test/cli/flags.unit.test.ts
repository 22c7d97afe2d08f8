/**
 * The flag parser (src/cli/flags.ts) in-process: both flag styles, values, lists, positionals,
 * stop-at-positional, and the one-line errors a user sees.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { UserError } from '../../src/errors.js';
import { commandLine, flagBoolean, flagList, flagString, formatFlagHelp, parseFlags, type FlagSpec } from '../../src/cli/flags.js';

const SPECS: FlagSpec[] = [
  { name: 'saveid', kind: 'string', help: 'write the ID to FILE', value: 'FILE' },
  { name: 'quiet', kind: 'boolean', help: 'print less', short: 'q' },
  { name: 'cp', kind: 'list', help: 'copy FILE into the image', value: 'FILE' },
  { name: 'label', kind: 'list', help: 'a label (repeatable)' },
];
const parse = (argv: string[], stopAtPositional = false) => parseFlags(argv, SPECS, { command: 'jetpack build', stopAtPositional });

function userError(fn: () => unknown, message: string): void {
  try {
    fn();
  } catch (err) {
    assert.instance(err, UserError);
    assert.is((err as Error).message, message);
    return;
  }
  assert.unreachable(`no error; expected: ${message}`);
}

test('Go-style and GNU-style spellings read the same, with = or the next argument as the value', () => {
  for (const argv of [['-saveid=id'], ['-saveid', 'id'], ['--saveid', 'id'], ['--saveid=id']]) {
    assert.is(flagString(parse(argv), 'saveid'), 'id', argv.join(' '));
  }
  assert.is(flagString(parse(['-saveid=a=b']), 'saveid'), 'a=b', 'only the first = splits');
  assert.is(flagString(parse(['-saveid=']), 'saveid'), '', 'an empty value is a value');
  assert.is(flagString(parse(['-saveid', '-q']), 'saveid'), '-q', 'the next argument is the value, even with a dash');
});

test('booleans: bare is true; =VALUE takes the usual truthy and falsy words; a short name works', () => {
  assert.ok(flagBoolean(parse(['-quiet']), 'quiet'));
  assert.ok(flagBoolean(parse(['-q']), 'quiet'));
  for (const word of ['1', 't', 'true', 'YES', 'on']) assert.ok(flagBoolean(parse([`-quiet=${word}`]), 'quiet'), word);
  for (const word of ['0', 'f', 'false', 'No', 'off']) assert.not.ok(flagBoolean(parse([`--quiet=${word}`]), 'quiet'), word);
  assert.not.ok(flagBoolean(parse([]), 'quiet'), 'absent is false');
  assert.is(parse([]).values.has('quiet'), false, 'absent is not set (a default can tell)');
  userError(() => parse(['-quiet=maybe']), 'flag -quiet takes true or false, not "maybe"');
});

test('a list flag gathers every use in order; the last use of a string flag wins', () => {
  const p = parse(['-cp', 'a', '--cp=b', '-cp=c', '-saveid=1', '-saveid=2']);
  assert.equal(flagList(p, 'cp'), ['a', 'b', 'c']);
  assert.is(flagString(p, 'saveid'), '2');
  assert.equal(flagList(p, 'label'), [], 'an unused list is empty');
  assert.is(flagString(p, 'quiet'), undefined, 'a boolean is no string');
});

test('positionals: kept in order between flags; "-" is one; "--" ends the flags', () => {
  assert.equal(parse(['img', '-q', 'cmd', '-', 'x']).positional, ['img', 'cmd', '-', 'x']);
  const p = parse(['-q', '--', '-saveid', '--', 'x']);
  assert.equal(p.positional, ['-saveid', '--', 'x']);
  assert.is(flagString(p, 'saveid'), undefined);
});

test('stopAtPositional: everything from the first positional on is the command line, flags included', () => {
  const p = parse(['-q', 'img', '/bin/sh', '-c', '--help'], true);
  assert.ok(flagBoolean(p, 'quiet'));
  assert.equal(p.positional, ['img', '/bin/sh', '-c', '--help']);
  assert.equal(parse(['img', '--', 'x'], true).positional, ['img', '--', 'x']);
});

test('errors: an unknown flag names the command and its help; a value-taking flag at the end needs its value', () => {
  userError(() => parse(['--nope=1']), 'unknown flag --nope for jetpack build (see jetpack help build)');
  userError(() => parseFlags(['-x'], SPECS, { command: 'jetpack' }), 'unknown flag -x for jetpack (see jetpack help)');
  userError(() => parse(['-cp']), 'flag -cp needs a value');
  userError(() => parse(['--saveid']), 'flag -saveid needs a value');
});

test('commandLine drops one leading "--" and nothing else', () => {
  assert.equal(commandLine(['--', 'ls', '--', '-l']), ['ls', '--', '-l']);
  assert.equal(commandLine(['ls', '--']), ['ls', '--']);
  assert.equal(commandLine([]), []);
});

test('formatFlagHelp: aligned rows, value placeholders, short names, "(repeatable)" said once', () => {
  assert.is(
    formatFlagHelp(SPECS),
    [
      '  -saveid=FILE  write the ID to FILE',
      '  -q, -quiet    print less',
      '  -cp=FILE      copy FILE into the image (repeatable)',
      '  -label=VALUE  a label (repeatable)',
    ].join('\n'),
  );
  assert.is(formatFlagHelp([]), '');
});

test.run();
