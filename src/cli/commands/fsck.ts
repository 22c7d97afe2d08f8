import { expectArgs, type Command } from '../command.js';

export const fsckCommand: Command = {
  name: 'fsck',
  args: '',
  summary: 'Verify every image and remove leftovers of interrupted operations',
  description:
    'Re-hashes every stored ACI and compares it with the image ID, checks manifests and\n' +
    'dependencies, and removes what interrupted imports, exports and removals left in tmp/.\n' +
    'Exits 1 if a problem remains.',
  flags: [],
  async run(ctx, flags) {
    expectArgs(this, flags.positional, 0);
    const { fsck } = await import('../../store/fsck.js');
    const report = await fsck(await ctx.store(), (line) => process.stderr.write(`${line}\n`));
    process.stdout.write(`${report.checked} image(s) checked, ${report.problems.length} problem(s), ${report.removed.length} leftover(s) removed\n`);
    for (const p of report.problems) process.stdout.write(`problem: ${p}\n`);
    return report.problems.length ? 1 : 0;
  },
};
