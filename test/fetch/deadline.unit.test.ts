import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createServer, type Server } from 'node:http';
import { httpGet, type HttpOptions } from '../../src/registry/http.js';

// A refusal names what set the deadline: -deadline, or the shorter cap small downloads
// (discovery pages, signatures, keys) get whatever -deadline says.
let server: Server;
let url = '';

test.before(async () => {
  // One byte every 200 ms, forever: never idle, never done.
  server = createServer((_req, res) => {
    res.writeHead(200);
    const tick = setInterval(() => res.write('x'), 200);
    res.on('close', () => clearInterval(tick));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as { port: number }).port}/page`;
});

const options = (image: number, meta: number): HttpOptions => ({
  timeoutSeconds: 30,
  allowHttp: true,
  limits: { image: { maxBytes: 1 << 20, deadlineSeconds: image }, meta: { maxBytes: 1 << 20, deadlineSeconds: meta } },
});

async function refusal(opts: HttpOptions, kind: 'image' | 'meta'): Promise<string> {
  try {
    const res = await httpGet(url, opts, kind);
    for await (const _ of res.body);
  } catch (err) {
    return (err as Error).message;
  }
  return 'no refusal';
}

test('a small download held to its own cap says so, not -deadline', async () => {
  assert.is(await refusal(options(30, 1), 'meta'), `cannot download ${url}: not done in 1 s (the most a discovery page, signature or key may take)`);
});

test('a download held to -deadline names the flag', async () => {
  assert.is(await refusal(options(1, 1), 'meta'), `cannot download ${url}: not done in 1 s (-deadline)`);
  assert.is(await refusal(options(1, 1), 'image'), `cannot download ${url}: not done in 1 s (-deadline)`);
});

test.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
test.run();
