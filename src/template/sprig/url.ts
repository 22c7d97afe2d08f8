// Sprig's urlParse and urlJoin over a port of Go 1.19's net/url (Parse, URL.String, Hostname,
// Userinfo.String, escape/unescape). Go works on bytes: the port works on "byte strings" (one
// char per byte, 0–255) and converts at the edges, so `%ff` and non-ASCII text behave as in Go.
import { bytesOf, stringOfBytes } from '../bytes.js';

const latin1 = (s: string) => Buffer.from(bytesOf(s)).toString('latin1');
const unlatin1 = (s: string) => stringOfBytes(Uint8Array.from(Buffer.from(s, 'latin1')));

const enum Mode {
  Path = 1,
  PathSegment,
  Host,
  Zone,
  UserPassword,
  QueryComponent,
  Fragment,
}

/** A net/url error; `message` is Go's err.Error() (byte-string text: convert with unlatin1). */
class UrlError extends Error {}

export interface GoURL {
  scheme: string;
  opaque: string;
  user: { username: string; password: string; passwordSet: boolean } | null;
  host: string;
  path: string;
  rawPath: string;
  omitHost: boolean;
  forceQuery: boolean;
  rawQuery: string;
  fragment: string;
  rawFragment: string;
}

function newURL(): GoURL {
  return {
    scheme: '',
    opaque: '',
    user: null,
    host: '',
    path: '',
    rawPath: '',
    omitHost: false,
    forceQuery: false,
    rawQuery: '',
    fragment: '',
    rawFragment: '',
  };
}

const isAlnum = (c: number) => (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57);
const ishex = (c: number) => (c >= 48 && c <= 57) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70);
const unhex = (c: number) => (c <= 57 ? c - 48 : c <= 70 ? c - 55 : c - 87);

function shouldEscape(c: number, mode: Mode): boolean {
  if (isAlnum(c)) return false;
  const ch = String.fromCharCode(c);
  if ((mode === Mode.Host || mode === Mode.Zone) && '!$&\'()*+,;=:[]<>"'.includes(ch)) return false;
  if ('-_.~'.includes(ch)) return false;
  if ('$&+,/:;=?@'.includes(ch)) {
    switch (mode) {
      case Mode.Path:
        return ch === '?';
      case Mode.PathSegment:
        return ch === '/' || ch === ';' || ch === ',' || ch === '?';
      case Mode.UserPassword:
        return ch === '@' || ch === '/' || ch === '?' || ch === ':';
      case Mode.QueryComponent:
        return true;
      case Mode.Fragment:
        return false;
    }
  }
  if (mode === Mode.Fragment && '!()*'.includes(ch)) return false;
  return true;
}

// strconv.Quote of a byte string, as a byte string: invalid UTF-8 bytes as \xNN.
function quote(s: string): string {
  let out = '"';
  let i = 0;
  while (i < s.length) {
    const c = s.charCodeAt(i);
    let n = c < 0x80 ? 1 : c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3 : c >= 0xf0 && c <= 0xf4 ? 4 : 0;
    let ch = '';
    if (n > 1) {
      ch = unlatin1(s.slice(i, i + n));
      if (i + n > s.length || [...ch].length !== 1 || (ch.charCodeAt(0) >= 0xdc80 && ch.charCodeAt(0) <= 0xdcff)) n = 0;
    }
    if (n === 0) {
      out += '\\x' + c.toString(16).padStart(2, '0');
      i++;
      continue;
    }
    if (n === 1) ch = s[i]!;
    i += n;
    const r = ch.codePointAt(0)!;
    if (ch === '"' || ch === '\\') out += '\\' + ch;
    else if (r === 7) out += '\\a';
    else if (r === 8) out += '\\b';
    else if (r === 12) out += '\\f';
    else if (r === 10) out += '\\n';
    else if (r === 13) out += '\\r';
    else if (r === 9) out += '\\t';
    else if (r === 11) out += '\\v';
    else if (r < 0x20 || r === 0x7f) out += '\\x' + r.toString(16).padStart(2, '0');
    else if (r < 0x80) out += ch;
    else if (/^[\p{L}\p{M}\p{N}\p{P}\p{S}]$/u.test(ch)) out += latin1(ch);
    else if (r < 0x10000) out += '\\u' + r.toString(16).padStart(4, '0');
    else out += '\\U' + r.toString(16).padStart(8, '0');
  }
  return out + '"';
}

function unescape(s: string, mode: Mode): string {
  let n = 0;
  let hasPlus = false;
  for (let i = 0; i < s.length;) {
    const c = s.charCodeAt(i);
    if (c === 0x25) {
      n++;
      if (i + 2 >= s.length || !ishex(s.charCodeAt(i + 1)) || !ishex(s.charCodeAt(i + 2))) {
        let bad = s.slice(i);
        if (bad.length > 3) bad = bad.slice(0, 3);
        throw new UrlError('invalid URL escape ' + quote(bad));
      }
      if (mode === Mode.Host && unhex(s.charCodeAt(i + 1)) < 8 && s.slice(i, i + 3) !== '%25')
        throw new UrlError('invalid URL escape ' + quote(s.slice(i, i + 3)));
      if (mode === Mode.Zone) {
        const v = (unhex(s.charCodeAt(i + 1)) << 4) | unhex(s.charCodeAt(i + 2));
        if (s.slice(i, i + 3) !== '%25' && v !== 0x20 && shouldEscape(v, Mode.Host)) throw new UrlError('invalid URL escape ' + quote(s.slice(i, i + 3)));
      }
      i += 3;
    } else if (c === 0x2b) {
      hasPlus = mode === Mode.QueryComponent;
      i++;
    } else {
      if ((mode === Mode.Host || mode === Mode.Zone) && c < 0x80 && shouldEscape(c, mode))
        throw new UrlError('invalid character ' + quote(s[i]) + ' in host name');
      i++;
    }
  }
  if (n === 0 && !hasPlus) return s;
  let t = '';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x25) {
      t += String.fromCharCode((unhex(s.charCodeAt(i + 1)) << 4) | unhex(s.charCodeAt(i + 2)));
      i += 2;
    } else if (c === 0x2b) t += mode === Mode.QueryComponent ? ' ' : '+';
    else t += s[i];
  }
  return t;
}

function escape(s: string, mode: Mode): string {
  let t = '';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x20 && mode === Mode.QueryComponent) t += '+';
    else if (shouldEscape(c, mode)) t += '%' + c.toString(16).toUpperCase().padStart(2, '0');
    else t += s[i];
  }
  return t;
}

function getScheme(raw: string): [string, string] {
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i];
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) continue;
    if ((c >= '0' && c <= '9') || c === '+' || c === '-' || c === '.') {
      if (i === 0) return ['', raw];
      continue;
    }
    if (c === ':') {
      if (i === 0) throw new UrlError('missing protocol scheme');
      return [raw.slice(0, i), raw.slice(i + 1)];
    }
    return ['', raw];
  }
  return ['', raw];
}

function validOptionalPort(port: string): boolean {
  if (port === '') return true;
  if (port[0] !== ':') return false;
  return /^[0-9]*$/.test(port.slice(1));
}

function validUserinfo(s: string): boolean {
  return /^[A-Za-z0-9\-._:~!$&'()*+,;=%@]*$/.test(s);
}

function parseHost(host: string): string {
  if (host.startsWith('[')) {
    const i = host.lastIndexOf(']');
    if (i < 0) throw new UrlError("missing ']' in host");
    const colonPort = host.slice(i + 1);
    if (!validOptionalPort(colonPort)) throw new UrlError(`invalid port ${quote(colonPort)} after host`);
    const zone = host.slice(0, i).indexOf('%25');
    if (zone >= 0) {
      return unescape(host.slice(0, zone), Mode.Host) + unescape(host.slice(zone, i), Mode.Zone) + unescape(host.slice(i), Mode.Host);
    }
  } else {
    const i = host.lastIndexOf(':');
    if (i !== -1) {
      const colonPort = host.slice(i);
      if (!validOptionalPort(colonPort)) throw new UrlError(`invalid port ${quote(colonPort)} after host`);
    }
  }
  return unescape(host, Mode.Host);
}

function parseAuthority(authority: string): [GoURL['user'], string] {
  const i = authority.lastIndexOf('@');
  const host = parseHost(i < 0 ? authority : authority.slice(i + 1));
  if (i < 0) return [null, host];
  const userinfo = authority.slice(0, i);
  if (!validUserinfo(userinfo)) throw new UrlError('net/url: invalid userinfo');
  if (!userinfo.includes(':')) return [{ username: unescape(userinfo, Mode.UserPassword), password: '', passwordSet: false }, host];
  const k = userinfo.indexOf(':');
  const username = unescape(userinfo.slice(0, k), Mode.UserPassword);
  const password = unescape(userinfo.slice(k + 1), Mode.UserPassword);
  return [{ username, password, passwordSet: true }, host];
}

function setPath(u: GoURL, p: string): void {
  const path = unescape(p, Mode.Path);
  u.path = path;
  u.rawPath = escape(path, Mode.Path) === p ? '' : p;
}

function parse(raw: string): GoURL {
  // eslint-disable-next-line no-control-regex -- Go's net/url refuses control characters in a URL
  if (/[\x00-\x1f\x7f]/.test(raw)) throw new UrlError('net/url: invalid control character in URL');
  const u = newURL();
  if (raw === '*') {
    u.path = '*';
    return u;
  }
  let rest: string;
  [u.scheme, rest] = getScheme(raw);
  u.scheme = u.scheme.toLowerCase();
  if (rest.endsWith('?') && rest.split('?').length === 2) {
    u.forceQuery = true;
    rest = rest.slice(0, -1);
  } else {
    const q = rest.indexOf('?');
    if (q >= 0) {
      u.rawQuery = rest.slice(q + 1);
      rest = rest.slice(0, q);
    }
  }
  if (!rest.startsWith('/')) {
    if (u.scheme !== '') {
      u.opaque = rest;
      return u;
    }
    if (rest.split('/')[0].includes(':')) throw new UrlError('first path segment in URL cannot contain colon');
  }
  if ((u.scheme !== '' || !rest.startsWith('///')) && rest.startsWith('//')) {
    let authority = rest.slice(2);
    rest = '';
    const i = authority.indexOf('/');
    if (i >= 0) {
      rest = authority.slice(i);
      authority = authority.slice(0, i);
    }
    [u.user, u.host] = parseAuthority(authority);
  } else if (u.scheme !== '' && rest.startsWith('/')) {
    u.omitHost = true;
  }
  setPath(u, rest);
  return u;
}

/** url.Parse over a byte string; throws UrlError with Go's `parse "…": …` text. */
function urlParseBytes(raw: string): GoURL {
  const h = raw.indexOf('#');
  const u = h >= 0 ? raw.slice(0, h) : raw;
  const frag = h >= 0 ? raw.slice(h + 1) : '';
  let url: GoURL;
  try {
    url = parse(u);
  } catch (e) {
    if (e instanceof UrlError) throw new UrlError(`parse ${quote(u)}: ${e.message}`);
    throw e;
  }
  if (frag === '') return url;
  try {
    const f = unescape(frag, Mode.Fragment);
    url.fragment = f;
    url.rawFragment = escape(f, Mode.Fragment) === frag ? '' : frag;
  } catch (e) {
    if (e instanceof UrlError) throw new UrlError(`parse ${quote(raw)}: ${e.message}`);
    throw e;
  }
  return url;
}

function validEncoded(s: string, mode: Mode): boolean {
  for (let i = 0; i < s.length; i++) {
    if ("!$&'()*+,;=:@[]%".includes(s[i])) continue;
    if (shouldEscape(s.charCodeAt(i), mode)) return false;
  }
  return true;
}

function escapedPath(u: GoURL): string {
  if (u.rawPath !== '' && validEncoded(u.rawPath, Mode.Path)) {
    try {
      if (unescape(u.rawPath, Mode.Path) === u.path) return u.rawPath;
    } catch {
      // fall through
    }
  }
  if (u.path === '*') return '*';
  return escape(u.path, Mode.Path);
}

function escapedFragment(u: GoURL): string {
  if (u.rawFragment !== '' && validEncoded(u.rawFragment, Mode.Fragment)) {
    try {
      if (unescape(u.rawFragment, Mode.Fragment) === u.fragment) return u.rawFragment;
    } catch {
      // fall through
    }
  }
  return escape(u.fragment, Mode.Fragment);
}

function userString(user: NonNullable<GoURL['user']>): string {
  let s = escape(user.username, Mode.UserPassword);
  if (user.passwordSet) s += ':' + escape(user.password, Mode.UserPassword);
  return s;
}

/** URL.String() over byte strings. */
function urlString(u: GoURL): string {
  let buf = '';
  if (u.scheme !== '') buf += u.scheme + ':';
  if (u.opaque !== '') buf += u.opaque;
  else {
    if (u.scheme !== '' || u.host !== '' || u.user !== null) {
      if (!(u.omitHost && u.host === '' && u.user === null)) {
        if (u.host !== '' || u.path !== '' || u.user !== null) buf += '//';
        if (u.user) buf += userString(u.user) + '@';
        if (u.host !== '') buf += escape(u.host, Mode.Host);
      }
    }
    const path = escapedPath(u);
    if (path !== '' && path[0] !== '/' && u.host !== '') buf += '/';
    if (buf.length === 0 && path.split('/')[0].includes(':')) buf += './';
    buf += path;
  }
  if (u.forceQuery || u.rawQuery !== '') buf += '?' + u.rawQuery;
  if (u.fragment !== '') buf += '#' + escapedFragment(u);
  return buf;
}

function hostname(host: string): string {
  const colon = host.lastIndexOf(':');
  if (colon !== -1 && validOptionalPort(host.slice(colon))) host = host.slice(0, colon);
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
  return host;
}

/** Sprig's urlParse (panics become thrown Errors with Sprig's text). */
export function urlParse(v: string): Record<string, string> {
  let u: GoURL;
  try {
    u = urlParseBytes(latin1(v));
  } catch (e) {
    if (e instanceof UrlError) throw new Error('unable to parse url: ' + unlatin1(e.message), { cause: e });
    throw e;
  }
  return {
    scheme: unlatin1(u.scheme),
    host: unlatin1(u.host),
    hostname: unlatin1(hostname(u.host)),
    path: unlatin1(u.path),
    query: unlatin1(u.rawQuery),
    opaque: unlatin1(u.opaque),
    fragment: unlatin1(u.fragment),
    userinfo: u.user ? unlatin1(userString(u.user)) : '',
  };
}

/** Sprig's urlJoin, given the dict's string fields ('' when absent). */
export function urlJoin(d: { scheme: string; host: string; path: string; query: string; opaque: string; fragment: string; userinfo: string }): string {
  const u = newURL();
  u.scheme = latin1(d.scheme);
  u.host = latin1(d.host);
  u.path = latin1(d.path);
  u.rawQuery = latin1(d.query);
  u.opaque = latin1(d.opaque);
  u.fragment = latin1(d.fragment);
  if (d.userinfo !== '') {
    try {
      u.user = urlParseBytes(`proto://${latin1(d.userinfo)}@host`).user;
    } catch (e) {
      if (e instanceof UrlError) throw new Error('unable to parse userinfo in dict: ' + unlatin1(e.message), { cause: e });
      throw e;
    }
  }
  return unlatin1(urlString(u));
}
