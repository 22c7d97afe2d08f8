/**
 * jetpack fetch, trust, sign and discovery-page end to end, on loopback HTTPS with a CA made
 * here: real gpg keys, real signatures, a server that redirects, 404s and stalls.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import path from 'node:path';
import { JETPACK, jetpack, jetpackAsync, jetpackOk, makeAciWithTar, removeDir, sh, storeState, tempDir, type Result } from '../helpers/cli.js';
import { loopbackSite } from './loopback.js';
import { parseJson } from '../helpers/json.js';

const work = tempDir('jetpack-fetch-');
const { net: NET, host: HOST, ca, tls } = loopbackSite(work);
const PLAIN_HOST = `${NET}.2`; // plain http on port 80, for -tls-verify=false
/** HOST and PLAIN_HOST as they appear in a regular expression. */
const H = HOST.replaceAll('.', '\\.');
const P = PLAIN_HOST.replaceAll('.', '\\.');
const gnupg = path.join(work, 'gnupg');

// Keys: the publisher's, a stranger's, and one behind a passphrase.
const gpg = (args: string, input?: string) => sh(`GNUPGHOME="${gnupg}" gpg --batch --quiet ${args}`, { input });
sh(`mkdir -m 700 "${gnupg}"`);
for (const who of ['Publisher <publisher@example.com>', 'Stranger <stranger@example.com>']) gpg(`--passphrase '' --quick-gen-key '${who}' ed25519 sign never`);
gpg(`--passphrase secret --pinentry-mode loopback --quick-gen-key 'Locked <locked@example.com>' ed25519 sign never`);
const fingerprintOf = (uid: string) => /^fpr:+([0-9A-F]+):/m.exec(gpg(`--with-colons --fingerprint '${uid}'`))![1].toLowerCase();
const PUBLISHER = fingerprintOf('publisher@example.com');
const STRANGER = fingerprintOf('stranger@example.com');
const publisherKey = path.join(work, 'publisher.asc');
const strangerKey = path.join(work, 'stranger.asc');
gpg(`--armor --export publisher@example.com > "${publisherKey}"`);
gpg(`--armor --export stranger@example.com > "${strangerKey}"`);
const gpgEnv = { GNUPGHOME: gnupg };
// A key whose primary only certifies and whose subkey signs: signatures name the subkey.
gpg(`--passphrase '' --quick-gen-key 'Subkeyed <sub@example.com>' ed25519 cert never`);
const SUBKEYED = fingerprintOf('sub@example.com');
gpg(`--passphrase '' --quick-add-key ${SUBKEYED} ed25519 sign never`);
const subkeyedKey = path.join(work, 'subkeyed.asc');
gpg(`--armor --export sub@example.com > "${subkeyedKey}"`);

// The site: files by URL path, discovery pages made by jetpack discovery-page itself.
type Route = { body?: Buffer | string; status?: number; location?: string; stall?: boolean };
const routes = new Map<string, Route>();
const requests: string[] = [];
const rootfs = path.join(work, 'rootfs');
sh(`mkdir -p "${rootfs}/bin" && cp /bin/busybox "${rootfs}/bin/busybox" && for c in sh echo cat true; do ln -s busybox "${rootfs}/bin/$c"; done`);

const labels = (version: string, extra: Record<string, string> = {}) => [
  { name: 'version', value: version },
  { name: 'os', value: 'linux' },
  { name: 'arch', value: 'amd64' },
  ...Object.entries(extra).map(([name, value]) => ({ name, value })),
];

/** Makes an ACI named `name`, signs it with `signer` and serves both under /files/. */
function publish(
  file: string,
  name: string,
  opts: { signer?: string; version?: string; extra?: Record<string, string>; dependencies?: object[]; tamper?: boolean } = {},
): string {
  const aci = makeAciWithTar(work, rootfs, {
    acKind: 'ImageManifest',
    acVersion: '0.8.11',
    name,
    labels: labels(opts.version ?? '1.0', opts.extra),
    dependencies: opts.dependencies,
  });
  const signed = path.join(work, file.replaceAll('/', '_'));
  sh(`cp "${aci}" "${signed}"`);
  jetpackOk(path.join(work, 'signer-store'), ['sign', `-key=${opts.signer ?? 'publisher@example.com'}`, signed], { env: gpgEnv });
  if (opts.tamper) sh(`printf 'x' >> "${signed}"`);
  routes.set(`/files/${file}`, { body: readFileSync(signed) });
  routes.set(`/files/${file}.asc`, { body: readFileSync(`${signed}.asc`) });
  return signed;
}

function page(urlPath: string, ...tags: Array<[prefix: string, template: string, pubkeys?: string]>): void {
  const html = tags
    .map(([prefix, template, pubkeys]) => jetpackOk(work, ['discovery-page', ...(pubkeys ? [`-pubkeys=${pubkeys}`] : []), prefix, template]))
    .join('\n');
  routes.set(`${urlPath}?ac-discovery=1`, { body: html });
}

const site = `https://${HOST}`;
// /a: several levels (a/b/app is found at /a), label templates ({variant} skipped unless asked).
page(
  '/a',
  [`${HOST}/a/`, `${site}/files/{variant}/{name}-{version}.{ext}`],
  [`${HOST}/a/`, `${site}/files/app-{version}-{os}-{arch}.{ext}`, `${site}/keys/publisher.asc`],
);
publish('app-1.0-linux-amd64.aci', `${HOST}/a/b/app`);
publish('app-2.0-linux-amd64.aci', `${HOST}/a/b/app`, { version: '2.0' });
routes.set(`/files/slim/${HOST}/a/b/app-1.0.aci`, { location: '/files/app-slim.aci' });
routes.set(`/files/slim/${HOST}/a/b/app-1.0.aci.asc`, { location: '/files/app-slim.aci.asc' });
publish('app-slim.aci', `${HOST}/a/b/app`, { extra: { variant: 'slim' } });
// Tampered, signed by an untrusted key, misnamed: each under its own name.
page('/t', [`${HOST}/t/`, `${site}/files/t-{version}.{ext}`]);
publish('t-1.0.aci', `${HOST}/t/app`, { tamper: true });
page('/s', [`${HOST}/s/`, `${site}/files/s-{version}.{ext}`]);
publish('s-1.0.aci', `${HOST}/s/app`, { signer: 'stranger@example.com' });
page('/m', [`${HOST}/m/`, `${site}/files/m-{version}.{ext}`]);
publish('m-1.0.aci', `${HOST}/m/other`);
// A key found by discovery: /k names the stranger's key.
page('/k', [`${HOST}/k/`, `${site}/files/k-{version}.{ext}`, `${site}/keys/stranger.asc`]);
publish('k-1.0.aci', `${HOST}/k/app`, { signer: 'stranger@example.com' });
// /u: signed by a subkey; its first key location is no key at all, the second is.
page(
  '/u',
  [`${HOST}/u/`, `${site}/files/u-{version}.{ext}`, `${site}/keys/not-a-key.html`],
  [`${HOST}/u/`, `${site}/unused/{name}.{ext}`, `${site}/keys/subkeyed.asc`],
);
publish('u-1.0.aci', `${HOST}/u/app`, { signer: 'sub@example.com' });
routes.set('/keys/subkeyed.asc', { body: readFileSync(subkeyedKey) });
routes.set('/keys/not-a-key.html', { body: '<html>moved</html>' });
routes.set('/bad?ac-discovery=1', { location: 'http://[bad' });
routes.set('/keys/publisher.asc', { body: readFileSync(publisherKey) });
routes.set('/keys/stranger.asc', { body: readFileSync(strangerKey) });
// A 404 and a stalled server before the working location; a redirected discovery page.
page('/f', [`${HOST}/f/`, `${site}/missing/{name}.{ext}`], [`${HOST}/f/`, `${site}/stall/{name}.{ext}`], [`${HOST}/f/`, `${site}/files/f-{version}.{ext}`]);
publish('f-1.0.aci', `${HOST}/f/app`);
routes.set('/r?ac-discovery=1', { location: '/r-page?ac-discovery=1' });
page('/r-page', [`${HOST}/r/`, `${site}/files/r-{version}.{ext}`]);
publish('r-1.0.aci', `${HOST}/r/app`);
page('/x', [`${HOST}/x/`, `${site}/stall/{name}.{ext}`]);
// Dependencies: a child whose base is fetched with it, by name and ID.
// {os} and {arch}: a dependency names neither, discovery fills in the host's.
page('/d', [`${HOST}/d/`, `${site}/files/{name}-{version}-{os}-{arch}.{ext}`]);
const depBase = publish(`${HOST}/d/base-1.0-linux-amd64.aci`, `${HOST}/d/base`);
const depBaseID = `sha512-${sh(`sha512sum "${depBase}"`).split(' ')[0]}`;
publish(`${HOST}/d/child-1.0-linux-amd64.aci`, `${HOST}/d/child`, {
  dependencies: [{ imageName: `${HOST}/d/base`, imageID: depBaseID, labels: [{ name: 'version', value: '1.0' }] }],
});

function handler(req: IncomingMessage, res: ServerResponse): void {
  requests.push(req.url!);
  const route = routes.get(req.url!) ?? (req.url!.startsWith('/stall/') ? { stall: true } : undefined);
  if (!route) return void res.writeHead(404).end();
  if (route.stall) return; // never answers
  if (route.location) return void res.writeHead(302, { location: route.location }).end();
  res.writeHead(route.status ?? 200, { 'content-type': 'text/html' }).end(route.body);
}
const server = createHttpsServer(tls, handler);
const plain = createHttpServer((req, res) => {
  requests.push(`plain:${req.url}`);
  if (req.url === '/p?ac-discovery=1')
    return void res.end(`<meta name="ac-discovery" content="${PLAIN_HOST}/p/ ${site}/files/app-{version}-{os}-{arch}.{ext}">`);
  res.writeHead(404).end();
});

const store = path.join(work, 'store');
const fetchEnv = { JETPACK_NO_FETCH: '' };
const run = (args: string[], env: NodeJS.ProcessEnv = {}): Promise<Result> => jetpackAsync(store, args, { env: { ...fetchEnv, ...env } });
const fetchArgs = (...args: string[]) => ['fetch', `-ca=${ca}`, '-timeout=2', ...args];

/** Runs `fn` and checks that it changed nothing in the store. */
async function refused(args: string[], message: RegExp, env: NodeJS.ProcessEnv = {}): Promise<Result> {
  const before = storeState(store);
  const keysBefore = jetpackOk(store, ['trust']);
  const r = await run(args, env);
  assert.is(r.status, 1, `${args.join(' ')}: ${r.stderr}`);
  assert.match(r.stderr, message);
  assert.equal(storeState(store), before);
  assert.is(jetpackOk(store, ['trust']), keysBefore);
  return r;
}

test.before(async () => {
  for (const [listener, port, host] of [
    [server, 443, HOST],
    [plain, 80, PLAIN_HOST],
  ] as const) {
    await new Promise<void>((resolve, reject) => listener.once('error', reject).listen(port, host, resolve));
  }
});
test.after(() => {
  server.closeAllConnections(); // the stalled requests too
  server.close();
  plain.close();
  removeDir(work);
});

test('trust: a key for a prefix, listed as PREFIX FINGERPRINT IDENTITY; a fingerprint that does not match is refused', async () => {
  await refused(['trust', `-prefix=${HOST}/a/`, `-fingerprint=${STRANGER}`, publisherKey], /is [0-9a-f]{40}, not the -fingerprint given .*nothing trusted/);
  await refused(['trust', `-prefix=${HOST}/a/`, publisherKey], /not trusted \(no terminal to ask on\); -fingerprint=[0-9a-f]{40} trusts it without asking/);
  const ok = await run(['trust', `-prefix=${HOST}/a/`, `-fingerprint=${PUBLISHER.toUpperCase()}`, publisherKey]);
  assert.is(ok.status, 0, ok.stderr);
  assert.is(ok.stdout, `${HOST}/a/ ${PUBLISHER} Publisher <publisher@example.com>\n`);
  assert.match(ok.stderr, `key at ${publisherKey}: fingerprint ${PUBLISHER}  Publisher <publisher@example.com>`);
  // Kept as Jetpack keeps keys: keys/<prefix, "/" as ",">/<fingerprint>.
  assert.ok(existsSync(path.join(store, 'keys', `${HOST},a,`, PUBLISHER)));
  const json = parseJson<unknown>(jetpackOk(store, ['trust', '-json']));
  assert.equal(json, [{ prefix: `${HOST}/a/`, fingerprint: PUBLISHER, identity: 'Publisher <publisher@example.com>' }]);
  // A key for another prefix: the stranger may sign under /other/ only.
  jetpackOk(store, ['trust', `-prefix=${HOST}/other`, `-fingerprint=${STRANGER}`, strangerKey]);
  assert.is(jetpackOk(store, ['trust']).split('\n').filter(Boolean).length, 2);
});

test('fetch by name: a discovery walk over several levels, the store checked first', async () => {
  const r = await run(fetchArgs(`${HOST}/a/b/app:1.0`));
  assert.is(r.status, 0, r.stderr);
  // /a/b/app and /a/b have no page; /a has the tags. {variant} is not asked for: that template is skipped.
  for (const level of ['/a/b/app', '/a/b', '/a']) assert.ok(requests.includes(`${level}?ac-discovery=1`), level);
  assert.not.ok(requests.some((u) => u.startsWith('/files/slim')));
  assert.match(r.stderr, `signature of ${HOST}/a/b/app by Publisher <publisher@example.com> (${PUBLISHER}) is good`);
  assert.match(r.stderr, `fetched ${HOST}/a/b/app:1.0`);
  const id = r.stdout.trim();
  assert.match(id, /^sha512-[0-9a-f]{128}$/);
  assert.ok(existsSync(path.join(store, 'images', id, 'aci.asc')), 'the signature is kept with the image');
  // Already in the store: nothing is asked of the server.
  const count = requests.length;
  const again = await run(fetchArgs('-saveid=' + path.join(work, 'id'), `${HOST}/a/b/app:1.0`));
  assert.is(again.status, 0, again.stderr);
  assert.is(again.stdout.trim(), id);
  assert.is(requests.length, count);
  assert.is(readFileSync(path.join(work, 'id'), 'utf8'), `${id}\n`);
  // -force runs discovery again; the image is the same.
  const forced = await run(fetchArgs('-force', `${HOST}/a/b/app:1.0`));
  assert.is(forced.stdout.trim(), id);
  assert.ok(requests.length > count);
});

test('fetch: {version} defaults to latest, labels fill their own templates, a redirect is followed', async () => {
  routes.set('/files/app-latest-linux-amd64.aci', { location: '/files/app-2.0-linux-amd64.aci' });
  routes.set('/files/app-latest-linux-amd64.aci.asc', { location: '/files/app-2.0-linux-amd64.aci.asc' });
  const latest = await run(fetchArgs(`${HOST}/a/b/app`), {});
  // In the store already (1.0 answers a name without a version); -force asks for latest.
  assert.is(latest.status, 0, latest.stderr);
  const forced = await run(fetchArgs('-force', `${HOST}/a/b/app`));
  assert.is(forced.status, 0, forced.stderr);
  assert.match(forced.stderr, `from ${site}/files/app-latest-linux-amd64.aci`);
  assert.match(jetpackOk(store, ['images']), `${HOST}/a/b/app:2.0`);
  const slim = await run(fetchArgs(`${HOST}/a/b/app:1.0,variant=slim`));
  assert.is(slim.status, 0, slim.stderr);
  assert.ok(requests.includes(`/files/slim/${HOST}/a/b/app-1.0.aci`));
  assert.match(slim.stderr, `fetched ${HOST}/a/b/app:1.0,arch=amd64,os=linux,variant=slim`);
});

test('fetch refuses a tampered ACI, an untrusted signer, a key for another prefix and a name mismatch, storing nothing', async () => {
  for (const prefix of ['t', 'm']) jetpackOk(store, ['trust', `-prefix=${HOST}/${prefix}/`, `-fingerprint=${PUBLISHER}`, publisherKey]);
  await refused(
    fetchArgs(`${HOST}/t/app:1.0`),
    new RegExp(String.raw`BAD signature on ${H}\/t\/app \(by Publisher <publisher@example\.com>\): the image is not what was signed; nothing stored`),
  );
  // The stranger is trusted for HOST/other only, and /s publishes no key.
  await refused(fetchArgs(`${HOST}/s/app:1.0`), new RegExp(String.raw`discovery found no key location for ${H}\/s\/app`));
  await refused(
    ['import', `-sig=${path.join(work, 's-1.0.aci.asc')}`, path.join(work, 's-1.0.aci')],
    new RegExp(String.raw`is signed by key [0-9a-f]+, which is not trusted for ${H}\/s\/app .*nothing stored`),
  );
  await refused(fetchArgs(`${HOST}/m/app:1.0`), new RegExp(String.raw`is ${H}\/m\/other:1\.0,arch=amd64,os=linux, not the ${H}\/m\/app:1\.0 asked for`));
  await refused(['import', '-sig=' + path.join(work, 'app-1.0-linux-amd64.aci.asc'), path.join(work, 't-1.0.aci')], /BAD signature/);
  await refused(
    ['import', '-sig=' + path.join(work, 'ca.pem'), path.join(work, 'f-1.0.aci')],
    new RegExp(String.raw`cannot check the signature of ${H}\/f\/app: it holds no OpenPGP signature; nothing stored`),
  );
});

test('import -sig stores a well-signed ACI', async () => {
  jetpackOk(store, ['trust', `-prefix=${HOST}/f`, `-fingerprint=${PUBLISHER}`, publisherKey]);
  const r = await run(['import', '-sig=' + path.join(work, 'f-1.0.aci.asc'), path.join(work, 'f-1.0.aci')]);
  assert.is(r.status, 0, r.stderr);
  assert.match(r.stderr, new RegExp(String.raw`signature of ${H}\/f\/app by Publisher`));
  jetpackOk(store, ['destroy-image', r.stdout.trim()]);
});

test('an unknown key found through ac-discovery-pubkeys: shown, then trusted only with -fingerprint or a yes on a terminal', async () => {
  const none = await refused(fetchArgs(`${HOST}/k/app:1.0`), /key [0-9a-f]{40} not trusted \(no terminal to ask on\)/);
  assert.match(none.stderr, `key at ${site}/keys/stranger.asc: fingerprint ${STRANGER}  Stranger <stranger@example.com>`);
  await refused(fetchArgs(`-fingerprint=${PUBLISHER}`, `${HOST}/k/app:1.0`), /not the -fingerprint given/);
  // On a terminal (script(1) gives one), "no" refuses and "yes" trusts.
  const onTerminal = (answer: string) =>
    new Promise<string>((resolve) => {
      const cmd = `"${JETPACK}" -root="${store}" ${fetchArgs(`${HOST}/k/app:1.0`).join(' ')}`;
      const child = spawn('script', ['-qec', cmd, '/dev/null'], { env: { ...process.env, ...fetchEnv } });
      let out = '';
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('(yes/no)')) child.stdin.write(`${answer}\n`);
      });
      child.on('close', () => resolve(out));
    });
  const before = storeState(store);
  assert.match(
    await onTerminal('no'),
    new RegExp(String.raw`Trust this key to sign images under ${H}\/k\/app\? \(yes\/no\)[\s\S]*not trusted \(the answer was not yes\)`),
  );
  assert.equal(storeState(store), before);
  const yes = await onTerminal('yes');
  assert.match(yes, `trusting ${STRANGER} for ${HOST}/k/app`);
  assert.match(yes, `fetched ${HOST}/k/app:1.0`);
  assert.match(jetpackOk(store, ['trust']), `${HOST}/k/app ${STRANGER} Stranger <stranger@example.com>`);
});

test('a key that signs with a subkey is found and trusted by its primary fingerprint; a location with no key is skipped', async () => {
  const r = await run(fetchArgs(`-fingerprint=${SUBKEYED}`, `${HOST}/u/app:1.0`));
  assert.is(r.status, 0, r.stderr);
  assert.match(r.stderr, `trusting ${SUBKEYED} for ${HOST}/u/app`);
  assert.match(jetpackOk(store, ['trust']), `${HOST}/u/app ${SUBKEYED} Subkeyed <sub@example.com>`);
  // Something else in keys/ (a README) is no key, and no obstacle.
  writeFileSync(path.join(store, 'keys', 'README'), 'keys jetpack trusts\n');
  assert.match(jetpackOk(store, ['trust']), SUBKEYED);
});

test('a redirect to something that is no URL is one failure line; the walk goes on', async () => {
  const r = await refused(fetchArgs(`${HOST}/bad/app`), /discovery found no image location/);
  assert.match(r.stderr, `cannot download ${site}/bad?ac-discovery=1: it redirects to "http://[bad", which is not a URL\n`);
});

test('a 404 and a stalled server are tried in turn; a redirected discovery page is followed; all failing is one line each', async () => {
  const r = await run(fetchArgs(`${HOST}/f/app:1.0`));
  assert.is(r.status, 0, r.stderr);
  assert.match(r.stderr, `cannot download ${site}/missing/${HOST}/f/app.aci.asc: HTTP 404 Not Found; trying the next location`);
  assert.match(r.stderr, `cannot download ${site}/stall/${HOST}/f/app.aci.asc: no answer in 2 s; trying the next location`);
  assert.match(r.stderr, `fetched ${HOST}/f/app:1.0`);
  jetpackOk(store, ['trust', `-prefix=${HOST}/r/`, `-fingerprint=${PUBLISHER}`, publisherKey]);
  const viaRedirect = await run(fetchArgs(`${HOST}/r/app:1.0`));
  assert.is(viaRedirect.status, 0, viaRedirect.stderr);
  assert.ok(requests.includes('/r-page?ac-discovery=1'));
  const stalled = await refused(
    fetchArgs('-timeout=1', `${HOST}/x/app`),
    new RegExp(String.raw`^jetpack: cannot fetch ${H}\/x\/app: its one location failed \(see above\)$`, 'm'),
  );
  assert.match(stalled.stderr, /no answer in 1 s\n/);
  const nowhere = await refused(
    fetchArgs(`${HOST}/nowhere/app`),
    new RegExp(String.raw`discovery found no image location for ${H}\/nowhere\/app \(3 pages asked; see above\)`),
  );
  assert.match(nowhere.stderr, `cannot download ${site}/nowhere/app?ac-discovery=1: HTTP 404 Not Found\n`);
  // Without the test CA the certificate is refused.
  await refused(['fetch', `${HOST}/a/b/app:9.9`], new RegExp(String.raw`cannot download https:\/\/${H}\/a\/b\/app\?ac-discovery=1: .*certificate`));
});

test('fetch brings the dependencies of what it fetches, held to their image IDs', async () => {
  jetpackOk(store, ['trust', `-prefix=${HOST}/d/`, `-fingerprint=${PUBLISHER}`, publisherKey]);
  const r = await run(fetchArgs(`${HOST}/d/child:1.0`));
  assert.is(r.status, 0, r.stderr);
  assert.match(r.stderr, `fetched ${HOST}/d/child:1.0`);
  const child = (JSON.parse(jetpackOk(store, ['images', '-json'])) as Array<{ id: string; dependencies: string[] }>).find((i) => i.id === r.stdout.trim());
  assert.equal(child?.dependencies, [depBaseID]);
  assert.ok(existsSync(path.join(store, 'images', depBaseID)));
});

test('a dependency pinned by ID is discovered though the store has another image of its name; one in the store is never fetched', async () => {
  const depStore = path.join(work, 'dep-store');
  jetpackOk(depStore, ['trust', `-prefix=${HOST}/d/`, `-fingerprint=${PUBLISHER}`, publisherKey]);
  const impostor = makeAciWithTar(work, rootfs, {
    acKind: 'ImageManifest',
    acVersion: '0.8.11',
    name: `${HOST}/d/base`,
    labels: labels('1.0', { built: 'here' }),
  });
  const impostorID = jetpackOk(depStore, ['import', impostor]).trim();
  const r = await jetpackAsync(depStore, fetchArgs(`${HOST}/d/child:1.0`), { env: fetchEnv });
  assert.is(r.status, 0, r.stderr);
  assert.not.match(r.stderr, /fetched as/);
  assert.match(r.stderr, `fetching ${HOST}/d/base`);
  const images = JSON.parse(jetpackOk(depStore, ['images', '-json'])) as Array<{ id: string; dependencies: string[] }>;
  assert.equal(images.find((i) => i.id === r.stdout.trim())?.dependencies, [depBaseID]);
  assert.ok(
    images.some((i) => i.id === impostorID),
    'the other image stays',
  );
  // Again with -force: the child is discovered anew, its dependency (in the store now) is not.
  const again = await jetpackAsync(depStore, fetchArgs('-force', `${HOST}/d/child:1.0`), { env: fetchEnv });
  assert.is(again.status, 0, again.stderr);
  assert.match(again.stderr, `fetching ${HOST}/d/child`);
  assert.not.match(again.stderr, `fetching ${HOST}/d/base`);
});

test('a redirect from https down to plain http is refused, naming -tls-verify=false, which import takes too (and the older -insecure-allow-http)', async () => {
  routes.set('/files/down.aci', { location: `http://${PLAIN_HOST}/files/down.aci` });
  await refused(
    ['import', `-ca=${ca}`, `${site}/files/down.aci`],
    new RegExp(
      String.raw`^jetpack: refusing the redirect from https:\/\/${H}\/files\/down\.aci to plain http:\/\/${P}\/files\/down\.aci \(-tls-verify=false allows it, or its older spelling -insecure-allow-http\)\n$`,
    ),
  );
  assert.not.ok(requests.includes('plain:/files/down.aci'));
  const allowed = await run(['import', `-ca=${ca}`, '-insecure-allow-http', `${site}/files/down.aci`]);
  assert.is(allowed.status, 1);
  assert.ok(requests.includes('plain:/files/down.aci'), 'followed');
  assert.match(allowed.stderr, `cannot download http://${PLAIN_HOST}/files/down.aci: HTTP 404 Not Found`);
  // -tls-verify=false accepts any certificate too, as skopeo's does: no -ca needed for the test site.
  await refused(['import', `${site}/files/down.aci`], /certificate/);
  const anyCertificate = await run(['import', '-tls-verify=false', `${site}/files/down.aci`]);
  assert.is(anyCertificate.status, 1);
  assert.match(anyCertificate.stderr, `cannot download http://${PLAIN_HOST}/files/down.aci: HTTP 404 Not Found`);
});

test('implicit fetch: a build parent not in the store is fetched, unless -no-fetch or JETPACK_NO_FETCH=1', async () => {
  const dir = path.join(work, 'build-dir');
  sh(`mkdir -p "${dir}" && echo '{"name":"example.com/built"}' > "${dir}/manifest.json"`);
  const parent = `${HOST}/a/b/app:2.0`;
  jetpackOk(store, ['destroy-image', parent]);
  const cmd = ['build', `-dir=${dir}`, parent, '/bin/sh', '-c', 'echo built > /built'];
  await refused(['build', '-no-fetch', ...cmd.slice(1)], new RegExp(String.raw`no image ${H}\/a\/b\/app:2\.0 in the store, and fetching is off`));
  await refused(cmd, /fetching is off/, { JETPACK_NO_FETCH: '1' });
  // NODE_EXTRA_CA_CERTS: the way to trust a CA where no -ca flag reaches (build, make).
  const r = await run(cmd, { NODE_EXTRA_CA_CERTS: ca });
  assert.is(r.status, 0, r.stderr);
  assert.match(r.stderr, `fetching ${HOST}/a/b/app:2.0 from ${site}/files/app-2.0-linux-amd64.aci`);
  assert.match(r.stderr, 'built example.com/built');
  // make: PARENT_IMAGE resolved by `jetpack fetch -q`, so a missing one is fetched the same way.
  jetpackOk(store, ['destroy-image', 'example.com/built']);
  jetpackOk(store, ['destroy-image', parent]);
  writeFileSync(
    path.join(dir, 'Makefile'),
    `PARENT_IMAGE = ${parent}\nBUILD_COMMAND = /bin/true\ninclude $(shell "${JETPACK}" config path.share)/jetpack.image.mk\n`,
  );
  // Not sh(): a synchronous make would stall this process's server.
  const made = await new Promise<string>((resolve) => {
    const child = spawn('make', ['-s', '-C', dir, `JETPACK=${JETPACK} -root=${store}`], { env: { ...process.env, ...fetchEnv, NODE_EXTRA_CA_CERTS: ca } });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('close', (code) => resolve(`${out}exit ${code}`));
  });
  assert.match(made, `fetched ${HOST}/a/b/app:2.0`);
  assert.match(made, /exit 0$/);
  assert.match(jetpackOk(store, ['images']), 'example.com/built');
});

test('-tls-verify=false lets discovery fall back to plain http; without it http is never asked', async () => {
  jetpackOk(store, ['trust', `-prefix=${PLAIN_HOST}/p/`, `-fingerprint=${PUBLISHER}`, publisherKey]);
  await refused(fetchArgs(`${PLAIN_HOST}/p/app:1.0`), /discovery found no image location/);
  assert.not.ok(requests.includes('plain:/p?ac-discovery=1'));
  // The page names files on the https site: they are the publisher's app, so the name does not match.
  const r = await run(fetchArgs('-tls-verify=false', `${PLAIN_HOST}/p/app:1.0`));
  assert.ok(requests.includes('plain:/p?ac-discovery=1'));
  assert.match(r.stderr, new RegExp(String.raw`is ${H}\/a\/b\/app:1\.0,arch=amd64,os=linux, not the ${P}\/p\/app:1\.0 asked for`));
});

test('-insecure-skip-verify stores an unsigned image, loudly', async () => {
  routes.delete('/files/s-1.0.aci.asc');
  const r = await run(fetchArgs('-insecure-skip-verify', `${HOST}/s/app:1.0`));
  assert.is(r.status, 0, r.stderr);
  assert.match(r.stderr, `WARNING: -insecure-skip-verify: ${HOST}/s/app is stored without checking who made it`);
});

test('untrust removes a key from every prefix it was trusted for', async () => {
  const r = await run(['untrust', STRANGER]);
  assert.is(r.status, 0, r.stderr);
  assert.match(r.stderr, `no longer trusting ${STRANGER} for ${HOST}/k/app, ${HOST}/other`);
  assert.not.match(jetpackOk(store, ['trust']), STRANGER);
  assert.match((await run(['untrust', STRANGER])).stderr, /is not trusted \(see jetpack trust\)/);
  assert.match((await run(['untrust', 'abc'])).stderr, /"abc" is not a key fingerprint/);
});

test('sign: FILE.asc that gpgv accepts, an image exported then signed, a wrong passphrase refused with nothing written', () => {
  const signer = path.join(work, 'signer-store');
  const file = path.join(work, 'to-sign.aci');
  sh(`cp "${path.join(work, 'f-1.0.aci')}" "${file}"`);
  const out = jetpackOk(signer, ['sign', '-key=publisher@example.com', file], { env: gpgEnv });
  assert.is(out, `${file}.asc\n`);
  sh(
    `gpg --batch --quiet --dearmor < "${publisherKey}" > "${work}/publisher.gpg" && gpgv --keyring "${work}/publisher.gpg" "${file}.asc" "${file}" 2>/dev/null`,
  );
  // A stored image: exported as NAME-VERSION-OS-ARCH.aci, then signed.
  const id = jetpackOk(signer, ['import', file]).trim();
  const exported = jetpackOk(signer, ['sign', '-key=publisher@example.com', id], { env: gpgEnv, cwd: work });
  assert.is(exported, 'app-1.0-linux-amd64.aci.asc\n');
  assert.ok(existsSync(path.join(work, 'app-1.0-linux-amd64.aci')));
  const pass = path.join(work, 'wrong-pass');
  writeFileSync(pass, 'not-the-secret\n');
  const wrong = jetpack(signer, ['sign', '-key=locked@example.com', `-passphrase-file=${pass}`, file], { env: gpgEnv });
  assert.is(wrong.status, 1);
  assert.match(wrong.stderr, /^jetpack: cannot sign [^\n]+: [^\n]+\n$/);
  assert.ok(existsSync(`${file}.asc`), 'the earlier signature is still there');
  writeFileSync(pass, 'secret\n');
  jetpackOk(signer, ['sign', '-key=locked@example.com', `-passphrase-file=${pass}`, file], { env: gpgEnv });
  assert.is(jetpack(signer, ['sign', path.join(work, 'nothing.aci')]).stderr, `jetpack: ${path.join(work, 'nothing.aci')}: no such file\n`);
});

test('discovery-page prints the meta tags and refuses templates discovery cannot use', () => {
  const html = jetpackOk(work, ['discovery-page', '-pubkeys=https://example.com/key.asc', 'example.com/', 'https://example.com/{name}-{version}.{ext}']);
  assert.match(html, '<meta name="ac-discovery" content="example.com/ https://example.com/{name}-{version}.{ext}">');
  assert.match(html, '<meta name="ac-discovery-pubkeys" content="example.com/ https://example.com/key.asc">');
  assert.match(jetpack(work, ['discovery-page', 'example.com/', 'https://example.com/{name}.aci']).stderr, /has no \{ext\}/);
});

test('make aci-signed writes image.aci and image.aci.asc', () => {
  const dir = path.join(work, 'signed-image');
  const makeStore = path.join(work, 'make-store');
  const parentID = jetpackOk(makeStore, ['import', path.join(work, 'f-1.0.aci')]).trim();
  sh(`mkdir -p "${dir}" && echo '{"name":"example.com/signed"}' > "${dir}/manifest.json"`);
  writeFileSync(
    path.join(dir, 'Makefile'),
    `PARENT_IMAGE = ${parentID}\nBUILD_COMMAND = /bin/true\nSIGN_KEY = publisher@example.com\ninclude $(shell "${JETPACK}" config path.share)/jetpack.image.mk\n`,
  );
  sh(`GNUPGHOME="${gnupg}" make -s -C "${dir}" JETPACK="${JETPACK} -root=${makeStore}" aci-signed >/dev/null`);
  sh(`gpgv --keyring "${work}/publisher.gpg" "${dir}/image.aci.asc" "${dir}/image.aci" 2>/dev/null`);
  sh(`make -s -C "${dir}" JETPACK="${JETPACK} -root=${makeStore}" clean`);
  assert.not.ok(existsSync(path.join(dir, 'image.aci.asc')));
});

test.run();
