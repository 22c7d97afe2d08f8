import { UserError } from '../../errors.js';
import type { RepoMode } from '../../ostree/ostree.js';
import { flagString, type FlagSpec, type ParsedFlags } from '../flags.js';

/** The OSTree repo flags of the runtime and upload commands. */
export const REPO_FLAG: FlagSpec = { name: 'repo', kind: 'string', value: 'DIR', help: 'the OSTree repo (default <store>/ostree/repo, created on first use)' };
export const MODE_FLAG: FlagSpec = {
  name: 'mode',
  kind: 'string',
  value: 'bare|archive',
  help: 'the mode of a repo this command creates (default bare; archive can be served over HTTP as it is)',
};

export function repoChoice(flags: ParsedFlags): { dir?: string; mode?: RepoMode } {
  const mode = flagString(flags, 'mode');
  if (mode !== undefined && mode !== 'bare' && mode !== 'archive') throw new UserError(`-mode takes bare or archive, not "${mode}"`);
  return { dir: flagString(flags, 'repo'), mode: mode };
}
