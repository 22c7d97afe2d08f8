import { UserError } from '../../errors.js';
import type { StoredImage } from '../../store/store.js';
import { JSON_FLAG, expectArgs, printJSON, type Command } from '../command.js';
import { flagBoolean } from '../flags.js';
import { table } from '../table.js';

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
  args: '',
  summary: 'List the images in the store',
  description:
    'Lists images as ID and name:version,label=value…. An image shadowed by a newer one with the\n' +
    'same name and labels (lookups by name never reach it) is listed only with -a; jetpack gc\n' +
    'removes those that nothing depends on.',
  flags: [
    { name: 'a', kind: 'boolean', help: 'also list shadowed images' },
    { name: 'q', kind: 'boolean', help: 'print only image IDs' },
    { name: 'H', kind: 'boolean', help: 'machine-friendly: no header, tab-separated' },
    { name: 'l', kind: 'boolean', help: 'show full image IDs' },
    { ...JSON_FLAG, help: 'print the images as one line of JSON: an array with every field' },
  ],
  async run(ctx, flags) {
    expectArgs(this, flags.positional, 0);
    const [loaded, { shadowedImages }, { imageJSON }] = await Promise.all([load(), import('../../store/gc.js'), import('../results.js')]);
    const { formatImageName, shortImageID } = loaded;
    const stored = await (await ctx.store()).list();
    const shadowed = shadowedImages(stored);
    const all = flagBoolean(flags, 'a');
    const images = stored.filter((i) => all || !shadowed.has(i.id)).sort((a, b) => formatImageName(a.manifest).localeCompare(formatImageName(b.manifest)));
    if (flagBoolean(flags, 'json')) {
      return printJSON(images.map((i) => ({ ...imageJSON(i), shadowed: shadowed.has(i.id) })));
    }
    const id = (i: StoredImage) => (flagBoolean(flags, 'l') ? i.id : shortImageID(i.id));
    if (flagBoolean(flags, 'q')) {
      process.stdout.write(images.map((i) => id(i) + '\n').join(''));
      return;
    }
    const machine = flagBoolean(flags, 'H');
    process.stdout.write(table(images.map((i) => [id(i), formatImageName(i.manifest)]), machine ? null : ['ID', 'NAME'], machine ? '\t' : '  '));
    const hidden = stored.length - images.length;
    if (hidden > 0 && !machine && process.stdout.isTTY) process.stderr.write(`${hidden} shadowed image(s) not listed (jetpack images -a; jetpack gc removes them)\n`);
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
    const image = await loaded.resolveImage(store, flags.positional[0]!);
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
    const image = await resolveImage(await ctx.store(), flags.positional[0]!);
    process.stdout.write(serializeManifest(image.manifest));
  },
};

export const destroyImageCommand: Command = {
  name: 'destroy-image',
  args: 'IMAGE...',
  summary: 'Remove images from the store (refused while another image depends on one)',
  flags: [{ ...JSON_FLAG, help: 'report a failure as JSON too (the last line on stderr)' }],
  async run(ctx, flags) {
    if (flags.positional.length === 0) throw new UserError(`usage: jetpack ${this.name} ${this.args}`, 2);
    const { describeImage, resolveImage } = await load();
    const store = await ctx.store();
    for (const ref of flags.positional) {
      const image = await resolveImage(store, ref);
      await store.destroy(image);
      process.stderr.write(`destroyed ${describeImage(image)}\n`);
    }
  },
};
