/**
 * A loopback site for fetch tests: an address of its own in 127/8 (so servers can take ports
 * 443 and 80, as discovery wants them, without meeting anything else on the machine) and a
 * certificate for it from a CA made here.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { sh } from '../helpers/cli.js';

export interface LoopbackSite {
  /** The first three octets: NET.1, NET.2 … are free addresses. */
  net: string;
  /** NET.1, which the certificate names. */
  host: string;
  /** The CA's PEM file, for -ca. */
  ca: string;
  /** The key and certificate for an https server on `host`. */
  tls: { key: Buffer; cert: Buffer };
}

export function loopbackSite(work: string): LoopbackSite {
  const net = `127.${1 + Math.floor(Math.random() * 250)}.${1 + Math.floor(Math.random() * 250)}`;
  const host = `${net}.1`;
  sh(
    `cd "${work}" && openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=jetpack-test-ca -keyout ca.key -out ca.pem 2>/dev/null && ` +
      `openssl req -newkey rsa:2048 -nodes -subj /CN=${host} -keyout server.key -out server.csr 2>/dev/null && ` +
      `printf 'subjectAltName=IP:${host}\\n' > ext && openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 -extfile ext -out server.pem 2>/dev/null`,
  );
  return {
    net,
    host,
    ca: path.join(work, 'ca.pem'),
    tls: { key: readFileSync(path.join(work, 'server.key')), cert: readFileSync(path.join(work, 'server.pem')) },
  };
}
