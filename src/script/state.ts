/**
 * What an image script's last build was made from, kept in `.jetpack.script.json` beside
 * image.mjs: the build directory's files (size and mtime), the parent's ID and the values
 * passed in. The image is rebuilt when any of them changed, as the make macros do.
 */
import { readdir, readFile, lstat } from 'node:fs/promises';
import path from 'node:path';
import { writeTextFile } from '../util/output-file.js';

export const STATE_FILE = '.jetpack.script.json';

export interface BuildState {
  id: string;
  parent: string;
  vars: Record<string, string>;
  /** Relative path → "size:mtimeMs" of every file of the build directory. */
  inputs: Record<string, string>;
}

/** The files of `dir` that make the image, without jetpack's own (`.jetpack.*`) and the outputs. */
export async function listInputs(dir: string, outputs: ReadonlySet<string>): Promise<Record<string, string>> {
  const inputs: Record<string, string> = {};
  const walk = async (rel: string): Promise<void> => {
    for (const entry of (await readdir(path.join(dir, rel), { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const name = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.name.startsWith('.jetpack.') || outputs.has(name)) continue;
      if (entry.isDirectory()) await walk(name);
      else {
        const st = await lstat(path.join(dir, name));
        inputs[name] = `${st.size}:${st.mtimeMs}`;
      }
    }
  };
  await walk('');
  return inputs;
}

export async function readState(dir: string): Promise<BuildState | undefined> {
  try {
    return JSON.parse(await readFile(path.join(dir, STATE_FILE), 'utf8')) as BuildState;
  } catch {
    return undefined;
  }
}

export function writeState(dir: string, state: BuildState): Promise<void> {
  return writeTextFile(path.join(dir, STATE_FILE), JSON.stringify(state, null, 2) + '\n');
}

/** What differs between the last build and now, for the line that says why it rebuilds; undefined when nothing. */
export function changeSince(old: BuildState | undefined, now: Omit<BuildState, 'id'>): string | undefined {
  if (!old) return 'no earlier build';
  if (old.parent !== now.parent) return 'the parent image changed';
  if (JSON.stringify(old.vars) !== JSON.stringify(now.vars)) return 'the values passed in changed';
  const names = new Set([...Object.keys(old.inputs), ...Object.keys(now.inputs)]);
  for (const name of [...names].sort()) {
    if (!(name in old.inputs)) return `${name} was added`;
    if (!(name in now.inputs)) return `${name} was removed`;
    if (old.inputs[name] !== now.inputs[name]) return `${name} changed`;
  }
  return undefined;
}
