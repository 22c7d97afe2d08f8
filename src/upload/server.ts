import { createReadStream } from 'node:fs';
import { lstat, readdir, rm, stat } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import { UserError } from '../errors.js';
import { OstreeRepo } from '../ostree/ostree.js';
import { uploadLimits } from '../archive/limits.js';
import { requestCredentials } from './credentials.js';
import { checkUploadMetadata, type PublishPhase } from './publish.js';
import { Publisher, type CompleteUpload } from './publisher.js';
import { Outcomes, Owners, prepareServerDirs, UPLOAD_ID, type Outcome } from './server-state.js';
import { UPLOAD_METADATA } from './client.js';
import { UsersFile } from './users.js';
import { ifExists } from '../util/fs.js';

/**
 * The upload server: a tus 1.0 endpoint at /files/ (@tus/server with @tus/file-store) that
 * publishes each finished upload into an archive OSTree repo, which it serves read-only at
 * /repo/ for `jetpack runtime remote add` (docs/RUNTIMES.md, "The upload server").
 */
export interface UploadServerOptions {
  host: string;
  port: number;
  repo: string;
  users: string;
  /** Unfinished uploads (tus/) and the server's records (state/: ref owners, outcomes). */
  uploads: string;
  maxSize: number;
  log: (line: string) => void;
}

/** Metadata the server adds to an upload it accepted: who created it. */
const OWNER_KEY = 'jetpack-user';

/**
 * Test hook: the server announces the phase on stderr and stops there until it is killed, so
 * that a test kills it at a known point: `receiving` (a PATCH after the first), or a phase of
 * the publish (publish.ts).
 */
const PAUSE_AT = process.env.JETPACK_UPLOAD_SERVER_PAUSE;

/**
 * Headers that carry a publish's result: on the 204 of the last PATCH, and on any later HEAD
 * of the upload (a client cut off before that 204 learns it there).
 */
export const PUBLISH_HEADERS = {
  state: 'Jetpack-Publish',
  ref: 'Jetpack-Ref',
  commit: 'Jetpack-Commit',
  importSeconds: 'Jetpack-Import-Seconds',
  failure: 'Jetpack-Failure',
} as const;

/** An error a tus hook throws: tus answers with its status_code and body. */
class Refusal extends Error {
  constructor(
    readonly status_code: number,
    readonly body: string,
  ) {
    super(body.trimEnd());
  }
}

function refusal(status: number, why: string): Refusal {
  return new Refusal(status, `${why}\n`);
}

/** Header values are Latin-1 and one line. */
const headerText = (text: string) => text.replace(/[^\x20-\x7e]/g, '?');

function publishedHeaders(o: Outcome & { state: 'published' }): Record<string, string> {
  return {
    [PUBLISH_HEADERS.state]: 'published',
    [PUBLISH_HEADERS.ref]: o.ref,
    [PUBLISH_HEADERS.commit]: o.commit,
    [PUBLISH_HEADERS.importSeconds]: o.importSeconds.toFixed(3),
  };
}

/** Serves the repo's files read-only (GET and HEAD), nothing outside it, no symlinks. */
async function serveRepoFile(repoDir: string, urlPath: string, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const rel = decodeURIComponent(urlPath).replace(/^\/repo\/?/, '');
  const file = path.join(repoDir, path.normalize(`/${rel}`));
  const st = await ifExists(lstat(file));
  if ((req.method !== 'GET' && req.method !== 'HEAD') || !st?.isFile() || rel.split('/').some((p) => p.startsWith('.'))) {
    res.writeHead(req.method === 'GET' || req.method === 'HEAD' ? 404 : 405).end();
    return;
  }
  res.writeHead(200, { 'content-length': st.size, 'content-type': 'application/octet-stream' });
  if (req.method === 'HEAD') return void res.end();
  createReadStream(file).pipe(res);
}

async function pauseAt(phase: PublishPhase | 'receiving', log: (line: string) => void): Promise<void> {
  if (PAUSE_AT !== phase) return;
  log(`pausing at ${phase} (JETPACK_UPLOAD_SERVER_PAUSE)`);
  await new Promise(() => {});
}

export async function startUploadServer(opts: UploadServerOptions): Promise<{ url: string; close(): Promise<void> }> {
  const repo = new OstreeRepo(path.resolve(opts.repo));
  await repo.ensure('archive');
  await repo.updateSummary();
  const dirs = await prepareServerDirs(opts.uploads);
  if (!(await ifExists(stat(opts.users)))) throw new UserError(`no users file ${opts.users} (jetpack upload-server adduser USER --users ${opts.users})`);
  const users = new UsersFile(opts.users);
  const outcomes = new Outcomes(dirs.outcomes);
  await outcomes.pruneOld();

  const [{ Server }, { FileStore }] = await Promise.all([import('@tus/server'), import('@tus/file-store')]);
  const datastore = new FileStore({ directory: dirs.tus });
  const removeUpload = (id: string) =>
    datastore.remove(id).catch(async () => {
      await rm(path.join(dirs.tus, id), { force: true });
      await rm(path.join(dirs.tus, `${id}.json`), { force: true });
    });
  const owners = new Owners(dirs.owners);
  const publisher = new Publisher({
    repo,
    owners,
    outcomes,
    fileOf: (id) => path.join(dirs.tus, id),
    limits: uploadLimits(opts.maxSize),
    removeUpload,
    log: opts.log,
    at: (phase) => pauseAt(phase, opts.log),
  });
  const completeUpload = (id: string, upload: { size?: number; metadata?: Record<string, string | null> }): CompleteUpload => ({
    id,
    owner: upload.metadata?.[OWNER_KEY] ?? '',
    size: upload.size ?? 0,
    metadata: upload.metadata ?? {},
  });

  // Uploads a killed server left complete but unpublished are published before anything else.
  const unfinished: CompleteUpload[] = [];
  for (const name of await readdir(dirs.tus)) {
    const id = name.replace(/\.json$/, '');
    if (name === id || !UPLOAD_ID.test(id)) continue;
    if (await outcomes.get(id)) await removeUpload(id);
    else {
      const upload = await datastore.getUpload(id).catch(() => undefined);
      if (upload?.size !== undefined && upload.offset === upload.size) unfinished.push(completeUpload(id, upload));
    }
  }
  publisher.recover(unfinished);

  type Req = Parameters<NonNullable<ConstructorParameters<typeof Server>[0]['onIncomingRequest']>>[0];
  const userOf = async (req: Req): Promise<string | undefined> => {
    const credentials = requestCredentials((name) => req.headers.get(name));
    return credentials && users.authenticate(credentials);
  };
  /** For the log: the ref a creation request names, or the one of the upload a request is for. */
  const refOf = async (metadataHeader: string | null | undefined, pathname: string): Promise<string | undefined> => {
    const pair = (metadataHeader ?? '')
      .split(',')
      .map((p) => p.trim().split(' '))
      .find(([k]) => k === UPLOAD_METADATA.runtime);
    if (pair?.[1]) return headerText(Buffer.from(pair[1], 'base64').toString('utf8'));
    const id = /^\/files\/([0-9a-f]{32})$/.exec(pathname)?.[1];
    return (
      id &&
      (await datastore.getUpload(id).then(
        (u) => u.metadata?.[UPLOAD_METADATA.runtime] ?? undefined,
        () => undefined,
      ))
    );
  };
  const logRefusal = (method: string, pathname: string, user: string | undefined, ref: string | undefined, status: number, why: string) =>
    opts.log(`refused ${method} ${pathname}: user ${user ?? '-'}, ref ${ref ?? '-'}: ${status} ${why}`);

  const tus = new Server({
    path: '/files',
    datastore,
    maxSize: opts.maxSize,
    respectForwardedHeaders: true,
    async onUploadCreate(req, upload) {
      const user = await userOf(req);
      if (!user) throw refusal(401, 'unauthorized');
      let checked;
      try {
        checked = checkUploadMetadata(upload.metadata ?? {});
      } catch (err) {
        throw refusal(400, (err as Error).message);
      }
      if (upload.size === undefined) throw refusal(400, 'the upload must declare its length');
      const owner = await owners.get(checked.ref);
      if (owner && owner !== user) throw refusal(403, `${checked.ref} belongs to ${owner}`);
      // Only what the server uses is kept (MaPS's client also sends its password as metadata).
      const kept = Object.fromEntries(Object.values(UPLOAD_METADATA).flatMap((k) => (upload.metadata?.[k] == null ? [] : [[k, upload.metadata[k]]])));
      return { metadata: { ...kept, [OWNER_KEY]: user } };
    },
    async onUploadFinish(_req, upload) {
      const publishing = publisher.publish(completeUpload(upload.id, upload));
      if (!publishing) throw refusal(409, 'the upload is complete: it is being published');
      const outcome = await publishing;
      if (outcome.state === 'failed') {
        logRefusal('PATCH', `/files/${upload.id}`, outcome.owner, outcome.ref, outcome.status, outcome.why);
        throw Object.assign(refusal(outcome.status, outcome.why), { logged: true });
      }
      return { headers: publishedHeaders(outcome) }; // with the 204 tus answers
    },
    async onResponseError(req, err) {
      if ('logged' in err) return undefined;
      const status = 'status_code' in err ? err.status_code : 500;
      const why = 'body' in err ? String(err.body).trim() : err.message;
      const pathname = new URL(req.url).pathname;
      logRefusal(req.method, pathname, await userOf(req).catch(() => undefined), await refOf(req.headers.get('upload-metadata'), pathname), status, why);
      return undefined;
    },
  });

  /** Answers a request for an upload that is complete: being published, published or failed. */
  const answerComplete = (req: http.IncomingMessage, res: http.ServerResponse, size: number, outcome: Outcome | undefined, forget: () => Promise<void>) => {
    const tusHeaders = { 'Tus-Resumable': '1.0.0', 'Cache-Control': 'no-store' };
    if (req.method === 'DELETE' && outcome) return void forget().then(() => res.writeHead(204, tusHeaders).end());
    if (outcome?.state === 'failed') {
      const headers = { ...tusHeaders, [PUBLISH_HEADERS.state]: 'failed', [PUBLISH_HEADERS.failure]: headerText(`${outcome.status} ${outcome.why}`) };
      return void res.writeHead(410, headers).end(req.method === 'HEAD' ? undefined : `the upload was not published: ${outcome.why}\n`);
    }
    const state = outcome ? publishedHeaders(outcome) : { [PUBLISH_HEADERS.state]: 'publishing' };
    if (req.method === 'HEAD') return void res.writeHead(200, { ...tusHeaders, 'Upload-Offset': String(size), 'Upload-Length': String(size), ...state }).end();
    res
      .writeHead(409, { ...tusHeaders, 'Upload-Offset': String(size), ...state })
      .end(`the upload is complete: ${outcome ? 'published' : 'it is being published'}\n`);
  };

  /** /files/ID: only for the user who created the upload; complete uploads answered here, the rest by tus. */
  const forUpload = async (req: http.IncomingMessage, res: http.ServerResponse, user: string, id: string, pathname: string): Promise<void> => {
    const outcome = await outcomes.get(id);
    const upload = outcome ? undefined : await datastore.getUpload(id).catch(() => undefined);
    const owner = outcome?.owner ?? upload?.metadata?.[OWNER_KEY];
    if (owner !== user) {
      if (owner)
        logRefusal(
          req.method ?? '-',
          pathname,
          user,
          outcome?.ref ?? upload?.metadata?.[UPLOAD_METADATA.runtime] ?? undefined,
          404,
          `the upload belongs to ${owner}`,
        );
      return void res.writeHead(404, { 'Tus-Resumable': '1.0.0' }).end('no such upload\n');
    }
    if (outcome) return answerComplete(req, res, outcome.size, outcome, () => outcomes.remove(id));
    if (upload && (publisher.isPublishing(id) || upload.offset === upload.size)) return answerComplete(req, res, upload.size!, undefined, async () => {});
    if (req.method === 'PATCH' && upload && upload.offset > 0) await pauseAt('receiving', opts.log);
    return tus.handle(req, res);
  };

  // Credentials are checked before tus sees the request: a stranger learns nothing, not even a size limit.
  const files = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    const header = (name: string) => {
      const v = req.headers[name];
      return Array.isArray(v) ? (v[0] ?? null) : (v ?? null);
    };
    const credentials = requestCredentials(header);
    const user = credentials && (await users.authenticate(credentials));
    const pathname = (req.url ?? '/').split('?')[0];
    if (!user) {
      logRefusal(
        req.method ?? '-',
        pathname,
        credentials?.user,
        await refOf(header('upload-metadata'), pathname),
        401,
        credentials ? 'wrong password or unknown user' : 'no or malformed credentials',
      );
      return void res.writeHead(401, { 'www-authenticate': 'Basic realm="jetpack upload"', 'tus-resumable': '1.0.0' }).end('unauthorized\n');
    }
    if (pathname === '/files' || pathname === '/files/') return tus.handle(req, res);
    const id = /^\/files\/([^/]*)$/.exec(pathname)?.[1];
    if (!id || !UPLOAD_ID.test(id)) return void res.writeHead(404, { 'Tus-Resumable': '1.0.0' }).end('no such upload\n');
    return forUpload(req, res, user, id, pathname);
  };

  const server = http.createServer((req, res) => {
    const url = req.url ?? '/';
    if (url === '/files' || url.startsWith('/files/') || url.startsWith('/files?')) {
      return void files(req, res).catch((err: Error) => {
        opts.log(`error on ${req.method} ${url}: ${err.message}`);
        if (!res.headersSent) res.writeHead(500);
        res.end();
      });
    }
    if (url.startsWith('/repo/')) {
      return void serveRepoFile(repo.dir, url.split('?')[0], req, res).catch(() => {
        if (!res.headersSent) res.writeHead(500);
        res.end();
      });
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(new UserError(`cannot listen on ${opts.host}:${opts.port}: ${err.message}`, 1, { cause: err })),
    );
    server.listen(opts.port, opts.host, resolve);
  });
  const address = server.address() as { port: number };
  const host = opts.host.includes(':') ? `[${opts.host}]` : opts.host;
  return {
    url: `http://${host}:${address.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
