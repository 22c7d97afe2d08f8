import { createReadStream } from 'node:fs';
import { lstat, mkdir, readFile, rm, stat } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import { UserError } from '../errors.js';
import { writeTextFile } from '../util/output-file.js';
import { OstreeRepo } from '../ostree/ostree.js';
import { validateRuntimeName } from '../runtime/name.js';
import { UPLOAD_METADATA } from './client.js';
import { requestCredentials } from './credentials.js';
import { checkTreeTarball } from '../archive/tree-entries.js';
import { uploadLimits } from '../archive/limits.js';
import { importCommit, importTree, parseDescription } from './publish.js';
import { readUsers, verifyPassword } from './users.js';

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
  /** Unfinished uploads and the owners of refs. */
  uploads: string;
  maxSize: number;
  log: (line: string) => void;
}

/** Metadata the server adds to an upload it accepted: who created it. */
const OWNER_KEY = 'jetpack-user';

interface Refusal {
  status_code: number;
  body: string;
}

function refusal(status: number, why: string): Refusal {
  return { status_code: status, body: `${why}\n` };
}

/** Who owns which ref: the first user who published it. */
class Owners {
  constructor(private readonly file: string) {}
  private async all(): Promise<Record<string, string>> {
    return JSON.parse(await readFile(this.file, 'utf8').catch(() => '{}')) as Record<string, string>;
  }
  async get(ref: string): Promise<string | undefined> {
    return (await this.all())[ref];
  }
  async set(ref: string, user: string): Promise<void> {
    await writeTextFile(this.file, JSON.stringify({ ...(await this.all()), [ref]: user }, null, 2) + '\n', 0o600);
  }
}

/** The users file, read again whenever it changes (adduser while the server runs), with verified passwords remembered. */
class Users {
  private users = new Map<string, string>();
  private version = '';
  private readonly verified = new Map<string, string>();

  constructor(private readonly file: string) {}

  /** The user a request's credentials name, when the password is right; undefined otherwise. */
  async authenticate(header: (name: string) => string | null): Promise<{ user?: string; claimed?: string }> {
    const credentials = requestCredentials(header);
    if (!credentials) return {};
    const st = await stat(this.file).catch(() => undefined);
    const version = st ? `${st.mtimeMs}:${st.size}` : '';
    if (version !== this.version) {
      this.users = await readUsers(this.file);
      this.version = version;
      this.verified.clear();
    }
    const key = `${credentials.user}\0${credentials.password}`;
    if (this.verified.get(key) === credentials.user) return { user: credentials.user, claimed: credentials.user };
    const stored = this.users.get(credentials.user);
    if (!stored || !(await verifyPassword(credentials.password, stored))) return { claimed: credentials.user };
    this.verified.set(key, credentials.user);
    return { user: credentials.user, claimed: credentials.user };
  }
}

/** Serves the repo's files read-only (GET and HEAD), nothing outside it, no symlinks. */
async function serveRepoFile(repoDir: string, urlPath: string, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const rel = decodeURIComponent(urlPath).replace(/^\/repo\/?/, '');
  const file = path.join(repoDir, path.normalize(`/${rel}`));
  const st = await lstat(file).catch(() => undefined);
  if ((req.method !== 'GET' && req.method !== 'HEAD') || !st?.isFile() || rel.split('/').some((p) => p.startsWith('.'))) {
    res.writeHead(req.method === 'GET' || req.method === 'HEAD' ? 404 : 405).end();
    return;
  }
  res.writeHead(200, { 'content-length': st.size, 'content-type': 'application/octet-stream' });
  if (req.method === 'HEAD') return void res.end();
  createReadStream(file).pipe(res);
}

export async function startUploadServer(opts: UploadServerOptions): Promise<{ url: string; close(): Promise<void> }> {
  const repo = new OstreeRepo(path.resolve(opts.repo));
  await repo.ensure('archive');
  await repo.updateSummary();
  await mkdir(opts.uploads, { recursive: true, mode: 0o700 });
  if (!(await stat(opts.users).catch(() => undefined))) throw new UserError(`no users file ${opts.users} (jetpack upload-server adduser USER --users ${opts.users})`);
  const users = new Users(opts.users);
  const owners = new Owners(path.join(opts.uploads, 'owners.json'));
  let imports: Promise<unknown> = Promise.resolve();
  /** One import at a time: ostree commits and the summary of one repo. */
  const serially = <T>(fn: () => Promise<T>): Promise<T> => {
    const next = imports.then(fn, fn);
    imports = next.catch(() => {});
    return next;
  };

  const [{ Server }, { FileStore }] = await Promise.all([import('@tus/server'), import('@tus/file-store')]);
  const datastore = new FileStore({ directory: opts.uploads });
  type Req = Parameters<NonNullable<ConstructorParameters<typeof Server>[0]['onIncomingRequest']>>[0];
  const headerOf = (req: Req) => (name: string) => req.headers.get(name);
  const userOf = async (req: Req): Promise<string> => {
    const { user } = await users.authenticate(headerOf(req));
    if (!user) throw refusal(401, 'unauthorized');
    return user;
  };
  /** The ref a creation request names in its Upload-Metadata, or the one of the upload a request is for. */
  const refOf = async (metadataHeader: string | null | undefined, pathname: string): Promise<string | undefined> => {
    const pair = (metadataHeader ?? '').split(',').map((p) => p.trim().split(' ')).find(([k]) => k === UPLOAD_METADATA.runtime);
    if (pair?.[1]) return Buffer.from(pair[1], 'base64').toString('utf8');
    const id = /^\/files\/([^/?]+)/.exec(pathname)?.[1];
    return id && (await datastore.getUpload(id).then((u) => u.metadata?.[UPLOAD_METADATA.runtime] ?? undefined, () => undefined));
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
      const ref = upload.metadata?.[UPLOAD_METADATA.runtime] ?? '';
      try {
        validateRuntimeName(ref);
      } catch (err) {
        throw refusal(400, (err as Error).message);
      }
      if (upload.size === undefined) throw refusal(400, 'the upload must declare its length');
      const owner = await owners.get(ref);
      if (owner && owner !== user) throw refusal(403, `${ref} belongs to ${owner}`);
      return { metadata: { ...upload.metadata, [OWNER_KEY]: user } };
    },
    async onUploadFinish(req, upload) {
      const user = await userOf(req);
      const meta = upload.metadata ?? {};
      const ref = meta[UPLOAD_METADATA.runtime] ?? '';
      if (meta[OWNER_KEY] !== user) throw refusal(403, `this upload was made by ${meta[OWNER_KEY]}`);
      const file = path.join(opts.uploads, upload.id);
      const importStart = Date.now();
      try {
        const published = await serially(async () => {
          const owner = await owners.get(ref);
          if (owner && owner !== user) throw refusal(403, `${ref} belongs to ${owner}`);
          const { prefix } = await checkTreeTarball(file, { noDevices: true, limits: uploadLimits(opts.maxSize), what: 'the upload' });
          const checksum = meta[UPLOAD_METADATA.checksum];
          let commit: string;
          if (checksum) {
            if (!/^[0-9a-f]{64}$/.test(checksum)) throw new UserError(`"${checksum}" is not a commit checksum`);
            await importCommit(repo, file, ref, checksum, parseDescription(meta[UPLOAD_METADATA.commit]));
            commit = checksum;
          } else {
            commit = await importTree(repo, file, ref, prefix); // MaPS's client sends no checksum
          }
          await owners.set(ref, user);
          return commit;
        });
        opts.log(`published ${ref} at ${published} for ${user}`);
        const importSeconds = (Date.now() - importStart) / 1000;
        return { status_code: 200, headers: { 'content-type': 'application/json' }, body: `${JSON.stringify({ ref, commit: published, importSeconds })}\n` };
      } catch (err) {
        const why = err instanceof UserError ? refusal(422, err.message) : (err as Refusal);
        if (typeof why.status_code !== 'number') throw err;
        logRefusal('PATCH', `/files/${upload.id}`, user, ref, why.status_code, why.body.trim());
        throw Object.assign(why, { logged: true });
      } finally {
        await datastore.remove(upload.id).catch(() => rm(file, { force: true }));
      }
    },
    async onResponseError(req, err) {
      if ('logged' in err) return undefined;
      const status = 'status_code' in err ? err.status_code : 500;
      const why = 'body' in err ? String(err.body).trim() : (err as Error).message;
      const { claimed } = await users.authenticate(headerOf(req)).catch(() => ({ claimed: undefined }));
      const pathname = new URL(req.url).pathname;
      logRefusal(req.method, pathname, claimed, await refOf(req.headers.get('upload-metadata'), pathname), status, why);
      return undefined;
    },
  });

  // Credentials are checked before tus sees the request: a stranger learns nothing, not even a size limit.
  const authenticated = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    const header = (name: string) => {
      const v = req.headers[name];
      return Array.isArray(v) ? (v[0] ?? null) : (v ?? null);
    };
    const { user, claimed } = await users.authenticate(header);
    if (user) return tus.handle(req, res);
    const pathname = (req.url ?? '/').split('?')[0]!;
    logRefusal(req.method ?? '-', pathname, claimed, await refOf(header('upload-metadata'), pathname), 401, claimed ? 'wrong password or unknown user' : 'no credentials');
    res.writeHead(401, { 'www-authenticate': 'Basic realm="jetpack upload"', 'tus-resumable': '1.0.0' }).end('unauthorized\n');
  };

  const server = http.createServer((req, res) => {
    const url = req.url ?? '/';
    if (url === '/files' || url.startsWith('/files/')) {
      return void authenticated(req, res).catch((err: Error) => {
        opts.log(`error on ${req.method} ${url}: ${err.message}`);
        if (!res.headersSent) res.writeHead(500);
        res.end();
      });
    }
    if (url.startsWith('/repo/')) {
      return void serveRepoFile(repo.dir, url.split('?')[0]!, req, res).catch(() => {
        if (!res.headersSent) res.writeHead(500);
        res.end();
      });
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => reject(new UserError(`cannot listen on ${opts.host}:${opts.port}: ${err.message}`)));
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
