import type { Compression } from '../../archive/compression.js';
import { UserError } from '../../errors.js';
import { JSON_FLAG, expectArgs, printJSON, type Command, type Context } from '../command.js';
import { flagBoolean, flagString, type ParsedFlags } from '../flags.js';
import { writeOutput } from '../../util/output-file.js';
import { exportFlatpakFormat } from './flatpak.js';
import { exportPortableFormat } from './portable.js';

export const COMPRESS_FLAG = {
  name: 'compress',
  kind: 'string',
  value: 'none|gzip|bzip2|xz|zstd',
  help: 'compression of the written ACI',
} as const;

/** -compress-level of the OCI commands. */
export const COMPRESS_LEVEL_FLAG = {
  name: 'compress-level',
  kind: 'string',
  value: 'N',
  help: 'OCI layers: gzip 1-9 (default 1), zstd 1-19 (default 3)',
} as const;

async function exportOciFormat(ctx: Context, flags: ParsedFlags, format: string): Promise<void> {
  const [{ OCI_FORMATS, exportOci }, { parseLayerCodec }, { resolveImage }] = await Promise.all([
    import('../../export/oci.js'),
    import('../../archive/layer-codec.js'),
    import('../../store/lookup.js'),
  ]);
  if (!(OCI_FORMATS as readonly string[]).includes(format))
    throw new UserError(`-format takes aci, ${OCI_FORMATS.join(', ')}, flatpak, flatpak-app, portable, not "${format}"`);
  if (flagBoolean(flags, 'flat')) throw new UserError('-flat is for ACIs; an OCI image is one layer with -squash');
  if (flags.positional.length !== 2) throw new UserError(`usage: jetpack export -format=${format} IMAGE ${format === 'oci' ? 'DIR' : 'FILE'}`, 2);
  const [compress, level] = [flagString(flags, 'compress'), flagString(flags, 'compress-level')];
  if (format === 'docker-archive' && (compress ?? level) !== undefined)
    throw new UserError('a docker-archive holds uncompressed layers: -compress does not apply');
  const codec = parseLayerCodec(compress, level);
  const store = await ctx.store();
  const image = await resolveImage(store, flags.positional[0]);
  const digest = await exportOci(store, image, flags.positional[1], {
    format: format as (typeof OCI_FORMATS)[number],
    tag: flagString(flags, 'tag'),
    squash: flagBoolean(flags, 'squash'),
    codec,
  });
  const { printResult } = await import('../results.js');
  printResult(flagBoolean(flags, 'json'), `${digest}\n`, { format, output: flags.positional[1], digest });
}

export const exportCommand: Command = {
  name: 'export',
  args: 'IMAGE [FILE|-|DIR|REPO]',
  summary: 'Write an image as an ACI file (layered, or -flat), an OCI layout or archive, or a docker-archive',
  description:
    "Without -flat, writes the image's own layer and manifest exactly as stored (its ID is the\n" +
    'image ID); -compress recompresses it. With -flat, writes the whole rendered rootfs with\n' +
    'dependencies and pathWhitelist cleared, uncompressed unless -compress says otherwise, and\n' +
    'prints the ID of that new ACI. Output goes to FILE (written atomically) or stdout.\n' +
    '-format=oci writes an OCI image layout into DIR, oci-archive a tar of one, docker-archive what\n' +
    '"docker load" reads: one layer per jetpack layer (or -squash), whiteouts as .wh. files, the\n' +
    'config from the manifest (docs/OCI.md); they print the manifest (docker: config) digest.\n' +
    "-format=flatpak commits a runtime (a hybrid image's metadata + files/, or /usr and /etc of\n" +
    'any image) to the OSTree repo REPO, flatpak-app an application (/app); they print the ref and\n' +
    'the commit (docs/FLATPAK.md). -format=portable writes a portable service image, a directory\n' +
    'or NAME_VERSION.raw (squashfs, or erofs with -fs), after checking it (docs/PORTABLE.md).',
  flags: [
    {
      name: 'format',
      kind: 'string',
      value: 'aci|oci|oci-archive|docker-archive|flatpak|flatpak-app|portable',
      help: 'what to write (default aci); oci is a layout directory (docs/OCI.md); flatpak a runtime, flatpak-app an app, committed to the OSTree repo REPO (docs/FLATPAK.md); portable a portable service image (docs/PORTABLE.md)',
    },
    { name: 'flat', kind: 'boolean', help: 'export the rendered rootfs without dependencies (aci)' },
    { name: 'squash', kind: 'boolean', help: 'one layer of the rendered rootfs instead of one per jetpack layer (oci formats)' },
    { name: 'tag', kind: 'string', value: 'TAG', help: 'the tag (OCI ref name; docker RepoTags NAME:TAG); default the version label, else latest' },
    { ...COMPRESS_FLAG, help: 'compression of the ACI (default as stored); of OCI layers: gzip (default), zstd, none' },
    COMPRESS_LEVEL_FLAG,
    {
      name: 'ref',
      kind: 'string',
      value: 'runtime/ID/ARCH/BRANCH',
      help: 'the Flatpak ref to commit (flatpak formats; default from the image: docs/FLATPAK.md)',
    },
    { name: 'runtime', kind: 'string', value: 'ID/ARCH/BRANCH', help: 'the runtime a flatpak-app runs on (default: the hybrid image it was built on)' },
    { name: 'bundle', kind: 'string', value: 'FILE', help: 'flatpak formats: also write a single-file .flatpak bundle' },
    { name: 'fs', kind: 'string', value: 'squashfs|erofs', help: 'the file system of a portable NAME_VERSION.raw (default squashfs)' },
    { ...JSON_FLAG, help: 'print what was written as one line of JSON: format, output and the ID, digest or ref and commit' },
  ],
  async run(ctx, flags) {
    const format = flagString(flags, 'format') ?? 'aci';
    const out = flags.positional[1];
    if (flagBoolean(flags, 'json') && (out === undefined || out === '-'))
      throw new UserError('-json needs an output FILE or DIR: stdout would carry the image itself');
    if (format === 'portable') return exportPortableFormat(ctx, flags);
    if (flags.values.has('fs')) throw new UserError('-fs is for -format=portable');
    if (format === 'flatpak' || format === 'flatpak-app') return exportFlatpakFormat(ctx, flags, format);
    for (const f of ['ref', 'runtime', 'bundle']) if (flags.values.has(f)) throw new UserError(`-${f} is for -format=flatpak and flatpak-app`);
    if (format !== 'aci') return exportOciFormat(ctx, flags, format);
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
    const flat = flagBoolean(flags, 'flat');
    // A layered export is the stored ACI, whose ID is the image's; a flat one prints its new ID.
    const id = flat
      ? await writeOutput(file, (fd) => exportFlat(store, image, fd, compression ?? 'none'))
      : (await writeOutput(file, (fd) => exportLayered(image, fd, compression)), image.id);
    if (flagBoolean(flags, 'json')) printJSON({ format, output: file, id });
    else if (flat) (file === undefined || file === '-' ? process.stderr : process.stdout).write(`${id}\n`);
  },
};
