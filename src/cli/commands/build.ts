import { UserError } from '../../errors.js';
import { JSON_FLAG, SAVEID_FLAG, logLine, saveID, type Command, type Context } from '../command.js';
import { flagBoolean, flagList, flagString, type FlagSpec, type ParsedFlags } from '../flags.js';
import { NO_FETCH_FLAG, fetcherFor } from './fetch.js';

export const NET_FLAG: FlagSpec = { name: 'net', kind: 'string', value: 'host|none', help: "network of the container: the host's (default) or none" };

export function networkOf(flags: ParsedFlags): 'host' | 'none' {
  const net = flagString(flags, 'net') ?? 'host';
  if (net !== 'host' && net !== 'none') throw new UserError(`-net must be host or none, not "${net}"`);
  return net;
}

const BUILD_FLAGS: FlagSpec[] = [
  SAVEID_FLAG,
  { name: 'dir', kind: 'string', value: 'PATH', help: 'build directory copied into the work dir (default .)' },
  { name: 'cp', kind: 'list', value: 'PATH', help: 'extra file copied into the work dir by basename; globs allowed' },
  NET_FLAG,
  { name: 'keep', kind: 'boolean', help: 'keep the container of a failed build and print how to enter it' },
  NO_FETCH_FLAG,
  JSON_FLAG,
];

async function runBuild(ctx: Context, ref: string, command: string[], flags: ParsedFlags): Promise<void> {
  if (command.length === 0) throw new UserError('usage: jetpack build [FLAGS] IMAGE COMMAND [ARGS...]', 2);
  const [{ buildImage }, { formatImageName }, { printImage }, fetcher] = await Promise.all([
    import('../../derive/build.js'),
    import('../../image/name.js'),
    import('../results.js'),
    fetcherFor(ctx, flags),
  ]);
  const store = await ctx.store();
  const parent = await fetcher.resolve(ref);
  const image = await buildImage(store, parent, {
    dir: flagString(flags, 'dir') ?? '.',
    copy: flagList(flags, 'cp'),
    command,
    network: networkOf(flags),
    keep: flagBoolean(flags, 'keep'),
    notice: logLine,
    stdoutToStderr: flagBoolean(flags, 'json'),
  });
  process.stderr.write(`built ${formatImageName(image.manifest)}\n`);
  await saveID(flagString(flags, 'saveid'), image.id);
  printImage(flagBoolean(flags, 'json'), image, true);
}

export const buildCommand: Command = {
  name: 'build',
  args: 'IMAGE COMMAND [ARGS...]',
  summary: 'Build a new image by running COMMAND in a container made from IMAGE',
  description:
    "Jetpack's build process: (1) create a build container from IMAGE; (2) copy the contents of\n" +
    'the build dir into a fresh work dir /.jetpack.build. in its root; (3) copy the -cp files\n' +
    'there; (4) run COMMAND as root in the work dir; (5) take manifest.json from the work dir and\n' +
    'merge defaults (acKind, acVersion, timestamp, os/arch from IMAGE, IMAGE as first dependency);\n' +
    '(6) remove the work dir; (7) save what changed as the new image. Prints the new image ID.\n' +
    "A manifest.json the work dir starts with (the build dir's, or a -cp file's) is checked\n" +
    'before step 1: an invalid one fails the build before anything runs.\n' +
    'The timestamp comes from SOURCE_DATE_EPOCH when it is set. An IMAGE name the store does not\n' +
    'have is fetched first (jetpack fetch) when it is under a domain (example.com/app), unless\n' +
    '-no-fetch or JETPACK_NO_FETCH=1.',
  flags: BUILD_FLAGS,
  stopAtPositional: true,
  async run(ctx, flags) {
    const [ref, ...command] = flags.positional;
    if (!ref) throw new UserError(`usage: jetpack build ${this.args}`, 2);
    await runBuild(ctx, ref, command, flags);
  },
};

export const imageCommand: Command = {
  name: 'image',
  args: 'IMAGE build [FLAGS] COMMAND [ARGS...]',
  summary: 'The older form of build: jetpack image IMAGE build COMMAND',
  flags: [],
  operandBeforeSubcommand: 'IMAGE',
  subcommands: [{ ...buildCommand, args: 'COMMAND [ARGS...]', summary: 'The same as jetpack build IMAGE COMMAND' }],
};
