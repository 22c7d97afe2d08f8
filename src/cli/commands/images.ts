import { UserError } from '../../errors.js';
import type { StoredImage } from '../../store/store.js';
import { JSON_FLAG, expectArgs, printJSON, type Command } from '../command.js';
import { flagBoolean } from '../flags.js';
import { ago, humanSize, table } from '../table.js';

/** What these commands run, loaded only when one of them runs (see scripts/build.mjs). */
async function load() {
  const [{ shortImageID }, { annotationValue, serializeManifest }, { formatImageName }, { describeImage, resolveImage }] = await Promise.all([
    import('../../image/id.js'),
    import('../../image/manifest.js'),
    import('../../image/name.js'),
    import('../../store/lookup.js'),
  ]);
  return { shortImageID, annotationValue, serializeManifest, formatImageName, describeImage, resolveImage };
}

type Loaded = Awaited<ReturnType<typeof load>>;

export const imagesCommand: Command = {
  name: 'images',
  args: '[NAME...]',
  summary: 'List the images in the store: ID, name, size, creation time',
  description:
    'Lists images as ID, name:version,label=value…, size (of the uncompressed ACI) and when\n' +
    'they were made. NAME narrows the list to names that match it, as a shell glob (quote it):\n' +
    "`jetpack images 'jetpack/*'`, matched against the name and against name:version,labels.\n" +
    'An image shadowed by a newer one with the same name and labels (lookups by name never\n' +
    'reach it) is listed only with -a, marked shadowed; jetpack gc removes those that nothing\n' +
    'depends on. The layers an OCI import stores below the image it imports (oci-layer/… names)\n' +
    "are the store's own entries, listed with -internal or -a. An image with tags (jetpack\n" +
    'tag) is listed once for each of its names.',
  flags: [
    { name: 'a', kind: 'boolean', help: 'list every image: shadowed ones too (marked), and internal layers' },
    { name: 'internal', kind: 'boolean', help: "also list the store's internal OCI layer entries (oci-layer/…)" },
    { name: 'q', kind: 'boolean', help: 'print only image IDs' },
    { name: 'H', kind: 'boolean', help: 'machine-friendly: no header, tab-separated, size in bytes, RFC 3339 times' },
    { name: 'l', kind: 'boolean', help: 'show full image IDs' },
    { ...JSON_FLAG, help: 'print the images as one line of JSON: an array with every field' },
  ],
  async run(ctx, flags) {
    const [{ shortImageID }, { listImages }, { imageJSON }] = await Promise.all([load(), import('../../store/listing.js'), import('../results.js')]);
    const all = flagBoolean(flags, 'a');
    const { listed, hidden } = await listImages(await ctx.store(), {
      patterns: flags.positional,
      shadowed: all,
      internal: all || flagBoolean(flags, 'internal'),
    });
    if (flagBoolean(flags, 'json')) {
      const named = (i: (typeof listed)[number]) =>
        i.tag ? { name: i.tag.name, labels: Object.fromEntries(i.tag.labels.map((l) => [l.name, l.value])), tag: true } : {};
      return printJSON(listed.map((i) => ({ ...imageJSON(i.image), ...named(i), created: i.created, shadowed: i.shadowed, internal: i.internal })));
    }
    const id = (i: StoredImage) => (flagBoolean(flags, 'l') ? i.id : shortImageID(i.id));
    if (flagBoolean(flags, 'q')) {
      process.stdout.write(listed.map((i) => id(i.image) + '\n').join(''));
      return;
    }
    const machine = flagBoolean(flags, 'H');
    const marked = all || flagBoolean(flags, 'internal');
    const rows = listed.map((i) => {
      const row = [id(i.image), i.name, machine ? String(i.image.info.size) : humanSize(i.image.info.size), machine ? i.created : ago(i.created)];
      return marked ? [...row, [i.shadowed && 'shadowed', i.internal && 'internal'].filter(Boolean).join(',')] : row;
    });
    const header = ['ID', 'NAME', 'SIZE', 'CREATED', ...(marked ? ['NOTE'] : [])];
    process.stdout.write(table(rows, machine ? null : header, machine ? '\t' : '  '));
    const notes = [hidden.shadowed && `${hidden.shadowed} shadowed image(s)`, hidden.internal && `${hidden.internal} internal layer(s)`].filter(Boolean);
    if (notes.length && !machine && process.stdout.isTTY)
      process.stderr.write(`${notes.join(' and ')} not listed (jetpack images -a; jetpack gc removes those nothing needs)\n`);
  },
};

function showImage(image: StoredImage, deps: StoredImage[], { annotationValue, describeImage, formatImageName }: Loaded): string {
  const m = image.manifest;
  const lines = [
    `ID\t${image.id}`,
    `Name\t${formatImageName(m)}`,
    `Timestamp\t${annotationValue(m, 'timestamp') ?? annotationValue(m, 'created') ?? '-'}`,
    `Stored\t${image.info.stored}`,
    `Size\t${image.info.size} bytes (uncompressed ACI; stored ${image.info.compression})`,
  ];
  if (deps.length) lines.push('Dependencies', ...deps.map((d) => `\t${describeImage(d)}`));
  if (m.pathWhitelist?.length) lines.push(`Path whitelist\t${m.pathWhitelist.length} paths`);
  if (m.app) {
    const a = m.app;
    lines.push('App');
    if (a.exec?.length) lines.push(`\tExec\t${JSON.stringify(a.exec)} [${a.user}:${a.group}]`);
    else lines.push(`\tUser\t${a.user}:${a.group}`);
    if (a.workingDirectory) lines.push(`\tWorking directory\t${a.workingDirectory}`);
    for (const e of a.environment ?? []) lines.push(`\tEnv\t${e.name}=${e.value}`);
    for (const p of a.ports ?? []) lines.push(`\tPort\t${p.name} ${p.protocol}/${p.port}`);
    for (const mp of a.mountPoints ?? []) lines.push(`\tMount point\t${mp.name} ${mp.path}${mp.readOnly ? ' (read-only)' : ''}`);
    for (const h of a.eventHandlers ?? []) lines.push(`\tEvent handler\t${h.name} ${JSON.stringify(h.exec)}`);
  }
  return lines.join('\n') + '\n';
}

export const showImageCommand: Command = {
  name: 'show-image',
  args: 'IMAGE',
  summary: 'Show an image: ID, name, timestamp, dependencies, app',
  flags: [
    { name: 'q', kind: 'boolean', help: 'print only the full image ID (resolves IMAGE for scripts)' },
    { ...JSON_FLAG, help: 'print the image with its manifest as one line of JSON' },
  ],
  async run(ctx, flags) {
    expectArgs(this, flags.positional, 1);
    const loaded = await load();
    const store = await ctx.store();
    const image = await loaded.resolveImage(store, flags.positional[0]);
    if (flagBoolean(flags, 'q')) {
      process.stdout.write(`${image.id}\n`);
      return;
    }
    if (flagBoolean(flags, 'json')) {
      const { imageJSON } = await import('../results.js');
      return printJSON({ ...imageJSON(image), manifest: image.manifest });
    }
    const deps = await Promise.all(image.info.dependencies.map(async (id) => (await store.get(id))!));
    process.stdout.write(showImage(image, deps, loaded));
  },
};

export const imageManifestCommand: Command = {
  name: 'image-manifest',
  args: 'IMAGE',
  summary: "Print an image's manifest (JSON)",
  flags: [],
  async run(ctx, flags) {
    expectArgs(this, flags.positional, 1);
    const { resolveImage, serializeManifest } = await load();
    const image = await resolveImage(await ctx.store(), flags.positional[0]);
    process.stdout.write(serializeManifest(image.manifest));
  },
};

export const destroyImageCommand: Command = {
  name: 'destroy-image',
  args: 'IMAGE...',
  summary: 'Remove images from the store (refused while another image depends on one)',
  description:
    'IMAGE is an ID, an ID prefix or a name. A name that reaches the image through a tag (jetpack\n' +
    'tag) removes only that tag, as podman and docker rmi remove one of several names: the\n' +
    "image stays under its own name and other tags. An ID or the image's own name removes\n" +
    'the image with all its tags, naming them.',
  flags: [{ ...JSON_FLAG, help: 'report a failure as JSON too (the last line on stderr)' }],
  async run(ctx, flags) {
    if (flags.positional.length === 0) throw new UserError(`usage: jetpack ${this.name} ${this.args}`, 2);
    const [{ describeImage, resolveImageRef }, { formatImageName }, { removeTag }] = await Promise.all([
      import('../../store/lookup.js'),
      import('../../image/name.js'),
      import('../../store/tags.js'),
    ]);
    const store = await ctx.store();
    for (const ref of flags.positional) {
      const { image, tag } = await resolveImageRef(store, ref);
      if (tag) {
        await removeTag(store, tag);
        process.stderr.write(`untagged ${formatImageName(tag)} (${describeImage(image)} stays)\n`);
        continue;
      }
      const tags = await store.destroy(image);
      process.stderr.write(`destroyed ${describeImage(image)}${tags.length ? ` and its tag(s) ${tags.map(formatImageName).join(', ')}` : ''}\n`);
    }
  },
};

/** destroy-image by the name podman, docker and buildah users type. */
export const rmiCommand: Command = { ...destroyImageCommand, name: 'rmi', summary: 'Remove images from the store (destroy-image)' };
