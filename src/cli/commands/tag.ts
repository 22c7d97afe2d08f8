import { expectArgs, type Command } from '../command.js';

const load = async () => {
  const [{ parseImageQuery, formatImageName }, { shortImageID }, { resolveImage, findByQuery }, tags] = await Promise.all([
    import('../../image/name.js'),
    import('../../image/id.js'),
    import('../../store/lookup.js'),
    import('../../store/tags.js'),
  ]);
  return { parseImageQuery, formatImageName, shortImageID, resolveImage, findByQuery, ...tags };
};

export const tagCommand: Command = {
  name: 'tag',
  args: 'IMAGE NAME[:version][,label=value...]',
  summary: 'Give an image a second name (a tag), which lookups by name find as its own',
  description:
    "The tag has the image's labels, with those NAME gives in their place: `jetpack tag\n" +
    "jetpack/busybox mybox:1` names it mybox with version 1, os and arch as the image's. A name\n" +
    'another image or tag had moves to this image, as the newest wins on lookup. The image\n' +
    'itself is unchanged: its own name is in its manifest, part of its ID.',
  flags: [],
  async run(ctx, flags) {
    expectArgs(this, flags.positional, 2);
    const { parseImageQuery, formatImageName, shortImageID, resolveImage, tagFor, addTag } = await load();
    const store = await ctx.store();
    const image = await resolveImage(store, flags.positional[0]);
    const tag = tagFor(image, parseImageQuery(flags.positional[1]));
    await addTag(store, tag);
    process.stderr.write(`tagged ${shortImageID(image.id)} ${formatImageName(tag)}\n`);
  },
};

export const untagCommand: Command = {
  name: 'untag',
  args: 'NAME[:version][,label=value...]',
  summary: 'Remove a tag; the image stays (jetpack rmi removes images)',
  description:
    'Removes the tag NAME resolves to, as podman untag removes a name and keeps the image:\n' +
    'an image always keeps the name in its manifest, so removing its last tag never removes\n' +
    "it. NAME may not be an image's own name, which is part of its ID.",
  flags: [],
  async run(ctx, flags) {
    expectArgs(this, flags.positional, 1);
    const { parseImageQuery, formatImageName, shortImageID, findByQuery, readTags, findTag, removeTag, noSuchTag } = await load();
    const store = await ctx.store();
    const ref = flags.positional[0];
    const query = parseImageQuery(ref);
    const tag = findTag(await readTags(store.layout), query);
    if (!tag || !(await removeTag(store, tag))) throw noSuchTag(ref, await findByQuery(store, query));
    process.stderr.write(`untagged ${formatImageName(tag)} (${shortImageID(tag.id)} stays)\n`);
  },
};
