import { UserError } from '../errors.js';
import { commandHelp, wantsHelp, type Command, type Context } from './command.js';
import { flagBoolean } from './flags.js';
import { parseCommandFlags } from './global-flags.js';

/** What a failure is reported as: with -json, a JSON line too (for programs, the API). */
export interface DispatchState {
  json: boolean;
}

/** The subcommand `word` names: its name, an alias, or MaPS's `--NAME`. */
function findSubcommand(cmd: Command, word: string | undefined): Command | undefined {
  if (word === undefined) return undefined;
  return cmd.subcommands?.find((s) => s.name === word || `--${s.name}` === word || s.aliases?.includes(word));
}

/** A subcommand named as the user types it, for help and usage lines ("runtime list", "image IMAGE build"). */
function qualified(parent: Command, sub: Command): Command {
  return { ...sub, name: [parent.name, parent.operandBeforeSubcommand, sub.name].filter(Boolean).join(' ') };
}

/**
 * Runs `cmd` on `args`, the words after its name: a subcommand word (after the operand the
 * command names, as in `image IMAGE build`) hands the rest to that subcommand, the operand
 * kept for its positionals; else a help flag among the command's own flags shows its help;
 * else its flags are parsed (stopping at the first positional when the command runs a
 * command line) and it runs.
 */
export async function dispatch(
  ctx: Context,
  cmd: Command,
  args: readonly string[],
  state: DispatchState,
  operandsGiven: readonly string[] = [],
): Promise<number> {
  const operands = cmd.operandBeforeSubcommand ? 1 : 0;
  const sub = args.slice(0, operands).every((a) => !a.startsWith('-')) ? findSubcommand(cmd, args[operands]) : undefined;
  if (sub) return dispatch(ctx, qualified(cmd, sub), args.slice(operands + 1), state, [...operandsGiven, ...args.slice(0, operands)]);
  if (wantsHelp(cmd, args)) {
    process.stdout.write(commandHelp(cmd));
    return 0;
  }
  if (!cmd.run) {
    const word = args[operands];
    throw new UserError(
      word === undefined || word.startsWith('-')
        ? `usage: jetpack ${cmd.name} ${cmd.args} (see jetpack help ${cmd.name})`
        : `unknown ${cmd.name} subcommand "${word}" (see jetpack help ${cmd.name})`,
      2,
    );
  }
  const parsed = parseCommandFlags(ctx, args, cmd.flags, { command: `jetpack ${cmd.name}`, stopAtPositional: cmd.stopAtPositional });
  state.json = cmd.flags.some((f) => f.name === 'json') && flagBoolean(parsed.flags, 'json');
  const flags = { ...parsed.flags, positional: [...operandsGiven, ...parsed.flags.positional] };
  return (await cmd.run(parsed.ctx, flags)) ?? 0;
}

/** The command `words` name for `jetpack help WORDS…` ("runtime deploy", "image build", "image IMAGE build"). */
export function helpTopic(commands: readonly Command[], words: readonly string[]): Command {
  const [first, ...rest] = words;
  let cmd = commands.find((c) => c.name === first);
  if (!cmd) throw new UserError(`unknown command "${first}" (see jetpack help)`, 2);
  for (const [i, word] of rest.entries()) {
    const sub = findSubcommand(cmd, word);
    // The operand's placeholder ("IMAGE" of image IMAGE build) may be written too.
    if (!sub && cmd.operandBeforeSubcommand === word && i === 0) continue;
    if (!sub) throw new UserError(`unknown ${cmd.name} subcommand "${word}" (see jetpack help ${cmd.name})`, 2);
    cmd = qualified(cmd, sub);
  }
  return cmd;
}
