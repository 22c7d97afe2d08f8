import { UserError } from '../../errors.js';
import { commandHelp, wantsHelp, type Command, type Context } from '../command.js';
import type { ParsedFlags } from '../flags.js';
import { parseCommandFlags } from '../global-flags.js';

/**
 * A command of subcommands (`jetpack NAME SUB [FLAGS] [ARGS…]`), each with its own flags and
 * help (`jetpack help NAME SUB`); a subcommand is also spelled `--SUB`, as MaPS spells them.
 */
export function group(name: string, summary: string, intro: string, subs: Command[]): Command {
  const named = (s: Command): Command => ({ ...s, name: `${name} ${s.name}` });
  const listing = subs.map((s) => `  ${name} ${s.name}${s.args ? ` ${s.args}` : ''}\n      ${s.summary}.`).join('\n');
  return {
    name,
    args: 'SUBCOMMAND [FLAGS] [ARGS...]',
    summary,
    description: `${intro}\n\nSubcommands (also spelled --SUBCOMMAND, as MaPS does; "jetpack ${name} SUBCOMMAND --help" for flags):\n${listing}`,
    flags: [],
    rawArgs: true,
    async run(ctx: Context, flags: ParsedFlags) {
      const [word, ...rest] = flags.positional;
      if (word === '-h' || word === '-help' || word === '--help') {
        process.stdout.write(commandHelp(this));
        return 0;
      }
      const sub = subs.find((s) => s.name === word || `--${s.name}` === word);
      if (!sub) throw new UserError(word ? `unknown ${name} subcommand "${word}" (see jetpack help ${name})` : `usage: jetpack ${name} ${this.args} (see jetpack help ${name})`, 2);
      if (wantsHelp(sub, rest)) {
        process.stdout.write(commandHelp(named(sub)));
        return 0;
      }
      const parsed = parseCommandFlags(ctx, rest, sub.flags, { command: `jetpack ${name} ${sub.name}`, stopAtPositional: sub.stopAtPositional });
      return named(sub).run(parsed.ctx, parsed.flags);
    },
  };
}
