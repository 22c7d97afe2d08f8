import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { readFileSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { JETPACK, MINIMAL_MANIFEST, jetpack, jetpackAsync, jetpackOk, makeAciWithTar, removeDir, sh, storeState, tempDir } from '../helpers/cli.js';
import { byteSize } from '../../src/util/progress.js';

const work = tempDir();
const root = path.join(work, 'store');
const small = path.join(work, 'small');
sh(`mkdir -p "${small}/etc" && echo small > "${small}/etc/small"`);
const smallAci = makeAciWithTar(work, small, { ...MINIMAL_MANIFEST, name: 'example.com/small' });
const smallID = jetpackOk(root, ['import', smallAci]).trim();

// Large enough (many files, ~120 MB) that a kill lands in the middle of the import.
const big = path.join(work, 'big');
sh(
  `mkdir -p "${big}/data" && for i in $(seq 1 60); do head -c 2000000 /dev/urandom > "${big}/data/f$i"; done && for i in $(seq 1 2000); do echo $i > "${big}/data/s$i"; done`,
);
const bigAci = makeAciWithTar(work, big, { ...MINIMAL_MANIFEST, name: 'example.com/big' });

function waitForStaging(dir: string, child: ReturnType<typeof spawn>): Promise<void> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const poll = () => {
      if (storeState(dir).tmp.some((t) => t.startsWith('import-'))) return resolve();
      if (child.exitCode !== null) return reject(new Error('import finished before it could be killed'));
      if (Date.now() - started > 60_000) return reject(new Error('no staging dir appeared'));
      setTimeout(poll, 5);
    };
    poll();
  });
}

/** An import from stdin that has received only part of the ACI, so it is surely still running. */
function halfwayImport(dir: string) {
  const child = spawn(JETPACK, [`-root=${dir}`, 'import', '-'], { stdio: ['pipe', 'ignore', 'ignore'] });
  const bytes = readFileSync(bigAci);
  child.stdin.on('error', () => {}); // EPIPE once the test kills it
  child.stdin.write(bytes.subarray(0, bytes.length >> 1));
  return { child, finish: () => child.stdin.end(bytes.subarray(bytes.length >> 1)) };
}

test('SIGKILL during import leaves images/ as it was; fsck removes the leftover', async () => {
  const before = storeState(root);
  const { child } = halfwayImport(root);
  await waitForStaging(root, child);
  child.kill('SIGKILL');
  await new Promise((r) => child.on('close', r));
  const after = storeState(root);
  assert.equal(after.images, before.images, 'no half image in images/');
  assert.ok(after.tmp.length >= 1, 'the killed import left its staging dir');
  // The killed process held the store lock at most; it must be free again.
  const fsck = jetpack(root, ['fsck']);
  assert.is(fsck.status, 0, fsck.stdout + fsck.stderr);
  assert.match(fsck.stdout, /1 image\(s\) checked, 0 problem\(s\), [1-9]\d* leftover\(s\) removed/);
  assert.equal(storeState(root), before);
  assert.is(jetpackOk(root, ['import', bigAci]).trim().length, 135, 'the same import succeeds afterwards');
  jetpackOk(root, ['destroy-image', 'example.com/big']);
});

test('fsck leaves live work alone: a running import is not a leftover', async () => {
  const { child, finish } = halfwayImport(root);
  await waitForStaging(root, child);
  const fsck = await jetpackAsync(root, ['fsck']);
  assert.is(fsck.status, 0);
  assert.match(fsck.stdout, / 0 leftover\(s\) removed/);
  finish();
  const code = await new Promise((r) => child.on('close', r));
  assert.is(code, 0, 'the import finished despite fsck running beside it');
  jetpackOk(root, ['destroy-image', 'example.com/big']);
});

test('two imports at once both succeed, and images answers meanwhile', async () => {
  const other = makeAciWithTar(work, big, { ...MINIMAL_MANIFEST, name: 'example.com/big2' });
  const a = jetpackAsync(root, ['import', bigAci]);
  const b = jetpackAsync(root, ['import', other]);
  const listing = await jetpackAsync(root, ['images', '-q']);
  assert.is(listing.status, 0);
  const [ra, rb] = await Promise.all([a, b]);
  assert.is(ra.status, 0, ra.stderr);
  assert.is(rb.status, 0, rb.stderr);
  assert.is(storeState(root).images.length, 3);
  assert.equal(storeState(root).tmp, []);
  jetpackOk(root, ['destroy-image', 'example.com/big', 'example.com/big2']);
});

test('fsck reports an image whose content no longer matches its ID', () => {
  const corrupt = path.join(work, 'store-corrupt');
  const id = jetpackOk(corrupt, ['import', smallAci]).trim();
  const aci = path.join(corrupt, 'images', id, 'aci');
  const bytes = readFileSync(aci);
  bytes[bytes.length - 2000] = bytes[bytes.length - 2000] ^ 0xff;
  writeFileSync(aci, bytes);
  const r = jetpack(corrupt, ['fsck']);
  assert.is(r.status, 1);
  assert.match(r.stdout, new RegExp(`^problem: ${id}: content hash mismatch`, 'm'));
});

test('import over http on loopback, with progress off outside a terminal', async () => {
  const body = readFileSync(smallAci);
  const server: Server = createServer((req, res) => {
    if (req.url === '/small.aci') {
      res.writeHead(200, { 'content-length': body.length });
      res.end(body);
    } else if (req.url === '/redirect') {
      res.writeHead(302, { location: '/small.aci' });
      res.end();
    } else if (req.url === '/short') {
      res.writeHead(200, { 'content-length': body.length });
      res.end(body.subarray(0, 1000));
    } else {
      res.writeHead(404);
      res.end();
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const store = path.join(work, 'store-http');
  try {
    const ok = await jetpackAsync(store, ['import', `${base}/redirect`]);
    assert.is(ok.status, 0, ok.stderr);
    assert.is(ok.stdout.trim(), smallID);
    assert.not.match(ok.stderr, /downloading/);
    // On a terminal (script(1) gives it one) and outside CI, the download draws its progress.
    const tty = await new Promise<string>((resolve) => {
      const child = spawn('script', ['-qec', `"${JETPACK}" -root="${store}" import ${base}/small.aci`, '/dev/null'], { env: { ...process.env, CI: '' } });
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.on('close', () => resolve(out));
    });
    const size = byteSize(body.length);
    assert.match(tty, `\rjetpack: downloading ${base}/small.aci: done in `);
    assert.match(tty, ` (${size} / ${size} (100%)`);
    assert.match(tty, `already in the store: example.com/small`);
    const missing = await jetpackAsync(store, ['import', `${base}/nope.aci`]);
    assert.is(missing.status, 1);
    assert.is(missing.stderr, `jetpack: cannot download ${base}/nope.aci: HTTP 404 Not Found\n`);
    const short = await jetpackAsync(store, ['import', `${base}/short`]);
    assert.is(short.status, 1);
    assert.match(short.stderr, /^jetpack: [^\n]+\n$/);
    assert.equal(storeState(store).tmp, []);
    assert.equal(storeState(store).images, [smallID]);
  } finally {
    server.close();
  }
});

test('an unreachable URL is a one-line error', () => {
  const r = jetpack(path.join(work, 'store-none'), ['import', 'http://127.0.0.1:9/x.aci']);
  assert.is(r.status, 1);
  assert.match(r.stderr, /^jetpack: cannot download http:\/\/127\.0\.0\.1:9\/x\.aci: [^\n]+\n$/);
});

test('a full disk fails the import cleanly', () => {
  const mnt = path.join(work, 'tiny');
  sh(`mkdir -p "${mnt}" && mount -t tmpfs -o size=8m tmpfs "${mnt}"`);
  try {
    const r = jetpack(path.join(mnt, 'store'), ['import', bigAci]);
    assert.is(r.status, 1);
    assert.match(r.stderr, /^jetpack: [^\n]*(No space left on device|no space left)[^\n]*\n$/i);
    assert.equal(storeState(path.join(mnt, 'store')), { images: [], tmp: [] });
  } finally {
    sh(`umount "${mnt}"`);
  }
});

test.after(() => removeDir(work));
test.run();
