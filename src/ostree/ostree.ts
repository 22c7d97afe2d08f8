import { mkdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { UserError } from '../errors.js';
import { pathExists } from '../util/fs.js';
import { pipeline } from 'node:stream/promises';
import { compressedSink } from '../archive/compression.js';
import { run, runShowingProgress, spawnReader } from '../util/process.js';
import { parseCommitText, type CommitDescription } from './commit-text.js';
import { xattrsInOstreeOrder } from './tar-xattr-order.js';

/**
 * The one place that talks to OSTree: Debian's `ostree` CLI, so that ostree, flatpak and any
 * OSTree HTTP server read what jetpack writes (docs/RUNTIMES.md). Nothing here knows about runtimes.
 */

export type RepoMode = 'bare' | 'archive';

export type CommitTree = { dir: string } | { tar: string };

export interface CommitRequest {
  /** The ref to set (ostree binds the commit to it); or none, and the refs to bind it to. */
  target: { branch: string } | { bindRefs: string[] };
  /**
   * The tree to commit, as a path the (possibly wrapped) ostree command sees: a directory, or a
   * tarball (any compression); or several, each laid over the ones before it.
   */
  tree: CommitTree | CommitTree[];
  /** For a tarball: the directory its members lie in, taken off their names. */
  tarPrefix?: string;
  /** For a tarball without entries for its directories: ostree makes them (0755, root). */
  autocreateParents?: boolean;
  /** Owners 0:0, no xattrs, modes 0755 or 0644 (what `flatpak build-export` commits). */
  canonical?: boolean;
  subject?: string;
  body?: string;
  /** Seconds since the epoch; the current time when undefined. */
  timestamp?: number;
  /** String metadata (`--add-metadata-string`), in order: the order is part of the commit. */
  strings?: Array<[string, string]>;
  /** A file listing paths of the tree (`/dev/null`, one a line) to leave out (`--skip-list`). */
  skipList?: string;
  /** Runs ostree where `tree` is visible (a rendered overlay's namespace). */
  wrap?: (cmd: string, args: string[]) => [string, string[]];
}

export interface CommitInfo {
  checksum: string;
  /** The commit's timestamp, seconds since the epoch. */
  timestamp: number;
  subject: string;
}

export interface Remote {
  name: string;
  url: string;
}

function ostreeFailure(what: string, stderr: string, status: number): UserError {
  const said = stderr
    .split('\n')
    .map((l) => l.trim().replace(/^error: /, ''))
    .filter(Boolean)
    .slice(-2)
    .join('; ');
  return new UserError(`${what}: ostree ${said ? `says: ${said}` : `exited with status ${status}`}`);
}

export class OstreeRepo {
  constructor(readonly dir: string) {}

  /**
   * Runs ostree on this repo (through `wrap` when given) and returns its stdout. `operands`
   * (refs, revisions, paths, remote names) follow `--`, so that none is ever read as an option.
   */
  private ostree(args: string[], what: string, opts: { operands?: string[]; wrap?: CommitRequest['wrap'] } = {}): Promise<string> {
    const operands = opts.operands ?? [];
    // `ostree remote …` counts a "--" as an operand: there, an operand may not look like an option.
    const dashDash = args[0] !== 'remote' && operands.length > 0;
    if (!dashDash && operands.some((o) => o.startsWith('-')))
      return Promise.reject(new UserError(`${what}: ${JSON.stringify(operands.find((o) => o.startsWith('-')))} cannot start with "-"`));
    const full = [...args, `--repo=${this.dir}`, ...(dashDash ? ['--'] : []), ...operands];
    // Node refuses a NUL in an argument with a TypeError; say what it is.
    if (full.some((arg) => arg.includes('\0'))) return Promise.reject(new UserError(`${what}: a value holds a NUL byte`));
    const [cmd, argv] = opts.wrap ? opts.wrap('ostree', full) : ['ostree', full];
    return run(cmd, argv, { what }).catch((err: unknown) => {
      // run() says "ostree exited with status N: error: WHY"; the status says nothing here.
      if (err instanceof UserError) throw new UserError(err.message.replace(/ostree exited with status \d+: (error: )?/, 'ostree: '));
      throw err;
    });
  }

  async exists(): Promise<boolean> {
    return pathExists(path.join(this.dir, 'config'));
  }

  /** The repo's mode, from its config ("archive-z2" is the old name of archive). */
  async mode(): Promise<string> {
    const config = await readFile(path.join(this.dir, 'config'), 'utf8').catch(() => {
      throw new UserError(`${this.dir} is not an OSTree repository (no config)`);
    });
    const mode = /^mode\s*=\s*(\S+)/m.exec(config)?.[1] ?? 'bare';
    return mode === 'archive-z2' ? 'archive' : mode;
  }

  /**
   * Creates the repo with `mode` if it does not exist; an existing repo must have that mode
   * when one is asked for. Returns the repo's mode.
   */
  async ensure(mode?: RepoMode): Promise<string> {
    if (await this.exists()) {
      const actual = await this.mode();
      if (mode && actual !== mode) throw new UserError(`the OSTree repo ${this.dir} is ${actual}, not ${mode}`);
      return actual;
    }
    await mkdir(this.dir, { recursive: true });
    await this.ostree(['init', `--mode=${mode ?? 'bare'}`], `creating the OSTree repo ${this.dir}`);
    return mode ?? 'bare';
  }

  async mustExist(): Promise<void> {
    if (!(await this.exists())) throw new UserError(`no OSTree repo at ${this.dir} (a commit or a remote creates it)`);
  }

  /**
   * Commits a tree under `branch` with no parent, so that the same tree, metadata and
   * timestamp give the same commit checksum however often it is committed. ostree writes
   * objects in a transaction and sets the ref last: a killed commit leaves no ref.
   */
  async commit(req: CommitRequest): Promise<string> {
    const trees = [req.tree].flat().map((t) => ('dir' in t ? `--tree=dir=${t.dir}` : `--tree=tar=${t.tar}`));
    const target = 'branch' in req.target ? [`--branch=${req.target.branch}`] : ['--orphan', ...req.target.bindRefs.map((r) => `--bind-ref=${r}`)];
    const args = ['commit', ...target, ...trees, '--parent=none'];
    args.push(`--subject=${req.subject ?? ''}`, `--body=${req.body ?? ''}`);
    if (req.tarPrefix) args.push(`--tar-pathname-filter=^${req.tarPrefix.replace(/[.*+?^${}()|[\]\\,]/g, '\\$&')}/?,`);
    if (req.autocreateParents) args.push('--tar-autocreate-parents');
    if (req.canonical) args.push('--owner-uid=0', '--owner-gid=0', '--no-xattrs', '--canonical-permissions');
    if (req.timestamp !== undefined) args.push(`--timestamp=@${req.timestamp}`);
    if (req.skipList) args.push(`--skip-list=${req.skipList}`);
    for (const [k, v] of req.strings ?? []) {
      if (k === '' || k.includes('=')) throw new UserError(`commit metadata key ${JSON.stringify(k)} is empty or holds "="`);
      args.push(`--add-metadata-string=${k}=${v}`);
    }
    return (await this.ostree(args, 'committing', { wrap: req.wrap })).trim();
  }

  /** What `commit` needs to make `rev` again from its tree (`ostree show --raw`). */
  async describe(rev: string): Promise<CommitDescription> {
    const out = await this.ostree(['show', '--raw'], `reading commit ${rev}`, { operands: [rev] });
    return parseCommitText(out.split('\n')[1] ?? '');
  }

  /**
   * Writes the tree of `rev` to `fd` as a zstd-compressed PAX tarball that `commit` turns into
   * the very same tree: owners, modes and every xattr (file capabilities, user.*, ACLs as
   * system.posix_acl_*), which `ostree export` leaves out. It is GNU tar of a checkout in
   * `scratch` (hardlinks into a bare repo: no copy), names sorted, no times, xattrs in the order
   * ostree's tar import needs (tar-xattr-order.ts): one commit always gives the same bytes.
   */
  async exportTree(rev: string, fd: number, scratch: string): Promise<void> {
    const checkout = path.join(scratch, 'tree');
    await rm(checkout, { recursive: true, force: true });
    await this.checkout(rev, checkout);
    try {
      const tar = [
        '--create',
        '--format=pax',
        '--xattrs',
        '--xattrs-include=*',
        '--numeric-owner',
        '--sort=name',
        '--mtime=@0',
        '--pax-option=delete=atime,delete=ctime',
        '--warning=no-file-changed',
        '-C',
        checkout,
        '.',
      ];
      // Another checkout of the same objects (a concurrent upload) changes their link count and
      // ctime, never their content: GNU tar's status 1 ("file changed as we read it") is no failure here.
      const sh = ['-c', 'tar "$@"; s=$?; [ $s -le 1 ] || exit $s', 'tar', ...tar];
      const sink = compressedSink('zstd', fd);
      await Promise.all([pipeline(spawnReader('sh', sh, { what: `archiving ${rev}` }), xattrsInOstreeOrder(), sink.stream), sink.done]);
    } finally {
      await rm(checkout, { recursive: true, force: true });
    }
  }

  /** Points `ref` at `rev`, creating or moving it. */
  async setRef(ref: string, rev: string): Promise<void> {
    await this.ostree(['refs', `--create=${ref}`, '--force'], `setting ref ${ref}`, { operands: [rev] });
  }

  /** Local refs, remote ones as `remote:ref`. */
  async refs(): Promise<string[]> {
    const out = await this.ostree(['refs'], 'listing refs');
    return out.split('\n').filter(Boolean).sort();
  }

  /** The commit a ref points to, or undefined when there is no such ref. */
  async resolve(ref: string): Promise<string | undefined> {
    const out = await this.ostree(['rev-parse'], `resolving ${ref}`, { operands: [ref] }).catch(() => undefined);
    return out?.trim() || undefined;
  }

  async show(rev: string): Promise<CommitInfo> {
    const out = await this.ostree(['show'], `reading commit ${rev}`, { operands: [rev] });
    const checksum = /^commit (\S+)/m.exec(out)?.[1];
    const date = /^Date:\s+(.+)$/m.exec(out)?.[1];
    if (!checksum || !date) throw new UserError(`cannot read commit ${rev}: unexpected ostree show output`);
    const subject = out.split('\n\n')[1]?.trim().split('\n')[0] ?? '';
    return { checksum, timestamp: Math.round(Date.parse(date.replace(' ', 'T').replace(/ ([+-]\d\d)(\d\d)$/, '$1:$2')) / 1000), subject };
  }

  /**
   * A commit's string metadata value, or undefined when it has none under `key`. (Numbers
   * are kept as strings too: `ostree show` byte-swaps integer metadata on little-endian hosts.)
   */
  async stringMetadata(rev: string, key: string): Promise<string | undefined> {
    const out = await this.ostree(['show', `--print-metadata-key=${key}`], `reading ${key} of ${rev}`, { operands: [rev] }).catch(() => undefined);
    const m = out && /^'((?:[^'\\]|\\.)*)'\s*$/s.exec(out.trim());
    return m ? m[1].replace(/\\(.)/g, '$1') : undefined;
  }

  /**
   * Checks a commit out into `dest` (which must not exist). From a bare repo the files are
   * hardlinks to the repo's objects, so the checkout must never be written: `copy` gives a
   * tree of its own to change. `into` checks out into `dest`, an existing empty directory.
   */
  async checkout(rev: string, dest: string, opts: { copy?: boolean; into?: boolean } = {}): Promise<void> {
    const flags = [...(opts.copy ? ['--force-copy'] : []), ...(opts.into ? ['--union'] : [])];
    await this.ostree(['checkout', ...flags], `checking out ${rev}`, { operands: [rev, dest] });
  }

  /** Pulls `ref` from `remote` with ostree's own progress on a terminal; resumes what an interrupted pull left. */
  async pull(remote: string, ref: string): Promise<void> {
    const { status, stderr } = await runShowingProgress('ostree', ['pull', `--repo=${this.dir}`, '--', remote, ref]);
    if (status !== 0) throw ostreeFailure(`pulling ${remote}:${ref}`, stderr, status);
  }

  /** Copies `refs` with their objects from another local repo. */
  async pullLocal(source: string, refs: string[]): Promise<void> {
    await this.ostree(['pull-local'], `copying ${refs.join(', ')} from ${source}`, { operands: [source, ...refs] });
  }

  async updateSummary(): Promise<void> {
    await this.ostree(['summary', '--update'], `updating the summary of ${this.dir}`);
  }

  async deleteRef(ref: string): Promise<void> {
    await this.ostree(['refs', '--delete'], `deleting ref ${ref}`, { operands: [ref] });
  }

  /** Deletes the objects no ref reaches (with `dryRun` only counts them); returns what ostree says they take. */
  async prune(opts: { dryRun?: boolean } = {}): Promise<{ objects: number; bytes: number }> {
    const said = await this.ostree(['prune', '--refs-only', ...(opts.dryRun ? ['--no-prune'] : [])], `pruning ${this.dir}`);
    // "Deleted 3 objects, 185 bytes freed", "Would delete: 3 objects, freeing 1.2 kB" (GLib's decimal units)
    const m = /(\d+) objects?, (?:freeing )?([\d.]+) (bytes?|[kMGTP]B)/.exec(said);
    if (!m) return { objects: 0, bytes: 0 };
    const unit = m[3].startsWith('byte') ? 1 : 1000 ** ('kMGTP'.indexOf(m[3][0]) + 1);
    return { objects: Number(m[1]), bytes: Math.round(Number(m[2]) * unit) };
  }

  /** `ostree fsck`: throws with its complaint when the repo is damaged. */
  async fsck(): Promise<void> {
    await this.ostree(['fsck', '--quiet'], `checking ${this.dir}`);
  }

  async remotes(): Promise<Remote[]> {
    const out = await this.ostree(['remote', 'list', '--show-urls'], 'listing remotes');
    return out
      .split('\n')
      .filter(Boolean)
      .map((line) => {
        const [name, url] = line.trim().split(/\s+/);
        return { name: name, url: url ?? '' };
      });
  }

  /** OSTree remotes are added without GPG checking, as MaPS adds them: jetpack's runtimes are not signed. */
  async addRemote(name: string, url: string): Promise<void> {
    await this.ostree(['remote', 'add', '--no-gpg-verify'], `adding remote ${name}`, { operands: [name, url] });
  }

  async deleteRemote(name: string): Promise<void> {
    await this.ostree(['remote', 'delete'], `deleting remote ${name}`, { operands: [name] });
  }

  /** The refs a remote offers (from its summary), each with its commit. */
  async remoteRefs(remote: string): Promise<Map<string, string>> {
    const out = await this.ostree(['remote', 'summary'], `reading the summary of remote ${remote}`, { operands: [remote] });
    const refs = new Map<string, string>();
    for (const m of out.matchAll(/^\* (\S+)\n\s+Latest Commit[^\n]*\n\s+([0-9a-f]{64})$/gm)) refs.set(m[1], m[2]);
    return refs;
  }
}
