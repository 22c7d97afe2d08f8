/** Listings as aligned columns or tab-separated rows (src/cli/table.ts). */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { table } from '../../src/cli/table.js';

test('aligned columns under a header; the last column is not padded', () => {
  assert.is(
    table(
      [
        ['a', 'long value', 'x'],
        ['bbbb', 'v', 'yy'],
      ],
      ['NAME', 'VALUE', 'Z'],
      '  ',
    ),
    'NAME  VALUE       Z\na     long value  x\nbbbb  v           yy\n',
  );
});

test('tab-separated without padding (-H); no rows and no header is nothing', () => {
  assert.is(
    table(
      [
        ['a', 'b'],
        ['cc', 'd'],
      ],
      null,
      '\t',
    ),
    'a\tb\ncc\td\n',
  );
  assert.is(table([], null, '  '), '');
  assert.is(table([], ['NAME', 'ID'], '  '), 'NAME  ID\n');
});

test.run();
