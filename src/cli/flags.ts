import { UserError } from '../errors.js';

/**
 * Flags in both of the styles jetpack users meet: Jetpack's Go-style single-dash long flags
 * (`-saveid=FILE`, `-cp FILE`) and GNU-style (`--saveid FILE`, `--cp=FILE`). minimist and
 * util.parseArgs read `-saveid` as a bundle of short flags, so the parser is our own.
 */

export interface FlagSpec {
  name: string;
  kind: 'boolean' | 'string' | 'list';
  help: string;
  /** Placeholder for the value in help text. */
  value?: string;
  /** One-letter spellings such as `q` for `-q`. */
  short?: string;
  /** A boolean flag's value when it is not given (false unless said): flagBoolean reads it, help shows it. */
  default?: boolean;
}

export interface ParsedFlags {
  values: Map<string, string | boolean | string[]>;
  positional: string[];
}

export interface ParseOptions {
  /** Stop at the first positional argument (for commands that take a command line to run). */
  stopAtPositional?: boolean;
  /** What to call the command in error messages. */
  command: string;
}

function parseBoolean(flag: string, value: string): boolean {
  if (/^(1|t|true|yes|on)$/i.test(value)) return true;
  if (/^(0|f|false|no|off)$/i.test(value)) return false;
  throw new UserError(`flag -${flag} takes true or false, not "${value}"`);
}

/** The help command for `command` ("jetpack", "jetpack images", "jetpack runtime run"). */
function helpFor(command: string): string {
  return command === 'jetpack' ? 'jetpack help' : `jetpack help ${command.replace(/^jetpack /, '')}`;
}

export function parseFlags(argv: readonly string[], specs: readonly FlagSpec[], opts: ParseOptions): ParsedFlags {
  const values = new Map<string, string | boolean | string[]>();
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') {
      positional.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith('-') || arg === '-') {
      if (opts.stopAtPositional) {
        positional.push(...argv.slice(i));
        break;
      }
      positional.push(arg);
      continue;
    }
    const body = arg.replace(/^--?/, '');
    const eq = body.indexOf('=');
    const name = eq === -1 ? body : body.slice(0, eq);
    const spec = specs.find((s) => s.name === name || s.short === name);
    if (!spec) throw new UserError(`unknown flag ${arg.split('=')[0]} for ${opts.command} (see ${helpFor(opts.command)})`);
    let value: string | undefined = eq === -1 ? undefined : body.slice(eq + 1);
    if (spec.kind === 'boolean') {
      values.set(spec.name, value === undefined ? true : parseBoolean(spec.name, value));
      continue;
    }
    if (value === undefined) {
      value = argv[++i];
      if (value === undefined) throw new UserError(`flag -${spec.name} needs a value`);
    }
    if (spec.kind === 'list') values.set(spec.name, [...((values.get(spec.name) as string[] | undefined) ?? []), value]);
    else values.set(spec.name, value);
  }
  for (const spec of specs) if (spec.kind === 'boolean' && spec.default !== undefined && !values.has(spec.name)) values.set(spec.name, spec.default);
  return { values, positional };
}

export function flagString(parsed: ParsedFlags, name: string): string | undefined {
  const v = parsed.values.get(name);
  return typeof v === 'string' ? v : undefined;
}

/** A boolean flag as given, else its spec's default, else false. */
export function flagBoolean(parsed: ParsedFlags, name: string): boolean {
  return parsed.values.get(name) === true;
}

export function flagList(parsed: ParsedFlags, name: string): string[] {
  const v = parsed.values.get(name);
  return Array.isArray(v) ? v : [];
}

/** The command line a command runs after its positionals (run IMAGE [--] CMD…): a "--" first only ends the flags. */
export function commandLine(args: readonly string[]): string[] {
  return args[0] === '--' ? args.slice(1) : [...args];
}

export function formatFlagHelp(specs: readonly FlagSpec[]): string {
  const rows = specs.map((s) => {
    const value = s.kind === 'boolean' ? '' : `=${s.value ?? 'VALUE'}`;
    const names = [s.short ? `-${s.short}` : '', `-${s.name}${value}`].filter(Boolean).join(', ');
    // A list flag says it is repeatable, once: some help texts say so already.
    const notes = [s.kind === 'list' && !/\brepeatable\b/.test(s.help) ? 'repeatable' : '', s.default === undefined ? '' : `default ${s.default}`].filter(
      Boolean,
    );
    return [names, notes.length ? `${s.help} (${notes.join('; ')})` : s.help] as const;
  });
  const width = Math.max(0, ...rows.map(([n]) => n.length));
  return rows.map(([n, h]) => `  ${n.padEnd(width)}  ${h}`).join('\n');
}
