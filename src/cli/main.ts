import { UserError } from '../errors.js';
import { commandHelp, Context, type Command } from './command.js';
import { COMMANDS } from './commands/index.js';
import { failureReport } from './failure.js';
import { versionCommand } from './commands/config.js';
import { formatFlagHelp, parseFlags, flagString, flagBoolean, type FlagSpec } from './flags.js';
import { DEBUG_FLAG, QUIET_FLAG, ROOT_FLAG, applySwitches } from './global-flags.js';
import { dispatch, helpTopic, type DispatchState } from './dispatch.js';

const GLOBAL_FLAGS: FlagSpec[] = [
  ROOT_FLAG,
  DEBUG_FLAG,
  QUIET_FLAG,
  { name: 'help', kind: 'boolean', short: 'h', help: 'show help' },
  { name: 'version', kind: 'boolean', help: 'print the jetpack version (as jetpack version does)' },
  { name: 'upload', kind: 'string', value: 'REF', help: 'the same as "jetpack upload REF" (MaPS\'s spelling)' },
];

function generalHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return (
    [
      'usage: jetpack [GLOBAL FLAGS] COMMAND [FLAGS] [ARGS...]',
      '',
      "Builds and stores appc ACI images the way 3ofcoins' Jetpack does, on Linux.",
      '',
      'Commands:',
      ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
      `  ${'help'.padEnd(width)}  Show help for jetpack or a command`,
      '',
      'Global flags:',
      formatFlagHelp(GLOBAL_FLAGS),
      '-root, -debug and -quiet may also follow COMMAND (jetpack images -root=DIR).',
      '',
      'IMAGE is a full image ID, a unique ID prefix, or name[:version][,label=value...]',
      '(os and arch default to the host). Run "jetpack help COMMAND" for a command\'s flags.',
    ].join('\n') + '\n'
  );
}

function findCommand(name: string): Command {
  const cmd = COMMANDS.find((c) => c.name === name);
  if (!cmd) throw new UserError(`unknown command "${name}" (see jetpack help)`, 2);
  return cmd;
}

async function main(argv: string[]): Promise<number> {
  const global = parseFlags(argv, GLOBAL_FLAGS, { command: 'jetpack', stopAtPositional: true });
  applySwitches((name) => global.values.get(name));
  const upload = flagString(global, 'upload');
  // "jetpack --upload REF", as MaPS writes it: the upload command.
  const [name, ...rest] = upload === undefined ? global.positional : ['upload', upload, ...global.positional];
  const ctx = new Context(flagString(global, 'root'));
  if (flagBoolean(global, 'version')) return dispatch(ctx, versionCommand, [], state);
  if (name === undefined || name === 'help' || flagBoolean(global, 'help')) {
    // "jetpack help runtime deploy": the help of a subcommand.
    process.stdout.write(name === 'help' && rest.length ? commandHelp(helpTopic(COMMANDS, rest)) : generalHelp());
    return name === undefined && !flagBoolean(global, 'help') ? 2 : 0;
  }
  return dispatch(ctx, findCommand(name), rest, state);
}

/** Whether the command's own flags asked for -json: its failure is then reported as JSON too, for programs (the API). */
const state: DispatchState = { json: false };

function report(err: unknown): number {
  const debug = Boolean(process.env.JETPACK_DEBUG && process.env.JETPACK_DEBUG !== '0');
  const { text, status } = failureReport(err, { debug, json: state.json });
  process.stderr.write(text);
  return status;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.exitCode = report(err);
  },
);
