/**
 * Running tools (src/util/process.ts): output, exit statuses, and the one-line errors that
 * name the tool, what it was doing and the tool's own complaint.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { UserError } from '../../src/errors.js';
import { diesWithJetpack, exitStatus, feedProcess, notInstalled, run, runToEnd, spawnReader, spawnWriter } from '../../src/util/process.js';

async function failure(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (err) {
    return err as Error;
  }
  assert.unreachable('no error');
  throw new Error('unreachable');
}

test('run returns stdout, feeds input, and honours cwd and env', async () => {
  assert.is(await run('sh', ['-c', 'cat; echo "$X"; pwd'], { input: 'in\n', cwd: '/tmp', env: { ...process.env, X: 'x' } }), 'in\nx\n/tmp\n');
});

test('a failing tool: what was being done, the tool, its status, its own lines (the last three)', async () => {
  const err = await failure(run('sh', ['-c', 'echo advice >&2; echo "sh: one" >&2; echo "sh: two" >&2; exit 3'], { what: 'unpacking' }));
  assert.instance(err, UserError);
  assert.is(err.message, 'unpacking: sh exited with status 3: sh: one; sh: two');
  const plain = await failure(run('sh', ['-c', 'printf "a\\nb\\nc\\nd\\n" >&2; exit 1']));
  assert.is(plain.message, 'sh exited with status 1: b; c; d');
  const killed = await failure(run('sh', ['-c', 'kill -TERM $$']));
  assert.is(killed.message, 'sh killed by SIGTERM');
});

test('a tool that is not installed says so, with its Debian package when known', async () => {
  assert.is((await failure(run('no-such-tool-jetpack', []))).message, 'no-such-tool-jetpack is not installed');
  assert.is(notInstalled('zstd').message, 'zstd is not installed (apt-get install zstd)');
  assert.is(notInstalled('flock').message, 'flock is not installed (apt-get install util-linux)');
});

test('runToEnd resolves whatever the status; exitStatus counts a signal as 128+N', async () => {
  const done = await runToEnd('sh', ['-c', 'echo out; echo err >&2; exit 5']);
  assert.equal({ ...done }, { code: 5, signal: null, stdout: 'out\n', stderr: 'err\n' });
  assert.is(exitStatus(5, null), 5);
  assert.is(exitStatus(null, 'SIGKILL'), 137);
  assert.is(exitStatus(null, 'SIGTERM'), 143);
});

test('diesWithJetpack runs the command under setpriv, tied to this process', () => {
  const [cmd, args] = diesWithJetpack('tar', ['-x']);
  assert.is(cmd, 'setpriv');
  assert.equal(args.slice(0, 4), ['--pdeathsig', 'KILL', '--', 'sh']);
  assert.equal(args.slice(-3), [String(process.pid), 'tar', '-x']);
});

test('spawnReader: a stream of stdout that ends on success and fails with the stderr line', async () => {
  assert.is(await text(spawnReader('sh', ['-c', 'echo one; echo two'])), 'one\ntwo\n');
  assert.is(await text(spawnReader('tr', ['a-z', 'A-Z'], { stdin: Readable.from(['abc']) })), 'ABC');
  const err = await failure(text(spawnReader('sh', ['-c', 'echo partial; echo "sh: broken" >&2; exit 2'], { what: 'listing' })));
  assert.is(err.message, 'listing: sh exited with status 2: sh: broken');
});

test('spawnWriter and feedProcess: input piped in, stdout to a fd, the status checked', async () => {
  const ok = spawnWriter('sh', ['-c', 'test "$(cat)" = hello']);
  await feedProcess(Readable.from(['hel', 'lo']), ok);
  const bad = spawnWriter('sh', ['-c', 'cat >/dev/null; echo "sh: no" >&2; exit 4']);
  assert.is((await failure(feedProcess(Readable.from(['x']), bad))).message, 'sh exited with status 4: sh: no');
  // A command that stops reading early and succeeds (tar at its end-of-archive blocks) is no failure.
  const early = spawnWriter('head', ['-c', '1']);
  await feedProcess(Readable.from([Buffer.alloc(1 << 22)]), early);
  // A failing source is reported before the command's own failure.
  const source = new Readable({
    read() {
      this.destroy(new Error('corrupt input'));
    },
  });
  assert.is((await failure(feedProcess(source, spawnWriter('cat', [])))).message, 'corrupt input');
});

test.run();
