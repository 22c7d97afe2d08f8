import { UserError } from '../../errors.js';
import type { Command, Context } from '../command.js';
import { flagBoolean, flagString, type FlagSpec, type ParsedFlags } from '../flags.js';
import { progressMode } from '../../util/progress.js';

const RUN_FLAGS: FlagSpec[] = [
  { name: 'specfile', kind: 'string', value: 'FILE', help: 'the job file' },
  { name: 'job', kind: 'string', value: 'NAME', help: 'the job to run' },
  { name: 'config', kind: 'string', value: 'FILE', help: "mark-devkit's config file (read and checked; its tar_flows settings have no counterpart here)" },
  { name: 'cleanup', kind: 'boolean', default: true, help: 'wipe the rootfs first and remove it at the end (-cleanup=false keeps it)' },
  { name: 'skip-source-phase', kind: 'boolean', help: 'skip the download and extraction (the rootfs of an earlier run stays)' },
  { name: 'skip-packer-phase', kind: 'boolean', help: 'skip the output tarball or image' },
  { name: 'skip-hooks-phase', kind: 'boolean', help: 'skip every hook (for development)' },
  { name: 'fchroot-debug', kind: 'boolean', help: 'print each inner hook command as it starts' },
  { name: 'quiet', kind: 'boolean', help: "don't show the hooks' output nor progress (as jetpack -quiet metro run)" },
];

const USAGE =
  'usage: jetpack metro run -specfile FILE -job NAME [-config FILE] [-cleanup=false] [-skip-source-phase] [-skip-packer-phase] [-skip-hooks-phase] [-fchroot-debug] [-quiet]';

const DESCRIPTION =
  'Runs a stage job of a mark-devkit job file: prepares <workspacedir>/rootfs, runs the\n' +
  'outer-pre-sourcer hooks, the source (http tarball, debian, image or anise), the\n' +
  'outer-pre-chroot hooks, the inner-chroot (in a container on the rootfs) and outer-chroot\n' +
  'hooks in declaration order, the outer-post-chroot hooks, the output (a tarball, or an\n' +
  'image in the store) and the outer-post-output hooks. See docs/JOBS.md.';

async function checkConfig(file: string): Promise<void> {
  // Read as job files are: a regular file of at most 1 MiB, bounded parsing, errors at file:line:col.
  const [{ readJobText }, { parseJobYaml }] = await Promise.all([import('../../job/spec.js'), import('../../job/yaml.js')]);
  parseJobYaml(await readJobText(file, '-config'), file);
}

async function metroRun(ctx: Context, flags: ParsedFlags): Promise<number> {
  const specFile = flagString(flags, 'specfile');
  const name = flagString(flags, 'job');
  if (!specFile || !name || flags.positional.length) throw new UserError(USAGE, 2);
  const config = flagString(flags, 'config');
  if (config) await checkConfig(config);
  const [{ loadJob }, { runJob }] = await Promise.all([import('../../job/spec.js'), import('../../job/run.js')]);
  const rendered = await loadJob(specFile, name);
  // metro run's own -quiet and the global one (JETPACK_QUIET) silence hooks and progress alike.
  if (flagBoolean(flags, 'quiet')) process.env.JETPACK_QUIET = '1';
  const quiet = progressMode() === 'quiet';
  const result = await runJob(rendered, () => ctx.store(), {
    cleanup: flagBoolean(flags, 'cleanup'),
    skipSource: flagBoolean(flags, 'skip-source-phase'),
    skipPacker: flagBoolean(flags, 'skip-packer-phase'),
    skipHooks: flagBoolean(flags, 'skip-hooks-phase'),
    quiet,
    debug: flagBoolean(flags, 'fchroot-debug'),
    log: (line) => {
      if (!quiet) process.stderr.write(`jetpack: ${line}\n`);
    },
  });
  process.stdout.write(`${result}\n`);
  return 0;
}

export const metroCommand: Command = {
  name: 'metro',
  args: 'run -specfile FILE -job NAME [FLAGS]',
  summary: 'Run a stage job (mark-devkit metro run): source, hooks, output tarball or image',
  flags: [],
  subcommands: [
    {
      name: 'run',
      aliases: ['r', 'j'],
      args: '',
      summary: 'Run job NAME of the job file FILE (-specfile FILE -job NAME)',
      description: DESCRIPTION,
      flags: RUN_FLAGS,
      run: metroRun,
    },
  ],
};

export const enterCommand: Command = {
  name: 'enter',
  args: 'ROOTFS [COMMAND [ARGS...]]',
  summary: 'Run a command (default /bin/sh) in a container on a rootfs directory, in place',
  description:
    'For a rootfs a job kept (-cleanup=false), as fchroot ROOTFS /bin/bash is used with\n' +
    'mark-devkit: the same container inner hooks get (private namespaces, /proc, /dev,\n' +
    "read-only /sys, the host's resolv.conf), changing the rootfs in place. Exits with the\n" +
    "command's status.",
  flags: [],
  stopAtPositional: true,
  async run(ctx, flags) {
    const [rootfs, ...command] = flags.positional;
    if (!rootfs) throw new UserError(`usage: jetpack enter ${this.args}`, 2);
    const { enterTree } = await import('../../container/in-tree.js');
    const store = await ctx.store();
    const staging = await store.stage('enter');
    try {
      return await enterTree(rootfs, command.length ? command : ['/bin/sh'], staging.dir, store.layout.tools);
    } finally {
      await staging.discard();
    }
  },
};
