/**
 * The appc ImageManifest (appc/spec 0.8.x, spec/aci.md): types, validation with errors that
 * name the offending field, label/annotation helpers and the canonical serialization.
 */
import { posix } from 'node:path';
import { UserError } from '../errors.js';
import { isACIdentifier, isACName, isRFC3339, isSemver } from './identifiers.js';
import { VALID_OS_ARCH, isKnownOS, isValidOSArch } from './platform.js';

/** The acVersion written into manifests jetpack creates. */
export const BLANK_AC_VERSION = '0.8.11';

export interface Label {
  name: string;
  value: string;
}

export interface Annotation {
  name: string;
  value: string;
}

export interface Dependency {
  imageName: string;
  imageID?: string;
  labels?: Label[];
  size?: number;
}

export interface EventHandler {
  name: 'pre-start' | 'post-stop';
  exec: string[];
}

export interface EnvironmentVariable {
  name: string;
  value: string;
}

export interface Isolator {
  name: string;
  value: unknown;
}

export interface MountPoint {
  name: string;
  path: string;
  readOnly?: boolean;
}

export interface Port {
  name: string;
  protocol: string;
  port: number;
  count?: number;
  socketActivated?: boolean;
}

export interface App {
  exec?: string[];
  user: string;
  group: string;
  supplementaryGIDs?: number[];
  eventHandlers?: EventHandler[];
  workingDirectory?: string;
  environment?: EnvironmentVariable[];
  isolators?: Isolator[];
  mountPoints?: MountPoint[];
  ports?: Port[];
  userAnnotations?: Record<string, string>;
  userLabels?: Record<string, string>;
}

export interface ImageManifest {
  acKind: 'ImageManifest';
  acVersion: string;
  name: string;
  labels?: Label[];
  app?: App;
  dependencies?: Dependency[];
  pathWhitelist?: string[];
  annotations?: Annotation[];
}

type Fields = Record<string, unknown>;

const IMAGE_ID = /^sha512-[0-9a-f]{128}$/;
// appc's environment.go: the first character may not be a digit.
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/;
const EVENT_NAMES: readonly string[] = ['pre-start', 'post-stop'];
const NOT_AC_IDENTIFIER = 'not an AC Identifier (lowercase a-z, 0-9 and -._~/ separators)';
const NOT_AC_NAME = 'not an AC Name (lowercase a-z, 0-9 and - separators)';
const TOP_LEVEL_ORDER = ['acKind', 'acVersion', 'name', 'labels', 'app', 'dependencies', 'pathWhitelist', 'annotations'];

function fail(path: string, message: string): never {
  throw new UserError(`invalid image manifest: ${path ? `${path}: ` : ''}${message}`);
}

function bad(path: string, value: unknown, message: string): never {
  return fail(`${path} ${JSON.stringify(value)}`, message);
}

function jsonType(v: unknown): string {
  if (v === null) return 'null';
  return Array.isArray(v) ? 'array' : typeof v;
}

function required(v: unknown, path: string, type: string): void {
  if (v === undefined) fail(path, 'required');
  if (jsonType(v) !== type) fail(path, `expected ${type === 'array' ? 'an' : 'a'} ${type}, got ${jsonType(v)}`);
}

function object(v: unknown, path: string): Fields {
  if (jsonType(v) !== 'object') fail(path, `expected an object, got ${jsonType(v)}`);
  return v as Fields;
}

function array(v: unknown, path: string): unknown[] {
  required(v, path, 'array');
  return v as unknown[];
}

function string(v: unknown, path: string): string {
  required(v, path, 'string');
  return v as string;
}

function nonEmptyString(v: unknown, path: string): string {
  const s = string(v, path);
  if (s === '') fail(path, 'must not be empty');
  return s;
}

function boolean(v: unknown, path: string): void {
  required(v, path, 'boolean');
}

function integer(v: unknown, path: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  required(v, path, 'number');
  const n = v as number;
  if (!Number.isInteger(n) || n < min || n > max) {
    bad(path, n, max === Number.MAX_SAFE_INTEGER ? `must be an integer >= ${min}` : `must be an integer from ${min} to ${max}`);
  }
  return n;
}

function identifier(v: unknown, path: string): string {
  const s = string(v, path);
  if (!isACIdentifier(s)) bad(path, s, NOT_AC_IDENTIFIER);
  return s;
}

function acName(v: unknown, path: string): string {
  const s = string(v, path);
  if (!isACName(s)) bad(path, s, NOT_AC_NAME);
  return s;
}

function absolutePath(v: unknown, path: string): string {
  const s = string(v, path);
  if (!posix.isAbsolute(s)) bad(path, s, 'must be an absolute path');
  return s;
}

function isHttpURL(s: string): boolean {
  try {
    const { protocol } = new URL(s);
    return protocol === 'http:' || protocol === 'https:';
  } catch {
    return false;
  }
}

/** Checks each element of an array of objects; `check` gets the element and its path. */
function eachObject(v: unknown, path: string, check: (o: Fields, p: string) => void): void {
  array(v, path).forEach((item, i) => {
    const p = `${path}[${i}]`;
    check(object(item, p), p);
  });
}

function unique(seen: Set<string>, name: string, path: string, what: string): void {
  if (seen.has(name)) bad(path, name, `duplicate ${what}`);
  seen.add(name);
}

function checkExec(v: unknown, path: string, allowEmpty: boolean): void {
  const exec = array(v, path);
  exec.forEach((arg, i) => string(arg, `${path}[${i}]`));
  if (exec.length === 0 && !allowEmpty) fail(path, 'must not be empty');
  if (exec[0] === '') fail(`${path}[0]`, 'must not be empty');
}

function checkStringMap(v: unknown, path: string): void {
  for (const [key, value] of Object.entries(object(v, path))) string(value, `${path}.${key}`);
}

function checkLabels(v: unknown, path: string): void {
  const seen = new Set<string>();
  const values = new Map<string, { value: string; path: string }>();
  eachObject(v, path, (label, p) => {
    const name = identifier(label.name, `${p}.name`);
    if (name === 'name') bad(`${p}.name`, name, 'not allowed as a label (the image name is a field of its own)');
    unique(seen, name, `${p}.name`, 'label');
    values.set(name, { value: string(label.value, `${p}.value`), path: `${p}.value` });
  });
  const os = values.get('os');
  const arch = values.get('arch');
  if (os && !isKnownOS(os.value)) bad(os.path, os.value, `unknown os (known: ${Object.keys(VALID_OS_ARCH).join(', ')})`);
  if (arch && !os) bad(arch.path, arch.value, 'an arch label needs an os label');
  if (os && arch && !isValidOSArch(os.value, arch.value)) {
    bad(arch.path, arch.value, `not a valid arch for os "${os.value}" (valid: ${VALID_OS_ARCH[os.value].join(', ')})`);
  }
}

function checkPort(port: Fields, p: string): void {
  const number = integer(port.port, `${p}.port`, 1, 65535);
  nonEmptyString(port.protocol, `${p}.protocol`);
  if (port.count !== undefined) {
    const count = integer(port.count, `${p}.count`, 1);
    if (number + count - 1 > 65535) bad(`${p}.count`, count, `port range ${number}-${number + count - 1} ends beyond 65535`);
  }
  if (port.socketActivated !== undefined) boolean(port.socketActivated, `${p}.socketActivated`);
}

function checkApp(v: unknown, path: string): void {
  const app = object(v, path);
  if (app.exec !== undefined) checkExec(app.exec, `${path}.exec`, true);
  nonEmptyString(app.user, `${path}.user`);
  nonEmptyString(app.group, `${path}.group`);
  if (app.supplementaryGIDs !== undefined) {
    array(app.supplementaryGIDs, `${path}.supplementaryGIDs`).forEach((gid, i) => integer(gid, `${path}.supplementaryGIDs[${i}]`, 0, 0xffffffff));
  }
  if (app.eventHandlers !== undefined) {
    const seen = new Set<string>();
    eachObject(app.eventHandlers, `${path}.eventHandlers`, (handler, p) => {
      const name = string(handler.name, `${p}.name`);
      if (!EVENT_NAMES.includes(name)) bad(`${p}.name`, name, `not an event (known: ${EVENT_NAMES.join(', ')})`);
      unique(seen, name, `${p}.name`, 'event handler');
      checkExec(handler.exec, `${p}.exec`, false);
    });
  }
  if (app.workingDirectory !== undefined) absolutePath(app.workingDirectory, `${path}.workingDirectory`);
  if (app.environment !== undefined) {
    const seen = new Set<string>();
    eachObject(app.environment, `${path}.environment`, (variable, p) => {
      const name = string(variable.name, `${p}.name`);
      if (!ENV_NAME.test(name)) bad(`${p}.name`, name, 'not a variable name (A-Z, a-z, 0-9, _ . -, not starting with a digit)');
      unique(seen, name, `${p}.name`, 'environment variable');
      string(variable.value, `${p}.value`);
    });
  }
  if (app.isolators !== undefined) {
    eachObject(app.isolators, `${path}.isolators`, (isolator, p) => {
      identifier(isolator.name, `${p}.name`);
      if (isolator.value === undefined) fail(`${p}.value`, 'required');
    });
  }
  if (app.mountPoints !== undefined) {
    const seen = new Set<string>();
    eachObject(app.mountPoints, `${path}.mountPoints`, (mount, p) => {
      unique(seen, acName(mount.name, `${p}.name`), `${p}.name`, 'mount point');
      absolutePath(mount.path, `${p}.path`);
      if (mount.readOnly !== undefined) boolean(mount.readOnly, `${p}.readOnly`);
    });
  }
  if (app.ports !== undefined) {
    const seen = new Set<string>();
    eachObject(app.ports, `${path}.ports`, (port, p) => {
      unique(seen, acName(port.name, `${p}.name`), `${p}.name`, 'port');
      checkPort(port, p);
    });
  }
  if (app.userAnnotations !== undefined) checkStringMap(app.userAnnotations, `${path}.userAnnotations`);
  if (app.userLabels !== undefined) checkStringMap(app.userLabels, `${path}.userLabels`);
}

function checkDependencies(v: unknown, path: string): void {
  eachObject(v, path, (dep, p) => {
    identifier(dep.imageName, `${p}.imageName`);
    if (dep.imageID !== undefined) {
      const id = string(dep.imageID, `${p}.imageID`);
      if (!IMAGE_ID.test(id)) bad(`${p}.imageID`, id, 'not an image ID (sha512- and 128 lowercase hex digits)');
    }
    if (dep.labels !== undefined) checkLabels(dep.labels, `${p}.labels`);
    if (dep.size !== undefined) integer(dep.size, `${p}.size`, 0);
  });
}

function checkPathWhitelist(v: unknown, path: string): void {
  // Every file of an image is listed (thousands, read on each command that opens the image):
  // a field name is made only for an entry that fails.
  const seen = new Set<string>();
  array(v, path).forEach((entry, i) => {
    if (typeof entry === 'string' && entry[0] === '/' && !seen.has(entry)) seen.add(entry);
    else unique(seen, absolutePath(entry, `${path}[${i}]`), `${path}[${i}]`, 'path'); // throws, naming the entry
  });
}

function checkAnnotations(v: unknown, path: string): void {
  const seen = new Set<string>();
  eachObject(v, path, (annotation, p) => {
    const name = identifier(annotation.name, `${p}.name`);
    unique(seen, name, `${p}.name`, 'annotation');
    const value = string(annotation.value, `${p}.value`);
    if (name === 'created' && !isRFC3339(value)) bad(`${p}.value`, value, 'not an RFC 3339 date-time (like 2006-01-02T15:04:05Z)');
    if ((name === 'homepage' || name === 'documentation') && !isHttpURL(value)) {
      bad(`${p}.value`, value, 'not an http or https URL');
    }
  });
}

/**
 * Checks `value` against the appc 0.8.x ImageManifest rules and returns it typed. Unknown
 * fields are kept and not checked, as appc ignores them. Throws UserError naming the field.
 */
export function validateImageManifest(value: unknown): ImageManifest {
  const m = object(value, '');
  const acKind = string(m.acKind, 'acKind');
  if (acKind !== 'ImageManifest') bad('acKind', acKind, 'must be "ImageManifest"');
  const acVersion = string(m.acVersion, 'acVersion');
  if (!isSemver(acVersion)) bad('acVersion', acVersion, 'not a SemVer 2.0.0 version');
  identifier(m.name, 'name');
  if (m.labels !== undefined) checkLabels(m.labels, 'labels');
  if (m.app !== undefined) checkApp(m.app, 'app');
  if (m.dependencies !== undefined) checkDependencies(m.dependencies, 'dependencies');
  if (m.pathWhitelist !== undefined) checkPathWhitelist(m.pathWhitelist, 'pathWhitelist');
  if (m.annotations !== undefined) checkAnnotations(m.annotations, 'annotations');
  return m as unknown as ImageManifest;
}

/** A manifest file's bytes as JSON; `failure` reports a syntax error. */
function parseJSON(bytes: Buffer | string, failure: (message: string) => never): unknown {
  try {
    return JSON.parse(bytes.toString());
  } catch (err) {
    return failure(`not valid JSON: ${(err as Error).message}`);
  }
}

export function parseImageManifest(bytes: Buffer | string): ImageManifest {
  return validateImageManifest(parseJSON(bytes, (message) => fail('', message)));
}

/**
 * A manifest jetpack wrote into its store, checked in full when the image entered it: parsed
 * with the outline checked only. The full check costs ~5 ms for a built image, whose
 * pathWhitelist lists thousands of paths, on every command that opens the image. A damaged
 * file still gives a one-line error naming it.
 */
export function parseStoredManifest(bytes: Buffer | string, file: string): ImageManifest {
  const damaged = (message: string): never => {
    throw new UserError(`${file} is damaged: ${message} (jetpack fsck)`);
  };
  const m = parseJSON(bytes, damaged) as Partial<Fields> | null;
  if (jsonType(m) !== 'object' || m!.acKind !== 'ImageManifest' || typeof m!.name !== 'string') damaged('not an image manifest');
  return m as unknown as ImageManifest;
}

/** The labels as an object, name to value (the form --json listings print). */
export function labelMap(m: Pick<ImageManifest, 'labels'>): Record<string, string> {
  return Object.fromEntries((m.labels ?? []).map((l) => [l.name, l.value]));
}

export function labelValue(m: Pick<ImageManifest, 'labels'>, name: string): string | undefined {
  return m.labels?.find((l) => l.name === name)?.value;
}

export function annotationValue(m: ImageManifest, name: string): string | undefined {
  return m.annotations?.find((a) => a.name === name)?.value;
}

/** Sets (in place, or appended) or with `undefined` removes one entry; an emptied list is dropped. */
function withEntry(list: readonly Label[] | undefined, name: string, value: string | undefined): Label[] | undefined {
  const entries = (list ?? []).filter((e) => value !== undefined || e.name !== name).map((e) => ({ ...e }));
  if (value !== undefined) {
    const existing = entries.find((e) => e.name === name);
    if (existing) existing.value = value;
    else entries.push({ name, value });
  }
  return entries.length > 0 ? entries : undefined;
}

/** A copy of `m` with label `name` set to `value`, or removed when `value` is undefined. */
export function withLabel(m: ImageManifest, name: string, value: string | undefined): ImageManifest {
  const { labels: _, ...rest } = m;
  const labels = withEntry(m.labels, name, value);
  return labels ? { ...rest, labels } : rest;
}

/** A copy of `m` with annotation `name` set to `value`, or removed when `value` is undefined. */
export function withAnnotation(m: ImageManifest, name: string, value: string | undefined): ImageManifest {
  const { annotations: _, ...rest } = m;
  const annotations = withEntry(m.annotations, name, value);
  return annotations ? { ...rest, annotations } : rest;
}

/** Pretty JSON with the top-level keys in the spec's order, so equal manifests give equal bytes. */
export function serializeManifest(m: ImageManifest): string {
  const fields = m as unknown as Fields;
  const keys = [...TOP_LEVEL_ORDER.filter((key) => Object.hasOwn(fields, key)), ...Object.keys(fields).filter((key) => !TOP_LEVEL_ORDER.includes(key))];
  // fromEntries defines own properties, so even a "__proto__" key survives as data.
  return `${JSON.stringify(Object.fromEntries(keys.map((key) => [key, fields[key]])), null, 2)}\n`;
}
