import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { setTimeout as sleep } from 'node:timers/promises';
import { mapLimited } from '../../src/util/settle.js';

test('mapLimited: results in order, never more than the limit at once', async () => {
  let running = 0;
  let most = 0;
  const out = await mapLimited([30, 10, 20, 5, 15], 2, async (ms, i) => {
    most = Math.max(most, ++running);
    await sleep(ms);
    running--;
    return `${i}:${ms}`;
  });
  assert.equal(out, ['0:30', '1:10', '2:20', '3:5', '4:15']);
  assert.is(most, 2);
});

test('mapLimited: the first failure is thrown after the started calls settle; no new call starts', async () => {
  const started: number[] = [];
  const settled: number[] = [];
  const err = await mapLimited([0, 1, 2, 3], 2, async (i) => {
    started.push(i);
    await sleep(i === 0 ? 5 : 20);
    settled.push(i);
    if (i === 0) throw new Error('zero failed');
    return i;
  }).catch((e: Error) => e);
  assert.is((err as Error).message, 'zero failed');
  assert.equal(started, [0, 1]);
  assert.equal(settled.sort(), [0, 1], 'the call running beside the failure finished before the error came back');
});

test.run();
