/** Image IDs (src/image/id.ts): appc's sha512- form and the short one listings show. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { isImageID, shortImageID } from '../../src/image/id.js';

const ID = `sha512-${'0123456789abcdef'.repeat(8)}`;

test('an image ID is sha512- and 128 lowercase hex digits, nothing around it', () => {
  assert.ok(isImageID(ID));
  for (const bad of [ID.slice(0, -1), `${ID}0`, ID.toUpperCase(), ID.replace('sha512-', 'sha256-'), `${ID}\n`, ID.slice(7), ''])
    assert.not.ok(isImageID(bad), JSON.stringify(bad));
});

test('the short form keeps the prefix and 32 hex digits', () => {
  assert.is(shortImageID(ID), `sha512-${'0123456789abcdef'.repeat(2)}`);
});

test.run();
