import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { JETPACK, jetpack, jetpackAsync, jetpackOk, removeDir, sh, tempDir } from '../helpers/cli.js';
import { importBusybox } from '../helpers/busybox.js';
import { SIZE, assertStepReported } from '../helpers/progress.js';
import { parseCommitText } from '../../src/ostree/commit-text.js';

// Runtime uploads on loopback: jetpack upload (tus-js-client) against jetpack upload-server
// (@tus/server), the published repo deployed by another store, hostile clients, resumption.
const work = tempDir();
const root = path.join(work, 'store');
importBusybox(root, work);
const usersFile = path.join(work, 'users');
for (const [user, password] of [
  ['alice', 'alice-pw'],
  ['bob', 'bob-pw'],
  ['carol', 'carol-pw'],
  ['dave', 'dave-pw'],
]) {
  jetpackOk(root, ['upload-server', 'adduser', user, '--users', usersFile], { input: `${password}\n` });
}
const tree = path.join(work, 'tree');
jetpackOk(root, ['runtime', 'initialize', tree, '--from', 'jetpack/busybox']);
writeFileSync(path.join(tree, 'etc', 'greeting'), 'hello from the upload\n');
const REF = 'com.example.upload/x86_64/1';
const commit = jetpackOk(root, ['runtime', 'commit', tree, REF]).trim();

interface RunningServer {
  url: string;
  repo: string;
  uploads: string;
  log(): string;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

async function startServer(name: string, extra: string[] = [], port = 0, env: NodeJS.ProcessEnv = {}): Promise<RunningServer> {
  const repo = path.join(work, name, 'repo');
  const uploads = `${repo}.uploads`;
  mkdirSync(path.join(work, name), { recursive: true });
  const logFile = path.join(work, name, 'log');
  const child: ChildProcess = spawn(JETPACK, ['upload-server', '--listen', `127.0.0.1:${port}`, '--repo', repo, '--users', usersFile, ...extra], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  let log = '';
  child.stderr!.on('data', (d: Buffer) => {
    log += d.toString();
    writeFileSync(logFile, log);
  });
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout!.once('data', (d: Buffer) => resolve(/listening on (\S+)/.exec(d.toString())![1]));
    child.once('exit', (code) => reject(new Error(`upload-server exited ${code}: ${log}`)));
  });
  return {
    url,
    repo,
    uploads,
    log: () => log,
    stop: (signal = 'SIGTERM') =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill(signal);
      }),
  };
}

const upload = (server: RunningServer, auth: string, args: string[], storeRoot = root) =>
  jetpackAsync(storeRoot, ['upload', ...args], { env: { TUSTARGET: server.url, MTDAUTH: auth } });
const tusDir = (server: RunningServer) => path.join(server.uploads, 'tus');
const uploadFiles = (server: RunningServer) => (existsSync(tusDir(server)) ? readdirSync(tusDir(server)) : []);
const refsOf = (repo: string) => sh(`ostree --repo="${repo}" refs`).trim();

/** A tus 1.0 creation + one PATCH by hand, as any client could send it. */
async function rawUpload(
  server: RunningServer,
  body: Buffer,
  metadata: Record<string, string>,
  headers: Record<string, string>,
): Promise<{ status: number; text: string }> {
  const meta = Object.entries(metadata)
    .map(([k, v]) => `${k} ${Buffer.from(v).toString('base64')}`)
    .join(',');
  const created = await fetch(`${server.url}/files/`, {
    method: 'POST',
    headers: { 'Tus-Resumable': '1.0.0', 'Upload-Length': String(body.length), 'Upload-Metadata': meta, ...headers },
  });
  if (created.status !== 201) return { status: created.status, text: await created.text() };
  const location = new URL(created.headers.get('location')!, server.url).toString();
  const patched = await fetch(location, {
    method: 'PATCH',
    headers: { 'Tus-Resumable': '1.0.0', 'Upload-Offset': '0', 'Content-Type': 'application/offset+octet-stream', ...headers },
    body: new Uint8Array(body),
  });
  return { status: patched.status, text: await patched.text() };
}
const basic = (pair: string) => ({ Authorization: `Basic ${Buffer.from(pair).toString('base64')}` });

test('the client says in one line what is missing or wrong, before any network', async () => {
  const cases: Array<[NodeJS.ProcessEnv, string[], RegExp]> = [
    [{ TUSTARGET: '', MTDAUTH: 'a:b' }, [REF], /TUSTARGET is not set/],
    [{ TUSTARGET: 'http://127.0.0.1:9', MTDAUTH: '' }, [REF], /MTDAUTH is not set: export MTDAUTH="username:password"/],
    [{ TUSTARGET: 'http://127.0.0.1:9', MTDAUTH: 'nopassword' }, [REF], /MTDAUTH must be "username:password"/],
    [{ TUSTARGET: 'ftp://x', MTDAUTH: 'a:b' }, [REF], /must be an http:\/\/ or https:\/\/ URL/],
    [{ TUSTARGET: 'http://127.0.0.1:9', MTDAUTH: 'a:b' }, [`pub:${REF}`], /only runtimes committed here can be uploaded/],
    [{ TUSTARGET: 'http://127.0.0.1:9', MTDAUTH: 'a:b' }, ['com.example.none/x86_64/1'], /no runtime com.example.none\/x86_64\/1/],
  ];
  for (const [env, args, why] of cases) {
    const r = await jetpackAsync(root, ['upload', ...args], { env });
    assert.is(r.status, 1, r.stderr);
    assert.match(r.stderr, why);
    assert.is(r.stderr.trim().split('\n').length, 1, r.stderr);
  }
});

test('jetpack --upload publishes the commit; another store deploys it from /repo/ with the same checksum', async () => {
  const server = await startServer('main');
  try {
    const r = await jetpackAsync(root, ['--upload', REF], { env: { TUSTARGET: server.url, MTDAUTH: 'alice:alice-pw' } });
    assert.is(r.status, 0, r.stderr);
    assert.is(r.stdout.trim(), commit);
    assert.match(r.stderr, new RegExp(`published ${REF.replace(/\./g, '\\.')} at ${commit}`));
    // In CI: a start line and a done line with the bytes sent and the rate.
    assert.match(assertStepReported(r.stderr, `uploading ${REF}`), new RegExp(String.raw` \((${SIZE}) / \1 \(100%\), ${SIZE}/s\)$`));
    assert.match(server.log(), /published com.example.upload\/x86_64\/1 at [0-9a-f]{64} for alice/);
    sh(`ostree --repo="${server.repo}" fsck --quiet`);
    assert.is(uploadFiles(server).length, 0, 'nothing left in the upload area');
    assert.is(readdirSync(path.join(root, 'uploads')).length, 0, 'nor in the client store: no artifact, no remembered URL');
    const other = path.join(work, 'other-store');
    assert.is((await jetpackAsync(other, ['runtime', 'remote', 'add', 'up', `${server.url}/repo/`])).status, 0);
    const deployed = await jetpackAsync(other, ['runtime', 'deploy', `up:${REF}`]);
    assert.is(deployed.stdout.trim(), commit, deployed.stderr);
    assert.is((await jetpackAsync(other, ['runtime', 'run', REF, '--command', 'cat /etc/greeting'])).stdout, 'hello from the upload\n');
  } finally {
    await server.stop();
  }
});

test('hostile clients: wrong password 401, a ref of another user 403, too large 413; nothing stored, each refusal logged', async () => {
  const server = await startServer('hostile', ['--max-size', '100K']);
  try {
    const wrong = await upload(server, 'alice:guess', [REF]);
    assert.is(wrong.status, 1);
    assert.match(wrong.stderr, /refused the credentials in MTDAUTH \(401\)/);
    assert.match(server.log(), /refused POST \/files\/: user alice, ref com.example.upload\/x86_64\/1: 401/);
    const big = await upload(server, 'alice:alice-pw', [REF]);
    assert.is(big.status, 1);
    assert.match(big.stderr, /refused the upload \(413/);
    assert.match(server.log(), /user alice, ref com.example.upload\/x86_64\/1: 413/);
    assert.is(uploadFiles(server).length, 0, 'refused before any data');
    assert.is(refsOf(server.repo), '');
  } finally {
    await server.stop();
  }
  const owned = await startServer('owned');
  try {
    assert.is((await upload(owned, 'alice:alice-pw', [REF])).status, 0);
    const theft = await upload(owned, 'bob:bob-pw', [REF]);
    assert.is(theft.status, 1);
    assert.match(theft.stderr, /\(403: com.example.upload\/x86_64\/1 belongs to alice\)/);
    assert.match(owned.log(), /user bob, ref com.example.upload\/x86_64\/1: 403/);
    assert.is(sh(`ostree --repo="${owned.repo}" rev-parse ${REF}`).trim(), commit);
  } finally {
    await owned.stop();
  }
});

test('corrupt artifacts are refused and removed: a checksum that does not match, a truncated tarball, "..", a hardlink out of the tree', async () => {
  const server = await startServer('corrupt');
  const artifact = Buffer.from(sh(`ostree --repo="${root}/ostree/repo" export ${commit} | zstd -c -q -T0 | base64 -w0`), 'base64');
  const description = JSON.stringify(parseCommitText(sh(`ostree --repo="${root}/ostree/repo" show --raw ${commit} | sed -n 2p`)));
  const metadata = (checksum: string) => ({ runtime: REF, checksum, commit: description });
  /** A ustar archive written by hand, holding whatever names and links a hostile client sends. */
  const craft = (members: Array<{ name: string; type: '0' | '1' | '5'; link?: string }>) => {
    const blocks = members.map(({ name, type, link = '' }) => {
      const h = Buffer.alloc(512);
      h.write(name, 0);
      h.write('0000644\0', 100);
      h.write('0000000\0', 108);
      h.write('0000000\0', 116);
      h.write('00000000000\0', 124);
      h.write('00000000000\0', 136);
      h.write('        ', 148);
      h.write(type, 156);
      h.write(link, 157);
      h.write('ustar\x0000', 257);
      let sum = 0;
      for (const b of h) sum += b;
      h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
      return h;
    });
    return Buffer.concat([...blocks, Buffer.alloc(1024)]);
  };
  const cases: Array<[string, Buffer, string, RegExp]> = [
    ['mismatch', artifact, 'f'.repeat(64), /checksum mismatch: the tarball and metadata make commit [0-9a-f]{64}, not f{64}/],
    ['truncated', artifact.subarray(0, Math.floor(artifact.length / 2)), commit, /truncated|corrupt/],
    ['dotdot', craft([{ name: '../escape', type: '0' }]), commit, /path contains "\.\."/],
    [
      'hardlink',
      craft([
        { name: 'etc/', type: '5' },
        { name: 'etc/passwd', type: '1', link: '../../etc/passwd' },
      ]),
      commit,
      /hardlink target "\.\.\/\.\.\/etc\/passwd" points outside the tree/,
    ],
  ];
  try {
    for (const [name, body, checksum, why] of cases) {
      const r = await rawUpload(server, body, metadata(checksum), basic('alice:alice-pw'));
      assert.is(r.status, 422, `${name}: ${r.status} ${r.text}`);
      assert.match(r.text, why, `${name}: ${r.text}`);
      assert.is(refsOf(server.repo), '', `${name}: no ref`);
      assert.is(uploadFiles(server).length, 0, `${name}: temp data removed`);
      assert.match(server.log(), new RegExp(`user alice, ref ${REF.replace(/\./g, '\\.')}: 422`), `${name}: ${server.log()}`);
    }
    sh(`ostree --repo="${server.repo}" fsck --quiet`);
  } finally {
    await server.stop();
  }
});

test('a client killed mid-transfer resumes from the server offset and sends only the rest', async () => {
  const big = path.join(work, 'big');
  sh(`mkdir -p "${big}/data" && head -c 60000000 /dev/urandom > "${big}/data/blob"`);
  const ref = 'com.example.big/x86_64/1';
  jetpackOk(root, ['runtime', 'commit', big, ref]);
  const server = await startServer('resume');
  try {
    const child = spawn(JETPACK, [`-root=${root}`, 'upload', ref, '--chunk-size', '32M'], {
      env: { ...process.env, TUSTARGET: server.url, MTDAUTH: 'carol:carol-pw', CI: 'true' },
      stdio: 'ignore',
    });
    let atKill = 0;
    for (let i = 0; i < 2000 && atKill === 0; i++) {
      const partial = uploadFiles(server).find((f) => !f.endsWith('.json'));
      const size = partial ? statSync(path.join(tusDir(server), partial)).size : 0;
      if (size > 5_000_000) atKill = size;
      else await sleep(5);
    }
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));
    assert.ok(atKill > 0, 'the upload started');
    const r = await upload(server, 'carol:carol-pw', [ref, '--chunk-size', '32M']);
    assert.is(r.status, 0, r.stderr);
    const m = /resumed the upload at (\d+) of (\d+) bytes/.exec(r.stderr);
    assert.ok(m, r.stderr);
    const [resumedAt, size] = [Number(m[1]), Number(m[2])];
    assert.ok(resumedAt >= atKill, `resumed at ${resumedAt}, the server had ${atKill} when the client was killed`);
    const sent = Number(/sent (\d+) of/.exec(r.stderr)![1]);
    assert.is(sent, size - resumedAt, 'only the rest was sent');
  } finally {
    await server.stop();
  }
});

test('the server killed mid-upload and restarted: the client retries and the upload completes', async () => {
  const server = await startServer('restart');
  const port = new URL(server.url).port;
  const ref = 'com.example.big/x86_64/1';
  const client = upload(server, 'dave:dave-pw', [ref, '--chunk-size', '1M']);
  for (let i = 0; i < 2000; i++) {
    const partial = uploadFiles(server).find((f) => !f.endsWith('.json'));
    if (partial && statSync(path.join(tusDir(server), partial)).size > 3_000_000) break;
    await sleep(5);
  }
  await server.stop('SIGKILL');
  const again = await startServer('restart', [], Number(port));
  try {
    const r = await client;
    assert.is(r.status, 0, r.stderr);
    assert.match(again.log(), /published com.example.big\/x86_64\/1/);
    sh(`ostree --repo="${again.repo}" fsck --quiet`);
  } finally {
    await again.stop();
  }
});

test('20 concurrent uploads from 4 users all complete; the repo stays clean', async () => {
  const refs = Array.from({ length: 20 }, (_, i) => `org.example.many${i}/x86_64/1`);
  for (const ref of refs) jetpackOk(root, ['runtime', 'commit', tree, ref]);
  const server = await startServer('many');
  try {
    const users = ['alice:alice-pw', 'bob:bob-pw', 'carol:carol-pw', 'dave:dave-pw'];
    const results = await Promise.all(refs.map((ref, i) => upload(server, users[i % 4], [ref])));
    for (const [i, r] of results.entries()) assert.is(r.status, 0, `${refs[i]}: ${r.stderr}`);
    assert.equal(refsOf(server.repo).split('\n').sort(), [...refs].sort());
    sh(`ostree --repo="${server.repo}" fsck --quiet`);
  } finally {
    await server.stop();
  }
});

test("MaPS's own client: Authentication: Basic user:pass, 256 KiB chunks, a tar.gz of its checkout", async () => {
  const server = await startServer('maps');
  try {
    const ref = 'org.example.maps/x86_64/2023.08';
    const checkout = path.join(work, 'maps-home', '.var', 'org.mardi.maps', 'Local', ref);
    sh(
      `mkdir -p "${path.dirname(checkout)}" && cp -a "${tree}" "${checkout}" && rm -rf "${checkout}/dev"/* && tar -c -z -f "${work}/maps.tar.gz" -C / "${checkout.slice(1)}"`,
    );
    const body = readFileSync(path.join(work, 'maps.tar.gz'));
    const headers = { Authentication: 'Basic alice:alice-pw', 'User-Agent': 'maps-0.7' };
    const meta = `runtime ${Buffer.from(ref).toString('base64')},authentication ${Buffer.from('alice:alice-pw').toString('base64')}`;
    const created = await fetch(`${server.url}/files/`, {
      method: 'POST',
      headers: { 'Tus-Resumable': '1.0.0', 'Upload-Length': String(body.length), 'Upload-Metadata': meta, ...headers },
    });
    assert.is(created.status, 201, await created.text());
    const location = new URL(created.headers.get('location')!, server.url).toString();
    let offset = Number((await fetch(location, { method: 'HEAD', headers: { 'Tus-Resumable': '1.0.0', ...headers } })).headers.get('upload-offset'));
    let last: Response | undefined;
    while (offset < body.length) {
      const chunk = body.subarray(offset, offset + 256 * 1024);
      last = await fetch(location, {
        method: 'PATCH',
        headers: { 'Tus-Resumable': '1.0.0', 'Upload-Offset': String(offset), 'Content-Type': 'application/offset+octet-stream', ...headers },
        body: chunk,
      });
      assert.is(last.status, 204, `${last.status} ${await last.clone().text()}`);
      offset = Number(last.headers.get('upload-offset'));
    }
    assert.is(last!.headers.get('jetpack-ref'), ref);
    assert.is(sh(`ostree --repo="${server.repo}" cat ${ref} /etc/greeting`), 'hello from the upload\n', 'the checkout directory is the tree');
  } finally {
    await server.stop();
  }
});

/** Processes still running that name `dir` (a server's ostree children, say). */
const processesOf = (dir: string) => sh(`ps -eo pid=,args= | grep -F -- "${dir}" | grep -v grep || true`).trim();
const REF_X = 'com.example.xattrs/x86_64/1';

test('xattrs survive the trip: a file capability, two user.* xattrs and an ACL; the server commit equals the client commit', async () => {
  const xtree = path.join(work, 'xtree');
  jetpackOk(root, ['runtime', 'initialize', xtree, '--from', 'jetpack/busybox']);
  sh(`rm -f "${xtree}/bin/ping" && cp -L "${xtree}/bin/busybox" "${xtree}/bin/ping" && setcap cap_net_raw+ep "${xtree}/bin/ping"`);
  sh(
    `echo conf > "${xtree}/etc/x.conf" && setfattr -n user.b -v 2 "${xtree}/etc/x.conf" && setfattr -n user.a -v 1 "${xtree}/etc/x.conf" && setfacl -m u:1234:r "${xtree}/etc/x.conf"`,
  );
  const local = jetpackOk(root, ['runtime', 'commit', xtree, REF_X]).trim();
  const server = await startServer('xattrs');
  try {
    const r = await upload(server, 'alice:alice-pw', [REF_X]);
    assert.is(r.status, 0, r.stderr);
    assert.is(sh(`ostree --repo="${server.repo}" rev-parse ${REF_X}`).trim(), local);
    assert.match(sh(`ostree --repo="${server.repo}" ls -X ${REF_X} /bin/ping`), /security\.capability/);
    assert.match(sh(`ostree --repo="${server.repo}" ls -X ${REF_X} /etc/x.conf`), /system\.posix_acl_access.*user\.a.*user\.b/);
    sh(`ostree --repo="${server.repo}" fsck --quiet`);
  } finally {
    await server.stop();
  }
});

test('device nodes and FIFOs: left out with a notice by the local commit and by the server alike, to the same commit', async () => {
  const dtree = path.join(work, 'dtree');
  sh(`mkdir -p "${dtree}/etc" "${dtree}/dev" && echo x > "${dtree}/etc/file" && mkfifo "${dtree}/dev/fifo" && mknod "${dtree}/dev/null" c 1 3`);
  const ref = 'com.example.devices/x86_64/1';
  const committed = jetpack(root, ['runtime', 'commit', dtree, ref], { env: { SOURCE_DATE_EPOCH: '1700000000' } });
  assert.is(committed.status, 0, committed.stderr);
  assert.match(committed.stderr, /leaving out 2 device node\(s\), FIFO\(s\)/);
  const local = committed.stdout.trim();
  const description = JSON.stringify(parseCommitText(sh(`ostree --repo="${root}/ostree/repo" show --raw ${local} | sed -n 2p`)));
  const tarball = Buffer.from(sh(`tar --numeric-owner --format=pax -C "${dtree}" -c . | base64 -w0`), 'base64');
  const server = await startServer('devices');
  try {
    const r = await rawUpload(server, tarball, { runtime: ref, checksum: local, commit: description }, basic('alice:alice-pw'));
    assert.is(r.status, 204, r.text);
    assert.match(
      server.log(),
      /leaving out 2 device node\(s\) or FIFO\(s\) of com\.example\.devices\/x86_64\/1 \(\/dev\/fifo, \/dev\/null\): OSTree stores none/,
    );
    assert.is(sh(`ostree --repo="${server.repo}" rev-parse ${ref}`).trim(), local);
  } finally {
    await server.stop();
  }
});

test('tus 1.0, checked on every request: 201 + Location, HEAD with Upload-Offset/Length, every PATCH 204; the publish in headers', async () => {
  const server = await startServer('strict');
  const artifact = Buffer.from(sh(`ostree --repo="${root}/ostree/repo" export ${commit} | zstd -c -q | base64 -w0`), 'base64');
  const ref = 'com.example.strict/x86_64/1';
  const headers = { 'Tus-Resumable': '1.0.0', ...basic('alice:alice-pw') };
  const tusOk = (res: Response, status: number, what: string) => {
    assert.is(res.status, status, `${what}: ${res.status}`);
    assert.is(res.headers.get('tus-resumable'), '1.0.0', `${what}: Tus-Resumable`);
  };
  try {
    const options = await fetch(`${server.url}/files/`, { method: 'OPTIONS', headers });
    assert.ok(options.status === 204 || options.status === 200, `OPTIONS ${options.status}`);
    assert.match(options.headers.get('tus-version') ?? '', /1\.0\.0/);
    const created = await fetch(`${server.url}/files/`, {
      method: 'POST',
      headers: { ...headers, 'Upload-Length': String(artifact.length), 'Upload-Metadata': `runtime ${Buffer.from(ref).toString('base64')}` },
    });
    tusOk(created, 201, 'POST');
    const location = new URL(created.headers.get('location')!, server.url).toString();
    assert.match(location, /\/files\/[0-9a-f]{32}$/);
    const chunk = Math.ceil(artifact.length / 3);
    for (let offset = 0; offset < artifact.length;) {
      const head = await fetch(location, { method: 'HEAD', headers });
      tusOk(head, 200, 'HEAD');
      assert.is(head.headers.get('upload-offset'), String(offset));
      assert.is(head.headers.get('upload-length'), String(artifact.length));
      assert.is(head.headers.get('cache-control'), 'no-store');
      const body = artifact.subarray(offset, offset + chunk);
      const patched = await fetch(location, {
        method: 'PATCH',
        headers: { ...headers, 'Upload-Offset': String(offset), 'Content-Type': 'application/offset+octet-stream' },
        body,
      });
      tusOk(patched, 204, `PATCH at ${offset}`);
      assert.is(await patched.text(), '', 'no body with 204');
      offset += body.length;
      assert.is(patched.headers.get('upload-offset'), String(offset));
      if (offset === artifact.length) {
        assert.is(patched.headers.get('jetpack-publish'), 'published');
        assert.is(patched.headers.get('jetpack-ref'), ref);
        assert.match(patched.headers.get('jetpack-commit') ?? '', /^[0-9a-f]{64}$/);
      }
    }
    const after = await fetch(location, { method: 'HEAD', headers });
    tusOk(after, 200, 'HEAD after the publish');
    assert.is(after.headers.get('upload-offset'), String(artifact.length));
    assert.is(after.headers.get('upload-length'), String(artifact.length));
    assert.is(after.headers.get('jetpack-publish'), 'published');
    assert.is(after.headers.get('jetpack-commit'), sh(`ostree --repo="${server.repo}" rev-parse ${ref}`).trim());
  } finally {
    await server.stop();
  }
});

test('per-upload ownership, the server state out of reach, malformed credentials 401, a double finish without 500', async () => {
  const server = await startServer('owner');
  const artifact = Buffer.from(sh(`ostree --repo="${root}/ostree/repo" export ${commit} | zstd -c -q | base64 -w0`), 'base64');
  const ref = 'com.example.owned/x86_64/1';
  const tus = { 'Tus-Resumable': '1.0.0' };
  const alice = { ...tus, ...basic('alice:alice-pw') };
  const bob = { ...tus, ...basic('bob:bob-pw') };
  try {
    const created = await fetch(`${server.url}/files/`, {
      method: 'POST',
      headers: { ...alice, 'Upload-Length': String(artifact.length), 'Upload-Metadata': `runtime ${Buffer.from(ref).toString('base64')}` },
    });
    assert.is(created.status, 201);
    const location = new URL(created.headers.get('location')!, server.url).toString();
    const half = artifact.subarray(0, 1000);
    assert.is(
      (await fetch(location, { method: 'PATCH', headers: { ...alice, 'Upload-Offset': '0', 'Content-Type': 'application/offset+octet-stream' }, body: half }))
        .status,
      204,
    );
    for (const method of ['HEAD', 'GET', 'DELETE', 'PATCH']) {
      const body = method === 'PATCH' ? artifact.subarray(1000) : undefined;
      const res = await fetch(location, { method, headers: { ...bob, 'Upload-Offset': '1000', 'Content-Type': 'application/offset+octet-stream' }, body });
      assert.is(res.status, 404, `bob's ${method}: ${res.status}`);
    }
    assert.match(server.log(), /refused PATCH \/files\/[0-9a-f]{32}: user bob, ref com\.example\.owned\/x86_64\/1: 404 the upload belongs to alice/);
    const id = location.split('/').pop()!;
    for (const name of ['owners.json', `${id}.json`, '..%2Fstate%2Fowners.json', 'state', '%2E%2E', `${id}%2Ejson`]) {
      for (const method of ['GET', 'HEAD', 'DELETE', 'PATCH']) {
        const res = await fetch(`${server.url}/files/${name}`, {
          method,
          headers: { ...alice, 'Upload-Offset': '0', 'Content-Type': 'application/offset+octet-stream' },
          body: method === 'PATCH' ? 'x' : undefined,
        });
        assert.is(res.status, 404, `${method} /files/${name}: ${res.status}`);
      }
    }
    assert.ok(existsSync(path.join(server.uploads, 'tus', `${id}.json`)), 'the upload record is still there');
    const malformed: Array<Record<string, string>> = [
      { Authorization: `Basic ${Buffer.from('alice:').toString('base64')}` },
      { Authorization: `Basic ${Buffer.from('alice').toString('base64')}` },
      { Authorization: 'Basic !!!not-base64!!!' },
      { Authorization: `Basic ${Buffer.from('mallory:pw').toString('base64')}` },
      { Authorization: `Basic ${Buffer.from(':pw').toString('base64')}` },
      { Authorization: `Basic ${Buffer.from('alice:alice-pw\0').toString('base64')}` },
      { Authorization: 'Bearer x' },
      { Authentication: 'Basic alice:' },
      {},
    ];
    for (const auth of malformed) {
      for (const method of ['POST', 'HEAD', 'PATCH']) {
        const res = await fetch(method === 'POST' ? `${server.url}/files/` : location, {
          method,
          headers: { ...tus, ...auth, 'Upload-Length': '10', 'Upload-Offset': '1000', 'Content-Type': 'application/offset+octet-stream' },
          body: method === 'PATCH' ? 'x' : undefined,
        });
        assert.is(res.status, 401, `${JSON.stringify(auth)} ${method}: ${res.status}`);
      }
    }
    // The last PATCH and zero-length PATCHes at offset = size, all at once.
    const finishing = [
      fetch(location, {
        method: 'PATCH',
        headers: { ...alice, 'Upload-Offset': '1000', 'Content-Type': 'application/offset+octet-stream' },
        body: artifact.subarray(1000),
      }),
      ...Array.from({ length: 4 }, () =>
        sleep(30).then(() =>
          fetch(location, {
            method: 'PATCH',
            headers: { ...alice, 'Upload-Offset': String(artifact.length), 'Content-Type': 'application/offset+octet-stream' },
            body: '',
          }),
        ),
      ),
    ];
    const statuses = (await Promise.all(finishing)).map((r) => r.status);
    assert.ok(!statuses.some((s) => s >= 500), `no 5xx: ${statuses.join(',')}`);
    assert.is(statuses.filter((s) => s === 204).length, 1, `one 204: ${statuses.join(',')}`);
    assert.is(sh(`ostree --repo="${server.repo}" rev-parse ${ref}`).trim().length, 64);
    assert.is((server.log().match(/published com\.example\.owned/g) ?? []).length, 1, 'published once');
    const later = await fetch(location, {
      method: 'PATCH',
      headers: { ...alice, 'Upload-Offset': String(artifact.length), 'Content-Type': 'application/offset+octet-stream' },
      body: '',
    });
    assert.is(later.status, 409);
    sh(`ostree --repo="${server.repo}" fsck --quiet`);
  } finally {
    await server.stop();
  }
});

test('the server SIGKILLed at each phase: the client reports success only once the ref is there, fsck clean', async () => {
  const ctree = path.join(work, 'ctree');
  sh(`mkdir -p "${ctree}/data" && head -c 3000000 /dev/urandom > "${ctree}/data/blob"`);
  const ref = 'com.example.crash/x86_64/1';
  const local = jetpackOk(root, ['runtime', 'commit', ctree, ref]).trim();
  for (const phase of ['receiving', 'importing', 'committing', 'summary', 'recording']) {
    const started = Date.now();
    const name = `crash-${phase}`;
    const paused = await startServer(name, [], 0, { JETPACK_UPLOAD_SERVER_PAUSE: phase });
    const client = upload(paused, 'carol:carol-pw', [ref, '--chunk-size', '1M']);
    for (let i = 0; i < 400 && !paused.log().includes(`pausing at ${phase}`); i++) await sleep(25);
    assert.match(paused.log(), new RegExp(`pausing at ${phase}`));
    await paused.stop('SIGKILL');
    const again = await startServer(name, [], Number(new URL(paused.url).port));
    try {
      const r = await client;
      assert.is(r.status, 0, `${phase}: ${r.stderr}`);
      assert.match(r.stderr, new RegExp(`published ${ref.replace(/\./g, '\\.')} at ${local}`), phase);
      assert.is(sh(`ostree --repo="${again.repo}" rev-parse ${ref}`).trim(), local, phase);
      assert.match(sh(`ostree --repo="${again.repo}" summary --view`), new RegExp(ref.replace(/\./g, '\\.')), `${phase}: in the summary`);
      sh(`ostree --repo="${again.repo}" fsck --quiet`);
      assert.is(uploadFiles(again).length, 0, `${phase}: nothing left in tus/`);
      assert.ok(Date.now() - started < 30_000, `${phase}: ${Date.now() - started} ms`);
    } finally {
      await again.stop();
    }
    assert.is(processesOf(again.repo), '', `${phase}: no process left`);
  }
});

test('a hostile corpus of upload requests: each answered as expected, nothing written outside the server dirs, the repo unchanged', async () => {
  const server = await startServer('corpus');
  const alice = { 'Tus-Resumable': '1.0.0', ...basic('alice:alice-pw') };
  const meta = (pairs: Record<string, string | Buffer>) =>
    Object.entries(pairs)
      .map(([k, v]) => `${k} ${Buffer.from(v).toString('base64')}`)
      .join(',');
  const description = (over: Record<string, unknown>) =>
    JSON.stringify({ metadata: [['version', '1']], refBinding: ['com.example.h/x86_64/1'], subject: '', body: '', timestamp: 0, ...over });
  const create = (metadata: string, extra: Record<string, string> = {}) => ({
    method: 'POST',
    path: '/files/',
    headers: { ...alice, 'Upload-Length': '100', 'Upload-Metadata': metadata, ...extra },
  });
  const R = 'com.example.h/x86_64/1';
  const sum = 'a'.repeat(64);
  const cases: Array<[string, { method: string; path: string; headers: Record<string, string>; body?: string }, number]> = [
    ['NUL in the ref', create(meta({ runtime: `${R}\0x` })), 400],
    ['option-like ref', create(meta({ runtime: '--help.x.y/x86_64/1' })), 400],
    ['option-like version', create(meta({ runtime: 'com.example.h/x86_64/-x' })), 400],
    ['newline in the ref', create(meta({ runtime: `${R}\n` })), 400],
    ['no ref', create(meta({ checksum: sum })), 400],
    ['bad checksum', create(meta({ runtime: R, checksum: '--x', commit: description({}) })), 400],
    ['NUL in the subject', create(meta({ runtime: R, checksum: sum, commit: description({ subject: 'a\0b' }) })), 400],
    ['control char in the body', create(meta({ runtime: R, checksum: sum, commit: description({ body: 'a\x1b[2Jb' }) })), 400],
    ['--body= as a metadata key', create(meta({ runtime: R, checksum: sum, commit: description({ metadata: [['--body=x', 'y']] }) })), 400],
    ['= in a metadata key', create(meta({ runtime: R, checksum: sum, commit: description({ metadata: [['a=b', 'y']] }) })), 400],
    ['NUL in a metadata value', create(meta({ runtime: R, checksum: sum, commit: description({ metadata: [['k', 'a\0']] }) })), 400],
    ['option-like ref binding', create(meta({ runtime: R, checksum: sum, commit: description({ refBinding: ['--x'] }) })), 400],
    ['a ref binding to another ref', create(meta({ runtime: R, checksum: sum, commit: description({ refBinding: ['com.example.other/x86_64/1'] }) })), 400],
    ["ostree's own metadata key", create(meta({ runtime: R, checksum: sum, commit: description({ metadata: [['ostree.collection-binding', 'x']] }) })), 400],
    ['commit not JSON', create(meta({ runtime: R, checksum: sum, commit: '{' })), 400],
    ['commit of the wrong shape', create(meta({ runtime: R, checksum: sum, commit: '{"metadata":"x"}' })), 400],
    ['no length', { method: 'POST', path: '/files/', headers: { ...alice, 'Upload-Defer-Length': '1', 'Upload-Metadata': meta({ runtime: R }) } }, 400],
    ['negative length', create(meta({ runtime: R }), { 'Upload-Length': '-1' }), 400],
    ['bad metadata encoding', create('runtime !!!'), 400],
    [
      'path traversal',
      {
        method: 'PATCH',
        path: '/files/..%2F..%2Frepo%2Fconfig',
        headers: { ...alice, 'Upload-Offset': '0', 'Content-Type': 'application/offset+octet-stream' },
        body: 'x',
      },
      404,
    ],
    [
      'an unknown upload',
      {
        method: 'PATCH',
        path: `/files/${'0'.repeat(32)}`,
        headers: { ...alice, 'Upload-Offset': '0', 'Content-Type': 'application/offset+octet-stream' },
        body: 'x',
      },
      404,
    ],
    ['repo outside /repo/', { method: 'GET', path: '/repo/../users', headers: {} }, 404],
    ['repo write', { method: 'PUT', path: '/repo/config', headers: {}, body: 'x' }, 405],
  ];
  const before = sh(`find "${work}" -path "${path.join(work, 'corpus')}" -prune -o -newer "${usersFile}" -print | sort`);
  const refsBefore = refsOf(server.repo);
  try {
    for (const [name, req, status] of cases) {
      const t = Date.now();
      const res = await fetch(`${server.url}${req.path}`, { method: req.method, headers: req.headers, body: req.body, signal: AbortSignal.timeout(5000) });
      assert.is(res.status, status, `${name}: ${res.status} ${await res.text()}`);
      assert.ok(Date.now() - t < 5000, `${name}: answered in time`);
    }
    assert.is(uploadFiles(server).length, 0, 'no upload was created');
    assert.is(refsOf(server.repo), refsBefore);
    sh(`ostree --repo="${server.repo}" fsck --quiet`);
    assert.is(
      sh(`find "${work}" -path "${path.join(work, 'corpus')}" -prune -o -newer "${usersFile}" -print | sort`),
      before,
      'nothing written outside the server dirs',
    );
    assert.is(
      sh(`find "${path.join(work, 'corpus')}" -type f -not -path "*/repo/*" -not -path "*/repo.uploads/*" -not -name log`),
      '',
      'only the repo and the uploads dir',
    );
  } finally {
    await server.stop();
  }
  assert.is(processesOf(server.repo), '', 'no process left');
});

test('--max-size bounds what an upload expands to: a zstd bomb and a 4 GiB sparse claim are refused at once, the repo unchanged', async () => {
  const server = await startServer('bombs', ['--max-size', '1M']);
  const bombs = path.join(work, 'bombs', 'in');
  sh(`mkdir -p "${bombs}/t/rt" && cd "${bombs}/t" && head -c 64M /dev/zero > rt/zeros && tar -c rt | zstd -q -19 > ../bomb.tar.zst && rm rt/zeros
      truncate -s 4G rt/claim && tar -c --sparse --format=gnu rt > ../sparse.tar && rm rt/claim`);
  try {
    for (const name of ['bomb.tar.zst', 'sparse.tar']) {
      const t = Date.now();
      const body = readFileSync(path.join(bombs, name));
      assert.ok(body.length < 64 << 10, `${name} is small: ${body.length}`);
      const r = await rawUpload(server, body, { runtime: `com.example.bomb/x86_64/${name.split('.')[0]}` }, { ...basic('alice:alice-pw') });
      assert.is(r.status, 422, `${name}: ${r.status} ${r.text}`);
      assert.is(r.text, 'the upload expands to more than 10M (JETPACK_MAX_UNPACKED raises the limit)\n');
      assert.ok(Date.now() - t < 10_000, `${name}: refused in ${Date.now() - t} ms`);
    }
    assert.is(refsOf(server.repo), '');
    sh(`ostree --repo="${server.repo}" fsck --quiet`);
  } finally {
    await server.stop();
  }
});

test.after(() => removeDir(work));
test.run();
