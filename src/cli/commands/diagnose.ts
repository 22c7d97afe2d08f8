import { UserError } from '../../errors.js';
import type { Command, Context } from '../command.js';
import { flagBoolean, flagList, flagString, type FlagSpec, type ParsedFlags } from '../flags.js';

const TEMPLATE_FLAGS: FlagSpec[] = [
  { name: 'values', kind: 'list', value: 'FILE', help: 'YAML or JSON file whose content is .Values (later files override earlier ones)' },
  { name: 'set', kind: 'list', value: 'KEY=VALUE', help: 'set a value as helm --set does: a.b=c,d[0]=e (after the files)' },
];

const JOB_FLAGS: FlagSpec[] = [
  { name: 'specfile', kind: 'string', value: 'FILE', help: 'the job file' },
  { name: 'job', kind: 'string', value: 'NAME', help: 'the job to show' },
  { name: 'json', kind: 'boolean', help: 'print JSON instead of YAML' },
  { name: 'quiet', kind: 'boolean', help: 'accepted for mark-devkit compatibility (prints the same)' },
];

const USAGE = 'usage: jetpack diagnose template [-values FILE]... [-set KEY=VALUE]... TEMPLATE-FILE|-';
const JOB_USAGE = 'usage: jetpack diagnose job -specfile FILE -job NAME [-json]';

const JOB_DESCRIPTION =
  'Prints job NAME of the job file as metro run would run it: its templated fields rendered\n' +
  'with its options, paths made absolute, and every hook file rendered and parsed (YAML, or\n' +
  'JSON with -json). Nothing is run.';

async function diagnoseJob(_ctx: Context, flags: ParsedFlags): Promise<number> {
  const specFile = flagString(flags, 'specfile');
  const name = flagString(flags, 'job');
  if (!specFile || !name || flags.positional.length) throw new UserError(JOB_USAGE, 2);
  const [{ loadJob }, { jobDocument }] = await Promise.all([import('../../job/spec.js'), import('../../job/diagnose.js')]);
  process.stdout.write(jobDocument(await loadJob(specFile, name), flagBoolean(flags, 'json') ? 'json' : 'yaml'));
  return 0;
}

/** A template or values file, or stdin ("-"), bounded as job files are. */
async function readText(file: string, what: string): Promise<string> {
  const { readJobText, MAX_JOB_FILE_BYTES } = await import('../../job/spec.js');
  if (file !== '-') return readJobText(file, what);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of process.stdin as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_JOB_FILE_BYTES) throw new UserError(`${what} on stdin is larger than ${MAX_JOB_FILE_BYTES >> 20} MiB: not read`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

async function diagnoseTemplate(_ctx: Context, flags: ParsedFlags): Promise<number> {
  if (flags.positional.length !== 1) throw new UserError(USAGE, 2);
  const file = flags.positional[0];
  const [{ renderTemplate }, { bytesOf }, values, { parse: parseYaml }] = await Promise.all([
    import('../../template/engine.js'),
    import('../../template/bytes.js'),
    import('../../template/values.js'),
    import('yaml'),
  ]);
  let merged: Record<string, import('../../template/format.js').GoValue> = {};
  for (const valuesFile of flagList(flags, 'values')) {
    let parsed: unknown;
    try {
      parsed = values.fromYamlValue(parseYaml(await readText(valuesFile, 'values file'), { intAsBigInt: true }));
    } catch (err) {
      throw new UserError(`${valuesFile}: not YAML or JSON: ${(err as Error).message.split('\n')[0]}`, 1, { cause: err });
    }
    if (parsed === null) continue;
    if (typeof parsed !== 'object' || Array.isArray(parsed) || parsed instanceof Date) throw new UserError(`${valuesFile}: the values must be a map`);
    merged = values.mergeValues(merged, parsed as typeof merged);
  }
  for (const set of flagList(flags, 'set')) {
    try {
      values.applySet(merged, set);
    } catch (err) {
      throw new UserError(`-set ${set}: ${(err as Error).message}`, 1, { cause: err });
    }
  }
  const text = await readText(file, 'template');
  // A Go string may hold bytes that are not UTF-8 (`"\xff"`): they are written as the bytes they are.
  process.stdout.write(Buffer.from(bytesOf(renderTemplate(text, { name: file === '-' ? '<stdin>' : file, values: merged }))));
  return 0;
}

const DESCRIPTION =
  'Renders TEMPLATE-FILE ("-": stdin) as mark-devkit renders job fields and hook files: Go\n' +
  "text/template with Helm's engine rules (.Values from the values, missing values empty) and\n" +
  'the Sprig functions; prints the result exactly, with no newline added. now is\n' +
  'SOURCE_DATE_EPOCH when it is set. A template error prints FILE:LINE:COL and the reason.';

export const diagnoseCommand: Command = {
  name: 'diagnose',
  args: 'job|template [FLAGS] …',
  summary: 'Show a stage job as it would run, or render a template as job files are rendered',
  flags: [],
  subcommands: [
    {
      name: 'job',
      args: '',
      summary: 'Show job NAME of the job file FILE as metro run would run it (-specfile FILE -job NAME)',
      description: JOB_DESCRIPTION,
      flags: JOB_FLAGS,
      run: diagnoseJob,
    },
    {
      name: 'template',
      args: 'TEMPLATE-FILE|-',
      summary: 'Render a template as job fields and hook files are rendered',
      description: DESCRIPTION,
      flags: TEMPLATE_FLAGS,
      run: diagnoseTemplate,
    },
  ],
};
