import { pipeline } from 'node:stream/promises';
import { UserError } from '../errors.js';
import { decompressedFile, detectFileCompression } from '../archive/compression.js';
import { TarReader } from '../archive/tar-reader.js';
import { refuseEntry, TreeEntryChecker } from '../archive/tree-entries.js';
import type { CommitDescription } from '../ostree/commit-text.js';
import type { OstreeRepo } from '../ostree/ostree.js';

function commonStart(a: string[], b: string[]): string[] {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return a.slice(0, i);
}

/**
 * Checks an uploaded tarball of a tree before ostree reads it: the same refusals as an
 * ACI's rootfs (`..`, absolute names, links out of the tree, members beneath a symlink), and
 * no device nodes or FIFOs, which OSTree cannot hold. Returns the directory every member
 * lies in (MaPS's client archives its checkout by its full path), "" when there is none.
 */
export async function checkTreeTarball(file: string): Promise<string> {
  const compression = await detectFileCompression(file);
  const checker = new TreeEntryChecker('');
  let prefix: string[] | undefined;
  const reader = new TarReader({
    onEntry: (entry) => {
      checker.check(entry);
      if (['char', 'block', 'fifo'].includes(entry.type)) throw refuseEntry(entry, 'OSTree stores no device nodes or FIFOs');
      const dirs = (entry.type === 'directory' ? entry.path : entry.path.split('/').slice(0, -1).join('/')).split('/');
      prefix = prefix === undefined ? dirs : commonStart(prefix, dirs);
    },
    wantData: () => 0,
    onData: () => {},
  });
  await pipeline(decompressedFile(file, compression), reader.writable()).catch((err: unknown) => {
    if (err instanceof UserError) throw err;
    throw new UserError(`not a readable tarball: ${(err as Error).message}`);
  });
  return (prefix ?? []).filter(Boolean).join('/');
}

/** A CommitDescription as the upload's metadata carried it (JSON), checked field by field. */
export function parseDescription(text: string | undefined | null): CommitDescription {
  let d: Partial<CommitDescription>;
  try {
    d = JSON.parse(text ?? '') as Partial<CommitDescription>;
  } catch {
    throw new UserError('the upload has no valid "commit" metadata (JSON)');
  }
  const strings = (v: unknown) => Array.isArray(v) && v.every((s) => typeof s === 'string');
  const ok =
    Array.isArray(d.metadata) &&
    d.metadata.every((p) => Array.isArray(p) && p.length === 2 && strings(p)) &&
    strings(d.refBinding) &&
    typeof d.subject === 'string' &&
    typeof d.body === 'string' &&
    Number.isSafeInteger(d.timestamp) &&
    d.timestamp! >= 0;
  if (!ok) throw new UserError('the upload\'s "commit" metadata is malformed');
  return d as CommitDescription;
}

/**
 * Makes the uploaded commit in `repo` from the tarball and its description, and sets `ref`
 * to it only when ostree computes the checksum the client claimed: then the tree, metadata
 * and time are exactly the client's. A mismatch leaves no ref (the orphan objects are pruned).
 */
export async function importCommit(repo: OstreeRepo, file: string, ref: string, checksum: string, description: CommitDescription): Promise<void> {
  const made = await repo.commit({
    target: { bindRefs: description.refBinding },
    tree: { tar: file },
    subject: description.subject,
    body: description.body,
    timestamp: description.timestamp,
    strings: description.metadata,
  });
  if (made !== checksum) {
    await repo.prune();
    throw new UserError(`checksum mismatch: the tarball and metadata make commit ${made}, not ${checksum}`);
  }
  await repo.setRef(ref, checksum);
  await repo.updateSummary();
}

/** Commits a MaPS client's upload (a tarball of its checkout, no checksum) as a new commit of `ref`. */
export async function importTree(repo: OstreeRepo, file: string, ref: string, prefix: string): Promise<string> {
  const checksum = await repo.commit({
    target: { branch: ref },
    tree: { tar: file },
    tarPrefix: prefix,
    subject: `uploaded by a MaPS client`,
    strings: [['version', ref.split('/')[2] ?? '']],
  });
  await repo.updateSummary();
  return checksum;
}
