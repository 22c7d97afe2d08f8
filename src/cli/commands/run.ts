import { UserError } from '../../errors.js';
import type { Command } from '../command.js';
import { commandLine, flagList, flagString } from '../flags.js';
import { NET_FLAG, networkOf } from './build.js';

export const runCommand: Command = {
  name: 'run',
  args: 'IMAGE [[--] COMMAND [ARGS...]]',
  summary: "Run the image's app, or a command, in a throwaway container",
  description:
    "Without COMMAND, runs the image's app as its manifest says: app.exec as app.user and\n" +
    "app.group (names looked up in the image's /etc/passwd and /etc/group), with\n" +
    'app.supplementaryGIDs, app.environment and app.workingDirectory, between its pre-start\n' +
    'and post-stop event handlers; an image with no app gets an interactive /bin/sh. With\n' +
    'COMMAND, runs it as root in /. Everything the container changes is discarded. Exits with\n' +
    "the app's or command's status.",
  flags: [
    NET_FLAG,
    { name: 'env', kind: 'list', value: 'NAME=VALUE', help: 'set an environment variable (repeatable; overrides app.environment)' },
    { name: 'user', kind: 'string', value: 'USER[:GROUP]', help: "run as this user and group: names of the image or numbers (default: the app's, or root)" },
    { name: 'workdir', kind: 'string', value: 'DIR', help: 'working directory in the container (default: app.workingDirectory, or /)' },
    { name: 'bind', kind: 'list', value: 'HOST:CONTAINER[:ro]', help: 'bind-mount a host file or directory into the container (repeatable)' },
    { name: 'volume', kind: 'list', value: 'NAME:HOSTPATH', help: "mount HOSTPATH on the app's mount point NAME (app.mountPoints; repeatable)" },
  ],
  stopAtPositional: true,
  async run(ctx, flags) {
    const [ref, ...rest] = flags.positional;
    const command = commandLine(rest);
    if (!ref) throw new UserError(`usage: jetpack run ${this.args}`, 2);
    const [{ runInImage }, { layerStack }, { resolveImage }] = await Promise.all([
      import('../../container/run-app.js'),
      import('../../store/layer-stack.js'),
      import('../../store/lookup.js'),
    ]);
    const store = await ctx.store();
    const image = await resolveImage(store, ref);
    const request = {
      command,
      env: flagList(flags, 'env'),
      user: flagString(flags, 'user'),
      workdir: flagString(flags, 'workdir'),
      binds: flagList(flags, 'bind'),
      volumes: flagList(flags, 'volume'),
    };
    const network = networkOf(flags);
    const staging = await store.stage('run');
    try {
      return await runInImage(staging.dir, await layerStack(store, image), store.layout.tools, image.manifest.app, request, network);
    } finally {
      await staging.discard();
    }
  },
};
