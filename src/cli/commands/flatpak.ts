import { UserError } from '../../errors.js';
import { expectArgs, logLine as log, SAVEID_FLAG, saveID, type Command, type Context } from '../command.js';
import { flagBoolean, flagString, type ParsedFlags } from '../flags.js';

export const importFlatpakCommand: Command = {
  name: 'import-flatpak',
  args: 'SOURCE',
  summary: 'Store a Flatpak runtime as a hybrid image to build on (directory, .flatpak bundle, or ref)',
  description:
    'SOURCE is a runtime directory (metadata + files/), a single-file bundle (flatpak\n' +
    'build-bundle --runtime), or a ref runtime/ID/ARCH/BRANCH in the OSTree repo or http(s)\n' +
    'remote given with -repo. The image keeps metadata and files/ and adds the hybrid links\n' +
    '(usr -> files, etc -> files/etc, bin, sbin, lib, lib64) and stub directories (root, run,\n' +
    'tmp, var, dev, proc, sys), so that it is a parent like any base image. Named after the\n' +
    'runtime ID in lowercase, version label the branch. Prints the image ID. See docs/FLATPAK.md.',
  flags: [
    { name: 'repo', kind: 'string', value: 'PATH|URL', help: 'the OSTree repo (a directory) or remote (http(s) URL) holding the ref SOURCE' },
    { name: 'name', kind: 'string', value: 'NAME', help: 'the image name (default: the runtime ID in lowercase)' },
    {
      name: 'layout',
      kind: 'string',
      value: 'shipped|experiment',
      help: "the hybrid links: flatpak-module-tools' relative ones (default) or the experiment's absolute ones",
    },
    { name: 'ref', kind: 'string', value: 'runtime/ID/ARCH/BRANCH', help: 'the ref of a directory SOURCE (default runtime/ID/HOST-ARCH/master)' },
    SAVEID_FLAG,
  ],
  async run(ctx, flags) {
    expectArgs(this, flags.positional, 1);
    const [{ importFlatpak }, { HYBRID_LAYOUTS }, { formatImageName }] = await Promise.all([
      import('../../flatpak/import.js'),
      import('../../flatpak/hybrid.js'),
      import('../../image/name.js'),
    ]);
    const layout = flagString(flags, 'layout') ?? 'shipped';
    if (!(HYBRID_LAYOUTS as readonly string[]).includes(layout)) throw new UserError(`-layout takes ${HYBRID_LAYOUTS.join(' or ')}, not "${layout}"`);
    const image = await importFlatpak(await ctx.store(), {
      source: flags.positional[0],
      repo: flagString(flags, 'repo'),
      name: flagString(flags, 'name'),
      ref: flagString(flags, 'ref'),
      layout: layout as (typeof HYBRID_LAYOUTS)[number],
      log,
    });
    process.stderr.write(`imported ${formatImageName(image.manifest)}\n`);
    await saveID(flagString(flags, 'saveid'), image.id);
    process.stdout.write(`${image.id}\n`);
  },
};

/** export -format=flatpak|flatpak-app IMAGE REPO: prints the ref and the commit. */
export async function exportFlatpakFormat(ctx: Context, flags: ParsedFlags, format: 'flatpak' | 'flatpak-app'): Promise<void> {
  if (flags.positional.length !== 2) throw new UserError(`usage: jetpack export -format=${format} IMAGE REPO`, 2);
  for (const f of ['flat', 'squash', 'tag', 'compress', 'compress-level'])
    if (flags.values.has(f)) throw new UserError(`-${f} does not apply to -format=${format}`);
  if (format === 'flatpak' && flags.values.has('runtime')) throw new UserError('-runtime is for -format=flatpak-app (the runtime an app runs on)');
  const [{ exportFlatpak }, { resolveImage }] = await Promise.all([import('../../flatpak/export.js'), import('../../store/lookup.js')]);
  const store = await ctx.store();
  const image = await resolveImage(store, flags.positional[0]);
  const { ref, commit } = await exportFlatpak(store, image, flags.positional[1], {
    kind: format === 'flatpak' ? 'runtime' : 'app',
    ref: flagString(flags, 'ref'),
    runtime: flagString(flags, 'runtime'),
    bundle: flagString(flags, 'bundle'),
  });
  const { printResult } = await import('../results.js');
  printResult(flagBoolean(flags, 'json'), `${ref} ${commit}\n`, { format, output: flags.positional[1], ref, commit });
}
