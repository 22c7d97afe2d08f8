/** Where the installed package is (src/util/package-dir.ts): the directory its modules find images/ and docs in. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { PACKAGE_DIR } from '../../src/util/package-dir.js';
import { REPO } from '../helpers/cli.js';

test('from src/ (as the tests run it) the package is the checkout', () => {
  assert.is(PACKAGE_DIR, REPO);
});

test.run();
