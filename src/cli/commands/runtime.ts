import { UserError } from '../../errors.js';
import { JSON_FLAG, commandHelp, printJSON, expectArgs, wantsHelp, type Command, logLine as log } from '../command.js';
import { commandLine, flagBoolean, flagString } from '../flags.js';
import { parseCommandFlags } from '../global-flags.js';
import { humanSize, table } from '../table.js';
import { MODE_FLAG, REPO_FLAG, repoChoice } from './repo-flags.js';
import { group } from './group.js';
import { uploadCommand } from './upload.js';

/** The runtime workflow's modules, loaded only when one of these commands runs. */
const load = () => import('../../runtime/runtimes.js');

const initialize: Command = {
  name: 'initialize',
  args: 'DIR',
  summary: 'Populate DIR (absent or empty) with a copy of a base: a store image or a committed runtime',
  flags: [{ name: 'from', kind: 'string', value: 'IMAGE|REF', help: 'the base (default jetpack/debian from the store)' }, REPO_FLAG],
  async run(ctx, flags) {
    expectArgs(this, flags.positional, 1);
    const { initializeRuntime } = await load();
    await initializeRuntime(await ctx.store(), flags.positional[0], flagString(flags, 'from'), repoChoice(flags), log);
  },
};

const sandbox: Command = {
  name: 'sandbox',
  args: 'DIR [-- COMMAND [ARGS...]]',
  summary: 'Open a shell (or run COMMAND) as root in the tree, changing it in place; exits with its status',
  description:
    "The sandbox has the host's network, /proc, /dev, a read-only /sys, a /tmp of its own and the\n" +
    "host's resolv.conf (mounted where the tree's links lead, the tree left as it was). chown,\n" +
    'chmod, mknod and apt-get work as on a real system: jetpack runs as root, so no fakeroot is needed.',
  flags: [],
  stopAtPositional: true,
  async run(ctx, flags) {
    const [dir, ...rest] = flags.positional;
    if (!dir) throw new UserError(`usage: jetpack runtime sandbox ${this.args}`, 2);
    const { sandboxRuntime } = await load();
    return sandboxRuntime(await ctx.store(), dir, commandLine(rest));
  },
};

const commit: Command = {
  name: 'commit',
  args: 'DIR|IMAGE REF',
  summary: 'Commit a tree or a store image to the OSTree repo as REF (reverse-dns/arch/version); prints the commit',
  description:
    'Owners, modes and xattrs are kept; device nodes, FIFOs and sockets are left out (OSTree\n' +
    'stores none; a runtime gets /dev when it runs). The commit has no parent, SOURCE_DATE_EPOCH\n' +
    "as its time when set, the tree's manifest.toml as metadata: the same tree gives the same commit.",
  flags: [
    { name: 'subject', kind: 'string', value: 'TEXT', help: "the commit's subject" },
    { name: 'body', kind: 'string', value: 'TEXT', help: "the commit's body" },
    REPO_FLAG,
    MODE_FLAG,
  ],
  async run(ctx, flags) {
    expectArgs(this, flags.positional, 2);
    const { commitSource } = await load();
    const [source, ref] = flags.positional as [string, string];
    const result = await commitSource(await ctx.store(), source, ref, repoChoice(flags), {
      subject: flagString(flags, 'subject'),
      body: flagString(flags, 'body'),
      log,
    });
    log(`committed ${ref} (${humanSize(result.size)})`);
    process.stdout.write(`${result.checksum}\n`);
  },
};

const list: Command = {
  name: 'list',
  args: '',
  summary: 'List the runtimes in the repo (committed here and pulled): ref, commit, date, size, deployed',
  flags: [
    { name: 'remote', kind: 'string', value: 'NAME', help: 'list what remote NAME offers instead' },
    { name: 'H', kind: 'boolean', help: 'no header, tab-separated' },
    JSON_FLAG,
    REPO_FLAG,
  ],
  async run(ctx, flags) {
    expectArgs(this, flags.positional, 0);
    const { listRemoteRuntimes, listRuntimes } = await load();
    const store = await ctx.store();
    const machine = flagBoolean(flags, 'H');
    const remote = flagString(flags, 'remote');
    if (remote !== undefined) {
      const offered = await listRemoteRuntimes(store, repoChoice(flags), remote);
      if (flagBoolean(flags, 'json')) printJSON(offered);
      else
        process.stdout.write(
          table(
            offered.map((o) => [o.ref, o.commit.slice(0, 12)]),
            machine ? null : ['REF', 'COMMIT'],
            machine ? '\t' : '  ',
          ),
        );
      return;
    }
    const runtimes = await listRuntimes(store, repoChoice(flags));
    if (flagBoolean(flags, 'json')) return printJSON(runtimes);
    const rows = runtimes.map((r) => [
      `${r.remote ? `${r.remote}:` : ''}${r.ref}`,
      r.commit.slice(0, 12),
      r.date,
      humanSize(r.size),
      r.deployed ? 'yes' : 'no',
    ]);
    process.stdout.write(table(rows, machine ? null : ['REF', 'COMMIT', 'DATE', 'SIZE', 'DEPLOYED'], machine ? '\t' : '  '));
  },
};

function deployVerb(name: 'deploy' | 'update'): Command {
  return {
    name,
    args: 'REF',
    summary:
      name === 'deploy'
        ? 'Check a runtime out read-only for runs, pulling it from a remote first when needed (REF or REMOTE:REF)'
        : "Pull a deployed runtime's newest commit and check it out; the user's changes stay",
    description:
      'Pulls with ostree pull (progress on a terminal; an interrupted pull resumes). The new checkout\n' +
      'is made beside the old one and swapped in at the end: a failure leaves the deployment as it was.',
    flags: name === 'deploy' ? [REPO_FLAG, MODE_FLAG] : [REPO_FLAG],
    async run(ctx, flags) {
      expectArgs(this, flags.positional, 1);
      const [{ deployRuntime, updateRuntime }, { displayRef }] = await Promise.all([load(), import('../../runtime/locate.js')]);
      const act = name === 'deploy' ? deployRuntime : updateRuntime;
      const result = await act(await ctx.store(), flags.positional[0], repoChoice(flags), log);
      log(`${result.changed ? (name === 'deploy' ? 'deployed' : 'updated') : 'up to date:'} ${displayRef(result.runtime)} at ${result.commit.slice(0, 12)}`);
      process.stdout.write(`${result.commit}\n`);
    },
  };
}

const runVerb: Command = {
  name: 'run',
  args: 'REF [[--] COMMAND [ARGS...]]',
  summary: "Run a deployed runtime: COMMAND, else manifest.toml's command, else bash, else sh; the user's changes persist",
  description:
    'The container is an overlay of the read-only checkout under an upper dir kept per deployment,\n' +
    "as root with the host's network. COMMAND runs as in jetpack run IMAGE COMMAND; -command CMD\n" +
    "runs CMD with /bin/sh -c. Flags may also follow REF, up to COMMAND. Exits with the command's\n" +
    'status.',
  flags: [{ name: 'command', kind: 'string', value: 'CMD', help: 'run CMD with /bin/sh -c instead' }, REPO_FLAG],
  stopAtPositional: true,
  async run(ctx, flags) {
    const [ref, ...rest] = flags.positional;
    if (!ref) throw new UserError(`usage: jetpack runtime run ${this.args}`, 2);
    // MaPS writes flags after REF (runtime run REF --command CMD): they are read up to COMMAND.
    if (wantsHelp(this, rest)) return void process.stdout.write(commandHelp(this));
    const { ctx: runCtx, flags: after } = parseCommandFlags(ctx, rest, this.flags, { command: 'jetpack runtime run', stopAtPositional: true });
    const all = { values: new Map([...flags.values, ...after.values]), positional: after.positional };
    const command = flagString(all, 'command');
    if (command !== undefined && after.positional.length) throw new UserError('runtime run: give -command CMD or COMMAND [ARGS...], not both', 2);
    const argv = command !== undefined ? ['/bin/sh', '-c', command] : after.positional.length ? after.positional : undefined;
    const { runRuntime } = await load();
    return runRuntime(await runCtx.store(), ref, argv, repoChoice(all));
  },
};

const reset: Command = {
  name: 'reset',
  args: 'REF',
  summary: "Drop the user's changes to a deployed runtime",
  flags: [REPO_FLAG],
  async run(ctx, flags) {
    expectArgs(this, flags.positional, 1);
    const [{ resetRuntime }, { displayRef }] = await Promise.all([load(), import('../../runtime/locate.js')]);
    log(`reset ${displayRef(await resetRuntime(await ctx.store(), flags.positional[0], repoChoice(flags)))}`);
  },
};

const uninstall: Command = {
  name: 'uninstall',
  args: 'REF',
  summary: 'Remove a deployment and its ref (then the objects no ref needs)',
  flags: [REPO_FLAG],
  async run(ctx, flags) {
    expectArgs(this, flags.positional, 1);
    const [{ uninstallRuntime }, { displayRef }] = await Promise.all([load(), import('../../runtime/locate.js')]);
    log(`uninstalled ${displayRef(await uninstallRuntime(await ctx.store(), flags.positional[0], repoChoice(flags)))}`);
  },
};

const remote: Command = {
  name: 'remote',
  args: 'add NAME URL | list | delete NAME',
  summary: 'Manage the OSTree remotes runtimes are deployed from (added without GPG checks, as MaPS does)',
  flags: [],
  subcommands: [
    {
      name: 'add',
      args: 'NAME URL',
      summary: 'Add remote NAME at URL',
      flags: [REPO_FLAG, MODE_FLAG],
      async run(ctx, flags) {
        expectArgs(this, flags.positional, 2);
        const { addRemote } = await load();
        await addRemote(await ctx.store(), flags.positional[0], flags.positional[1], repoChoice(flags));
      },
    },
    {
      name: 'list',
      args: '',
      summary: 'List the remotes: name and URL',
      flags: [JSON_FLAG, REPO_FLAG, MODE_FLAG],
      async run(ctx, flags) {
        expectArgs(this, flags.positional, 0);
        const [{ listRemotes }, { printResult }] = await Promise.all([load(), import('../results.js')]);
        const remotes = await listRemotes(await ctx.store(), repoChoice(flags));
        printResult(
          flagBoolean(flags, 'json'),
          table(
            remotes.map((r) => [r.name, r.url]),
            ['NAME', 'URL'],
            '  ',
          ),
          remotes,
        );
      },
    },
    {
      name: 'delete',
      args: 'NAME',
      summary: 'Delete remote NAME',
      flags: [REPO_FLAG, MODE_FLAG],
      async run(ctx, flags) {
        expectArgs(this, flags.positional, 1);
        const { deleteRemote } = await load();
        await deleteRemote(await ctx.store(), flags.positional[0], repoChoice(flags));
      },
    },
  ],
};

const exportRepoVerb: Command = {
  name: 'export-repo',
  args: 'DIR [REF...]',
  summary: 'Copy the runtimes committed here (or REFs) into an archive repo at DIR with a summary, ready for any static HTTP server',
  flags: [REPO_FLAG],
  async run(ctx, flags) {
    const [dir, ...refs] = flags.positional;
    if (!dir) throw new UserError(`usage: jetpack runtime export-repo ${this.args}`, 2);
    const { exportRepo } = await load();
    const exported = await exportRepo(await ctx.store(), dir, refs, repoChoice(flags));
    log(`exported ${exported.join(', ')} to ${dir}`);
  },
};

const RUNTIME_INTRO =
  'Runtime trees as MaPS makes them: populate a directory, change it in a sandbox, commit it to\n' +
  'an OSTree repository as reverse-dns/arch/version, deploy it and run it. See docs/RUNTIMES.md.';

export const packageCommand = group(
  'package',
  'Make runtimes as MaPS does: package --initialize DIR, --sandbox DIR, --commit DIR REF, --upload REF',
  RUNTIME_INTRO,
  [initialize, sandbox, commit, uploadCommand],
);

export const runtimeCommand = group('runtime', 'Make, list, deploy and run runtime trees committed to OSTree (MaPS)', RUNTIME_INTRO, [
  initialize,
  sandbox,
  commit,
  list,
  deployVerb('deploy'),
  runVerb,
  deployVerb('update'),
  reset,
  uninstall,
  remote,
  exportRepoVerb,
]);
