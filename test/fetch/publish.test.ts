/**
 * docs/FETCH.md's publishing layout, followed as written: the lines of its loopback example
 * run one by one (a loopback address of the test's own for 127.0.0.1, the key's fingerprint
 * for FPR, a store per side), served by python3's static http.server, fetched by a user's
 * store. Every file the page names is there: no 404 but the discovery walk's first level.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { JETPACK, REPO, jetpackOk, makeAciWithTar, removeDir, sh, tempDir } from '../helpers/cli.js';

const work = tempDir('jetpack-publish-');
const HOST = `127.${1 + Math.floor(Math.random() * 250)}.${1 + Math.floor(Math.random() * 250)}.1`;
const publisherStore = path.join(work, 'publisher-store');
const userStore = path.join(work, 'user-store');
const gnupg = path.join(work, 'gnupg');
const env = { ...process.env, GNUPGHOME: gnupg, CI: 'true', JETPACK_NO_FETCH: '' };
let server: ChildProcess | undefined;
let serverLog = '';

/** The sh block of docs/FETCH.md that tries the publishing layout on loopback. */
function documentedLines(): string[] {
  const doc = readFileSync(path.join(REPO, 'docs', 'FETCH.md'), 'utf8');
  const blocks = [...doc.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]);
  const block = blocks.find((b) => b.includes('python3 -m http.server'));
  assert.ok(block, 'docs/FETCH.md has a loopback example served by python3 -m http.server');
  return block.split('\n').filter((l) => l.trim() && !l.startsWith('#'));
}

async function serve(line: string): Promise<void> {
  const args = line.replace(/\s*&$/, '').split(/\s+/);
  server = spawn(args[0], args.slice(1), { cwd: work, stdio: ['ignore', 'ignore', 'pipe'] });
  server.stderr!.on('data', (d: Buffer) => (serverLog += d.toString()));
  for (let i = 0; i < 100; i++) {
    await sleep(100);
    if (
      await fetch(`http://${HOST}/pubkeys.asc`).then(
        (res) => res.ok,
        () => false,
      )
    )
      return;
  }
  throw new Error(`the static server did not start: ${serverLog}`);
}

test.after(() => {
  server?.kill();
  sh(`GNUPGHOME="${gnupg}" gpgconf --kill gpg-agent || true`);
  removeDir(work);
});

test('docs/FETCH.md: sign, discovery-page and a static server give a site jetpack fetch reads with no 404', async () => {
  sh(
    `mkdir -m 700 "${gnupg}" && GNUPGHOME="${gnupg}" gpg --batch --quiet --passphrase '' --quick-gen-key 'Publisher <publisher@example.com>' ed25519 sign never`,
  );
  const fpr = /^fpr:+([0-9A-F]+):/m.exec(sh(`GNUPGHOME="${gnupg}" gpg --batch --with-colons --fingerprint publisher@example.com`))![1].toLowerCase();
  // The image the example publishes, in the publisher's store.
  const rootfs = path.join(work, 'rootfs');
  sh(`mkdir -p "${rootfs}/etc" && echo published > "${rootfs}/etc/motd"`);
  const labels = [
    { name: 'version', value: '1.0' },
    { name: 'os', value: 'linux' },
    { name: 'arch', value: 'amd64' },
  ];
  const aci = makeAciWithTar(work, rootfs, { acKind: 'ImageManifest', acVersion: '0.8.11', name: `${HOST}/app`, labels });
  const id = jetpackOk(publisherStore, ['import', aci]).trim();

  for (const documented of documentedLines()) {
    const line = documented.replaceAll('127.0.0.1', HOST).replaceAll('FPR', fpr);
    if (line.startsWith('python3 ')) {
      await serve(line);
      continue;
    }
    // jetpack sign reads the publisher's store; trust and fetch write the user's.
    const root = /^jetpack (sign|discovery-page) /.test(line) ? publisherStore : userStore;
    const command = line.replace(/^jetpack /, `"${JETPACK}" -root="${root}" `);
    const r = await new Promise<{ status: number | null; out: string }>((resolve) => {
      const child = spawn('bash', ['-euo', 'pipefail', '-c', command], { cwd: work, env });
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr.on('data', (d: Buffer) => (out += d.toString()));
      child.on('close', (status) => resolve({ status, out }));
    });
    assert.is(r.status, 0, `${line}\n${r.out}`);
    if (line.includes(' fetch ')) assert.match(r.out, id, 'the image fetched is the one published');
  }
  assert.match(jetpackOk(userStore, ['images']), `${HOST}/app`);
  assert.match(jetpackOk(userStore, ['trust']), fpr);
  // Only the first level of the discovery walk (HOST/app?ac-discovery=1) is not there.
  const misses = serverLog.split('\n').filter((l) => /" 404 /.test(l));
  assert.equal(
    misses.map((l) => /"GET (\S+)/.exec(l)?.[1]),
    ['/app?ac-discovery=1'],
    serverLog,
  );
  for (const file of ['/?ac-discovery=1', '/pubkeys.asc', `/images/${HOST}/app-1.0-linux-amd64.aci.asc`, `/images/${HOST}/app-1.0-linux-amd64.aci`]) {
    assert.ok(serverLog.includes(`"GET ${file} HTTP/1.1" 200`), `${file} served\n${serverLog}`);
  }
});

test.run();
