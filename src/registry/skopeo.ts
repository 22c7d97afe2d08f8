import { UserError } from '../errors.js';
import { runShowingProgress } from '../util/process.js';
import { hostUserId, rootless } from '../util/userns.js';

/** How to reach a registry: passed through to skopeo as its own flags. */
export interface TransportOptions {
  /** USER[:PASSWORD] (skopeo --src-creds / --dest-creds). */
  creds?: string;
  /** A containers-auth.json(5) file. */
  authfile?: string;
  /** false: accept any certificate and plain http (--src-tls-verify=false / --dest-tls-verify=false). */
  tlsVerify?: boolean;
}

/** Refuses a value with a NUL or another control character (`what` names it; a secret is not shown): no argument of skopeo's carries one. */
function checkPrintable(what: string, value: string): void {
  // eslint-disable-next-line no-control-regex -- refuses the control characters no skopeo argument carries
  if (/[\x00-\x1f\x7f]/.test(value)) throw new UserError(`${what} has a control character, which skopeo takes in no argument`);
}

/** A containers-transports(5) location skopeo takes: docker://, oci:, oci-archive:, docker-archive:, dir: … */
export function checkTransport(location: string): void {
  checkPrintable(`location ${JSON.stringify(location)}`, location);
  if (!/^(docker|oci|oci-archive|docker-archive|docker-daemon|containers-storage|dir):/.test(location)) {
    throw new UserError(`${JSON.stringify(location)} is not a location skopeo takes (docker://HOST/REPO:TAG, oci:DIR:TAG, …; containers-transports(5))`);
  }
}

/**
 * skopeo's environment: for an ordinary user, in jetpack's user namespace, the variable
 * podman sets in its own (containers/image reads it), so skopeo takes the user's files
 * (~/.local/share/containers/sigstore, $XDG_RUNTIME_DIR/containers/auth.json), not root's
 * /var/lib/containers, which uid 0 of the namespace cannot read.
 */
function skopeoEnv(): NodeJS.ProcessEnv | undefined {
  return rootless() ? { ...process.env, _CONTAINERS_ROOTLESS_UID: String(hostUserId()) } : undefined;
}

/**
 * `skopeo copy SRC DEST`, the registry side's flags from `opts`; skopeo's progress lines go to
 * jetpack's stderr ("Copying blob … skipped: already exists" for what the registry has).
 */
export async function skopeoCopy(src: string, dest: string, registrySide: 'src' | 'dest', opts: TransportOptions): Promise<void> {
  const args = ['copy'];
  // Each value joined to its flag, and the locations after "--": nothing given is read as an option.
  if (opts.authfile) args.push(`--authfile=${opts.authfile}`);
  if (opts.creds) args.push(`--${registrySide}-creds=${opts.creds}`);
  if (opts.tlsVerify === false) args.push(`--${registrySide}-tls-verify=false`);
  checkPrintable('-authfile', opts.authfile ?? '');
  checkPrintable('-creds', opts.creds ?? '');
  for (const location of [src, dest]) checkPrintable(`location ${JSON.stringify(location)}`, location);
  args.push('--', src, dest);
  const { status, stderr } = await runShowingProgress('skopeo', args, skopeoEnv());
  if (status === 0) return;
  const said =
    stderr
      .trim()
      .split('\n')
      .filter(Boolean)
      .pop()
      ?.replace(/^time="[^"]*" level=\w+ msg="?/, '')
      .replace(/"$/, '') ?? `status ${status}`;
  throw new UserError(`skopeo copy ${src} ${dest} failed: ${said}`);
}
