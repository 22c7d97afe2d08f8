import { JSON_FLAG as JSON_RESULT, expectArgs, logLine, printJSON, type Command } from '../command.js';
import { flagBoolean, type ParsedFlags } from '../flags.js';
import { humanSize } from '../table.js';
import type { Store } from '../../store/store.js';

const DRY_RUN = { name: 'dry-run', kind: 'boolean', help: 'only list what would be removed, with sizes and the total' } as const;
const JSON_FLAG = { ...JSON_RESULT, help: 'print {items, bytes, busy, dryRun, images, caches} as one line of JSON instead of lines' };

/** gc, gc -all and prune: one run, over the store's images and tool caches or over everything. */
async function collect(flags: ParsedFlags, store: Store, all: boolean): Promise<void> {
  const [{ prune }, { staleCaches }, { OstreeRepo }] = await Promise.all([
    import('../../store/prune.js'),
    import('../../container/caches.js'),
    import('../../ostree/ostree.js'),
  ]);
  const dryRun = flagBoolean(flags, 'dry-run');
  const json = flagBoolean(flags, 'json');
  const result = await prune(store, {
    all,
    dryRun,
    staleCaches,
    ostree: new OstreeRepo(store.layout.ostreeRepo),
    onItem: (item) => {
      if (!json) process.stdout.write(`${humanSize(item.bytes).padStart(8)}  ${item.kind.padEnd(10)}  ${item.what}\n`);
    },
  });
  if (result.busy.length)
    logLine(`${result.busy.length} operation(s) under way (${result.busy.join(', ')}): images, tool caches and OSTree objects stay until they end`);
  if (json) {
    const images = result.items.filter((i) => i.kind === 'image').map((i) => ({ id: i.id, name: i.name }));
    const caches = result.items.filter((i) => i.kind === 'tool-cache').map((i) => i.what);
    printJSON({ items: result.items, bytes: result.bytes, busy: result.busy, dryRun, images, caches });
    return;
  }
  const total = `${humanSize(result.bytes)} in ${result.items.length} item(s)`;
  process.stdout.write(dryRun ? `would free ${total}\n` : `freed ${total}\n`);
}

export const gcCommand: Command = {
  name: 'gc',
  args: '',
  summary: 'Remove shadowed images nothing depends on, and stale tool caches (-all: prune)',
  description:
    'An image is shadowed when another image with the same name and the very same labels was\n' +
    'stored after it (rebuilding an image directory leaves the old build behind): lookups by\n' +
    'name never reach it. gc removes every shadowed image that no image depends on (then\n' +
    'the ones that frees, and so on), the layers an OCI import stored that no image needs any\n' +
    'more, and the tool caches under tools/ that containers made now would not use (host\n' +
    'binaries since upgraded). With -all it is jetpack prune. Prints each item with its size,\n' +
    'then the total. While another jetpack operation is under way (a build, a run), images and\n' +
    'tool caches stay: it may be using them.',
  flags: [DRY_RUN, JSON_FLAG, { name: 'all', kind: 'boolean', help: 'remove everything nothing needs, as jetpack prune does' }],
  async run(ctx, flags) {
    expectArgs(this, flags.positional, 0);
    await collect(flags, await ctx.store(), flagBoolean(flags, 'all'));
  },
};

export const pruneCommand: Command = {
  name: 'prune',
  args: '',
  summary: 'Reclaim everything in the store that nothing needs (gc -all)',
  description:
    'Removes, under the store lock:\n' +
    '  image       shadowed images and OCI import layers that no image depends on (as gc)\n' +
    '  tool-cache  tool caches no container made now would use (as gc)\n' +
    '  leftover    what killed operations left in tmp/ (job and build scratch, half imports)\n' +
    '  container   failed builds kept with build -keep (see jetpack containers)\n' +
    '  oci-cache   kept OCI layer blobs and layouts no export or push reads again (an older\n' +
    "              encoding's, halves of a pair, scratch files of killed exports)\n" +
    "  ostree      objects of the store's OSTree repo that no ref reaches (ostree prune)\n" +
    'Each is printed with what it takes on disk, then the total freed. A running operation\n' +
    '(a build, a run, an export) is never touched: its scratch directory is locked, and while\n' +
    'one is under way images, tool caches and OSTree objects stay.',
  flags: [DRY_RUN, JSON_FLAG],
  async run(ctx, flags) {
    expectArgs(this, flags.positional, 0);
    await collect(flags, await ctx.store(), true);
  },
};
