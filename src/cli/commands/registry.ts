import { expectArgs, SAVEID_FLAG, saveID, type Command, logLine as log } from '../command.js';
import { flagBoolean, flagString, type FlagSpec, type ParsedFlags } from '../flags.js';
import { COMPRESS_LEVEL_FLAG } from './export.js';
import { TLS_VERIFY_FLAGS, tlsVerify } from './transport-flags.js';

const TRANSPORT_FLAGS: FlagSpec[] = [
  { name: 'creds', kind: 'string', value: 'USER[:PASSWORD]', help: "the registry's credentials (skopeo --src-creds/--dest-creds)" },
  { name: 'authfile', kind: 'string', value: 'FILE', help: 'a containers-auth.json(5) file (podman login, docker login)' },
  ...TLS_VERIFY_FLAGS,
];

function transport(flags: ParsedFlags) {
  return { creds: flagString(flags, 'creds'), authfile: flagString(flags, 'authfile'), tlsVerify: tlsVerify(flags) };
}

export const pushCommand: Command = {
  name: 'push',
  args: 'IMAGE DESTINATION',
  summary: 'Push an image to a registry (docker://HOST/REPO:TAG) or any location skopeo takes',
  description:
    'Writes the image as an OCI layout (as export -format=oci does) and copies it with skopeo.\n' +
    'Layers are the same bytes every time: pushing a child after its parent uploads only the\n' +
    'new layers. Prints the manifest digest. See docs/OCI.md.',
  flags: [
    ...TRANSPORT_FLAGS,
    { name: 'squash', kind: 'boolean', help: 'one layer of the rendered rootfs' },
    { name: 'compress', kind: 'string', value: 'gzip|zstd|none', help: 'layer compression (default gzip)' },
    COMPRESS_LEVEL_FLAG,
  ],
  async run(ctx, flags) {
    expectArgs(this, flags.positional, 2);
    const [{ pushImage }, { parseLayerCodec }, { resolveImage }] = await Promise.all([
      import('../../export/push.js'),
      import('../../archive/layer-codec.js'),
      import('../../store/lookup.js'),
    ]);
    const codec = parseLayerCodec(flagString(flags, 'compress'), flagString(flags, 'compress-level'));
    const store = await ctx.store();
    const image = await resolveImage(store, flags.positional[0]);
    const digest = await pushImage(store, image, flags.positional[1], transport(flags), { squash: flagBoolean(flags, 'squash'), codec });
    process.stdout.write(`${digest}\n`);
  },
};

export const pullCommand: Command = {
  name: 'pull',
  args: 'SOURCE',
  summary: 'Pull an image from a registry (docker://HOST/REPO:TAG) or any location skopeo takes into the store',
  description:
    'Copies the image with skopeo into an OCI layout and imports it as import does: one image\n' +
    'per layer (base layers already stored are reused), the top one named by -name, else by its\n' +
    'title annotation, else by its repository. Prints the image ID. See docs/OCI.md.',
  flags: [...TRANSPORT_FLAGS, { name: 'name', kind: 'string', value: 'NAME', help: 'the name to store it under' }, SAVEID_FLAG],
  async run(ctx, flags) {
    expectArgs(this, flags.positional, 1);
    const [{ pullImage }, { formatImageName }] = await Promise.all([import('../../import/pull.js'), import('../../image/name.js')]);
    const image = await pullImage(await ctx.store(), flags.positional[0], transport(flags), { name: flagString(flags, 'name'), log });
    process.stderr.write(`pulled ${formatImageName(image.manifest)}\n`);
    await saveID(flagString(flags, 'saveid'), image.id);
    process.stdout.write(`${image.id}\n`);
  },
};
