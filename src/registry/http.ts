import { readFileSync } from 'node:fs';
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import { Transform, type Readable } from 'node:stream';
import tls from 'node:tls';
import { UserError } from '../errors.js';
import { formatSize } from './download-defaults.js';

/** How much one download may take: bytes of body, and seconds in all (redirects and body included). */
export interface DownloadLimits {
  maxBytes: number;
  deadlineSeconds: number;
}

/** Images (ACIs, job sources) may be large; discovery pages, signatures and keys are small. */
export type DownloadKind = 'image' | 'meta';

/** The flag that sets each kind's size cap, named in refusals. */
const SIZE_FLAG: Record<DownloadKind, string> = { image: '-max-size', meta: '-max-meta-size' };

/** How jetpack talks to web servers: fetch, import and trust share these. */
export interface HttpOptions {
  /** PEM file of extra certificate authorities (-ca), trusted beside the system's. */
  caFile?: string;
  /** No byte for this long (connecting or mid-download) → the request fails. */
  timeoutSeconds: number;
  /** Whether http:// (and a redirect from https to http) is acceptable. */
  allowHttp: boolean;
  /** Accept any server certificate (-tls-verify=false, as skopeo does). */
  anyCertificate?: boolean;
  limits: Record<DownloadKind, DownloadLimits>;
}

/** Most redirects one download follows. */
export const MAX_REDIRECTS = 10;

export interface HttpResponse {
  /** Where the content came from after redirects. */
  url: string;
  /** The body, failing with a UserError past the size cap, the deadline or the idle timeout. */
  body: Readable;
  /** From Content-Length, when the server sent one. */
  length: number | undefined;
}

const authorities = new Map<string, Buffer[]>();

/**
 * The CAs to pass as `ca` (which replaces Node's defaults): Node's bundled ones, NODE_EXTRA_CA_CERTS's,
 * the one bin/jetpack kept aside as JETPACK_EXTRA_CA_CERTS and -ca's. Undefined when Node's
 * own defaults already hold all of them.
 */
function certificateAuthorities(caFile: string | undefined): Buffer[] | undefined {
  const deferred = process.env.JETPACK_EXTRA_CA_CERTS || undefined;
  if (!caFile && !deferred) return undefined;
  const key = caFile ?? '';
  let cas = authorities.get(key);
  if (!cas) {
    const read = (file: string, what: string): Buffer => {
      try {
        return readFileSync(file);
      } catch (err) {
        throw new UserError(`cannot read ${what} ${file}: ${(err as Error).message}`, 1, { cause: err });
      }
    };
    const files: Array<[string | undefined, string]> = [
      [process.env.NODE_EXTRA_CA_CERTS || undefined, 'NODE_EXTRA_CA_CERTS'],
      [deferred, 'NODE_EXTRA_CA_CERTS'],
      [caFile, '-ca file'],
    ];
    cas = [...tls.rootCertificates.map((c) => Buffer.from(c)), ...files.filter(([file]) => file).map(([file, what]) => read(file!, what))];
    authorities.set(key, cas);
  }
  return cas;
}

/**
 * The one timer of a download: when it fires, whatever is in flight (the request, or the
 * response body) fails with a line naming the limit.
 */
class Deadline {
  private inFlight?: { destroy(err: Error): void };
  private readonly timer: NodeJS.Timeout;
  expired = false;

  constructor(
    private readonly location: string,
    private readonly seconds: number,
    /** What set the limit, for the refusal: the flag, or the cap on small downloads. */
    private readonly setBy: string,
  ) {
    this.timer = setTimeout(() => {
      this.expired = true;
      this.inFlight?.destroy(this.error());
    }, seconds * 1000).unref();
  }

  error(): UserError {
    return new UserError(`cannot download ${this.location}: not done in ${this.seconds} s (${this.setBy})`);
  }

  watch(stream: { destroy(err: Error): void }): void {
    if (this.expired) stream.destroy(this.error());
    this.inFlight = stream;
  }

  clear(): void {
    clearTimeout(this.timer);
  }
}

function requestOnce(url: URL, opts: HttpOptions, deadline: Deadline): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const timeoutMs = opts.timeoutSeconds * 1000;
    const ca = url.protocol === 'https:' ? certificateAuthorities(opts.caFile) : undefined;
    // agent: false, a connection per request: the idle timeout below is set on a socket only this request uses.
    const options = {
      agent: false,
      timeout: timeoutMs,
      headers: { 'user-agent': 'jetpack', accept: '*/*' },
      ...(ca ? { ca } : {}),
      ...(opts.anyCertificate ? { rejectUnauthorized: false } : {}),
    };
    const req = (url.protocol === 'https:' ? https : http).get(url, options, (res) => {
      // The socket's idle timeout keeps watching the body: a server that stalls mid-download fails too.
      res.socket.setTimeout(timeoutMs, () => res.destroy(new Error(`no data for ${opts.timeoutSeconds} s`)));
      deadline.watch(res);
      resolve(res);
    });
    deadline.watch(req);
    req.on('timeout', () => req.destroy(new Error(`no answer in ${opts.timeoutSeconds} s`)));
    req.on('error', reject);
  });
}

function causeOf(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  return e.code && !e.message.includes(e.code) ? `${e.message} (${e.code})` : e.message;
}

/**
 * GETs `location`, following redirects, within the limits of `kind`. Resolves with a 200
 * response whose body the caller reads; any other outcome is a UserError naming the URL and why.
 */
export async function httpGet(location: string, opts: HttpOptions, kind: DownloadKind): Promise<HttpResponse> {
  const limits = opts.limits[kind];
  const capped = kind === 'meta' && limits.deadlineSeconds < opts.limits.image.deadlineSeconds;
  const deadline = new Deadline(location, limits.deadlineSeconds, capped ? 'the most a discovery page, signature or key may take' : '-deadline');
  try {
    const { url, res } = await follow(location, opts, deadline);
    const length = Number(res.headers['content-length']);
    const tooLarge = new UserError(`refusing ${url}: larger than ${formatSize(limits.maxBytes)} (${SIZE_FLAG[kind]})`);
    if (length > limits.maxBytes) {
      res.destroy();
      throw tooLarge;
    }
    let size = 0;
    const capped = new Transform({
      transform(chunk: Buffer, _enc, cb) {
        size += chunk.length;
        cb(size > limits.maxBytes ? tooLarge : null, chunk);
      },
    });
    const body = res.pipe(capped);
    // An error of the response (idle timeout, deadline, reset) fails the body; the body's end, however it comes, ends the timer.
    res.on('error', (err) => capped.destroy(err instanceof UserError ? err : new UserError(`cannot download ${url}: ${causeOf(err)}`)));
    capped.on('close', () => {
      deadline.clear();
      res.destroy();
    });
    return { url, body, length: Number.isSafeInteger(length) ? length : undefined };
  } catch (err) {
    deadline.clear();
    throw err;
  }
}

/** The 200 response at `location` after at most MAX_REDIRECTS redirects, and its URL as messages show it. */
async function follow(location: string, opts: HttpOptions, deadline: Deadline): Promise<{ url: string; res: IncomingMessage }> {
  let url: URL;
  try {
    url = new URL(location);
  } catch {
    throw new UserError(`${location} is not a URL`);
  }
  // The location that redirected to `url`, if one did.
  let from: URL | undefined;
  for (let redirects = 0; ; redirects++) {
    // Messages name the location as given until a redirect leads elsewhere.
    const shown = redirects === 0 ? location : url.href;
    if (url.protocol === 'http:' && !opts.allowHttp) {
      // Without -tls-verify=false, `from` was https: the redirect would drop TLS.
      throw new UserError(
        from
          ? `refusing the redirect from ${from.href} to plain ${url.href} (-tls-verify=false allows it, or its older spelling -insecure-allow-http)`
          : `refusing ${shown}: plain http needs -tls-verify=false (or its older spelling -insecure-allow-http)`,
      );
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UserError(`refusing ${shown}: not an http(s) URL`);
    if (deadline.expired) throw deadline.error();
    let res: IncomingMessage;
    try {
      res = await requestOnce(url, opts, deadline);
    } catch (err) {
      if (err instanceof UserError) throw err;
      throw new UserError(`cannot download ${shown}: ${causeOf(err)}`);
    }
    const status = res.statusCode ?? 0;
    if (status >= 300 && status < 400 && res.headers.location) {
      res.destroy();
      if (redirects === MAX_REDIRECTS) throw new UserError(`cannot download ${location}: more than ${MAX_REDIRECTS} redirects`);
      try {
        from = url;
        url = new URL(res.headers.location, url);
      } catch {
        throw new UserError(`cannot download ${shown}: it redirects to "${res.headers.location}", which is not a URL`);
      }
      continue;
    }
    if (status !== 200) {
      res.destroy();
      throw new UserError(`cannot download ${shown}: HTTP ${status} ${res.statusMessage ?? ''}`.trimEnd());
    }
    return { url: shown, res };
  }
}

/**
 * The options for a location the user named: plain http when it is an http:// URL (theirs to
 * choose), but never a redirect from https down to http without -tls-verify=false.
 */
export function forLocation(opts: HttpOptions, location: string): HttpOptions {
  return /^http:\/\//i.test(location) ? { ...opts, allowHttp: true } : opts;
}

/** The body of a discovery page, within the limits for small documents. */
export async function httpGetText(location: string, opts: HttpOptions): Promise<{ url: string; text: string }> {
  const { url, body } = await httpGet(location, opts, 'meta');
  const chunks: Buffer[] = [];
  try {
    for await (const chunk of body as AsyncIterable<Buffer>) chunks.push(chunk);
  } catch (err) {
    if (err instanceof UserError) throw err;
    throw new UserError(`cannot download ${url}: ${causeOf(err)}`);
  }
  return { url, text: Buffer.concat(chunks).toString('utf8') };
}
