import { UserError } from '../errors.js';
import type { CommitDescription } from '../ostree/commit-text.js';
import type { OstreeRepo } from '../ostree/ostree.js';
import { validateRuntimeName } from '../ostree/runtime-name.js';
import { UPLOAD_METADATA } from './client.js';

/**
 * The steps of a publish, in order, as the server's test hook names them
 * (JETPACK_UPLOAD_SERVER_PAUSE, server.ts): after the tarball check (`importing`), with the
 * commit's objects written but no ref (`committing`), with the ref set but not the summary
 * (`summary`), and published but not yet recorded (`recording`).
 */
export type PublishPhase = 'importing' | 'committing' | 'summary' | 'recording';
export type PhaseHook = (phase: PublishPhase) => Promise<void>;

/** Text that reaches ostree's command line: no NUL, no control character but tab and newline. */
// eslint-disable-next-line no-control-regex -- the control characters ostree's command line must not receive
const TEXT = /^[^\0-\x08\x0b-\x1f\x7f]*$/;
// eslint-disable-next-line no-control-regex -- the control characters ostree's command line must not receive
const METADATA_KEY = /^[A-Za-z0-9_][^\0-\x1f\x7f=]{0,255}$/;
const REF = /^[A-Za-z0-9_][A-Za-z0-9._-]*(\/[A-Za-z0-9_][A-Za-z0-9._-]*)*$/;
const CHECKSUM = /^[0-9a-f]{64}$/;

function checkText(value: string, what: string): void {
  if (!TEXT.test(value)) throw new UserError(`${what} holds a NUL or control character`);
  if (value.length > 65536) throw new UserError(`${what} is longer than 64 KiB`);
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
    typeof d === 'object' &&
    d !== null &&
    Array.isArray(d.metadata) &&
    d.metadata.length <= 256 &&
    d.metadata.every((p) => Array.isArray(p) && p.length === 2 && strings(p)) &&
    strings(d.refBinding) &&
    d.refBinding.length <= 16 &&
    typeof d.subject === 'string' &&
    typeof d.body === 'string' &&
    Number.isSafeInteger(d.timestamp) &&
    d.timestamp! >= 0;
  if (!ok) throw new UserError('the upload\'s "commit" metadata is malformed');
  checkText(d.subject!, 'the commit subject');
  checkText(d.body!, 'the commit body');
  for (const [key, value] of d.metadata!) {
    if (!METADATA_KEY.test(key))
      throw new UserError(`commit metadata key ${JSON.stringify(key)} is not allowed (letters, digits, "_" first; no "=", no control characters)`);
    // ostree's own keys (ostree.ref-binding, ostree.collection-binding…) are ostree's to write.
    if (key.startsWith('ostree.')) throw new UserError(`commit metadata key ${JSON.stringify(key)} is ostree's own`);
    checkText(value, `commit metadata ${key}`);
  }
  for (const ref of d.refBinding!) if (!REF.test(ref)) throw new UserError(`the commit is bound to ${JSON.stringify(ref)}, which is not a ref name`);
  return d as CommitDescription;
}

/** The values of a creation request the server keeps (others, such as MaPS's `authentication`, are dropped). */
export interface UploadMetadata {
  ref: string;
  checksum?: string;
  description?: CommitDescription;
}

/** Checks an upload's metadata before any byte is accepted: the ref, and the checksum and description when a client sends them. */
export function checkUploadMetadata(meta: Record<string, string | null | undefined>): UploadMetadata {
  const ref = meta[UPLOAD_METADATA.runtime] ?? '';
  checkText(ref, 'the runtime name');
  if (!REF.test(ref)) throw new UserError(`runtime name ${JSON.stringify(ref)} is not a ref name`);
  validateRuntimeName(ref);
  const checksum = meta[UPLOAD_METADATA.checksum] ?? undefined;
  if (checksum === undefined) return { ref };
  if (!CHECKSUM.test(checksum)) throw new UserError(`${JSON.stringify(checksum)} is not a commit checksum`);
  const description = parseDescription(meta[UPLOAD_METADATA.commit]);
  const foreign = description.refBinding.find((bound) => bound !== ref);
  if (foreign !== undefined) throw new UserError(`the commit is bound to ${JSON.stringify(foreign)}, not to ${ref}`);
  return { ref, checksum, description };
}

/**
 * Makes the uploaded commit in `repo` from the tarball and its description, and sets `ref`
 * to it only when ostree computes the checksum the client claimed: then the tree, metadata
 * and time are exactly the client's. A mismatch leaves no ref (the orphan objects are pruned).
 * Run again after a crash, it makes the same commit and sets the same ref.
 */
export async function importCommit(
  repo: OstreeRepo,
  file: string,
  ref: string,
  checksum: string,
  description: CommitDescription,
  opts: { skipList?: string; at: PhaseHook },
): Promise<void> {
  const made = await repo.commit({
    target: { bindRefs: description.refBinding },
    tree: { tar: file },
    skipList: opts.skipList,
    subject: description.subject,
    body: description.body,
    timestamp: description.timestamp,
    strings: description.metadata,
  });
  if (made !== checksum) {
    await repo.prune();
    throw new UserError(`checksum mismatch: the tarball and metadata make commit ${made}, not ${checksum}`);
  }
  await opts.at('committing');
  await repo.setRef(ref, checksum);
  await opts.at('summary');
  await repo.updateSummary();
}

/** Commits a MaPS client's upload (a tarball of its checkout, no checksum) as a new commit of `ref`. */
export async function importTree(repo: OstreeRepo, file: string, ref: string, prefix: string, opts: { skipList?: string; at: PhaseHook }): Promise<string> {
  const checksum = await repo.commit({
    target: { branch: ref },
    tree: { tar: file },
    tarPrefix: prefix,
    skipList: opts.skipList,
    subject: `uploaded by a MaPS client`,
    strings: [['version', ref.split('/')[2] ?? '']],
  });
  await opts.at('summary');
  await repo.updateSummary();
  return checksum;
}
