import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { run } from '../../src/util/process.js';
import { Progress, byteSize, progressMode, withProgress, type ProgressIO } from '../../src/util/progress.js';

/** A stream, a clock and a timer the test drives: `advance(ms)` moves the clock and fires the timer when due. */
function fakeIO(env: NodeJS.ProcessEnv, isTTY = false) {
  const out: string[] = [];
  let now = 1_000_000;
  const timers: Array<{ ms: number; next: number; tick: () => void; stopped: boolean }> = [];
  const io: ProgressIO = {
    stream: { write: (text: string) => out.push(text), isTTY, columns: 60 },
    now: () => now,
    env,
    every: (ms, tick) => {
      const timer = { ms, next: now + ms, tick, stopped: false };
      timers.push(timer);
      return () => void (timer.stopped = true);
    },
  };
  const advance = (ms: number) => {
    const until = now + ms;
    for (;;) {
      const due = timers.filter((t) => !t.stopped && t.next <= until).sort((a, b) => a.next - b.next)[0];
      if (!due) break;
      now = due.next;
      due.next += due.ms;
      due.tick();
    }
    now = until;
  };
  return { io, out, advance, running: () => timers.filter((t) => !t.stopped).length };
}

const MiB = 1 << 20;

test('mode: -quiet (JETPACK_QUIET) wins; a terminal without CI redraws; a pipe or CI logs', () => {
  const tty = { isTTY: true, write: () => true };
  const pipe = { write: () => true };
  assert.is(progressMode({ stream: tty, env: {} }), 'terminal');
  assert.is(progressMode({ stream: tty, env: { CI: 'true' } }), 'log');
  assert.is(progressMode({ stream: tty, env: { CI: '0' } }), 'terminal');
  assert.is(progressMode({ stream: pipe, env: {} }), 'log');
  assert.is(progressMode({ stream: tty, env: { JETPACK_QUIET: '1' } }), 'quiet');
  assert.is(progressMode({ stream: pipe, env: { JETPACK_QUIET: '1', CI: 'true' } }), 'quiet');
});

test('log mode: a start line, at most one status line per interval, a done line with the total and rate', () => {
  const { io, out, advance, running } = fakeIO({ CI: 'true' });
  const p = new Progress('uploading x', { total: 100 * MiB }, io);
  assert.equal(out, ['jetpack: uploading x: started\n']);
  for (let i = 0; i < 25; i++) {
    advance(1000);
    p.add(2 * MiB);
  }
  // 25 s of counting: the 10 s interval gave two lines, whatever the number of counts.
  assert.equal(out.slice(1), [
    'jetpack: uploading x: 18.0 MiB / 100.0 MiB (18%), 1.8 MiB/s, 10s\n',
    'jetpack: uploading x: 38.0 MiB / 100.0 MiB (38%), 1.9 MiB/s, 20s\n',
  ]);
  p.finish();
  assert.is(out.at(-1), 'jetpack: uploading x: done in 25s (50.0 MiB / 100.0 MiB (50%), 2.0 MiB/s)\n');
  assert.is(running(), 0, 'the timer stops');
  p.finish();
  p.fail();
  assert.is(out.length, 4, 'a second end prints nothing');
});

test('log mode: JETPACK_PROGRESS_INTERVAL_MS sets the interval; a step with no count shows its time', () => {
  const { io, out, advance } = fakeIO({ CI: 'true', JETPACK_PROGRESS_INTERVAL_MS: '500' });
  const p = new Progress('copying x', {}, io);
  advance(1200);
  p.finish();
  assert.equal(out, ['jetpack: copying x: started\n', 'jetpack: copying x: 0.5s\n', 'jetpack: copying x: 1.0s\n', 'jetpack: copying x: done in 1.2s\n']);
});

test('log mode: items are counted by name', () => {
  const { io, out, advance } = fakeIO({ CI: 'true', JETPACK_PROGRESS_INTERVAL_MS: '1000' });
  const p = new Progress('checking the store', { items: 'images', total: 4 }, io);
  p.add();
  advance(1000);
  p.add();
  p.finish();
  assert.equal(out.slice(1), ['jetpack: checking the store: 1 / 4 images (25%), 1.0s\n', 'jetpack: checking the store: done in 1.0s (2 / 4 images (50%))\n']);
});

test("log mode: a child's lines are rate-limited; its unshown last lines are printed when it fails", () => {
  const { io, out, advance } = fakeIO({ CI: 'true' });
  const p = new Progress('mmdebstrap bookworm', {}, io);
  for (let i = 1; i <= 1000; i++) {
    p.line(`I: line ${i}`);
    if (i === 500) advance(10_000);
  }
  assert.equal(out, ['jetpack: mmdebstrap bookworm: started\n', 'jetpack: mmdebstrap bookworm: I: line 500 (10s)\n']);
  p.line('E: the mirror is gone');
  p.fail();
  assert.is(out.length, 2 + 40, 'the last 40 lines, not 1000');
  assert.is(out[2], 'mmdebstrap bookworm: I: line 962\n');
  assert.is(out.at(-1), 'mmdebstrap bookworm: E: the mirror is gone\n');
});

test('terminal mode: one line redrawn at most every 100 ms, cut to the width, ended by the done line', () => {
  const { io, out, advance } = fakeIO({}, true);
  const p = new Progress('downloading https://example.com/a/rather/long/url/of/a/tarball.tar', { total: 10 * MiB }, io);
  assert.equal(out, [], 'no start line on a terminal');
  for (let i = 0; i < 10; i++) {
    advance(20);
    p.add(MiB);
  }
  assert.is(out.length, 2, `redraws at 100 and 200 ms: ${JSON.stringify(out)}`);
  assert.ok(
    out.every((l) => l.startsWith('\r') && l.endsWith('\x1b[K') && l.length <= 59 + 4),
    JSON.stringify(out),
  );
  p.finish();
  // eslint-disable-next-line no-control-regex -- the ANSI escape sequences are what is matched
  assert.match(out.at(-1)!, /^\rjetpack: downloading .*: done in 0\.2s \(10\.0 MiB \/ 10\.0 MiB \(100%\), 50\.0 MiB\/s\)\x1b\[K\n$/);
});

test('terminal mode: a silent step still shows its time every second; a child line is its status', () => {
  const { io, out, advance } = fakeIO({}, true);
  const p = new Progress('writing x.raw (squashfs)', {}, io);
  advance(2000);
  assert.equal(out, ['\rjetpack: writing x.raw (squashfs): 1.0s\x1b[K', '\rjetpack: writing x.raw (squashfs): 2.0s\x1b[K']);
  advance(200);
  p.line('Parallel mksquashfs: Using 2 processors\r');
  assert.is(out.at(-1), '\rjetpack: writing x.raw (squashfs): Parallel mksquashfs: Usi\x1b[K');
  p.fail();
  assert.equal(out.slice(-2), ['\n', 'writing x.raw (squashfs): Parallel mksquashfs: Using 2 processors\n']);
});

test('terminal mode: a step that fails before anything is drawn adds no empty line', () => {
  const { io, out } = fakeIO({}, true);
  new Progress('x', {}, io).fail();
  assert.equal(out, []);
});

test('a terminal-only progress (a download) is drawn on a terminal and silent in a log', () => {
  const tty = fakeIO({}, true);
  new Progress('downloading u', { total: 10, terminalOnly: true }, tty.io).finish();
  assert.equal(tty.out, ['\rjetpack: downloading u: done in 0.0s (0 B / 10 B (0%))\x1b[K\n']);
  const log = fakeIO({ CI: 'true' });
  const p = new Progress('downloading u', { total: 10, terminalOnly: true }, log.io);
  log.advance(60_000);
  p.finish();
  assert.equal(log.out, []);
});

test('sizes in the unit that reads best: a small transfer is not "0.0 MiB"', () => {
  assert.equal([0, 1023, 1024, 40 * 1024 + 100, MiB, 1.25 * MiB, 3 * 1024 * MiB].map(byteSize), [
    '0 B',
    '1023 B',
    '1.0 KiB',
    '40.1 KiB',
    '1.0 MiB',
    '1.3 MiB',
    '3.0 GiB',
  ]);
});

test('quiet mode prints nothing, and no timer runs, even when the work fails', () => {
  const { io, out, advance, running } = fakeIO({ CI: 'true', JETPACK_QUIET: '1' });
  const p = new Progress('x', { total: 10 }, io);
  assert.is(running(), 0);
  p.add(5);
  p.line('E: broken');
  advance(60_000);
  p.finish();
  const q = new Progress('y', {}, io);
  q.line('E: broken');
  q.fail();
  assert.equal(out, []);
});

test('withProgress: finished when the work succeeds, failed (no done line) when it throws', async () => {
  const { io, out } = fakeIO({ CI: 'true' });
  assert.is(await withProgress('a', {}, async () => 42, io), 42);
  assert.equal(out, ['jetpack: a: started\n', 'jetpack: a: done in 0.0s\n']);
  const err = await withProgress('b', {}, async () => Promise.reject(new Error('boom')), io).catch((e: Error) => e);
  assert.is(err.message, 'boom');
  assert.equal(out.slice(2), ['jetpack: b: started\n']);
});

test("run with a progress: the child's stderr is streamed line by line (\\r redraws too), then finished", async () => {
  const { io, out, advance } = fakeIO({}, true);
  const progress = new Progress('tool', {}, io);
  const script = 'printf "Get:1 a\\nGet:2 b\\n" >&2; printf "10%%\\r20%%\\r" >&2; echo result';
  const seen: string[] = [];
  const line = progress.line.bind(progress);
  progress.line = (text) => (seen.push(text), advance(100), line(text));
  assert.is(await run('sh', ['-c', script], { progress }), 'result\n');
  assert.equal(seen, ['Get:1 a', 'Get:2 b', '10%', '20%']);
  assert.is(out.at(-2), '\rjetpack: tool: 20% (0.4s)\x1b[K');
  // eslint-disable-next-line no-control-regex -- the ANSI escape sequences are what is matched
  assert.match(out.at(-1)!, /^\rjetpack: tool: done in 0\.4s\x1b\[K\n$/);
});

test("run with a progress in a log: a failing child's unshown lines come before its error", async () => {
  const { io, out } = fakeIO({ CI: 'true' });
  const script = 'for i in 1 2 3; do echo "I: step $i" >&2; done; echo "E: no mirror" >&2; exit 2';
  const err = await run('sh', ['-c', script], { what: 'bootstrapping', progress: new Progress('tool', {}, io) }).catch((e: Error) => e);
  assert.match((err as Error).message, /^bootstrapping: sh exited with status 2: .*E: no mirror/);
  assert.equal(out, ['jetpack: tool: started\n', 'tool: I: step 1\n', 'tool: I: step 2\n', 'tool: I: step 3\n', 'tool: E: no mirror\n']);
});

test.run();
