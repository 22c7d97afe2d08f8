/** `ostree show --raw` lines (as ostree 2023+ prints them) read by src/ostree/commit-text.ts. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { UserError } from '../../src/errors.js';
import { parseCommitText } from '../../src/ostree/commit-text.js';

const ROOT = '[byte 0x4d, 0x45, 0xb8], [byte 0x44, 0x6a, 0x0e]';

test('metadata strings in order, the ref binding, subject, body with escapes, timestamp', () => {
  const text = `({'version': <'1.0'>, 'xa.note': <"it's">, 'ostree.ref-binding': <['com.example.p/x86_64/1']>}, @ay [], @a(say) [], 'the subject', 'a body\\nline', uint64 1672531200, ${ROOT})`;
  assert.equal(parseCommitText(text), {
    metadata: [
      ['version', '1.0'],
      ['xa.note', "it's"],
    ],
    refBinding: ['com.example.p/x86_64/1'],
    subject: 'the subject',
    body: 'a body\nline',
    timestamp: 1672531200,
  });
});

test('an empty metadata dict and empty texts', () => {
  const text = `(@a{sv} {}, @ay [], @a(say) [], '', '', uint64 1672531200, ${ROOT})`;
  assert.equal(parseCommitText(text), { metadata: [], refBinding: [], subject: '', body: '', timestamp: 1672531200 });
});

test('a commit with a parent, metadata that is no string, or text that is no commit: one user error each', () => {
  const refuses = (text: string, message: RegExp) =>
    assert.throws(
      () => parseCommitText(text),
      (err: Error) => err instanceof UserError && message.test(err.message),
    );
  refuses(
    `({}, [byte 0x31, 0x4b], @a(say) [], 's', '', uint64 1, ${ROOT})`,
    /^the commit has a parent: only parentless commits \(as jetpack makes them\) can be carried$/,
  );
  refuses(
    `({'n': <uint32 5>}, @ay [], @a(say) [], 's', '', uint64 1, ${ROOT})`,
    /^commit metadata n is not a string: only commits jetpack made can be carried$/,
  );
  refuses('error: No such metadata object', /^cannot read the commit: unexpected ostree show --raw output \(/);
  refuses(`(@a{sv} {}, @ay [], @a(say) [], '', '', uint64 1.5e400, ${ROOT})`, /^cannot read the commit: unexpected ostree show --raw output \(bad timestamp/);
});

test.run();
