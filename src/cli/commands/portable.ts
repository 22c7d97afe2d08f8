import { UserError } from '../../errors.js';
import { JSON_FLAG, printJSON, type Command, type Context } from '../command.js';
import { flagBoolean, flagString, type ParsedFlags } from '../flags.js';
import { group } from './group.js';

const checkCommand: Command = {
  name: 'check',
  args: 'IMAGE|DIR|FILE.raw [PREFIX...]',
  summary: 'Check an image against the rules of systemd portable service images',
  description:
    'Reports every rule the image fails (the path and the fix) and exits 1; when all hold, prints\n' +
    'the OS, the unit prefixes and the matching unit files. The prefixes are the PREFIX arguments,\n' +
    'else the file or directory name up to the first "_", else os-release\'s PORTABLE_PREFIXES,\n' +
    'else the image name with "/" as "-". See docs/PORTABLE.md.',
  flags: [
    { ...JSON_FLAG, help: 'print the report as one line of JSON' },
    { name: 'extension', kind: 'boolean', help: 'check an extension image (extension-release.NAME) instead of a base' },
    { name: 'base', kind: 'string', value: 'IMAGE|DIR|FILE.raw', help: 'the base image an extension must match (ID, SYSEXT_LEVEL or VERSION_ID)' },
  ],
  async run(ctx: Context, flags: ParsedFlags) {
    if (!flags.positional.length) throw new UserError(`usage: jetpack portable check ${this.args}`, 2);
    if (flags.values.has('base') && !flagBoolean(flags, 'extension')) throw new UserError('-base is for -extension images');
    const { checkTarget } = await import('../../portable/portable.js');
    const [target, ...prefixes] = flags.positional as [string, ...string[]];
    const report = await checkTarget(await ctx.store(), { target, prefixes, extension: flagBoolean(flags, 'extension'), base: flagString(flags, 'base') });
    if (flagBoolean(flags, 'json')) {
      printJSON(report);
    } else if (report.ok) {
      process.stdout.write(
        `${target}: a portable service image\n  OS: ${report.os ?? 'n/a'}\n  Prefixes: ${report.prefixes.join(' ')}\n  Unit files:\n${report.units.map((u) => `    ${u}\n`).join('')}`,
      );
    } else {
      for (const f of report.failures) process.stdout.write(`${f.path}: ${f.message} [${f.rule}]\n    fix: ${f.fix}\n`);
      process.stderr.write(`jetpack: ${target} fails ${report.failures.length} portable service rule${report.failures.length === 1 ? '' : 's'}\n`);
    }
    return report.ok ? 0 : 1;
  },
};

export const portableCommand = group(
  'portable',
  'Check images against systemd portable service rules (export -format=portable writes them)',
  'Portable service images (systemd PORTABLE_SERVICES.md): what portablectl attach accepts.\nSee docs/PORTABLE.md.',
  [checkCommand],
);

/** export -format=portable IMAGE DIR|NAME_VERSION.raw [-fs=squashfs|erofs] */
export async function exportPortableFormat(ctx: Context, flags: ParsedFlags): Promise<void> {
  if (flags.positional.length !== 2) throw new UserError('usage: jetpack export -format=portable IMAGE DIR|NAME_VERSION.raw', 2);
  const fs = flagString(flags, 'fs') ?? 'squashfs';
  if (fs !== 'squashfs' && fs !== 'erofs') throw new UserError(`-fs takes squashfs or erofs, not "${fs}"`);
  if (flags.values.has('fs') && !flags.positional[1].endsWith('.raw')) throw new UserError('-fs is for a .raw output');
  const [{ exportPortable }, { resolveImage }] = await Promise.all([import('../../portable/portable.js'), import('../../store/lookup.js')]);
  const store = await ctx.store();
  const image = await resolveImage(store, flags.positional[0]);
  const report = await exportPortable(store, image, flags.positional[1], { fs });
  const { printResult } = await import('../results.js');
  printResult(flagBoolean(flags, 'json'), `${flags.positional[1]} (units: ${report.units.join(' ')})\n`, {
    format: 'portable',
    output: flags.positional[1],
    units: report.units,
  });
}
