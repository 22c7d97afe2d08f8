import { rm } from 'node:fs/promises';
import path from 'node:path';
import { JSON_FLAG, expectArgs, printJSON, type Command } from '../command.js';
import { flagBoolean } from '../flags.js';

export const gcCommand: Command = {
  name: 'gc',
  args: '',
  summary: 'Remove shadowed images nothing depends on, and stale tool caches',
  description:
    'An image is shadowed when another image with the same name and the very same labels was\n' +
    'stored after it (rebuilding an image directory leaves the old build behind): lookups by\n' +
    'name never reach it. gc removes every shadowed image that no image depends on (then\n' +
    'the ones that frees, and so on), and the tool caches under tools/ that containers made\n' +
    'now would not use (host binaries since upgraded). Prints what it removes, one per line.',
  flags: [
    { name: 'dry-run', kind: 'boolean', help: 'only list what would be removed' },
    { ...JSON_FLAG, help: 'print {images, caches} as one line of JSON instead of lines' },
  ],
  async run(ctx, flags) {
    expectArgs(this, flags.positional, 0);
    const [{ collectImages }, { staleCaches }, { formatImageName }, { labelMap }] = await Promise.all([
      import('../../store/gc.js'),
      import('../../container/caches.js'),
      import('../../image/name.js'),
      import('../../image/manifest.js'),
    ]);
    const dryRun = flagBoolean(flags, 'dry-run');
    const json = flagBoolean(flags, 'json');
    const store = await ctx.store();
    const images = await collectImages(store, dryRun, (image) => {
      if (!json) process.stdout.write(`${image.id}\t${formatImageName(image.manifest)}\n`);
    });
    const caches = await staleCaches(store.layout.tools);
    for (const name of caches) {
      if (!dryRun) await rm(path.join(store.layout.tools, name), { recursive: true, force: true });
      if (!json) process.stdout.write(`tools/${name}\n`);
    }
    if (json) {
      const listed = images.map((i) => ({ id: i.id, name: i.manifest.name, labels: labelMap(i.manifest) }));
      printJSON({ images: listed, caches: caches.map((c) => `tools/${c}`) });
    }
    process.stderr.write(`${images.length} image(s) and ${caches.length} cache(s) ${dryRun ? 'would be removed' : 'removed'}\n`);
  },
};
