import { UserError } from '../../errors.js';
import type { Command } from '../command.js';

export const unshareCommand: Command = {
  name: 'unshare',
  args: '[COMMAND [ARG...]]',
  summary: "Run a command in the user namespace an ordinary user's jetpack works in",
  description:
    'As an ordinary user, jetpack works in a user namespace in which the user is root and owns its\n' +
    'subordinate IDs (docs/ROOTLESS.md): what it stores is owned by those IDs, which the user\n' +
    'cannot change or remove outside it. jetpack unshare runs COMMAND (default $SHELL, else /bin/sh)\n' +
    'there, as buildah unshare does: `jetpack unshare rm -rf ~/.local/share/jetpack` removes a\n' +
    "user's store. As root, COMMAND runs as it is. Exits with COMMAND's status.",
  flags: [],
  stopAtPositional: true,
  async run(_ctx, flags) {
    const [{ spawn }, { exitStatus }] = await Promise.all([import('node:child_process'), import('../../util/process.js')]);
    const [cmd, ...args] = flags.positional.length ? flags.positional : [process.env.SHELL || '/bin/sh'];
    const child = spawn(cmd, args, { stdio: 'inherit' });
    return new Promise<number>((resolve, reject) => {
      child.on('error', (err) => reject(new UserError(`unshare: cannot run ${cmd}: ${err.message}`, 127, { cause: err })));
      child.on('close', (code, signal) => resolve(exitStatus(code, signal)));
    });
  },
};
