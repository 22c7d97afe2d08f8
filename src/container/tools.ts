import { copyFile, mkdir, mkdtemp, readFile, realpath, rename, rm, stat, writeFile, constants as fs } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { UserError } from '../errors.js';
import { cachedDir } from '../util/cached-dir.js';
import { pathExists, ifExists } from '../util/fs.js';
import { run } from '../util/process.js';

/** Where containers see the tools jetpack lends them (read-only, never saved). */
export const TOOLS_MOUNT = '/.jetpack.tools';

/**
 * The host binaries lent to every container: GNU make for the inner `make .jetpack.build.`
 * of image Makefiles, setpriv to start an image's app as its user and groups (`run`),
 * bmake for BSD make image Makefiles when the host has it, and the Node running jetpack with
 * zx for image scripts (`jetpack script`).
 */
const LENT = ['make', 'setpriv', 'bmake', 'node'] as const;
export type LentTool = (typeof LENT)[number];
const OPTIONAL: ReadonlySet<LentTool> = new Set(['bmake']);
/**
 * Lent by bind mounts over empty placeholders rather than copied: Node is ~100 MB, too much
 * to copy into every store, and a small store should not pay for tools most builds never run.
 */
const BOUND: ReadonlySet<LentTool> = new Set(['bmake', 'node']);

/** A host file or directory mounted read-only at TOOLS_MOUNT/`target` in every container. */
export interface LentBind {
  source: string;
  target: string;
  /** The source's inode, size and mtime when the tools were made: a changed one makes them again. */
  stamp: string;
}

async function stampOf(file: string): Promise<string | undefined> {
  const st = await ifExists(stat(file));
  return st && `${st.ino}-${st.size}-${Math.floor(st.mtimeMs)}`;
}

/** Whether every host path of `binds` is still the one the tools were made with. */
async function bindsCurrent(binds: LentBind[]): Promise<boolean> {
  return (await Promise.all(binds.map(async (b) => (await stampOf(b.source)) === b.stamp))).every(Boolean);
}

/** A tools directory and what it lends by bind mount. */
export interface LentTools {
  dir: string;
  binds: LentBind[];
}

/** Where the tools directory records its LentBinds. */
const BINDS_FILE = 'binds.json';

/** bmake's system makefiles (sys.mk and what it includes), lent beside it. */
const BMAKE_SYSPATH = '/usr/share/mk';

/** zx's package directory, lent beside Node: image scripts' `$`. */
function zxPackage(): string {
  return path.dirname(createRequire(import.meta.url).resolve('zx/package.json'));
}

/** Where the command lines of the lent tools are recorded in the tools directory. */
const COMMANDS_FILE = 'commands.json';

async function which(cmd: string): Promise<string> {
  for (const dir of (process.env.PATH ?? '/usr/bin:/bin').split(':')) {
    const candidate = path.join(dir || '.', cmd);
    if (await pathExists(candidate, fs.X_OK)) return candidate;
  }
  throw new UserError(`${cmd} is not installed on the host (apt-get install ${cmd === 'setpriv' ? 'util-linux' : cmd})`);
}

/** The shared libraries and ELF interpreter a host binary needs, from ldd. */
async function sharedObjects(binary: string): Promise<{ interpreter?: string; libraries: string[] }> {
  const out = await run('ldd', [binary]).catch(() => '');
  const libraries: string[] = [];
  let interpreter: string | undefined;
  for (const line of out.split('\n')) {
    const arrow = /=>\s+(\/\S+)/.exec(line);
    if (arrow) libraries.push(arrow[1]);
    else if (/^\s*\/\S+\s+\(0x/.test(line)) interpreter = line.trim().split(/\s+/)[0];
  }
  return { interpreter, libraries };
}

/**
 * The tools directory for containers, made once per set of host binaries under `cacheDir`
 * (a changed make or setpriv, e.g. after an upgrade, gets a new one) and reused after.
 */
export async function cachedTools(cacheDir: string): Promise<LentTools> {
  const { name, binaries } = await currentTools();
  const make = async (): Promise<LentTools> => {
    const dir = await cachedDir(path.join(cacheDir, name), (scratch) => prepareTools(scratch, binaries));
    return { dir, binds: await lentBinds(dir) };
  };
  const tools = await make();
  if (await bindsCurrent(tools.binds)) return tools;
  // A library or zx a bind lends was upgraded since: set the old tools aside and make them again.
  const stale = await mkdtemp(`${tools.dir}.stale-`);
  await rename(tools.dir, path.join(stale, 'tools')).catch((err: NodeJS.ErrnoException) => {
    if (err.code !== 'ENOENT') throw err; // another process did it first
  });
  await rm(stale, { recursive: true, force: true });
  return make();
}

/** The name of the tools directory for the host's binaries as they are now. */
export async function currentTools(): Promise<{ name: string; binaries: Array<string | undefined> }> {
  const binaries = await Promise.all(
    LENT.map(async (tool) => {
      const found =
        tool === 'node'
          ? process.execPath
          : await which(tool).catch((err: unknown) => {
              if (OPTIONAL.has(tool)) return undefined;
              throw err;
            });
      return found && realpath(found);
    }),
  );
  const stamps = await Promise.all([...binaries, path.join(zxPackage(), 'package.json')].map(async (b) => (b && (await stampOf(b))) ?? 'none'));
  const key = stamps.join('-');
  return { name: `host-${key}`, binaries };
}

/** The bind mounts the tools directory `tools` needs over its placeholders. */
async function lentBinds(tools: string): Promise<LentBind[]> {
  return JSON.parse(await readFile(path.join(tools, BINDS_FILE), 'utf8').catch(() => '[]')) as LentBind[];
}

/** The command line that runs a lent tool inside a container whose tools directory is `tools`. */
export async function lentCommand(tools: string, tool: LentTool): Promise<string[]> {
  const commands = JSON.parse(await readFile(path.join(tools, COMMANDS_FILE), 'utf8')) as Partial<Record<LentTool, string[]>>;
  const command = commands[tool];
  if (!command) throw new UserError(`${tool} is not installed on the host (apt-get install ${tool})`);
  return command;
}

/**
 * Fills `dir` with the lent host binaries, their libraries and their ELF interpreter, and
 * records how to run each through that interpreter, so that they run in images that have no
 * glibc (busybox) or another one. `make` also gets a script of that name: the inner make of
 * image Makefiles is found on PATH, and MAKE on its command line reaches every sub-make, so
 * $(MAKE) comes back through it. `bmake` likewise, with its system makefiles.
 */
async function prepareTools(dir: string, binaries: Array<string | undefined>): Promise<void> {
  await mkdir(path.join(dir, 'bin'), { recursive: true });
  await mkdir(path.join(dir, 'lib'), { recursive: true });
  const commands: Partial<Record<LentTool, string[]>> = {};
  const binds: LentBind[] = [];
  /** Copies `source` to `target` in the tools dir, or for a BOUND tool leaves a placeholder to bind it over. */
  const lend = async (tool: LentTool, source: string, target: string): Promise<void> => {
    if (!BOUND.has(tool)) return copyFile(source, path.join(dir, target));
    if (await pathExists(path.join(dir, target))) return; // a library another tool brought
    await writeFile(path.join(dir, target), '');
    binds.push({ source, target, stamp: (await stampOf(source))! });
  };
  for (const [i, tool] of LENT.entries()) {
    const binary = binaries[i];
    if (!binary) continue;
    const { interpreter, libraries } = await sharedObjects(binary);
    await lend(tool, binary, path.join('bin', tool));
    for (const lib of [...libraries, ...(interpreter ? [interpreter] : [])]) {
      await lend(tool, await realpath(lib), path.join('lib', path.basename(lib)));
    }
    const lent = `${TOOLS_MOUNT}/bin/${tool}`;
    commands[tool] = interpreter ? [`${TOOLS_MOUNT}/lib/${path.basename(interpreter)}`, '--library-path', `${TOOLS_MOUNT}/lib`, lent] : [lent];
  }
  await writeFile(path.join(dir, COMMANDS_FILE), JSON.stringify(commands) + '\n');
  await writeFile(path.join(dir, 'make'), `#!/bin/sh\nexec ${commands.make!.join(' ')} MAKE=${TOOLS_MOUNT}/make "$@"\n`, { mode: 0o755 });
  await writeFile(path.join(dir, 'node'), `#!/bin/sh\nexec ${commands.node!.join(' ')} "$@"\n`, { mode: 0o755 });
  await mkdir(path.join(dir, 'zx'));
  binds.push({ source: zxPackage(), target: 'zx', stamp: (await stampOf(zxPackage()))! });
  if (commands.bmake && (await pathExists(BMAKE_SYSPATH))) {
    await mkdir(path.join(dir, 'bmake-mk'));
    const mk = await realpath(BMAKE_SYSPATH);
    binds.push({ source: mk, target: 'bmake-mk', stamp: (await stampOf(mk))! });
    await writeFile(path.join(dir, 'bmake'), `#!/bin/sh\nexec ${commands.bmake.join(' ')} -m ${TOOLS_MOUNT}/bmake-mk MAKE=${TOOLS_MOUNT}/bmake "$@"\n`, {
      mode: 0o755,
    });
  }
  await writeFile(path.join(dir, BINDS_FILE), JSON.stringify(binds) + '\n');
}
