/**
 * Fetch against hostile servers on loopback: bodies that never end or trickle, discovery pages
 * that trickle, offer thousands of locations or redirect in a loop, signatures and keys far too
 * large, content that is no ACI, dependencies that lead back to themselves. Small limits through
 * the flags keep each case to a second or two; each must end in one line and exit 1, with the
 * store as it was (its tmp/ empty, fsck clean), nothing written elsewhere and no process left.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { createServer } from 'node:https';
import path from 'node:path';
import { JETPACK, jetpack, jetpackOk, makeAciWithTar, removeDir, sh, storeState, tempDir } from '../helpers/cli.js';
import { loopbackSite } from './loopback.js';

const work = tempDir('jetpack-fetch-hostile-');
const { host: HOST, ca, tls } = loopbackSite(work);
const site = `https://${HOST}`;
const store = path.join(work, 'store');
const rootfs = path.join(work, 'rootfs');
sh(`mkdir -p "${rootfs}/etc" && echo hostile > "${rootfs}/etc/motd"`);
const LIMITS = [`-ca=${ca}`, '-timeout=1', '-deadline=1', '-max-size=1M', '-max-meta-size=64K'];

type Answer = (res: ServerResponse) => void;
const routes = new Map<string, Answer>();
const requests: string[] = [];

const send =
  (body: string | Buffer, headers: Record<string, string | number> = {}): Answer =>
  (res) =>
    void res.writeHead(200, { 'content-type': 'text/html', ...headers }).end(body);
/** Bytes as fast as the client takes them, until it hangs up; `headers` may claim a length. */
const endless =
  (headers: Record<string, string | number> = {}): Answer =>
  (res) => {
    res.writeHead(200, headers);
    const chunk = Buffer.alloc(64 << 10, 'x');
    const pump = (): void => {
      while (!res.destroyed && res.write(chunk));
      if (!res.destroyed) res.once('drain', pump);
    };
    pump();
  };
/** One byte every 200 ms: never idle for -timeout, never done. */
const trickle: Answer = (res) => {
  res.writeHead(200, { 'content-type': 'text/html' });
  const timer = setInterval(() => res.write('<'), 200);
  res.on('close', () => clearInterval(timer));
};
const page = (...tags: Array<[prefix: string, template: string]>): Answer =>
  send(tags.map(([prefix, template]) => `<meta name="ac-discovery" content="${prefix} ${template}">`).join('\n'));
const discovery = (name: string, answer: Answer) => routes.set(`/${name}?ac-discovery=1`, answer);

const labels = [
  { name: 'os', value: 'linux' },
  { name: 'arch', value: 'amd64' },
];
const aci = (name: string, dependencies?: object[]) =>
  readFileSync(makeAciWithTar(work, rootfs, { acKind: 'ImageManifest', acVersion: '0.8.11', name, labels, dependencies }));

// An ACI body that never ends, one that claims 5 GiB, one that trickles.
discovery('endless', page([`${HOST}/endless`, `${site}/e/app.{ext}`]));
routes.set('/e/app.aci.asc', send('a signature'));
routes.set('/e/app.aci', endless());
discovery('claims', page([`${HOST}/claims`, `${site}/c/app.{ext}`]));
routes.set('/c/app.aci.asc', send('a signature'));
routes.set('/c/app.aci', endless({ 'content-length': 5 * 2 ** 30 }));
discovery('trickle', page([`${HOST}/trickle`, `${site}/t/app.{ext}`]));
routes.set('/t/app.aci.asc', send('a signature'));
routes.set('/t/app.aci', trickle);
// Discovery pages: trickled, 3000 locations, a redirect to itself.
discovery('slow-page', trickle);
discovery('many', page(...Array.from({ length: 3000 }, (_, i): [string, string] => [`${HOST}/many`, `${site}/many/${i}/app.{ext}`])));
routes.set('/loop?ac-discovery=1', (res) => void res.writeHead(302, { location: '/loop?ac-discovery=1' }).end());
// Signatures: 200 KiB said in advance, then one that never ends; a key that never ends.
discovery('bigsig', page([`${HOST}/bigsig`, `${site}/b1/app.{ext}`], [`${HOST}/bigsig`, `${site}/b2/app.{ext}`]));
routes.set('/b1/app.aci.asc', send(Buffer.alloc(200 << 10, 'A')));
routes.set('/b2/app.aci.asc', endless());
routes.set('/bigkey.asc', endless());
// An HTML page where the ACI should be.
discovery('wrong', page([`${HOST}/wrong`, `${site}/w/app.{ext}`]));
routes.set('/w/app.aci.asc', send('a signature'));
routes.set('/w/app.aci', send('<html><body>Moved. Try our new download page!</body></html>'));
// A page pointing at a file of the machine jetpack runs on (an ACI there, so only the scheme stops it).
const local = path.join(work, 'local');
sh(`mkdir -p "${local}"`);
sh(
  `cp "${makeAciWithTar(work, rootfs, { acKind: 'ImageManifest', acVersion: '0.8.11', name: `${HOST}/local/app`, labels })}" "${local}/app.aci" && echo sig > "${local}/app.aci.asc"`,
);
discovery('local', page([`${HOST}/local`, `file://${local}/app.{ext}`]));
// a depends on b, b on a.
discovery('cycle', page([`${HOST}/cycle/`, `${site}/files/{name}.{ext}`]));
routes.set(`/files/${HOST}/cycle/a.aci`, send(aci(`${HOST}/cycle/a`, [{ imageName: `${HOST}/cycle/b` }])));
routes.set(`/files/${HOST}/cycle/b.aci`, send(aci(`${HOST}/cycle/b`, [{ imageName: `${HOST}/cycle/a` }])));

const server = createServer(tls, (req, res) => {
  requests.push(req.url!);
  (routes.get(req.url!) ?? ((r) => void r.writeHead(404).end()))(res);
});

interface Attempt {
  status: number;
  stderr: string;
  seconds: number;
  /** Processes still in jetpack's process group once it exited. */
  left: string[];
}

/** The processes whose process group is `pgid`, as "PID COMM". */
function processGroup(pgid: number): string[] {
  const found: string[] = [];
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    } catch {
      continue; // gone meanwhile
    }
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(fields[2]) === pgid) found.push(`${pid} ${stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'))}`);
  }
  return found;
}

/** jetpack in a process group of its own, with a TMPDIR and a working directory that must stay empty. */
function attempt(args: string[], outside: string): Promise<Attempt> {
  const tmp = path.join(outside, 'tmp');
  mkdirSync(tmp, { recursive: true });
  const started = process.hrtime.bigint();
  return new Promise((resolve) => {
    const child = spawn(JETPACK, [`-root=${store}`, ...args], {
      cwd: outside,
      detached: true,
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, CI: 'true', JETPACK_DEBUG: '', JETPACK_NO_FETCH: '', TMPDIR: tmp },
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      resolve({ status: code ?? -1, stderr, seconds, left: processGroup(child.pid!) });
    });
  });
}

/**
 * Runs jetpack ARGS against the hostile site: exit 1 within `seconds`, the last line of stderr
 * matching `last`, the store unchanged and fsck clean, nothing outside the store, no process left.
 */
async function refused(args: string[], last: RegExp, seconds = 6): Promise<Attempt> {
  const outside = tempDir('jetpack-fetch-outside-');
  const before = storeState(store);
  const r = await attempt(args, outside);
  try {
    assert.is(r.status, 1, r.stderr);
    assert.match(r.stderr.trimEnd().split('\n').pop()!, last, r.stderr);
    assert.ok(r.seconds < seconds, `${args.join(' ')} took ${r.seconds.toFixed(1)} s`);
    assert.equal(storeState(store), before);
    assert.equal(storeState(store).tmp, []);
    assert.equal(sh(`cd "${outside}" && find . -mindepth 1 ! -path ./tmp`), '');
    assert.equal(readdirSync(path.join(outside, 'tmp')), []);
    assert.equal(r.left, []);
    const fsck = jetpack(store, ['fsck']);
    assert.is(fsck.status, 0, fsck.stderr);
    assert.match(fsck.stdout, '1 image(s) checked, 0 problem(s), 0 leftover(s) removed');
  } finally {
    removeDir(outside);
  }
  return r;
}

const fetch = (name: string, ...flags: string[]) => ['fetch', ...LIMITS, ...flags, `${HOST}/${name}`];
/** `s` as it appears in a regular expression. */
const re = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

test.before(async () => {
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(443, HOST, resolve));
  // The store holds an image: fsck has something to check, and the refusals something to leave alone.
  jetpackOk(store, ['import', makeAciWithTar(work, rootfs, { acKind: 'ImageManifest', acVersion: '0.8.11', name: 'example.com/kept', labels })]);
});
test.after(() => {
  server.closeAllConnections();
  server.close();
  removeDir(work);
});

test('an ACI body that never ends stops at -max-size, one that claims more is refused before a byte', async () => {
  const r = await refused(fetch('endless/app'), new RegExp(`^jetpack: cannot fetch ${re(HOST)}/endless/app: its one location failed \\(see above\\)$`));
  assert.match(r.stderr, `\njetpack: refusing ${site}/e/app.aci: larger than 1 MiB (-max-size)\n`);
  const claims = await refused(fetch('claims/app'), /its one location failed/);
  assert.match(claims.stderr, `refusing ${site}/c/app.aci: larger than 1 MiB (-max-size)`);
});

test('an ACI body trickled a byte at a time ends at -deadline, though it is never idle for -timeout', async () => {
  const r = await refused(fetch('trickle/app'), /its one location failed/);
  assert.match(r.stderr, `cannot download ${site}/t/app.aci: not done in 1 s (-deadline)`);
});

test('a trickled discovery page ends at -deadline and the walk goes on', async () => {
  const r = await refused(
    fetch('slow-page'),
    new RegExp(`^jetpack: discovery found no image location for ${re(HOST)}/slow-page \\(2 pages asked; see above\\)$`),
  );
  assert.match(r.stderr, `cannot download ${site}/slow-page?ac-discovery=1: not done in 1 s (-deadline)\n`);
});

test('a discovery page with 3000 locations is refused, none of them asked', async () => {
  // 3000 tags take 220 KB: a page under -max-meta-size.
  await refused(
    fetch('many', '-max-meta-size=1M'),
    new RegExp(
      `^jetpack: refusing ${re(site)}/many\\?ac-discovery=1: it offers 3000 image locations for ${re(HOST)}/many, more than the 10 discovery follows$`,
    ),
  );
  assert.not.ok(requests.some((u) => u.startsWith('/many/')));
});

test('a redirect loop ends after 10 redirects (or at -deadline, whichever comes first)', async () => {
  const count = requests.length;
  // Eleven TLS handshakes may take more than a second on a busy machine.
  const r = await refused(fetch('loop', '-deadline=4'), /discovery found no image location .*\(2 pages asked; see above\)$/);
  assert.match(r.stderr, `cannot download ${site}/loop?ac-discovery=1: more than 10 redirects\n`, r.stderr);
  assert.is(requests.slice(count).filter((u) => u.startsWith('/loop')).length, 11);
});

test('a signature or key larger than -max-meta-size is refused, said in advance or not; the ACI is never asked', async () => {
  const r = await refused(fetch('bigsig/app'), /^jetpack: cannot fetch .*\/bigsig\/app: all 2 locations failed \(see above\)$/);
  assert.match(r.stderr, `refusing ${site}/b1/app.aci.asc: larger than 64 KiB (-max-meta-size); trying the next location\n`);
  assert.match(r.stderr, `refusing ${site}/b2/app.aci.asc: larger than 64 KiB (-max-meta-size)\n`);
  assert.not.ok(requests.some((u) => /^\/b\d\/app\.aci$/.test(u)));
  const key = await refused(
    ['trust', ...LIMITS, `-prefix=${HOST}/`, `-fingerprint=${'0'.repeat(40)}`, `${site}/bigkey.asc`],
    new RegExp(`^jetpack: no key at ${re(site)}/bigkey\\.asc; nothing trusted$`),
  );
  assert.match(key.stderr, `refusing ${site}/bigkey.asc: larger than 64 KiB (-max-meta-size)\n`);
});

test('an HTML page where the ACI should be is refused in one line', async () => {
  const r = await refused(fetch('wrong/app'), /^jetpack: truncated archive: the data ends in the middle of an entry$/);
  assert.match(r.stderr, `fetching ${HOST}/wrong/app from ${site}/w/app.aci\n`);
});

test('a page naming a local file is no location: discovery never reads the machine it runs on', async () => {
  const r = await refused(
    fetch('local/app', '-insecure-skip-verify'),
    /^jetpack: discovery found no image location for .*\/local\/app \(3 pages asked; see above\)$/,
  );
  assert.match(r.stderr, `${site}/local?ac-discovery=1: no ac-discovery template that fills in to an http(s) URL for ${HOST}/local/app\n`);
});

test('a name deeper than 10 levels: discovery asks 10 pages and says so', async () => {
  const count = requests.length;
  const levels = 'a/b/c/d/e/f/g/h/i/j/k';
  await refused(
    fetch(levels),
    new RegExp(`^jetpack: discovery found no image location for ${re(HOST)}/${levels} \\(10 pages asked, the most discovery asks; see above\\)$`),
  );
  assert.is(requests.length - count, 10);
});

test('a key whose user ID carries terminal escapes is shown with them written out', async () => {
  const home = path.join(work, 'gnupg');
  sh(
    `mkdir -m 700 "${home}" && GNUPGHOME="${home}" gpg --batch --quiet --passphrase '' --quick-gen-key "$(printf 'Evil \\033]0;owned\\007 <evil@example.com>')" ed25519 sign never`,
  );
  sh(`GNUPGHOME="${home}" gpg --batch --armor --export evil@example.com > "${work}/evil.asc" && gpgconf --homedir "${home}" --kill gpg-agent`);
  const r = await refused(['trust', `-prefix=${HOST}/evil`, path.join(work, 'evil.asc')], /^jetpack: key [0-9a-f]{40} not trusted \(no terminal to ask on\)/);
  assert.match(r.stderr, /fingerprint [0-9a-f]{40} {2}Evil \\x1b\]0;owned\\x07 <evil@example\.com>\n/);
  // eslint-disable-next-line no-control-regex -- checks that no raw control character reaches the terminal
  assert.not.match(r.stderr, /[\x00-\x09\x0b-\x1f]/);
});

test('a control character in a location or credential never reaches skopeo', async () => {
  await refused(
    ['pull', 'docker://127.0.0.1:1/x\n:1'],
    /^jetpack: location "docker:\/\/127\.0\.0\.1:1\/x\\n:1" has a control character, which skopeo takes in no argument$/,
  );
  await refused(['pull', '-creds=user\r:pass', 'docker://127.0.0.1:1/x:1'], /^jetpack: -creds has a control character, which skopeo takes in no argument$/);
});

test('dependencies that lead back to the image are refused', async () => {
  await refused(
    fetch('cycle/a', '-insecure-skip-verify'),
    new RegExp(
      `^jetpack: refusing ${re(HOST)}/cycle/a: its dependencies lead back to it \\(${re(HOST)}/cycle/a -> ${re(HOST)}/cycle/b -> ${re(HOST)}/cycle/a\\)$`,
    ),
  );
});

test.run();
