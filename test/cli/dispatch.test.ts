import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { Context, type Command } from '../../src/cli/command.js';
import { COMMANDS } from '../../src/cli/commands/index.js';
import { dispatch, helpTopic } from '../../src/cli/dispatch.js';
import type { ParsedFlags } from '../../src/cli/flags.js';
import { jetpack, tempDir } from '../helpers/cli.js';
import { parseJson } from '../helpers/json.js';

const work = tempDir();
const root = path.join(work, 'store');

/** A command tree whose leaves record what they were run with. */
function tree(): { cmd: Command; runs: Array<[string, ParsedFlags]> } {
  const runs: Array<[string, ParsedFlags]> = [];
  const leaf = (name: string, extra: Partial<Command> = {}): Command => ({
    name,
    args: 'ARGS...',
    summary: name,
    flags: [{ name: 'json', kind: 'boolean', help: 'json' }],
    async run(_ctx, flags) {
      runs.push([this.name, flags]);
    },
    ...extra,
  });
  const cmd: Command = {
    name: 'top',
    args: 'SUBCOMMAND',
    summary: 'top',
    flags: [],
    subcommands: [leaf('shell', { stopAtPositional: true }), leaf('run', { aliases: ['r'] }), { ...leaf('inner'), subcommands: [leaf('deep')] }],
  };
  return { cmd, runs };
}

test('a subcommand is found by name, alias or --NAME, nested too; its name in usage is the path the user typed', async () => {
  const { cmd, runs } = tree();
  const state = { json: false };
  const ctx = new Context(root);
  for (const word of ['run', 'r', '--run']) await dispatch(ctx, cmd, [word, 'x'], state);
  await dispatch(ctx, cmd, ['inner', 'deep', '-json', 'y'], state);
  assert.equal(
    runs.map(([n, f]) => [n, f.positional]),
    [
      ['top run', ['x']],
      ['top run', ['x']],
      ['top run', ['x']],
      ['top inner deep', ['y']],
    ],
  );
  assert.is(state.json, true, '-json of a subcommand reports failures as JSON');
  assert.is(helpTopic([cmd], ['top', 'r']).name, 'top run');
  assert.is(helpTopic([cmd], ['top', 'inner', 'deep']).name, 'top inner deep');
  const unknown = await dispatch(ctx, cmd, ['nosuch'], state).then(
    () => undefined,
    (e: Error) => e.message,
  );
  assert.is(unknown, 'unknown top subcommand "nosuch" (see jetpack help top)');
});

test("stop-at-positional: a help flag in the command line a subcommand runs is the command line's", async () => {
  const { cmd, runs } = tree();
  await dispatch(new Context(root), cmd, ['shell', 'DIR', 'bash', '--help'], { json: false });
  assert.equal(
    runs.map(([n, f]) => [n, f.positional]),
    [['top shell', ['DIR', 'bash', '--help']]],
  );
});

const groups = COMMANDS.filter((c) => c.subcommands?.length);

test('every command with subcommands lists them in its help; "help CMD SUB" and "CMD SUB --help" show the same', () => {
  assert.equal(groups.map((c) => c.name).sort(), ['diagnose', 'image', 'metro', 'package', 'portable', 'runtime', 'upload-server']);
  const walk = (words: string[], cmd: Command): void => {
    const help = jetpack(root, ['help', ...words]);
    assert.is(help.status, 0, words.join(' '));
    for (const sub of cmd.subcommands ?? []) {
      assert.match(
        help.stdout,
        new RegExp(`^  ${[...words, cmd.operandBeforeSubcommand].filter(Boolean).join(' ')} ${sub.name}\\b`, 'm'),
        `${words.join(' ')} lists ${sub.name}`,
      );
      const subHelp = jetpack(root, ['help', ...words, sub.name]);
      assert.is(subHelp.status, 0, `${words.join(' ')} ${sub.name}`);
      assert.match(subHelp.stdout, new RegExp(`^usage: jetpack ${[...words, cmd.operandBeforeSubcommand].filter(Boolean).join(' ')} ${sub.name}\\b`));
      const operand = cmd.operandBeforeSubcommand ? ['x'] : [];
      assert.is(jetpack(root, [...words, ...operand, sub.name, '--help']).stdout, subHelp.stdout, `${words.join(' ')} ${sub.name} --help`);
      walk([...words, sub.name], sub);
    }
  };
  for (const g of groups) walk([g.name], g);
  assert.match(jetpack(root, ['help', 'metro']).stdout, /^ {2}metro run \(also r, j\)$/m);
  assert.is(jetpack(root, ['metro', 'r', '-h']).stdout, jetpack(root, ['help', 'metro', 'run']).stdout);
});

test('a subcommand given -json reports its failure as a JSON line too', () => {
  const r = jetpack(root, ['runtime', 'list', '-json', '-remote', 'nosuch']);
  assert.is(r.status, 1);
  const last = r.stderr.trimEnd().split('\n').pop()!;
  assert.equal(Object.keys(parseJson<{ error: object }>(last).error), ['message', 'status']);
});

test('runtime sandbox DIR COMMAND --help runs COMMAND, not help', () => {
  const dir = path.join(work, 'empty-tree');
  mkdirSync(dir);
  const r = jetpack(root, ['runtime', 'sandbox', dir, 'no-such-program', '--help']);
  assert.is.not(r.status, 0);
  assert.is(r.stdout, '');
  assert.match(r.stderr, /no-such-program/);
});

test.run();
