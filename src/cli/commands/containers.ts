import { UserError } from '../../errors.js';
import { expectArgs, type Command } from '../command.js';
import { flagBoolean } from '../flags.js';
import { ago, humanSize, table } from '../table.js';

const load = () => Promise.all([import('../../store/containers.js'), import('../../store/disk-usage.js')]);

export const containersCommand: Command = {
  name: 'containers',
  args: '',
  summary: 'List the failed builds kept with build -keep',
  description:
    'Lists each kept build container with its size, when it was kept and the script that opens\n' +
    'a shell in it. jetpack rm NAME removes one; jetpack prune removes them all.',
  flags: [
    { name: 'q', kind: 'boolean', help: 'print only the names' },
    { name: 'json', kind: 'boolean', help: 'print a JSON array {name, dir, enter, kept, bytes}' },
  ],
  async run(ctx, flags) {
    expectArgs(this, flags.positional, 0);
    const [{ keptContainers }, { diskUsage }] = await load();
    const kept = await keptContainers((await ctx.store()).layout);
    if (flagBoolean(flags, 'q')) {
      process.stdout.write(kept.map((c) => `${c.name}\n`).join(''));
      return;
    }
    const sizes = await diskUsage(kept.map((c) => c.dir));
    if (flagBoolean(flags, 'json')) {
      process.stdout.write(
        JSON.stringify(
          kept.map((c) => ({ ...c, bytes: sizes.get(c.dir) ?? 0 })),
          null,
          2,
        ) + '\n',
      );
      return;
    }
    if (kept.length === 0) return;
    process.stdout.write(
      table(
        kept.map((c) => [c.name, humanSize(sizes.get(c.dir)), ago(c.kept), c.enter]),
        ['NAME', 'SIZE', 'KEPT', 'ENTER'],
        '  ',
      ),
    );
  },
};

export const rmCommand: Command = {
  name: 'rm',
  args: 'CONTAINER...',
  summary: 'Remove kept build containers (by name, as jetpack containers lists them, or directory)',
  flags: [],
  async run(ctx, flags) {
    if (flags.positional.length === 0) throw new UserError(`usage: jetpack ${this.name} ${this.args}`, 2);
    const [{ findKeptContainer, removeKeptContainer }] = await load();
    const { layout } = await ctx.store();
    // All found before any goes: a misspelled name removes nothing.
    const doomed = await Promise.all(flags.positional.map((ref) => findKeptContainer(layout, ref)));
    for (const c of doomed) {
      await removeKeptContainer(c);
      process.stderr.write(`removed ${c.dir}\n`);
    }
  },
};
