import { writeFile } from 'node:fs/promises';
import { UserError } from '../errors.js';
import { storeRoot } from '../store/layout.js';
import type { Store } from '../store/store.js';
import { formatFlagHelp, type FlagSpec, type ParsedFlags } from './flags.js';

/** What every command gets: the global options and a lazily opened store. */
export class Context {
  private opened: Promise<Store> | undefined;

  constructor(readonly rootFlag: string | undefined) {}

  get root(): string {
    return storeRoot(this.rootFlag);
  }

  store(): Promise<Store> {
    this.opened ??= import('../store/store.js').then(({ Store }) => Store.open(this.root));
    return this.opened;
  }
}

export interface Command {
  name: string;
  /** Arguments after the flags, as shown in help: "IMAGE [FILE|-]". */
  args: string;
  summary: string;
  /** Longer help text; the flags are listed after it. */
  description?: string;
  flags: FlagSpec[];
  stopAtPositional?: boolean;
  /** Other words for it as a subcommand (metro's `r` and `j` for run). */
  aliases?: string[];
  /**
   * `jetpack NAME SUB …` (also `--SUB`, as MaPS spells them): each with its own flags and help,
   * run by src/cli/dispatch.ts. A command with subcommands and a run of its own runs it when
   * no subcommand is named (upload-server, upload-server adduser).
   */
  subcommands?: Command[];
  /** The placeholder of an operand written before the subcommand (IMAGE of `image IMAGE build`), handed to it first. */
  operandBeforeSubcommand?: string;
  run?(ctx: Context, flags: ParsedFlags): Promise<number | void>;
}

/** What -json prints: the result as one line of JSON, as JSON_FLAG says (programs and the API read the last line). */
export function printJSON(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value)}\n`);
}

export const JSON_FLAG: FlagSpec = { name: 'json', kind: 'boolean', help: 'print the result as one line of JSON (a failure too, as the last line on stderr)' };

export const SAVEID_FLAG: FlagSpec = { name: 'saveid', kind: 'string', value: 'FILE', help: 'write the image ID to FILE' };

/** Writes an image ID and a newline, as Jetpack's -saveid does. */
export async function saveID(file: string | undefined, id: string): Promise<void> {
  if (file) await writeFile(file, `${id}\n`, { mode: 0o644 });
}

export function expectArgs(cmd: Command, args: string[], min: number, max = min): void {
  if (args.length < min || args.length > max) {
    throw new UserError(`usage: jetpack ${cmd.name} ${cmd.args}`, 2);
  }
}

const HELP_FLAGS = new Set(['-h', '-help', '--help']);

/** A help flag among the command's own flags: not after "--", nor inside a command line it runs. */
export function wantsHelp(cmd: Command, args: readonly string[]): boolean {
  const end = args.indexOf('--') === -1 ? args.length : args.indexOf('--');
  const firstPositional = cmd.stopAtPositional ? args.findIndex((a) => !a.startsWith('-') || a === '-') : -1;
  const flags = args.slice(0, firstPositional === -1 ? end : Math.min(end, firstPositional));
  return flags.some((a) => HELP_FLAGS.has(a));
}

function subcommandList(cmd: Command): string {
  const prefix = [cmd.name, cmd.operandBeforeSubcommand].filter(Boolean).join(' ');
  return cmd
    .subcommands!.map((s) => {
      const aliases = s.aliases?.length ? ` (also ${s.aliases.join(', ')})` : '';
      return `  ${prefix} ${s.name}${s.args ? ` ${s.args}` : ''}${aliases}\n      ${s.summary}.`;
    })
    .join('\n');
}

export function commandHelp(cmd: Command): string {
  const parts = [`usage: jetpack ${cmd.name}${cmd.flags.length ? ' [FLAGS]' : ''}${cmd.args ? ` ${cmd.args}` : ''}`, '', cmd.summary + '.'];
  if (cmd.description) parts.push('', cmd.description);
  if (cmd.subcommands?.length)
    parts.push('', `Subcommands (also spelled --SUBCOMMAND, as MaPS does; "jetpack help ${cmd.name} SUBCOMMAND" for its flags):`, subcommandList(cmd));
  if (cmd.flags.length) parts.push('', 'Flags (also accepted as --flag, and -flag VALUE / --flag VALUE):', formatFlagHelp(cmd.flags));
  return parts.join('\n') + '\n';
}

/** A progress or notice line on stderr, as every command prints them. */
export const logLine = (line: string): void => void process.stderr.write(`jetpack: ${line}\n`);
