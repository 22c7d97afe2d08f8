import { UserError } from '../errors.js';
import type { OstreeRepo } from '../ostree/ostree.js';
import type { ExpansionLimits } from '../archive/limits.js';
import { checkTreeTarball } from '../archive/tree-entries.js';
import { rm, writeFile } from 'node:fs/promises';
import { checkUploadMetadata, importCommit, importTree, type PhaseHook } from './publish.js';
import type { Outcome, Outcomes, Owners } from './server-state.js';
import { specialMembers } from './special-members.js';

/** A refusal with its HTTP status (403: another user's ref; 422: what the upload holds). */
export class PublishRefusal extends UserError {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export interface CompleteUpload {
  id: string;
  owner: string;
  size: number;
  metadata: Record<string, string | null | undefined>;
}

export interface PublisherOptions {
  repo: OstreeRepo;
  owners: Owners;
  outcomes: Outcomes;
  /** The upload's bytes. */
  fileOf(id: string): string;
  /** Removes the upload's bytes and tus record, once its outcome is recorded. */
  removeUpload(id: string): Promise<void>;
  log(line: string): void;
  at: PhaseHook;
  /** How far an upload's tarball may expand (its members' sizes, sparse ones in full, and count). */
  limits: ExpansionLimits;
}

/**
 * Publishes each complete upload exactly once: one publish per upload at a time (a second
 * finish of the same upload is told so), one import at a time per repo, and an outcome
 * recorded durably before the upload's bytes are removed. After a crash, `recover` publishes
 * again what was complete but not recorded: every step is idempotent (the same commit, the
 * same ref), so a publish cut anywhere is finished, or fails and is recorded as failed.
 */
export class Publisher {
  private readonly running = new Map<string, Promise<Outcome>>();
  private imports: Promise<unknown> = Promise.resolve();

  constructor(private readonly o: PublisherOptions) {}

  isPublishing(id: string): boolean {
    return this.running.has(id);
  }

  /** Starts publishing `upload`; undefined when it is being published already. */
  publish(upload: CompleteUpload): Promise<Outcome> | undefined {
    if (this.running.has(upload.id)) return undefined;
    const outcome = this.run(upload).finally(() => this.running.delete(upload.id));
    this.running.set(upload.id, outcome);
    return outcome;
  }

  private serially<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.imports.then(fn, fn);
    this.imports = next.catch(() => {});
    return next;
  }

  private async run(upload: CompleteUpload): Promise<Outcome> {
    const start = Date.now();
    const base = { owner: upload.owner, ref: upload.metadata.runtime ?? '', size: upload.size };
    let outcome: Outcome;
    try {
      const commit = await this.serially(() => this.importUpload(upload));
      outcome = { ...base, state: 'published', commit, importSeconds: (Date.now() - start) / 1000 };
    } catch (err) {
      const status = err instanceof PublishRefusal ? err.status : err instanceof UserError ? 422 : 500;
      outcome = { ...base, state: 'failed', status, why: (err as Error).message };
    }
    await this.o.at('recording');
    await this.o.outcomes.set(upload.id, outcome);
    await this.o.removeUpload(upload.id).catch(() => {});
    if (outcome.state === 'published') this.o.log(`published ${outcome.ref} at ${outcome.commit} for ${outcome.owner}`);
    return outcome;
  }

  private async importUpload(upload: CompleteUpload): Promise<string> {
    const { ref, checksum, description } = checkUploadMetadata(upload.metadata);
    const owner = await this.o.owners.get(ref);
    if (owner && owner !== upload.owner) throw new PublishRefusal(403, `${ref} belongs to ${owner}`);
    const file = this.o.fileOf(upload.id);
    await this.o.at('importing');
    const { prefix } = await checkTreeTarball(file, { noDevices: false, limits: this.o.limits, what: 'the upload' });
    const special = await specialMembers(file, prefix);
    const skipList = special.length ? `${file}.skip` : undefined;
    if (skipList) {
      await writeFile(skipList, special.map((p) => `${p}\n`).join(''), { mode: 0o600 });
      this.o.log(
        `leaving out ${special.length} device node(s) or FIFO(s) of ${ref} (${special.slice(0, 4).join(', ')}${special.length > 4 ? ', …' : ''}): OSTree stores none`,
      );
    }
    try {
      let commit: string;
      if (checksum && description) {
        await importCommit(this.o.repo, file, ref, checksum, description, { skipList, at: this.o.at });
        commit = checksum;
      } else {
        commit = await importTree(this.o.repo, file, ref, prefix, { skipList, at: this.o.at }); // MaPS's client sends no checksum
      }
      await this.o.owners.set(ref, upload.owner);
      return commit;
    } finally {
      if (skipList) await rm(skipList, { force: true });
    }
  }

  /** Publishes, one by one, the complete uploads a killed server left without an outcome. */
  recover(uploads: CompleteUpload[]): void {
    for (const upload of uploads) {
      this.o.log(`publishing ${upload.metadata.runtime ?? '-'} for ${upload.owner}: complete when the server stopped`);
      void this.publish(upload);
    }
  }
}
