import { UserError } from '../errors.js';
import type { OstreeRepo } from '../ostree/ostree.js';
import { LOCAL_REMOTE, parseQualifiedRef } from '../ostree/runtime-name.js';

/** A runtime found in the repo or on a remote. */
export interface LocatedRuntime {
  /** The remote it comes from, or undefined for a ref committed here. */
  remote?: string;
  ref: string;
}

/** The ref as the repo names it: `remote:ref`, or `ref` for a local one. */
export function repoRef(rt: LocatedRuntime): string {
  return rt.remote ? `${rt.remote}:${rt.ref}` : rt.ref;
}

/** `remote:ref`, with `_local` for refs committed here (MaPS's name for them). */
export function displayRef(rt: LocatedRuntime): string {
  return `${rt.remote ?? LOCAL_REMOTE}:${rt.ref}`;
}

/** Each path component of a ref must be one ostree accepts, so that it can also name a directory. */
function checkRefPath(ref: string): void {
  if (!ref.split('/').every((p) => /^[\w\d][-._\w\d]*$/.test(p))) throw new UserError(`"${ref}" is not a valid OSTree ref`);
}

/**
 * Finds what `text` names, as MaPS does: `remote:ref` explicitly; else a ref committed here;
 * else a ref already pulled from exactly one remote; else the remotes that offer it (asked
 * over the network). Two candidates are an error that lists them.
 */
export async function locateRuntime(repo: OstreeRepo, text: string, opts: { askRemotes: boolean }): Promise<LocatedRuntime> {
  const { remote, ref } = parseQualifiedRef(text);
  checkRefPath(ref);
  if (remote === LOCAL_REMOTE) return { ref };
  const exists = await repo.exists();
  const remotes = exists ? await repo.remotes() : [];
  if (remote) {
    if (!remotes.some((r) => r.name === remote)) throw new UserError(`no remote "${remote}" (jetpack runtime remote list)`);
    return { remote, ref };
  }
  const refs = exists ? await repo.refs() : [];
  if (refs.includes(ref)) return { ref };
  const pulled = refs.filter((r) => r.endsWith(`:${ref}`)).map((r) => r.slice(0, r.indexOf(':')));
  if (pulled.length === 1) return { remote: pulled[0], ref };
  const asked =
    pulled.length || !opts.askRemotes
      ? { offering: pulled, unreachable: [] }
      : await remotesOffering(
          repo,
          remotes.map((r) => r.name),
          ref,
        );
  const candidates = asked.offering;
  if (candidates.length === 1) return { remote: candidates[0], ref };
  if (candidates.length > 1) throw new UserError(`runtime ${ref} is offered by several remotes (${candidates.join(', ')}): name one as REMOTE:${ref}`);
  const where = opts.askRemotes ? ' nor offered by any remote' : ' nor pulled from a remote';
  const unreachable = asked.unreachable.length ? `; could not ask ${asked.unreachable.join(', ')}` : '';
  throw new UserError(`no runtime ${ref}: not committed here${where}${unreachable} (jetpack runtime list)`);
}

async function remotesOffering(repo: OstreeRepo, remotes: string[], ref: string): Promise<{ offering: string[]; unreachable: string[] }> {
  const answers = await Promise.all(
    remotes.map((name) =>
      repo.remoteRefs(name).then(
        (refs) => ({ name, offers: refs.has(ref) }),
        () => ({ name, offers: undefined }),
      ),
    ),
  );
  return {
    offering: answers.filter((a) => a.offers === true).map((a) => a.name),
    unreachable: answers.filter((a) => a.offers === undefined).map((a) => a.name),
  };
}
