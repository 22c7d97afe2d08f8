import { UserError } from '../../errors.js';
import { JSON_FLAG, SAVEID_FLAG, expectArgs, logLine, saveID, type Command } from '../command.js';
import { flagBoolean, flagString } from '../flags.js';
import { HTTP_FLAGS, fetcherFor } from './fetch.js';
import { TLS_VERIFY_FLAGS } from './transport-flags.js';

export const importCommand: Command = {
  name: 'import',
  args: 'LOCATION',
  summary: 'Import an ACI (path, -, file:// or http(s):// URL) or an OCI layout, oci-archive or docker-archive',
  description:
    'Stores the ACI named by LOCATION: a file path, "-" for stdin, a file:// URL or an http(s)://\n' +
    'URL. Compression (gzip, bzip2, xz, zstd or none) is detected from the data. Prints the\n' +
    'image ID. An ACI with dependencies is stored as a layer over images already in the store.\n' +
    'An OCI image layout (a directory), an oci-archive or a docker-archive (recognised by their\n' +
    'content, or named oci:DIR[:TAG], oci-archive:FILE[:TAG], docker-archive:FILE[:NAME:TAG]) is\n' +
    'stored as one image per layer, the top one named from -name or the source (docs/OCI.md).\n' +
    'With -sig, the ACI is stored only if the detached signature at LOCATION is good and made by\n' +
    "a key trusted for the image's name (jetpack trust; docs/FETCH.md). An archive is refused once\n" +
    'it expands past JETPACK_MAX_UNPACKED (default 16G) or JETPACK_MAX_ENTRIES members (default\n' +
    '2000000), sparse members counted at their full size (docs/STORE.md).',
  flags: [
    SAVEID_FLAG,
    { name: 'name', kind: 'string', value: 'NAME', help: 'ACI: refuse it unless its manifest name is NAME; OCI: the name to store it under' },
    { name: 'sig', kind: 'string', value: 'LOCATION', help: 'ACI: the detached signature (.aci.asc) to check it with' },
    ...TLS_VERIFY_FLAGS,
    ...HTTP_FLAGS,
    JSON_FLAG,
  ],
  async run(ctx, flags) {
    expectArgs(this, flags.positional, 1);
    const location = flags.positional[0];
    const [{ formatImageName }, { ociSource, importOci }, { printImage }] = await Promise.all([
      import('../../image/name.js'),
      import('../../import/oci.js'),
      import('../results.js'),
    ]);
    const json = flagBoolean(flags, 'json');
    const store = await ctx.store();
    const oci = await ociSource(location);
    const sig = flagString(flags, 'sig');
    if (oci && sig) throw new UserError('-sig is for ACIs: an OCI image carries no detached signature');
    if (oci) {
      const image = await importOci(store, oci, { name: flagString(flags, 'name'), log: logLine });
      process.stderr.write(`imported ${formatImageName(image.manifest)}\n`);
      await saveID(flagString(flags, 'saveid'), image.id);
      printImage(json, image, true);
      return;
    }
    const fetcher = await fetcherFor(ctx, flags);
    const { image, added } = await fetcher.importLocation(location, sig, flagString(flags, 'name'));
    process.stderr.write(`${added ? 'imported' : 'already in the store:'} ${formatImageName(image.manifest)}\n`);
    await saveID(flagString(flags, 'saveid'), image.id);
    printImage(json, image, added);
  },
};
