import { UserError } from '../errors.js';
import type { CommitDescription } from '../ostree/commit-text.js';
import type { OstreeRepo } from '../ostree/ostree.js';

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
