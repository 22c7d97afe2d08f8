import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { NOW, SEEDED, render } from './seeded-render.js';

/*
 * Certificates and keys made under SOURCE_DATE_EPOCH (jetpack's own seeded RSA and DSA), read by
 * OpenSSL as Go's x509 writes them. Seconds of CPU: the full suite runs this, not the unit tier.
 */

function openssl(args: string[], input?: string): { status: number | null; out: string } {
  const r = spawnSync('openssl', args, { input, encoding: 'utf8' });
  return { status: r.status, out: (r.stdout ?? '') + (r.stderr ?? '') };
}

const HAVE_OPENSSL = spawnSync('openssl', ['version']).status === 0;

test('certificates as Go writes them: fields, extensions, a chain OpenSSL verifies', () => {
  if (!HAVE_OPENSSL) return;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'jetpack-x509-'));
  try {
    const out = render(
      '{{ $ca := genCA "my ca" 10 }}{{ $c := genSignedCert "leaf" (list "192.168.1.1" "::1") (list "leaf.local" "*.x") 5 $ca }}' +
        '{{ $ec := genCAWithKey "ec ca" 30 (genPrivateKey "ecdsa") }}{{ $e := genSignedCertWithKey "ed" nil (list "ed") 3 $ec (genPrivateKey "ed25519") }}' +
        '{{ $s := genSelfSignedCert "" nil (list "only.san") 1 }}' +
        '{{ $ca.Cert }}@{{ $c.Cert }}@{{ $ec.Cert }}@{{ $e.Cert }}@{{ $s.Cert }}@{{ $c.Key }}',
      SEEDED,
    );
    const [ca, leaf, ec, ed, self, leafKey] = out.split('@');
    const files: Record<string, string> = { ca: ca, leaf: leaf, ec: ec, ed: ed, self: self, key: leafKey };
    for (const [name, pem] of Object.entries(files)) writeFileSync(path.join(dir, `${name}.pem`), pem);
    const text = (name: string) => openssl(['x509', '-noout', '-text', '-in', path.join(dir, `${name}.pem`)]).out;

    const caText = text('ca');
    assert.match(caText, /Version: 3 \(0x2\)/);
    assert.match(caText, /Signature Algorithm: sha256WithRSAEncryption/);
    assert.match(caText, /Issuer: CN = my ca/);
    assert.match(caText, /Not Before: Jan {2}2 03:04:05 2024 GMT\s+Not After : Jan 12 03:04:05 2024 GMT/);
    assert.match(caText, /Public-Key: \(2048 bit\)/);
    assert.match(caText, /X509v3 Key Usage: critical\s+Digital Signature, Key Encipherment, Certificate Sign/);
    assert.match(caText, /X509v3 Extended Key Usage: \s*TLS Web Server Authentication, TLS Web Client Authentication/);
    assert.match(caText, /X509v3 Basic Constraints: critical\s+CA:TRUE/);
    assert.match(caText, /X509v3 Subject Key Identifier/);
    assert.not.match(caText, /Authority Key Identifier/);

    const leafText = text('leaf');
    assert.match(leafText, /Issuer: CN = my ca\s+Validity/);
    assert.match(leafText, /Subject: CN = leaf/);
    assert.match(leafText, /X509v3 Key Usage: critical\s+Digital Signature, Key Encipherment\n/);
    assert.match(leafText, /X509v3 Basic Constraints: critical\s+CA:FALSE/);
    assert.match(leafText, /X509v3 Authority Key Identifier/);
    assert.match(leafText, /DNS:leaf.local, DNS:\*.x, IP Address:192.168.1.1, IP Address:0:0:0:0:0:0:0:1/);
    assert.not.match(leafText, /Subject Key Identifier/);

    assert.match(text('ec'), /Signature Algorithm: ecdsa-with-SHA256[\s\S]*ASN1 OID: prime256v1/);
    assert.match(text('ed'), /Signature Algorithm: ecdsa-with-SHA256[\s\S]*Public Key Algorithm: ED25519/);
    assert.match(text('self'), /Subject: \s*\n[\s\S]*X509v3 Subject Alternative Name: critical\s+DNS:only.san/);

    const verify = (caName: string, name: string) =>
      openssl(['verify', '-attime', String(NOW.getTime() / 1000 + 60), '-CAfile', path.join(dir, `${caName}.pem`), path.join(dir, `${name}.pem`)]);
    assert.is(verify('ca', 'leaf').status, 0, verify('ca', 'leaf').out);
    assert.is(verify('ec', 'ed').status, 0, verify('ec', 'ed').out);
    assert.is(verify('ca', 'ca').status, 0);
    assert.is.not(verify('ec', 'leaf').status, 0);
    // The leaf's key is the one in its certificate.
    const pub = (args: string[]) => openssl([...args, '-pubout']).out;
    assert.is(
      pub(['pkey', '-in', path.join(dir, 'key.pem')]),
      pub(['x509', '-noout', '-pubkey', '-in', path.join(dir, 'leaf.pem')])
        .replace(/^/, '')
        .trim() + '\n',
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('genPrivateKey: the PEM forms Sprig writes, keys OpenSSL reads', () => {
  if (!HAVE_OPENSSL) return;
  const out = render('{{ genPrivateKey "ecdsa" }}@{{ genPrivateKey "ed25519" }}@{{ genPrivateKey "dsa" }}', SEEDED);
  const [ec, ed, dsa] = out.split('@');
  assert.match(ec, /^-----BEGIN EC PRIVATE KEY-----\n/);
  assert.match(openssl(['ec', '-noout', '-text'], ec).out, /ASN1 OID: prime256v1/);
  assert.match(ed, /^-----BEGIN PRIVATE KEY-----\n[A-Za-z0-9+/=]{64}\n-----END PRIVATE KEY-----\n$/);
  assert.match(openssl(['pkey', '-noout', '-text'], ed).out, /ED25519 Private-Key/);
  assert.match(dsa, /^-----BEGIN DSA PRIVATE KEY-----\n/);
  const dsaText = openssl(['dsa', '-noout', '-text'], dsa).out;
  assert.match(dsaText, /Private-Key: \(2048 bit\)/);
  assert.is(openssl(['pkey', '-noout', '-check'], dsa).status, 0);
  assert.is(render('{{ genPrivateKey "ecdsa" }}', SEEDED), ec);
});

test.run();
