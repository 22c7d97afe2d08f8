import { createReadStream } from 'node:fs';
import { createHash } from 'node:crypto';
import { mkdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { UserError } from '../errors.js';
import type { OstreeRepo } from '../ostree/ostree.js';
import { parseQualifiedRef, validateRuntimeName } from '../runtime/name.js';
import { writeTextFile } from '../util/output-file.js';
import { Progress } from '../util/progress.js';
import { commitArtifact } from './artifact.js';
import { basicAuthorization, type Credentials } from './credentials.js';

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
    return (await readFile(this.file(key), 'utf8').catch(() => '')).trim() || undefined;
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
    async slice(start: number, end: number) {
      const stream = Object.assign(createReadStream(file, { start, end: Math.min(end, size) - 1, highWaterMark: 1 << 20 }), { size: Math.min(end, size) - start });
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
  const why = ((err as Error).message ?? String(err)).split('\n')[0]!.replace(/^tus: /, '');
  return new UserError(`upload to ${target} failed: ${why}; run jetpack upload again to resume`);
}

/**
 * Uploads a runtime committed here to a tus server (tus 1.0: creation, then PATCH in chunks),
 * resuming from the server's offset when an earlier run was interrupted. Returns what the
 * server published.
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
  const key = `${endpoint} ${req.ref} ${checksum}`;
  const remembered = await urls.get(key);
  const { Upload } = await import('tus-js-client');
  const progress = new Progress(`uploading ${req.ref}`, artifact.size);
  let sent = 0;
  let resumedAt = 0;
  let started: number | undefined;
  let shown = 0;
  const body = await new Promise<string>((resolve, reject) => {
    const upload = new Upload(artifact.file as unknown as File, {
      endpoint,
      fileReader: { openFile: async () => fileSource(artifact.file, artifact.size) },
      uploadSize: artifact.size,
      uploadUrl: remembered ?? null,
      chunkSize: req.chunkSize,
      retryDelays: [0, 1000, 3000, 5000],
      storeFingerprintForResuming: false,
      metadata: { [UPLOAD_METADATA.runtime]: req.ref, [UPLOAD_METADATA.checksum]: checksum, [UPLOAD_METADATA.commit]: JSON.stringify(artifact.description) },
      headers: { Authorization: basicAuthorization(req.credentials) },
      onUploadUrlAvailable: () => void urls.set(key, upload.url ?? undefined),
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
      onSuccess: ({ lastResponse }) => resolve(lastResponse.getBody() ?? ''),
      onError: reject,
    });
    upload.start();
  }).catch((err: unknown) => {
    throw uploadFailure(err, req.target);
  });
  const answered = Date.now();
  progress.finish();
  await urls.set(key, undefined);
  await rm(artifact.file, { force: true }); // kept only for as long as an upload may resume
  const published = (() => {
    try {
      return JSON.parse(body) as { ref?: string; commit?: string; importSeconds?: number };
    } catch {
      return {};
    }
  })();
  if (published.commit !== undefined && published.commit !== checksum) throw new UserError(`${req.target} published ${published.commit}, not ${checksum}`);
  if (resumedAt) req.log(`resumed the upload at ${resumedAt} of ${artifact.size} bytes`);
  return {
    ref: published.ref ?? req.ref,
    commit: checksum,
    sent,
    size: artifact.size,
    resumedAt,
    transferSeconds: started === undefined ? 0 : Math.max(0, (answered - started) / 1000 - (published.importSeconds ?? 0)),
  };
}
