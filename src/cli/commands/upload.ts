import path from 'node:path';
import { UserError } from '../../errors.js';
import { parseSize } from '../../util/size.js';
import { expectArgs, type Command, logLine as log } from '../command.js';
import { flagString, type FlagSpec } from '../flags.js';
import { REPO_FLAG, repoChoice } from './repo-flags.js';

/** "16M", "256K", "1G" or plain bytes. */
function sizeFlag(text: string, flag: string): number {
  const size = parseSize(text);
  if (size === undefined) throw new UserError(`-${flag} takes a size such as 16M, not "${text}"`);
  return size;
}

export const uploadCommand: Command = {
  name: 'upload',
  args: 'REF',
  summary: 'Upload a runtime committed here to an upload server (tus, resumable): TUSTARGET and MTDAUTH from the environment',
  description:
    'As MaPS does: TUSTARGET is the server (https://maps-upload-server.example.com), MTDAUTH\n' +
    '"username:password". The commit goes as one zstd tarball of its tree (ostree export) with\n' +
    'what the server needs to make the same commit again; the server checks the checksum. An\n' +
    'interrupted upload resumes from the server\'s offset on the next run. Also "jetpack --upload REF"\n' +
    'and "jetpack package --upload REF". See docs/RUNTIMES.md.',
  flags: [
    REPO_FLAG,
    {
      name: 'chunk-size',
      kind: 'string',
      value: 'SIZE',
      help: 'bytes per PATCH request (default 64M; a reverse proxy may need a smaller one; an interrupted request resumes where the server stopped)',
    },
  ],
  async run(ctx, flags) {
    expectArgs(this, flags.positional, 1);
    const ref = flags.positional[0];
    const [{ parseCredentials }, { uploadRuntime }, { repoOf }] = await Promise.all([
      import('../../upload/credentials.js'),
      import('../../upload/client.js'),
      import('../../runtime/runtimes.js'),
    ]);
    const target = process.env.TUSTARGET;
    if (!target) throw new UserError('TUSTARGET is not set: export TUSTARGET=https://your-upload-server.example.com');
    const credentials = parseCredentials(process.env.MTDAUTH, 'MTDAUTH');
    const store = await ctx.store();
    const repo = repoOf(store, repoChoice(flags));
    const chunk = flagString(flags, 'chunk-size');
    const result = await uploadRuntime({
      target,
      credentials,
      repo,
      ref,
      cacheDir: store.layout.uploads,
      chunkSize: chunk === undefined ? 64 << 20 : sizeFlag(chunk, 'chunk-size'),
      log,
    });
    const rate = result.transferSeconds > 0 ? ` (${(result.sent / 1e6 / result.transferSeconds).toFixed(1)} MB/s)` : '';
    log(`published ${result.ref} at ${result.commit}: sent ${result.sent} of ${result.size} bytes${rate}`);
    process.stdout.write(`${result.commit}\n`);
  },
};

const SERVER_FLAGS: FlagSpec[] = [
  { name: 'listen', kind: 'string', value: 'HOST:PORT', help: 'where to listen (port 0: any free one)' },
  { name: 'repo', kind: 'string', value: 'DIR', help: 'the archive OSTree repo uploads are published to (created when absent), served at /repo/' },
  { name: 'users', kind: 'string', value: 'FILE', help: 'the users file (user:scrypt-hash lines, from adduser)' },
  {
    name: 'uploads',
    kind: 'string',
    value: 'DIR',
    help: 'unfinished uploads (tus/) and the server records (state/: ref owners, publish outcomes); default DIR.uploads beside the repo',
  },
  { name: 'max-size', kind: 'string', value: 'SIZE', help: 'largest upload accepted (default 8G); a larger one is refused before any data' },
];

async function readPassword(): Promise<string> {
  const stdin = process.stdin;
  if (!stdin.isTTY) {
    const chunks: Buffer[] = [];
    for await (const c of stdin) chunks.push(c as Buffer);
    return Buffer.concat(chunks).toString('utf8').split('\n')[0];
  }
  process.stderr.write('password: ');
  stdin.setRawMode(true);
  let password = '';
  try {
    for await (const chunk of stdin) {
      for (const ch of (chunk as Buffer).toString('utf8')) {
        if (ch === '\r' || ch === '\n') return password;
        if (ch === '\x03') throw new UserError('interrupted');
        if (ch === '\x7f') password = password.slice(0, -1);
        else password += ch;
      }
    }
    return password;
  } finally {
    stdin.setRawMode(false);
    stdin.pause();
    process.stderr.write('\n');
  }
}

export const uploadServerCommand: Command = {
  name: 'upload-server',
  args: '-listen HOST:PORT -repo DIR -users FILE | adduser USER -users FILE',
  summary: 'Run the upload server (tus at /files/, the repo read-only at /repo/), or add a user to its users file',
  description:
    'Each finished upload is checked (tarball members, the commit checksum) and published to the\n' +
    'archive repo under its ref; the first user who publishes a ref owns it. Users authenticate with\n' +
    '"Authorization: Basic base64(user:pass)" or MaPS\'s "Authentication: Basic user:pass". Every\n' +
    'refusal is logged on stderr with user, ref and reason. "adduser USER" reads the password from\n' +
    'stdin (or asks on a terminal) and stores only its scrypt hash. See docs/RUNTIMES.md.',
  flags: SERVER_FLAGS,
  subcommands: [
    {
      name: 'adduser',
      args: 'USER',
      summary: 'Add USER to the users file, reading the password from stdin (or asking on a terminal); only its scrypt hash is stored',
      flags: [SERVER_FLAGS.find((f) => f.name === 'users')!],
      async run(_ctx, flags) {
        const users = flagString(flags, 'users');
        if (flags.positional.length !== 1 || !users) throw new UserError('usage: jetpack upload-server adduser -users FILE USER', 2);
        const { addUser, validateUserName } = await import('../../upload/users.js');
        validateUserName(flags.positional[0]);
        await addUser(users, flags.positional[0], await readPassword());
        log(`user ${flags.positional[0]} added to ${users}`);
      },
    },
  ],
  async run(_ctx, flags) {
    const users = flagString(flags, 'users');
    const listen = flagString(flags, 'listen');
    const repo = flagString(flags, 'repo');
    if (!listen || !repo || !users || flags.positional.length) throw new UserError(`usage: jetpack upload-server ${this.args}`, 2);
    const m = /^(\[[^\]]+\]|[^:]+):(\d+)$/.exec(listen);
    if (!m || Number(m[2]) > 65535) throw new UserError(`-listen takes HOST:PORT (127.0.0.1:8080), not "${listen}"`);
    const { startUploadServer } = await import('../../upload/server.js');
    const server = await startUploadServer({
      host: m[1].replace(/^\[|\]$/g, ''),
      port: Number(m[2]),
      repo,
      users,
      uploads: flagString(flags, 'uploads') ?? `${path.resolve(repo)}.uploads`,
      maxSize: sizeFlag(flagString(flags, 'max-size') ?? '8G', 'max-size'),
      log,
    });
    process.stdout.write(`listening on ${server.url} (tus ${server.url}/files/, repo ${server.url}/repo/)\n`);
    await new Promise<void>((resolve) => {
      const stop = () => resolve();
      process.once('SIGTERM', stop).once('SIGINT', stop);
    });
    await server.close();
    return 0;
  },
};
