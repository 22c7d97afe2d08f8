import { mkdir, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { UserError } from '../errors.js';
import { OstreeRepo } from '../ostree/ostree.js';
import { run } from '../util/process.js';
import { parseRef, type FlatpakRef } from './metadata.js';
import { ifExists } from '../util/fs.js';

/** Where a runtime comes from: `import-flatpak SOURCE [-repo=PATH|URL]`. */
export interface RuntimeSourceRequest {
  source: string;
  /** A local OSTree repo or an http(s) remote holding SOURCE as a ref. */
  repo?: string;
}

/**
 * Writes the runtime named by the request into `dest` (absent): a directory is copied, a
 * bundle (`flatpak build-bundle --runtime`) is imported into a scratch repo with flatpak and
 * checked out, a ref is checked out of its repo (pulled first from a remote). Returns the
 * ref when the source names one.
 */
export async function checkOutRuntime(req: RuntimeSourceRequest, dest: string, scratch: string, log: (line: string) => void): Promise<FlatpakRef | undefined> {
  if (req.repo !== undefined) {
    const ref = parseRef(req.source, 'runtime');
    const repo = await refRepo(req.repo, req.source, scratch, log);
    const rev = await repo.resolve(req.source);
    if (!rev) throw new UserError(`no ref ${req.source} in ${req.repo}`);
    await repo.checkout(rev, dest, { copy: true });
    return ref;
  }
  const st = await ifExists(stat(req.source));
  if (!st) {
    if (req.source.startsWith('runtime/') || req.source.startsWith('app/')) throw new UserError(`${req.source} is a ref: name its repo with -repo=PATH|URL`);
    throw new UserError(`${req.source}: no such file or directory`);
  }
  if (st.isDirectory()) {
    // The directory's contents, copied into a directory of our own: a SOURCE that is a link is
    // followed once, and nothing done to the copy reaches the source.
    await mkdir(dest);
    await run('cp', ['-a', '--no-target-directory', `${path.resolve(req.source)}/.`, dest], { what: `copying ${req.source}` });
    return undefined;
  }
  // A FIFO or a device would keep flatpak reading forever: a bundle is a file.
  if (!st.isFile()) throw new UserError(`${req.source} is neither a directory nor a regular file: a bundle is a file made by flatpak build-bundle`);
  return checkOutBundle(path.resolve(req.source), dest, scratch, log); // absolute: a name like -x is no option
}

async function refRepo(location: string, ref: string, scratch: string, log: (line: string) => void): Promise<OstreeRepo> {
  if (!/^https?:\/\//.test(location)) {
    const repo = new OstreeRepo(location);
    await repo.mustExist();
    return repo;
  }
  const repo = new OstreeRepo(path.join(scratch, 'pulled'));
  await repo.ensure('archive');
  await repo.addRemote('origin', location);
  log(`pulling ${ref} from ${location}`);
  await repo.pull('origin', ref);
  return repo;
}

async function checkOutBundle(file: string, dest: string, scratch: string, log: (line: string) => void): Promise<FlatpakRef> {
  const repo = new OstreeRepo(path.join(scratch, 'bundle'));
  await repo.ensure('archive');
  log(`reading the bundle ${file}`);
  await run('flatpak', ['build-import-bundle', '--no-update-summary', repo.dir, file], { what: `importing the bundle ${file} (flatpak build-import-bundle)` });
  const refs = await repo.refs();
  if (refs.length !== 1) throw new UserError(`${file}: a bundle holds one ref, this one ${refs.length}`);
  const ref = parseRef(refs[0]);
  if (ref.kind !== 'runtime') throw new UserError(`${file} is the bundle of an application (${refs[0]}), not of a runtime`);
  await repo.checkout(refs[0], dest, { copy: true });
  return ref;
}

/** The top-level names of a checked-out runtime besides metadata, files/ and export/ (a build directory's var/). */
export async function extraTopLevel(dir: string): Promise<string[]> {
  return (await readdir(dir)).filter((n) => !['metadata', 'files', 'export'].includes(n)).sort();
}
