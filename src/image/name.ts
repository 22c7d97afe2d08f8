/**
 * Image references as typed on the command line, following appc's discovery.NewAppFromString:
 * `name[:version][,label=value…]`, with os and arch defaulting to the host's.
 */
import { UserError } from '../errors.js';
import { isACIdentifier } from './identifiers.js';
import type { ImageManifest } from './manifest.js';
import { labelValue } from './manifest.js';
import { hostArch, hostOS } from './platform.js';

export interface ImageQuery {
  name: string;
  labels: Map<string, string>;
  /** Label names filled in from the host (os, arch) rather than given by the user. */
  defaulted: Set<string>;
}

const IMAGE_ID_PREFIX = /^sha512-[0-9a-f]{0,128}$/;

export function parseImageQuery(s: string): ImageQuery {
  const fail = (message: string): never => {
    throw new UserError(`invalid image name "${s}": ${message}`);
  };
  if (s.split(':').length > 2) fail('more than one ":"');
  const [head, ...rest] = s.split(',');
  if (rest.some((part) => part.includes(':'))) fail('the ":version" must come before any ",label=value"');
  const colon = head.indexOf(':');
  const name = colon < 0 ? head : head.slice(0, colon);
  if (!isACIdentifier(name)) {
    fail(`"${name}" is not an AC Identifier (lowercase a-z, 0-9 and -._~/ separators)`);
  }
  const labels = new Map<string, string>();
  const add = (label: string, value: string): void => {
    if (!isACIdentifier(label)) fail(`label name "${label}" is not an AC Identifier`);
    if (label === 'name') fail('"name" is not a label');
    if (labels.has(label)) fail(`label "${label}" given twice`);
    if (value === '') fail(`label "${label}" has an empty value`);
    labels.set(label, value);
  };
  if (colon >= 0) add('version', head.slice(colon + 1));
  for (const part of rest) {
    const eq = part.indexOf('=');
    if (eq < 0) fail(`"${part}" is not label=value`);
    add(part.slice(0, eq), part.slice(eq + 1));
  }
  return withHostPlatform(name, labels);
}

/** A query for `name` with `labels`, os and arch filled in from the host where they are missing. */
export function withHostPlatform(name: string, labels: Map<string, string>): ImageQuery {
  const defaulted = new Set<string>();
  for (const [label, value] of [
    ['os', hostOS()],
    ['arch', hostArch()],
  ] as const) {
    if (!labels.has(label)) {
      labels.set(label, value);
      defaulted.add(label);
    }
  }
  return { name, labels, defaulted };
}

/**
 * Whether manifest `m` answers query `q`. A label the user gave must be on the image with the
 * same value; a defaulted one only rules out an image that says something else.
 */
export function matchesQuery(m: Pick<ImageManifest, 'name' | 'labels'>, q: ImageQuery): boolean {
  if (m.name !== q.name) return false;
  for (const [label, wanted] of q.labels) {
    const actual = labelValue(m, label);
    if (actual === undefined ? !q.defaulted.has(label) : actual !== wanted) return false;
  }
  return true;
}

/** `name:version,label=value…`: version first if present, other labels sorted by name. */
export function formatImageName(m: Pick<ImageManifest, 'name' | 'labels'>): string {
  const labels = m.labels ?? [];
  const version = labels.find((l) => l.name === 'version');
  const others = labels
    .filter((l) => l.name !== 'version')
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map((l) => `,${l.name}=${l.value}`);
  return `${m.name}${version ? `:${version.value}` : ''}${others.join('')}`;
}

/** A full image ID or a prefix of one (`sha512-` and 1 to 128 lowercase hex digits). */
export function looksLikeImageID(s: string): boolean {
  return IMAGE_ID_PREFIX.test(s);
}
