import { UserError } from '../../errors.js';
import { hostArch, hostOS } from '../../image/platform.js';
import { JSON_FLAG, printJSON, type Command, type Context } from '../command.js';
import { flagBoolean } from '../flags.js';
import { BIN_DIR, SHARE_DIR, packageVersion } from '../paths.js';

async function settings(ctx: Context): Promise<Map<string, string>> {
  const [{ layerDriver }, { rootless }] = await Promise.all([import('../../layers/select.js'), import('../../util/userns.js')]);
  return new Map([
    ['path.root', ctx.root],
    ['path.share', SHARE_DIR],
    ['path.bin', BIN_DIR],
    ['host.os', hostOS()],
    ['host.arch', hostArch()],
    ['overlay', (await layerDriver()).name === 'overlay' ? 'yes' : 'no'],
    ['rootless', rootless() ? 'yes' : 'no'],
    ['version', packageVersion()],
  ]);
}

export const configCommand: Command = {
  name: 'config',
  args: '[VAR...]',
  summary: 'Print configuration (all as VAR=VALUE, or the values of the named VARs)',
  description:
    'Variables: path.root (the store), path.share (jetpack.image.mk, makeaci), path.bin,\nhost.os, host.arch, overlay (whether builds and renders use overlayfs), rootless (whether\njetpack works as an ordinary user, in a user namespace: docs/ROOTLESS.md), version.',
  flags: [],
  async run(ctx, flags) {
    const all = await settings(ctx);
    if (flags.positional.length === 0) {
      for (const [k, v] of all) process.stdout.write(`${k}=${v}\n`);
      return;
    }
    for (const name of flags.positional) {
      const value = all.get(name);
      if (value === undefined) throw new UserError(`unknown config variable ${name} (known: ${[...all.keys()].join(', ')})`);
      process.stdout.write(`${value}\n`);
    }
  },
};

export const versionCommand: Command = {
  name: 'version',
  args: '',
  summary: 'Print the jetpack version (also jetpack -version)',
  flags: [{ ...JSON_FLAG, help: 'print one line of JSON: version, node (its version), root (the store), os, arch' }],
  run(ctx, flags) {
    if (!flagBoolean(flags, 'json')) process.stdout.write(`jetpack ${packageVersion()}\n`);
    else printJSON({ version: packageVersion(), node: process.versions.node, root: ctx.root, os: hostOS(), arch: hostArch() });
    return Promise.resolve();
  },
};
