import { UserError } from '../../errors.js';
import type { Command } from '../command.js';
import { NET_FLAG, networkOf } from './build.js';

export const runCommand: Command = {
  name: 'run',
  args: 'IMAGE [COMMAND [ARGS...]]',
  summary: 'Run a command (default an interactive /bin/sh) in a throwaway container',
  description: 'For looking inside an image: the container is made like a build container, runs as\nroot in /, and everything it changes is discarded. Exits with the command\'s status.',
  flags: [NET_FLAG],
  stopAtPositional: true,
  async run(ctx, flags) {
    const [ref, ...command] = flags.positional;
    if (!ref) throw new UserError(`usage: jetpack run ${this.args}`, 2);
    const [{ Container }, { layerStack }, { resolveImage }] = await Promise.all([
      import('../../container/container.js'),
      import('../../store/layers.js'),
      import('../../store/lookup.js'),
    ]);
    const store = await ctx.store();
    const image = await resolveImage(store, ref);
    const staging = await store.stage('run');
    try {
      const container = await Container.create(staging.dir, await layerStack(store, image), store.layout.tools);
      return await container.run(command.length ? command : ['/bin/sh'], { cwd: '/', network: networkOf(flags) });
    } finally {
      await staging.discard();
    }
  },
};
