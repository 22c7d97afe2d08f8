import type { Command } from '../command.js';

/** A command made only of subcommands (`jetpack NAME SUB [FLAGS] [ARGS…]`); src/cli/dispatch.ts runs them. */
export function group(name: string, summary: string, intro: string, subs: Command[]): Command {
  return { name, args: 'SUBCOMMAND [FLAGS] [ARGS...]', summary, description: intro, flags: [], subcommands: subs };
}
