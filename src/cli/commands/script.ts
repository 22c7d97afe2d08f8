import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { UserError } from '../../errors.js';
import { JSON_FLAG, logLine, type Command } from '../command.js';
import { BIN_DIR } from '../paths.js';
import { flagBoolean, type ParsedFlags } from '../flags.js';
import { NET_FLAG, networkOf } from './build.js';
import { NO_FETCH_FLAG, fetcherFor } from './fetch.js';
import { TARGETS, type Target } from '../../script/targets.js';

const TARGET_NAMES: readonly string[] = TARGETS; // to test any string against

/** [DIR] [TARGET] [NAME=VALUE…], each part optional, in that order. */
function parseArgs(positional: string[]): { dir: string; target: string; vars: Record<string, string> } {
  const args = [...positional];
  const dir = args.length && !TARGET_NAMES.includes(args[0]) && !args[0].includes('=') ? args.shift()! : '.';
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new UserError(`${dir} is not a directory`);
  const target = args.length && !args[0].includes('=') ? args.shift()! : 'image';
  if (!TARGET_NAMES.includes(target)) throw new UserError(`unknown target "${target}" (${TARGET_NAMES.join(', ')})`);
  const vars: Record<string, string> = {};
  for (const arg of args) {
    const eq = arg.indexOf('=');
    if (eq < 1) throw new UserError(`"${arg}" is not NAME=VALUE`);
    vars[arg.slice(0, eq)] = arg.slice(eq + 1);
  }
  return { dir, target, vars };
}

export const scriptCommand: Command = {
  name: 'script',
  args: '[DIR] [image|prepare|clean|aci|flat-aci] [NAME=VALUE…]',
  summary: 'Build an image directory whose image.mjs (a zx script) takes the place of a Makefile',
  description:
    'image.mjs exports parent, and optionally prepare (steps run on the host), build and manifest\n' +
    '(run in the build container as root, by Node and zx that jetpack lends it), clean (files to\n' +
    'remove, or a step) and buildVars (host variables passed in). image (the default) builds when\n' +
    'a file of DIR, the parent or a value changed, and writes image.aci.id; aci and flat-aci also\n' +
    'export it; clean removes what the builds wrote. NAME=VALUE reaches build and manifest as\n' +
    'vars.NAME, verbatim (docs/SCRIPTS.md).',
  flags: [NET_FLAG, NO_FETCH_FLAG, { ...JSON_FLAG, help: 'print the image as one line of JSON (image, aci, flat-aci)' }],
  async run(ctx, flags: ParsedFlags) {
    const { dir, target, vars } = parseArgs(flags.positional);
    const [{ ScriptRun }, { Jetpack }, fetcher] = await Promise.all([import('../../script/script.js'), import('../../api/index.js'), fetcherFor(ctx, flags)]);
    const json = flagBoolean(flags, 'json');
    // Host steps drive the CLI named by JETPACK, else this very jetpack on this store.
    const jetpack = process.env.JETPACK ? new Jetpack() : new Jetpack({ jetpack: path.join(BIN_DIR, 'jetpack'), root: ctx.root });
    const result = await new ScriptRun(await ctx.store(), (ref) => fetcher.resolve(ref), {
      dir,
      target: target as Target,
      vars,
      network: networkOf(flags),
      jetpack,
      stdoutToStderr: json,
      log: logLine,
    }).run();
    if (!result) return;
    const { printImage } = await import('../results.js');
    printImage(json, result.image, result.built);
  },
};
