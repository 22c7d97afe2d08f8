import type { Compression } from '../../archive/compression.js';
import { expectArgs, type Command } from '../command.js';
import { flagBoolean, flagString } from '../flags.js';
import { writeOutput } from '../../util/output-file.js';

export const COMPRESS_FLAG = {
  name: 'compress',
  kind: 'string',
  value: 'none|gzip|bzip2|xz|zstd',
  help: 'compression of the written ACI',
} as const;

export const exportCommand: Command = {
  name: 'export',
  args: 'IMAGE [FILE|-]',
  summary: 'Write an image as an ACI file (layered, or -flat)',
  description:
    'Without -flat, writes the image\'s own layer and manifest exactly as stored (its ID is the\n' +
    'image ID); -compress recompresses it. With -flat, writes the whole rendered rootfs with\n' +
    'dependencies and pathWhitelist cleared, uncompressed unless -compress says otherwise, and\n' +
    'prints the ID of that new ACI. Output goes to FILE (written atomically) or stdout.',
  flags: [{ name: 'flat', kind: 'boolean', help: 'export the rendered rootfs without dependencies' }, COMPRESS_FLAG],
  async run(ctx, flags) {
    expectArgs(this, flags.positional, 1, 2);
    const [ref, file] = flags.positional as [string, string | undefined];
    const [{ parseCompression }, { exportFlat, exportLayered }, { resolveImage }] = await Promise.all([
      import('../../archive/compression.js'),
      import('../../export/export.js'),
      import('../../store/lookup.js'),
    ]);
    const compressFlag = flagString(flags, 'compress');
    const compression: Compression | undefined = compressFlag === undefined ? undefined : parseCompression(compressFlag);
    const store = await ctx.store();
    const image = await resolveImage(store, ref);
    if (!flagBoolean(flags, 'flat')) {
      await writeOutput(file, (fd) => exportLayered(image, fd, compression));
      return;
    }
    const id = await writeOutput(file, (fd) => exportFlat(store, image, fd, compression ?? 'none'));
    (file === undefined || file === '-' ? process.stderr : process.stdout).write(`${id}\n`);
  },
};
