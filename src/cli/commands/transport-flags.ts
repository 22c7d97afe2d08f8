import { flagBoolean, type FlagSpec, type ParsedFlags } from '../flags.js';

/**
 * The one spelling of insecure transport, as skopeo (and push, pull) spell it: -tls-verify=false
 * allows plain http and accepts any server certificate. -insecure-allow-http, fetch's older
 * spelling, still works and means the same.
 */
export const TLS_VERIFY_FLAGS: FlagSpec[] = [
  {
    name: 'tls-verify',
    kind: 'boolean',
    default: true,
    help: 'require https with a valid certificate (-tls-verify=false: plain http and any certificate, for a test server)',
  },
  { name: 'insecure-allow-http', kind: 'boolean', help: 'the older spelling of -tls-verify=false, still accepted' },
];

/** Whether TLS is checked: unless -tls-verify=false or its older spelling is given (a command without these flags, build's fetch, checks). */
export function tlsVerify(flags: ParsedFlags): boolean {
  return flags.values.get('tls-verify') !== false && !flagBoolean(flags, 'insecure-allow-http');
}
