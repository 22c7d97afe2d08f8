import { Context } from './command.js';
import { parseFlags, type FlagSpec, type ParseOptions, type ParsedFlags } from './flags.js';

export const ROOT_FLAG: FlagSpec = {
  name: 'root',
  kind: 'string',
  value: 'DIR',
  help: 'image store (default $JETPACK_ROOT, else /var/lib/jetpack for root, ~/.local/share/jetpack for a user)',
};
export const DEBUG_FLAG: FlagSpec = { name: 'debug', kind: 'boolean', help: 'print stack traces for errors (same as JETPACK_DEBUG=1)' };
export const QUIET_FLAG: FlagSpec = { name: 'quiet', kind: 'boolean', help: 'show no progress of long steps (same as JETPACK_QUIET=1)' };

/** The global flags a command takes after its name too (`jetpack images -root=DIR`). */
const AFTER_COMMAND: readonly FlagSpec[] = [ROOT_FLAG, DEBUG_FLAG, QUIET_FLAG];

/** Sets the environment that -debug and -quiet stand for, read by what reports errors and progress. */
export function applySwitches(given: (name: string) => unknown): void {
  if (given('debug') === true) process.env.JETPACK_DEBUG = '1';
  if (given('quiet') === true) process.env.JETPACK_QUIET = '1';
}

/**
 * Parses a command's flags and the global flags it does not spell itself (metro run's -quiet
 * is its own). A -root here wins over one before the command; -debug sets JETPACK_DEBUG,
 * -quiet JETPACK_QUIET. With
 * `opts.stopAtPositional`, what follows the first positional is left alone: `run IMAGE CMD
 * -root` gives -root to CMD.
 */
export function parseCommandFlags(ctx: Context, argv: readonly string[], specs: readonly FlagSpec[], opts: ParseOptions): { ctx: Context; flags: ParsedFlags } {
  const globals = AFTER_COMMAND.filter((g) => !specs.some((s) => s.name === g.name || s.short === g.name));
  const flags = parseFlags(argv, [...specs, ...globals], opts);
  const given = new Map(globals.map((g) => [g.name, flags.values.get(g.name)]));
  for (const g of globals) flags.values.delete(g.name);
  applySwitches((name) => given.get(name));
  const root = given.get('root');
  return { ctx: typeof root === 'string' ? new Context(root) : ctx, flags };
}
