import { UserError } from '../errors.js';

export interface Credentials {
  user: string;
  password: string;
}

/** `username:password` as MaPS's MTDAUTH holds it (the password may contain colons). */
export function parseCredentials(text: string | undefined, where: string): Credentials {
  if (!text) throw new UserError(`${where} is not set: export ${where}="username:password"`);
  const colon = text.indexOf(':');
  if (colon <= 0 || colon === text.length - 1) throw new UserError(`${where} must be "username:password"`);
  return { user: text.slice(0, colon), password: text.slice(colon + 1) };
}

/**
 * The credentials of a request: `Authorization: Basic base64(user:pass)` (RFC 7617), or
 * MaPS's `Authentication: Basic user:pass` (its tus client sends the pair as it is).
 * Undefined for none and for any malformed form (bad base64, no colon, an empty user or password).
 */
export function requestCredentials(header: (name: string) => string | null | undefined): Credentials | undefined {
  const authorization = /^Basic\s+([A-Za-z0-9+/]+={0,2})\s*$/i.exec(header('authorization') ?? '');
  const maps = /^Basic\s+(.+?)\s*$/i.exec(header('authentication') ?? '');
  const pair = authorization ? Buffer.from(authorization[1], 'base64').toString('utf8') : maps?.[1];
  const colon = pair?.indexOf(':') ?? -1;
  // eslint-disable-next-line no-control-regex -- a user name or password with a control character is refused
  if (!pair || colon <= 0 || colon === pair.length - 1 || /[\0-\x1f\x7f]/.test(pair)) return undefined;
  return { user: pair.slice(0, colon), password: pair.slice(colon + 1) };
}

export function basicAuthorization(c: Credentials): string {
  return `Basic ${Buffer.from(`${c.user}:${c.password}`).toString('base64')}`;
}
