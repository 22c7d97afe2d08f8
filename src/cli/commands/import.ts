import { SAVEID_FLAG, expectArgs, saveID, type Command } from '../command.js';
import { flagString } from '../flags.js';

export const importCommand: Command = {
  name: 'import',
  args: 'LOCATION',
  summary: 'Import an ACI from a path, -, file:// or http(s):// URL',
  description:
    'Stores the ACI named by LOCATION: a file path, "-" for stdin, a file:// URL or an http(s)://\n' +
    'URL. Compression (gzip, bzip2, xz, zstd or none) is detected from the data. Prints the\n' +
    'image ID. An ACI with dependencies is stored as a layer over images already in the store.',
  flags: [SAVEID_FLAG, { name: 'name', kind: 'string', value: 'NAME', help: 'refuse the ACI unless its manifest name is NAME' }],
  async run(ctx, flags) {
    expectArgs(this, flags.positional, 1);
    const location = flags.positional[0]!;
    const [{ fetchLocation }, { formatImageName }, { importAci }] = await Promise.all([
      import('../../fetch/location.js'),
      import('../../image/name.js'),
      import('../../store/import.js'),
    ]);
    const store = await ctx.store();
    const { image, added } = await importAci(store, (file) => fetchLocation(location, file), { expectName: flagString(flags, 'name') });
    process.stderr.write(`${added ? 'imported' : 'already in the store:'} ${formatImageName(image.manifest)}\n`);
    await saveID(flagString(flags, 'saveid'), image.id);
    process.stdout.write(`${image.id}\n`);
  },
};
