// src/upload/: resumable uploads (tus): client, server, and publishing what arrives into OSTree.
import { mkdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { CommitDescription } from '../ostree/commit-text.js';
import type { OstreeRepo } from '../ostree/ostree.js';
import { pathExists } from '../util/fs.js';
import { writeOutput } from '../util/output-file.js';

/**
 * What an upload sends: the commit's tree as one zstd tarball (OstreeRepo.exportTree), and beside
 * it, in the upload's metadata, what the server needs to make the very same commit from it
 * (docs/RUNTIMES.md, "Publishing"). The server checks that it gets the same checksum.
 */
export interface Artifact {
  file: string;
  size: number;
  checksum: string;
  description: CommitDescription;
}

/** Makes the artifact of `rev` in `cacheDir`, once per commit: a resumed upload must send the same bytes. */
export async function commitArtifact(repo: OstreeRepo, checksum: string, cacheDir: string): Promise<Artifact> {
  const description = await repo.describe(checksum);
  const file = path.join(cacheDir, `${checksum}.pax.tar.zst`); // .tar.zst: the older export, without xattrs
  if (!(await pathExists(file))) {
    const scratch = path.join(cacheDir, `${checksum}.work`);
    await mkdir(scratch, { recursive: true, mode: 0o700 });
    try {
      await writeOutput(file, (fd) => repo.exportTree(checksum, fd, scratch), { durable: true });
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  }
  const { size } = await stat(file);
  return { file, size, checksum, description };
}
