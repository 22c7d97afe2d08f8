import { mkdir, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { pathExists, ifExists } from '../util/fs.js';
import { writeOutput } from '../util/output-file.js';
import { writeSync } from 'node:fs';

/**
 * The upload server's files under `--uploads DIR`: `tus/` holds only what tus writes (each
 * upload's bytes and its `.json`), `state/` the server's own records, which no `/files/`
 * name reaches. Upload IDs are what @tus/server makes: 32 hex digits, nothing else is routed.
 */
export interface ServerDirs {
  tus: string;
  owners: string;
  outcomes: string;
}

export const UPLOAD_ID = /^[0-9a-f]{32}$/;

/** Makes the directories, moving the files of an older server (everything in one directory) to their places. */
export async function prepareServerDirs(uploads: string): Promise<ServerDirs> {
  const dirs = { tus: path.join(uploads, 'tus'), owners: path.join(uploads, 'state', 'owners.json'), outcomes: path.join(uploads, 'state', 'outcomes') };
  await mkdir(uploads, { recursive: true, mode: 0o700 });
  await mkdir(dirs.tus, { recursive: true, mode: 0o700 });
  await mkdir(dirs.outcomes, { recursive: true, mode: 0o700 });
  for (const name of await readdir(uploads)) {
    const old = path.join(uploads, name);
    if (name === 'owners.json' && !(await pathExists(dirs.owners))) await rename(old, dirs.owners);
    else if (UPLOAD_ID.test(name.replace(/\.json$/, ''))) await rename(old, path.join(dirs.tus, name));
  }
  return dirs;
}

/** A small record replaced in one rename and fsynced, mode 0600. */
function writeDurably(file: string, text: string): Promise<void> {
  return writeOutput(file, (fd) => void writeSync(fd, text), { durable: true, mode: 0o600 });
}

/** Who owns which ref: the first user who published it. */
export class Owners {
  constructor(private readonly file: string) {}
  private async all(): Promise<Record<string, string>> {
    return JSON.parse((await ifExists(readFile(this.file, 'utf8'))) ?? '{}') as Record<string, string>;
  }
  async get(ref: string): Promise<string | undefined> {
    const all = await this.all();
    return Object.hasOwn(all, ref) ? all[ref] : undefined;
  }
  async set(ref: string, user: string): Promise<void> {
    await writeDurably(this.file, JSON.stringify({ ...(await this.all()), [ref]: user }, null, 2) + '\n');
  }
}

/** What became of a complete upload; kept after its bytes are gone, so that its client learns it on its next request. */
export type Outcome = { owner: string; ref: string; size: number } & (
  { state: 'published'; commit: string; importSeconds: number } | { state: 'failed'; status: number; why: string }
);

/** How long outcomes are kept for clients that come back late. */
const OUTCOME_DAYS = 7;

export class Outcomes {
  constructor(private readonly dir: string) {}
  private file(id: string): string {
    return path.join(this.dir, `${id}.json`);
  }
  async get(id: string): Promise<Outcome | undefined> {
    const text = await ifExists(readFile(this.file(id), 'utf8'));
    return text === undefined ? undefined : (JSON.parse(text) as Outcome);
  }
  /** Written durably before the upload's bytes are removed: a crash in between leaves both, never neither. */
  async set(id: string, outcome: Outcome): Promise<void> {
    await writeDurably(this.file(id), `${JSON.stringify(outcome)}\n`);
  }
  async remove(id: string): Promise<void> {
    await rm(this.file(id), { force: true });
  }
  async pruneOld(now = Date.now()): Promise<void> {
    for (const name of await readdir(this.dir)) {
      const st = await ifExists(stat(path.join(this.dir, name)));
      if (st && now - st.mtimeMs > OUTCOME_DAYS * 86400_000) await rm(path.join(this.dir, name), { force: true });
    }
  }
}
