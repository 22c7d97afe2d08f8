/**
 * appc discovery (appc/spec spec/discovery.md): for the name a/b/c, GET
 * https://a/b/c?ac-discovery=1, then https://a/b, then https://a, until a page holds
 * `<meta name="ac-discovery" content="PREFIX TEMPLATE">` tags whose PREFIX starts the name.
 */
import { UserError } from '../errors.js';
import type { ImageQuery } from '../image/name.js';
import { httpGetText, type HttpOptions } from '../registry/http.js';

export interface MetaTag {
  name: string;
  prefix: string;
  url: string;
}

export interface AciEndpoint {
  aci: string;
  asc: string;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decodeEntities(s: string): string {
  return s.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, ref: string) => {
    if (ref[0] === '#') return String.fromCodePoint(ref[1] === 'x' || ref[1] === 'X' ? parseInt(ref.slice(2), 16) : Number(ref.slice(1)));
    return ENTITIES[ref.toLowerCase()] ?? whole;
  });
}

/** The `<meta name="ac-…" content="PREFIX URL">` tags of an HTML page, in order. */
export function parseMetaTags(html: string): MetaTag[] {
  const tags: MetaTag[] = [];
  const withoutComments = html.replace(/<!--[\s\S]*?-->/g, '');
  for (const [tag] of withoutComments.matchAll(/<meta\b[^>]*>/gi)) {
    const attrs = new Map<string, string>();
    for (const m of tag.slice(5).matchAll(/([^\s=/>]+)\s*(?:=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+)))?/g)) {
      attrs.set(m[1].toLowerCase(), decodeEntities(m[2] ?? m[3] ?? m[4] ?? ''));
    }
    const name = attrs.get('name');
    const content = (attrs.get('content') ?? '').trim().split(/\s+/);
    if (!name?.startsWith('ac-') || content.length !== 2) continue;
    tags.push({ name, prefix: content[0], url: content[1] });
  }
  return tags;
}

/**
 * TEMPLATE with {name} and each {label} filled in, or undefined when a {…} is left that
 * nothing fills: appc skips such a template.
 */
export function expandTemplate(template: string, values: ReadonlyMap<string, string>): string | undefined {
  const expanded = template.replace(/\{([^{}]+)\}/g, (whole, key: string) => values.get(key) ?? whole);
  return /\{[^{}]*\}/.test(expanded) ? undefined : expanded;
}

/** The values discovery fills into templates: {name}, {version} (default latest), {os}, {arch}, other labels. */
export function templateValues(query: ImageQuery): Map<string, string> {
  return new Map([['name', query.name], ['version', 'latest'], ...query.labels]);
}

/** The URLs the walk asks, most specific first; with allowHttp, http after https at each level. */
export function discoveryUrls(name: string, allowHttp: boolean): string[] {
  const parts = name.split('/');
  return parts.flatMap((_p, i) => {
    const page = `${parts.slice(0, parts.length - i).join('/')}?ac-discovery=1`;
    return allowHttp ? [`https://${page}`, `http://${page}`] : [`https://${page}`];
  });
}

export interface Discovered {
  acis: AciEndpoint[];
  pubkeys: string[];
}

/** Most pages one walk asks, and most locations of one kind a page may offer: a hostile page makes no more requests. */
export const MAX_DISCOVERY_PAGES = 10;
export const MAX_LOCATIONS = 10;

/**
 * A location a page offers, as the WHATWG parser writes it (controls removed or escaped), or
 * undefined unless it is an http(s) URL: a page never makes jetpack read a local file or stdin.
 */
function webLocation(location: string | undefined): string | undefined {
  if (location === undefined || !URL.canParse(location)) return undefined;
  const url = new URL(location);
  return url.protocol === 'https:' || url.protocol === 'http:' ? url.href : undefined;
}

/** What one page offers for `query`. */
function offered(html: string, query: ImageQuery, values: ReadonlyMap<string, string>): Discovered {
  const found: Discovered = { acis: [], pubkeys: [] };
  for (const tag of parseMetaTags(html).filter((t) => query.name.startsWith(t.prefix))) {
    if (tag.name === 'ac-discovery-pubkeys') {
      const key = webLocation(tag.url);
      if (key) found.pubkeys.push(key);
    }
    if (tag.name !== 'ac-discovery') continue;
    const aci = webLocation(expandTemplate(tag.url.replaceAll('{ext}', 'aci'), values));
    const asc = webLocation(expandTemplate(tag.url.replaceAll('{ext}', 'aci.asc'), values));
    if (aci && asc) found.acis.push({ aci, asc });
  }
  return found;
}

/**
 * Walks up `query.name` until a page names what `want` asks for. One line per page that
 * failed goes to `log`; when no page had it, the error lists every attempt.
 */
export async function discover(query: ImageQuery, want: 'acis' | 'pubkeys', opts: HttpOptions, log: (line: string) => void): Promise<Discovered> {
  const values = templateValues(query);
  const what = want === 'acis' ? 'image location' : 'key location';
  const failures: string[] = [];
  const pages = discoveryUrls(query.name, opts.allowHttp);
  for (const url of pages.slice(0, MAX_DISCOVERY_PAGES)) {
    let text: string;
    try {
      ({ text } = await httpGetText(url, opts));
    } catch (err) {
      if (!(err instanceof UserError)) throw err;
      failures.push(err.message);
      continue;
    }
    const found = offered(text, query, values);
    const count = found[want].length;
    if (count > MAX_LOCATIONS)
      throw new UserError(`refusing ${url}: it offers ${count} ${what}s for ${query.name}, more than the ${MAX_LOCATIONS} discovery follows`);
    if (count > 0) return found;
    failures.push(
      `${url}: no ${want === 'acis' ? 'ac-discovery template that fills in to an http(s) URL' : 'ac-discovery-pubkeys tag with an http(s) URL'} for ${query.name}`,
    );
  }
  for (const line of failures) log(line);
  const limit = pages.length > MAX_DISCOVERY_PAGES ? `, the most discovery asks` : '';
  throw new UserError(`discovery found no ${what} for ${query.name} (${failures.length} page${failures.length === 1 ? '' : 's'} asked${limit}; see above)`);
}
