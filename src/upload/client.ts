import { createReadStream } from 'node:fs';
import { createHash } from 'node:crypto';
import { mkdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { UserError } from '../errors.js';
import type { OstreeRepo } from '../ostree/ostree.js';
import { parseQualifiedRef, validateRuntimeName } from '../ostree/runtime-name.js';
import { writeTextFile } from '../util/output-file.js';
import { Progress } from '../util/progress.js';
import { commitArtifact } from './artifact.js';
import { basicAuthorization, type Credentials } from './credentials.js';
import { ifExists } from '../util/fs.js';

/** The upload's metadata keys (tus Upload-Metadata). MaPS sends `runtime` too. */
export const UPLOAD_METADATA = {
  runtime: 'runtime',
  checksum: 'checksum',
  /** JSON of the CommitDescription: what the server commits the tree with. */
  commit: 'commit',
} as const;

export interface UploadRequest {
  /** TUSTARGET: the server's URL; the tus endpoint is `<url>/files/`. */
  target: string;
  credentials: Credentials;
  repo: OstreeRepo;
  ref: string;
  /** Where artifacts and remembered upload URLs live (the store's uploads/). */
  cacheDir: string;
  chunkSize: number;
  log: (line: string) => void;
}

export interface UploadResult {
  ref: string;
  commit: string;
  /** Bytes this run sent (an upload resumed sends only the rest). */
  sent: number;
  size: number;
  /** Where a resumed upload started, or 0. */
  resumedAt: number;
  /** Seconds from the first byte sent to the last (the server's import after it not counted). */
  transferSeconds: number;
}

/**
 * Upload URLs by (server, ref, commit), so that the next run resumes instead of starting
 * again: one small file each (several uploads may run at once from one store).
 */
class UploadUrls {
  constructor(private readonly dir: string) {}
  private file(key: string): string {
    return path.join(this.dir, `url-${createHash('sha256').update(key).digest('hex').slice(0, 32)}`);
  }
  async get(key: string): Promise<string | undefined> {
    return ((await ifExists(readFile(this.file(key), 'utf8'))) ?? '').trim() || undefined;
  }
  async set(key: string, url: string | undefined): Promise<void> {
    if (url === undefined) return rm(this.file(key), { force: true });
    await writeTextFile(this.file(key), `${url}\n`, 0o600);
  }
}

/**
 * tus-js-client's file source for Node, with 1 MiB reads instead of fs's 64 KiB: each read
 * also passes its progress stream, and at 64 KiB the client, not the network, was the limit
 * (docs/BENCHMARKS.md). `slice` returns a stream of the range, as the built-in one does.
 */
function fileSource(file: string, size: number) {
  return {
    size,
    // eslint-disable-next-line @typescript-eslint/require-await -- tus-js-client takes a promise, and a range createReadStream refuses must reach it as a rejection
    async slice(start: number, end: number) {
      const stream = Object.assign(createReadStream(file, { start, end: Math.min(end, size) - 1, highWaterMark: 1 << 20 }), {
        size: Math.min(end, size) - start,
      });
      return { value: stream, done: end >= size };
    },
    close() {},
  };
}

function endpointOf(target: string): string {
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    throw new UserError(`TUSTARGET "${target}" is not a URL (e.g. https://maps-upload-server.example.com)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UserError(`TUSTARGET "${target}" must be an http:// or https:// URL`);
  return `${target.replace(/\/+$/, '')}/files/`;
}

/** One line for what went wrong, from tus-js-client's error and the server's answer. */
function uploadFailure(err: unknown, target: string): UserError {
  const res = (err as { originalResponse?: { getStatus(): number; getBody(): string } | null }).originalResponse;
  if (res) {
    const status = res.getStatus();
    const said = (res.getBody() ?? '').trim().split('\n')[0];
    if (status === 401) return new UserError(`${target} refused the credentials in MTDAUTH (401)`);
    return new UserError(`${target} refused the upload (${status}${said ? `: ${said}` : ''})`);
  }
  const why = ((err as Error).message ?? String(err)).split('\n')[0].replace(/^tus: /, '');
  return new UserError(`upload to ${target} failed: ${why}; run jetpack upload again to resume`);
}

/** What the server says of an upload it received whole (server.ts, PUBLISH_HEADERS). */
type PublishState =
  | { state: 'published'; ref: string; commit: string; importSeconds: number }
  | { state: 'failed'; why: string }
  | { state: 'publishing' }
  | { state: 'unconfirmed'; status: number };

function publishStateOf(status: number, header: (name: string) => string | null | undefined): PublishState {
  const state = header('Jetpack-Publish');
  if (state === 'published')
    return { state, ref: header('Jetpack-Ref') ?? '', commit: header('Jetpack-Commit') ?? '', importSeconds: Number(header('Jetpack-Import-Seconds')) || 0 };
  if (state === 'failed') return { state, why: header('Jetpack-Failure') ?? `${status}` };
  if (state === 'publishing') return { state };
  return { state: 'unconfirmed', status };
}

async function askPublishState(url: string, credentials: Credentials): Promise<PublishState> {
  const res = await fetch(url, {
    method: 'HEAD',
    headers: { 'Tus-Resumable': '1.0.0', Authorization: basicAuthorization(credentials) },
    signal: AbortSignal.timeout(30_000),
  });
  return publishStateOf(res.status, (name) => res.headers.get(name));
}

/**
 * Waits until the server has published the upload at `url` or failed it: it publishes after
 * the last byte, and after a restart it finishes what it had received whole. A server that
 * does not answer for a minute leaves the question to the next `jetpack upload`.
 */
type Decided = Exclude<PublishState, { state: 'publishing' }>;

async function confirmedState(url: string, credentials: Credentials, first: PublishState): Promise<Decided> {
  let state = first;
  for (let unreachable = 0; state.state === 'publishing';) {
    await sleep(1000);
    try {
      state = await askPublishState(url, credentials);
      unreachable = 0;
    } catch (err) {
      if (++unreachable >= 60)
        throw new UserError(`the server did not answer whether it published the upload (${(err as Error).message}); run jetpack upload again`, 1, {
          cause: err,
        });
    }
  }
  return state;
}

/**
 * Uploads a runtime committed here to a tus server (tus 1.0: creation, then PATCH in chunks),
 * resuming from the server's offset when an earlier run was interrupted. Returns what the
 * server published: success only on the server's word that it published this commit.
 */
export async function uploadRuntime(req: UploadRequest): Promise<UploadResult> {
  const endpoint = endpointOf(req.target);
  if (parseQualifiedRef(req.ref).remote) throw new UserError(`only runtimes committed here can be uploaded, not ${req.ref}`);
  validateRuntimeName(req.ref);
  await req.repo.mustExist();
  const checksum = await req.repo.resolve(req.ref);
  if (!checksum) throw new UserError(`no runtime ${req.ref} in ${req.repo.dir} (jetpack runtime list)`);
  await mkdir(req.cacheDir, { recursive: true, mode: 0o700 });
  const artifact = await commitArtifact(req.repo, checksum, req.cacheDir);
  const urls = new UploadUrls(req.cacheDir);
  const key = `${endpoint} ${req.ref} ${checksum} ${artifact.size}`;
  const remembered = await urls.get(key);
  // An earlier run that sent everything: the server says what became of it, nothing is sent again.
  const earlier = remembered === undefined ? undefined : await askPublishState(remembered, req.credentials).catch(() => undefined);
  let sent = 0;
  let resumedAt = 0;
  let started: number | undefined;
  let answered = Date.now();
  let state: PublishState;
  let url = remembered;
  if (earlier && earlier.state !== 'unconfirmed') {
    state = earlier;
  } else {
    const { Upload } = await import('tus-js-client');
    const progress = new Progress(`uploading ${req.ref}`, { total: artifact.size });
    let shown = 0;
    state = await new Promise<PublishState>((resolve, reject) => {
      const upload = new Upload(artifact.file as unknown as File, {
        endpoint,
        fileReader: { openFile: () => Promise.resolve(fileSource(artifact.file, artifact.size)) },
        uploadSize: artifact.size,
        uploadUrl: remembered ?? null,
        chunkSize: req.chunkSize,
        retryDelays: [0, 1000, 3000, 5000],
        storeFingerprintForResuming: false,
        metadata: { [UPLOAD_METADATA.runtime]: req.ref, [UPLOAD_METADATA.checksum]: checksum, [UPLOAD_METADATA.commit]: JSON.stringify(artifact.description) },
        headers: { Authorization: basicAuthorization(req.credentials) },
        onUploadUrlAvailable: () => {
          url = upload.url ?? undefined;
          void urls.set(key, url);
        },
        onBeforeRequest: (r) => {
          if (r.getMethod() === 'PATCH') started ??= Date.now();
        },
        onAfterResponse: (r, res) => {
          const from = Number(r.getHeader('Upload-Offset'));
          if (r.getMethod() === 'HEAD' && res.getStatus() < 300) resumedAt = Number(res.getHeader('Upload-Offset')) || 0;
          if (r.getMethod() === 'PATCH' && res.getStatus() < 300) sent += Number(res.getHeader('Upload-Offset') ?? from) - from;
        },
        onProgress: (bytes) => {
          progress.add(bytes - shown);
          shown = bytes;
        },
        onSuccess: ({ lastResponse }) => resolve(publishStateOf(lastResponse.getStatus(), (name) => lastResponse.getHeader(name))),
        onError: reject,
      });
      upload.start();
    }).catch(async (err: unknown) => {
      progress.fail();
      const status = (err as { originalResponse?: { getStatus(): number } | null }).originalResponse?.getStatus() ?? 0;
      if (status >= 400 && status < 500 && ![401, 409, 423].includes(status)) await urls.set(key, undefined); // refused for good: the next run starts afresh
      throw uploadFailure(err, req.target);
    });
    answered = Date.now();
    progress.finish();
  }
  const decided = await confirmedState(url!, req.credentials, state);
  if (decided.state === 'unconfirmed')
    throw new UserError(`${req.target} took the upload but did not confirm that it published ${req.ref} (${decided.status}); run jetpack upload again`);
  await urls.set(key, undefined);
  if (decided.state === 'failed') throw new UserError(`${req.target} refused the upload (${decided.why})`);
  await rm(artifact.file, { force: true }); // kept only for as long as an upload may resume
  if (decided.commit !== checksum) throw new UserError(`${req.target} published ${decided.commit}, not ${checksum}`);
  if (resumedAt) req.log(`resumed the upload at ${resumedAt} of ${artifact.size} bytes`);
  return {
    ref: decided.ref || req.ref,
    commit: checksum,
    sent,
    size: artifact.size,
    resumedAt,
    transferSeconds: started === undefined ? 0 : Math.max(0, (answered - started) / 1000 - decided.importSeconds),
  };
}
