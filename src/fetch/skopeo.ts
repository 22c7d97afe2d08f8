import { spawn } from 'node:child_process';
import { UserError } from '../errors.js';
import { diesWithJetpack, exitStatus, notInstalled } from '../util/process.js';

/** How to reach a registry: passed through to skopeo as its own flags. */
export interface TransportOptions {
  /** USER[:PASSWORD] (skopeo --src-creds / --dest-creds). */
  creds?: string;
  /** A containers-auth.json(5) file. */
  authfile?: string;
  /** false: accept any certificate and plain http (--src-tls-verify=false / --dest-tls-verify=false). */
  tlsVerify?: boolean;
}

/** A containers-transports(5) location skopeo takes: docker://, oci:, oci-archive:, docker-archive:, dir: … */
export function checkTransport(location: string): void {
  if (!/^(docker|oci|oci-archive|docker-archive|docker-daemon|containers-storage|dir):/.test(location)) {
    throw new UserError(`"${location}" is not a location skopeo takes (docker://HOST/REPO:TAG, oci:DIR:TAG, …; containers-transports(5))`);
  }
}

/**
 * `skopeo copy SRC DEST`, the registry side's flags from `opts`; skopeo's progress lines go to
 * jetpack's stderr ("Copying blob … skipped: already exists" for what the registry has).
 */
export async function skopeoCopy(src: string, dest: string, registrySide: 'src' | 'dest', opts: TransportOptions): Promise<void> {
  const args = ['copy'];
  if (opts.authfile) args.push(`--authfile=${opts.authfile}`);
  if (opts.creds) args.push(`--${registrySide}-creds=${opts.creds}`);
  if (opts.tlsVerify === false) args.push(`--${registrySide}-tls-verify=false`);
  args.push(src, dest);
  await new Promise<void>((resolve, reject) => {
    const child = spawn(...diesWithJetpack('skopeo', args), { stdio: ['ignore', 2, 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', (err) => reject(new UserError(`cannot run skopeo: ${err.message}`)));
    child.on('close', (code, signal) => {
      const status = exitStatus(code, signal);
      if (status === 0) return resolve();
      if (status === 127 && /not found/.test(stderr)) return reject(notInstalled('skopeo'));
      const said = stderr.trim().split('\n').filter(Boolean).pop()?.replace(/^time="[^"]*" level=\w+ msg="?/, '').replace(/"$/, '') ?? `status ${status}`;
      reject(new UserError(`skopeo copy ${src} ${dest} failed: ${said}`));
    });
  });
}
