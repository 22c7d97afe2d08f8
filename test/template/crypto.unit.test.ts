import { X509Certificate } from 'node:crypto';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { bcryptHash } from '../../src/template/sprig/bcrypt.js';
import { seededRandomSource } from '../../src/template/sprig/random.js';
import { NOW, SEEDED, render } from './seeded-render.js';

/*
 * Sprig's random and crypto functions beyond what the golden cases can fix: reproducible output
 * under SOURCE_DATE_EPOCH, and certificates on ECDSA and Ed25519 keys (made in milliseconds) as
 * Node's X509Certificate reads them. RSA and DSA keys, read by OpenSSL, are crypto-keys.test.ts's
 * (the full suite: making them takes seconds of CPU).
 */

const RANDOM =
  '{{ randAlphaNum 12 }} {{ randAlpha 5 }} {{ randNumeric 5 }} {{ randAscii 8 }} {{ randBytes 6 }} {{ uuidv4 }} {{ encryptAES "k" "v" }} {{ bcrypt "pw" }} {{ randInt 0 1000000000 }} {{ shuffle "abcdefghijklmnopqrstuvwxyz" }}';

test('SOURCE_DATE_EPOCH makes every random function reproducible', () => {
  const a = render(RANDOM, SEEDED);
  assert.is(render(RANDOM, SEEDED), a);
  assert.is.not(render(RANDOM, { ...SEEDED, JETPACK_TEMPLATE_SEED: 'other' }), a, 'the seed changes the stream');
  assert.is.not(render(RANDOM, SEEDED, 'other.tpl'), a, 'each template has its own stream');
  assert.is.not(render(RANDOM, { SOURCE_DATE_EPOCH: '1704164646' }), a);
  assert.is.not(render(RANDOM), render(RANDOM), 'without it: crypto randomness');
  assert.match(
    a,
    /^[A-Za-z0-9]{12} [A-Za-z]{5} [0-9]{5} [ -~]{8} [A-Za-z0-9+/]{8} [0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12} [A-Za-z0-9+/]{43}= \$2a\$10\$[./A-Za-z0-9]{53} [0-9]{1,9} [a-z]{26}$/,
  );
  assert.is(render('{{ encryptAES "k" "secret" | decryptAES "k" }}', SEEDED), 'secret');
});

test("where Sprig reads the real clock, jetpack reads the rendering's (SOURCE_DATE_EPOCH when set)", () => {
  assert.is(render('{{ ago now }} {{ date "2006-01-02" "not a time" }} {{ htmlDate 1.5 }} {{ durationRound now }}'), '0s 2024-01-02 2024-01-02 0s');
  assert.is(render('{{ ago (toDate "2006-01-02" "2024-01-01") }} {{ durationRound (toDate "2006-01-02" "2023-01-01") }}'), '27h4m5s 1y');
});

test('bcrypt matches golang.org/x/crypto/bcrypt for a given salt', () => {
  // Made by this implementation and accepted by Go's bcrypt.CompareHashAndPassword.
  const salt = Buffer.from('000102030405060708090a0b0c0d0e0f', 'hex');
  assert.is(bcryptHash(Buffer.from('secret'), 10, salt), '$2a$10$..CA.uOD/eaGAOmJB.yMBu0jSOqyoKcaQ/YvzjM283iifHYPhsi9y');
  assert.is(bcryptHash(Buffer.from('x'.repeat(100)), 4, salt), '$2a$04$..CA.uOD/eaGAOmJB.yMBu24DYAHplShSVc53t1oiXS/HC99GyeTi');
});

test('the seeded source is a stream: same seed, same bytes', () => {
  const a = seededRandomSource('x');
  const b = seededRandomSource('x');
  assert.equal(a.bytes(40), b.bytes(40));
  assert.is(a.intn(1000), b.intn(1000));
  assert.ok(a.bigintn(1n << 128n) < 1n << 128n);
});

test('certificates on ECDSA and Ed25519 keys: subject, names, validity, CA flag, a chain that verifies', () => {
  const template =
    '{{ $ca := genCAWithKey "my ca" 10 (genPrivateKey "ecdsa") }}{{ $leaf := genSignedCertWithKey "leaf" (list "192.168.1.1" "::1") (list "leaf.local") 5 $ca (genPrivateKey "ed25519") }}' +
    '{{ $self := genSelfSignedCertWithKey "self" nil (list "only.san") 1 (genPrivateKey "ecdsa") }}{{ $ca.Cert }}@{{ $leaf.Cert }}@{{ $self.Cert }}';
  const out = render(template, SEEDED);
  assert.is(render(template, SEEDED), out, 'the same certificates again under SOURCE_DATE_EPOCH');
  const [ca, leaf, self] = out.split('@').map((pem) => new X509Certificate(pem));
  assert.is(ca.subject, 'CN=my ca');
  assert.ok(ca.ca);
  assert.is(new Date(ca.validFrom).getTime(), NOW.getTime());
  assert.is(new Date(ca.validTo).getTime(), NOW.getTime() + 10 * 86400_000);
  assert.ok(ca.verify(ca.publicKey), 'self-signed');
  assert.is(leaf.subject, 'CN=leaf');
  assert.is(leaf.issuer, 'CN=my ca');
  assert.not.ok(leaf.ca);
  assert.is(leaf.subjectAltName, 'DNS:leaf.local, IP Address:192.168.1.1, IP Address:0:0:0:0:0:0:0:1');
  assert.is(leaf.publicKey.asymmetricKeyType, 'ed25519');
  assert.ok(leaf.checkIssued(ca) && leaf.verify(ca.publicKey), 'signed by the CA');
  assert.not.ok(self.verify(ca.publicKey));
  assert.is(self.subjectAltName, 'DNS:only.san');
  assert.ok(self.verify(self.publicKey));
});

test.run();
