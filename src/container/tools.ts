import { copyFile, mkdir, realpath, stat, writeFile, constants as fs } from 'node:fs/promises';
import path from 'node:path';
import { UserError } from '../errors.js';
import { cachedDir } from '../util/cached-dir.js';
import { pathExists } from '../util/fs.js';
import { run } from '../util/process.js';

/** Where build containers see the tools jetpack lends them (read-only, never saved). */
export const TOOLS_MOUNT = '/.jetpack.tools';

async function which(cmd: string): Promise<string> {
  for (const dir of (process.env.PATH ?? '/usr/bin:/bin').split(':')) {
    const candidate = path.join(dir || '.', cmd);
    if (await pathExists(candidate, fs.X_OK)) return candidate;
  }
  throw new UserError(`${cmd} is not installed on the host (apt-get install ${cmd})`);
}

/** The shared libraries and ELF interpreter a host binary needs, from ldd. */
async function sharedObjects(binary: string): Promise<{ interpreter?: string; libraries: string[] }> {
  const out = await run('ldd', [binary]).catch(() => '');
  const libraries: string[] = [];
  let interpreter: string | undefined;
  for (const line of out.split('\n')) {
    const arrow = /=>\s+(\/\S+)/.exec(line);
    if (arrow) libraries.push(arrow[1]!);
    else if (/^\s*\/\S+\s+\(0x/.test(line)) interpreter = line.trim().split(/\s+/)[0];
  }
  return { interpreter, libraries };
}

/**
 * The tools directory for build containers, made once per host make binary under
 * `cacheDir` (a changed make, e.g. after an upgrade, gets a new one) and reused after.
 */
export async function cachedTools(cacheDir: string): Promise<string> {
  const make = await realpath(await which('make'));
  const st = await stat(make);
  return cachedDir(path.join(cacheDir, `make-${st.ino}-${st.size}-${Math.floor(st.mtimeMs)}`), (dir) => prepareTools(dir, make));
}

/**
 * Fills `dir` with the host's GNU make, its libraries and its ELF interpreter, plus a
 * `make` script that runs it through that interpreter. Mounted at /.jetpack.tools, it lets
 * the inner `make .jetpack.build.` run in images that have no make and no glibc (busybox,
 * Debian minbase), and it is gone when the container is.
 */
async function prepareTools(dir: string, make: string): Promise<void> {
  const { interpreter, libraries } = await sharedObjects(make);
  await mkdir(path.join(dir, 'bin'), { recursive: true });
  await mkdir(path.join(dir, 'lib'), { recursive: true });
  await copyFile(make, path.join(dir, 'bin', 'make'));
  for (const lib of [...libraries, ...(interpreter ? [interpreter] : [])]) {
    await copyFile(await realpath(lib), path.join(dir, 'lib', path.basename(lib)));
  }
  const runMake = interpreter
    ? `${TOOLS_MOUNT}/lib/${path.basename(interpreter)} --library-path ${TOOLS_MOUNT}/lib ${TOOLS_MOUNT}/bin/make`
    : `${TOOLS_MOUNT}/bin/make`;
  // MAKE on the command line reaches every sub-make, so $(MAKE) comes back through here.
  await writeFile(path.join(dir, 'make'), `#!/bin/sh\nexec ${runMake} MAKE=${TOOLS_MOUNT}/make "$@"\n`, { mode: 0o755 });
}
