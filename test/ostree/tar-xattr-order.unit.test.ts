/** PAX xattr records reordered for ostree commit --tree=tar= (src/ostree/tar-xattr-order.ts). */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { xattrsInOstreeOrder } from '../../src/ostree/tar-xattr-order.js';
import { END_OF_ARCHIVE, paxHeader, paxRecords, tarball, ustarHeader } from '../helpers/hostile-archives.js';

/** The stream through the transform, fed in chunks of `chunk` bytes (headers split across chunks). */
async function reorder(input: Buffer, chunk = 100): Promise<Buffer> {
  const parts: Buffer[] = [];
  for (let i = 0; i < input.length; i += chunk) parts.push(input.subarray(i, i + chunk));
  return buffer(Readable.from(parts).pipe(xattrsInOstreeOrder()));
}

/** The keys of a PAX header's records, in order: what follows each record's length. */
function paxKeys(archive: Buffer, offset: number): string[] {
  const size = parseInt(archive.toString('latin1', offset + 124, offset + 136).replace(/[\0 ]+/g, ''), 8);
  const body = archive.toString('utf8', offset + 512, offset + 512 + size);
  return [...body.matchAll(/^\d+ ([^=]+)=/gm)].map((m) => m[1]);
}

test('xattr records go last, in descending name order; the archive keeps its length and other bytes', async () => {
  const input = tarball([
    { name: 'a', data: 'first', pax: { 'SCHILY.xattr.user.a': '1', mtime: '1.5', 'SCHILY.xattr.security.selinux': 's', 'SCHILY.xattr.user.b': '2' } },
    { name: 'b', data: 'x'.repeat(700), pax: { 'SCHILY.xattr.user.only': 'o' } },
    { name: 'c', data: 'plain' },
  ]);
  for (const chunk of [1, 100, 512, input.length]) {
    const out = await reorder(input, chunk);
    assert.is(out.length, input.length);
    assert.equal(paxKeys(out, 0), ['mtime', 'SCHILY.xattr.user.b', 'SCHILY.xattr.user.a', 'SCHILY.xattr.security.selinux'], `chunks of ${chunk}`);
    // The first PAX header and its record block are the only bytes that move.
    assert.ok(out.subarray(1024).equals(input.subarray(1024)), `chunks of ${chunk}`);
  }
});

test("a PAX size record sets the next member's data length; a global header does not", async () => {
  // The ustar size field says 0: only the PAX size tells where the next header starts.
  const data = Buffer.alloc(1024, 'd');
  const globalRecords = paxRecords({ comment: 'global' });
  const global = Buffer.concat([
    ustarHeader({ name: 'GlobalHead', typeflag: 'g', size: globalRecords.length }),
    globalRecords,
    Buffer.alloc(512 - globalRecords.length),
  ]);
  const input = Buffer.concat([
    paxHeader({ 'SCHILY.xattr.user.z': 'z', size: String(data.length), 'SCHILY.xattr.user.y': 'y' }),
    ustarHeader({ name: 'big', typeflag: '0', size: 0 }),
    data,
    global,
    paxHeader({ 'SCHILY.xattr.user.a': '1', 'SCHILY.xattr.user.c': '3' }),
    ustarHeader({ name: 'after', typeflag: '0', size: 0 }),
    END_OF_ARCHIVE,
  ]);
  const out = await reorder(input);
  assert.is(out.length, input.length);
  assert.equal(paxKeys(out, 0), ['size', 'SCHILY.xattr.user.z', 'SCHILY.xattr.user.y']);
  const afterGlobal = 1024 + 512 + data.length + 1024;
  assert.equal(paxKeys(out, afterGlobal), ['SCHILY.xattr.user.c', 'SCHILY.xattr.user.a'], 'the header after the data was found');
});

test('a stream that stops inside a header, or a malformed PAX record, fails instead of passing on a broken archive', async () => {
  const whole = tarball([{ name: 'a', data: 'x'.repeat(600) }]);
  await reorder(whole.subarray(0, 512 + 1024 + 100)).then(
    () => assert.unreachable('truncated stream accepted'),
    (err: Error) => assert.is(err.message, 'truncated tar stream'),
  );
  const header = paxHeader({ 'SCHILY.xattr.user.a': '1' });
  header.write('x', 512, 'latin1'); // the record's length is no longer a number
  await reorder(Buffer.concat([header, ustarHeader({ name: 'a', typeflag: '0', size: 0 }), END_OF_ARCHIVE])).then(
    () => assert.unreachable('malformed record accepted'),
    (err: Error) => assert.is(err.message, 'malformed PAX header'),
  );
});

test.run();
