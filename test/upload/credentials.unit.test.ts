/**
 * Upload authentication in-process: credentials from the environment and from requests
 * (src/upload/credentials.ts), and the users file with scrypt hashes (src/upload/users.ts).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { lstatSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { UserError } from '../../src/errors.js';
import { basicAuthorization, parseCredentials, requestCredentials } from '../../src/upload/credentials.js';
import { UsersFile, addUser, readUsers, validateUserName, verifyPassword } from '../../src/upload/users.js';
import { removeDir, tempDir } from '../helpers/cli.js';

const work = tempDir('jetpack-users-');
test.after(() => removeDir(work));

function refuses(fn: () => unknown, message: string): void {
  assert.throws(fn, (err: Error) => err instanceof UserError && err.message === message);
}

test('MTDAUTH-style user:password; the password may hold colons; anything else says the form', () => {
  assert.equal(parseCredentials('me:pa:ss', 'MTDAUTH'), { user: 'me', password: 'pa:ss' });
  refuses(() => parseCredentials(undefined, 'MTDAUTH'), 'MTDAUTH is not set: export MTDAUTH="username:password"');
  refuses(() => parseCredentials('', 'MTDAUTH'), 'MTDAUTH is not set: export MTDAUTH="username:password"');
  for (const bad of ['nocolon', ':pw', 'user:']) refuses(() => parseCredentials(bad, 'MTDAUTH'), 'MTDAUTH must be "username:password"');
});

test('request credentials: RFC 7617 Authorization or MaPS Authentication; malformed is none', () => {
  const from = (headers: Record<string, string>) => requestCredentials((name) => headers[name]);
  const auth = basicAuthorization({ user: 'me', password: 'p:w' });
  assert.is(auth, `Basic ${Buffer.from('me:p:w').toString('base64')}`);
  assert.equal(from({ authorization: auth }), { user: 'me', password: 'p:w' });
  assert.equal(from({ authentication: 'Basic me:secret ' }), { user: 'me', password: 'secret' });
  assert.equal(from({ authorization: auth, authentication: 'Basic other:x' }), { user: 'me', password: 'p:w' }, 'Authorization first');
  const malformed: Array<Record<string, string>> = [
    {},
    { authorization: 'Bearer abc' },
    { authorization: `Basic ${Buffer.from('nocolon').toString('base64')}` },
    { authentication: 'Basic :pw' },
    { authentication: 'Basic me:' },
    { authentication: 'Basic me:a\u0000b' },
  ];
  for (const headers of malformed) assert.is(from(headers), undefined, JSON.stringify(headers));
});

test('user names: letters, digits, . _ -, at most 64, not starting with a sign', () => {
  validateUserName('alice.b_c-1');
  validateUserName('a'.repeat(64));
  for (const bad of ['', '-x', '.x', 'a b', 'a:b', 'a'.repeat(65)]) {
    refuses(() => validateUserName(bad), `"${bad}" is not a user name (letters, digits, ".", "_", "-"; at most 64)`);
  }
});

test('addUser writes scrypt hashes (never the password) in a 0600 file; authenticate checks them and rereads a changed file', async () => {
  const file = path.join(work, 'users');
  await addUser(file, 'alice', 'wonderland');
  await addUser(file, 'bob', 'builder');
  const text = readFileSync(file, 'utf8');
  assert.not.ok(text.includes('wonderland'));
  assert.match(text, /^alice:scrypt\$32768\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+\nbob:scrypt\$/);
  assert.is(lstatSync(file).mode & 0o777, 0o600);
  const users = await readUsers(file);
  assert.equal([...users.keys()], ['alice', 'bob']);
  assert.ok(await verifyPassword('wonderland', users.get('alice')!));
  assert.not.ok(await verifyPassword('wrong', users.get('alice')!));
  assert.not.ok(await verifyPassword('wonderland', 'plain-text'));

  const server = new UsersFile(file);
  assert.is(await server.authenticate({ user: 'alice', password: 'wonderland' }), 'alice');
  assert.is(await server.authenticate({ user: 'alice', password: 'wonderland' }), 'alice', 'remembered');
  assert.is(await server.authenticate({ user: 'alice', password: 'nope' }), undefined);
  assert.is(await server.authenticate({ user: 'carol', password: 'x' }), undefined);
  await addUser(file, 'alice', 'changed');
  assert.is(await server.authenticate({ user: 'alice', password: 'wonderland' }), undefined, 'the old password after a change');
  assert.is(await server.authenticate({ user: 'alice', password: 'changed' }), 'alice');
  assert.not.ok(await new UsersFile(path.join(work, 'none')).authenticate({ user: 'alice', password: 'changed' }));
});

test('the users file: comments and blank lines skipped, a bad line named by number, a missing file empty', async () => {
  const file = path.join(work, 'hand-made');
  writeFileSync(file, '# users\n\nalice:hash\nbroken line\n');
  const err = await readUsers(file).catch((e: Error) => e);
  assert.instance(err, UserError);
  assert.is((err as Error).message, `${file}:4: not a user:hash line`);
  assert.equal([...(await readUsers(path.join(work, 'missing')))], []);
  const add = await addUser(path.join(work, 'x'), 'alice', '').catch((e: Error) => e);
  assert.is((add as Error).message, 'empty password');
});

test.run();
