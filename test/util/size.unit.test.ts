/** Sizes as flags and the environment write them (src/util/size.ts). */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseSize } from '../../src/util/size.js';

test('digits with an optional binary unit, in either case, with or without (i)B', () => {
  const cases: Array<[string, number]> = [
    ['1', 1],
    ['512K', 512 * 1024],
    ['16M', 16 * 2 ** 20],
    ['16m', 16 * 2 ** 20],
    ['16MiB', 16 * 2 ** 20],
    ['16MB', 16 * 2 ** 20],
    ['2G', 2 * 2 ** 30],
    ['1T', 2 ** 40],
    [' 3K ', 3072],
    ['100B', 100],
  ];
  for (const [text, bytes] of cases) assert.is(parseSize(text), bytes, text);
});

test('anything else, zero, or a size past what a double holds exactly is undefined', () => {
  for (const text of ['', 'K', '0', '0M', '-1', '1.5G', '1P', '1 G', '16Mi', 'sixteen', '0x10', `${2 ** 53}`, '9999999999T']) {
    assert.is(parseSize(text), undefined, JSON.stringify(text));
  }
});

test.run();
