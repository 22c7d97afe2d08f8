import { goFunc, type FuncDef } from '../gofunc.js';
import { GoObject, type GoValue } from '../types.js';

/*
 * Sprig's semver and semverCompare: github.com/Masterminds/semver/v3 (version.go,
 * constraints.go) as Sprig 3.2.3 vendors it: the same regular expressions (Go's \s is
 * [\t\n\f\r ]), the same lenient NewVersion, constraint rewriting and checks, and errors.
 */

const S = '[\\t\\n\\f\\r ]';
const SEMVER = 'v?([0-9]+)(\\.[0-9]+)?(\\.[0-9]+)?(-([0-9A-Za-z\\-]+(\\.[0-9A-Za-z\\-]+)*))?(\\+([0-9A-Za-z\\-]+(\\.[0-9A-Za-z\\-]+)*))?';
const CV = 'v?([0-9|x|X|\\*]+)(\\.[0-9|x|X|\\*]+)?(\\.[0-9|x|X|\\*]+)?(-([0-9A-Za-z\\-]+(\\.[0-9A-Za-z\\-]+)*))?(\\+([0-9A-Za-z\\-]+(\\.[0-9A-Za-z\\-]+)*))?';
const OPS = '=||!=|>|<|>=|=>|<=|=<|~|~>|\\^';

const versionRegex = new RegExp(`^${SEMVER}$`);
const constraintRegex = new RegExp(`^${S}*(${OPS})${S}*(${CV})${S}*$`);
const constraintRangeRegex = new RegExp(`(${CV})${S}+-${S}+(${CV})${S}*`, 'g');
const findConstraintRegex = new RegExp(`(${OPS})${S}*(${CV})`, 'g');
const cvSticky = new RegExp(CV, 'y');
const OP_TOKENS = ['!=', '>=', '=>', '<=', '=<', '~>', '=', '>', '<', '~', '^'];

function isSpace(c: string | undefined): boolean {
  return c === ' ' || c === '\t' || c === '\n' || c === '\f' || c === '\r';
}

/**
 * validConstraintRegex (`^(\s*(ops)\s*(cv)\s*)((?:\s+|,\s*)(ops)\s*(cv)\s*)*$`) as a scanner: the
 * same language, in linear time where JavaScript's backtracking would take exponential time
 * on runs of spaces (Go's RE2 is linear).
 */
function validConstraint(v: string): boolean {
  let i = 0;
  const skipSpace = () => {
    while (isSpace(v[i])) i++;
  };
  skipSpace();
  for (;;) {
    const op = OP_TOKENS.find((t) => v.startsWith(t, i));
    if (op) i += op.length;
    skipSpace();
    cvSticky.lastIndex = i;
    const m = cvSticky.exec(v);
    if (!m) return false;
    i += m[0].length;
    const before = i;
    skipSpace();
    if (i === v.length) return true;
    if (v[i] === ',') {
      i++;
      skipSpace();
    } else if (i === before) {
      return false;
    }
  }
}

const UINT64_MAX = (1n << 64n) - 1n;
const NUM = /^[0-9]*$/;
const ALLOWED = /^[a-zA-Z0-9-]*$/;

/** strconv.ParseUint(s, 10, 64), throwing Go's error. */
function parseUint(s: string): bigint {
  if (!/^[0-9]+$/.test(s)) throw new Error(`strconv.ParseUint: parsing ${JSON.stringify(s)}: invalid syntax`);
  const v = BigInt(s);
  if (v > UINT64_MAX) throw new Error(`strconv.ParseUint: parsing ${JSON.stringify(s)}: value out of range`);
  return v;
}

function validatePrerelease(p: string): void {
  for (const part of p.split('.')) {
    if (NUM.test(part)) {
      if (part.length > 1 && part[0] === '0') throw new Error('Version segment starts with 0');
    } else if (!ALLOWED.test(part)) {
      throw new Error('Invalid Prerelease string');
    }
  }
}

function validateMetadata(m: string): void {
  for (const part of m.split('.')) if (!ALLOWED.test(part)) throw new Error('Invalid Metadata string');
}

interface VersionData {
  major: bigint;
  minor: bigint;
  patch: bigint;
  pre: string;
  metadata: string;
  original: string;
}

/** semver.NewVersion. */
export function newVersion(v: string): VersionData {
  const m = versionRegex.exec(v);
  if (!m) throw new Error('Invalid Semantic Version');
  const segment = (s: string) => {
    try {
      return parseUint(s);
    } catch (err) {
      throw new Error(`Error parsing version segment: ${(err as Error).message}`, { cause: err });
    }
  };
  const sv: VersionData = {
    major: segment(m[1]),
    minor: m[2] ? segment(m[2].slice(1)) : 0n,
    patch: m[3] ? segment(m[3].slice(1)) : 0n,
    pre: m[5] ?? '',
    metadata: m[8] ?? '',
    original: v,
  };
  if (sv.pre !== '') validatePrerelease(sv.pre);
  if (sv.metadata !== '') validateMetadata(sv.metadata);
  return sv;
}

function versionString(v: VersionData): string {
  let s = `${v.major}.${v.minor}.${v.patch}`;
  if (v.pre !== '') s += `-${v.pre}`;
  if (v.metadata !== '') s += `+${v.metadata}`;
  return s;
}

function compareSegment(a: bigint, b: bigint): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function parseUintOrNull(s: string): bigint | null {
  if (!/^[0-9]+$/.test(s)) return null;
  const v = BigInt(s);
  return v > UINT64_MAX ? null : v;
}

function comparePrePart(s: string, o: string): number {
  if (s === o) return 0;
  if (s === '') return o !== '' ? -1 : 1;
  if (o === '') return s !== '' ? 1 : -1;
  const oi = parseUintOrNull(o);
  const si = parseUintOrNull(s);
  if (oi === null && si === null) return Buffer.compare(Buffer.from(s), Buffer.from(o)) > 0 ? 1 : -1;
  if (oi === null) return -1;
  if (si === null) return 1;
  return si > oi ? 1 : -1;
}

function comparePrerelease(v: string, o: string): number {
  const sparts = v.split('.');
  const oparts = o.split('.');
  const l = Math.max(sparts.length, oparts.length);
  for (let i = 0; i < l; i++) {
    const d = comparePrePart(sparts[i] ?? '', oparts[i] ?? '');
    if (d !== 0) return d;
  }
  return 0;
}

export function compareVersions(v: VersionData, o: VersionData): number {
  let d = compareSegment(v.major, o.major);
  if (d !== 0) return d;
  d = compareSegment(v.minor, o.minor);
  if (d !== 0) return d;
  d = compareSegment(v.patch, o.patch);
  if (d !== 0) return d;
  if (v.pre === '' && o.pre === '') return 0;
  if (v.pre === '') return 1;
  if (o.pre === '') return -1;
  return comparePrerelease(v.pre, o.pre);
}

function vPrefix(v: VersionData): string {
  return v.original !== '' && v.original[0] === 'v' ? 'v' : '';
}

function withOriginal(v: VersionData, prefix: string): VersionData {
  return { ...v, original: prefix + versionString(v) };
}

/** A *semver.Version (pointer: every method) or a semver.Version (value: no pointer-receiver methods). */
export class SemverVersion extends GoObject {
  readonly goType: string;
  readonly goKind: string;
  constructor(
    readonly v: VersionData,
    readonly pointer: boolean,
  ) {
    super();
    this.goType = pointer ? '*semver.Version' : 'semver.Version';
    this.goKind = pointer ? 'ptr' : 'struct';
  }
  field(): GoValue | undefined {
    return undefined;
  }
  format(): string {
    return versionString(this.v);
  }
  /** What encoding/json writes for it (MarshalJSON: the version string), for toJson and toYaml. */
  jsonValue(): GoValue {
    return versionString(this.v);
  }
  method(name: string): FuncDef | undefined {
    const v = this.v;
    const value = (d: VersionData) => new SemverVersion(d, false);
    switch (name) {
      case 'String':
        return goFunc('func() string', () => versionString(v));
      case 'Major':
        return goFunc('func() uint64', () => v.major);
      case 'Minor':
        return goFunc('func() uint64', () => v.minor);
      case 'Patch':
        return goFunc('func() uint64', () => v.patch);
      case 'Prerelease':
        return goFunc('func() string', () => v.pre);
      case 'Metadata':
        return goFunc('func() string', () => v.metadata);
      case 'IncPatch':
        return goFunc('func() semver.Version', () =>
          value(withOriginal(v.pre !== '' ? { ...v, pre: '', metadata: '' } : { ...v, pre: '', metadata: '', patch: v.patch + 1n }, vPrefix(v))),
        );
      case 'IncMinor':
        return goFunc('func() semver.Version', () => value(withOriginal({ ...v, pre: '', metadata: '', patch: 0n, minor: v.minor + 1n }, vPrefix(v))));
      case 'IncMajor':
        return goFunc('func() semver.Version', () =>
          value(withOriginal({ ...v, pre: '', metadata: '', patch: 0n, minor: 0n, major: v.major + 1n }, vPrefix(v))),
        );
      case 'SetPrerelease':
        return goFunc('func(prerelease string) (semver.Version, error)', (p: string) => {
          if (p.length > 0) validatePrerelease(p);
          return value(withOriginal({ ...v, pre: p }, vPrefix(v)));
        });
      case 'SetMetadata':
        return goFunc('func(metadata string) (semver.Version, error)', (m: string) => {
          if (m.length > 0) validateMetadata(m);
          return value(withOriginal({ ...v, metadata: m }, vPrefix(v)));
        });
    }
    if (!this.pointer) return undefined;
    switch (name) {
      case 'Original':
        return goFunc('func() string', () => v.original);
      case 'Compare':
        return goFunc('func(o *semver.Version) int', (o: SemverVersion | null) => BigInt(compareVersions(v, deref(o))));
      case 'LessThan':
        return goFunc('func(o *semver.Version) bool', (o: SemverVersion | null) => compareVersions(v, deref(o)) < 0);
      case 'GreaterThan':
        return goFunc('func(o *semver.Version) bool', (o: SemverVersion | null) => compareVersions(v, deref(o)) > 0);
      case 'Equal':
        return goFunc('func(o *semver.Version) bool', (o: SemverVersion | null) => compareVersions(v, deref(o)) === 0);
    }
    return undefined;
  }
}

function deref(o: SemverVersion | null): VersionData {
  if (o === null) throw new Error('runtime error: invalid memory address or nil pointer dereference');
  return o.v;
}

// Constraints

interface Constraint {
  con: VersionData;
  orig: string;
  origfunc: string;
  minorDirty: boolean;
  dirty: boolean;
  patchDirty: boolean;
}

function isX(x: string): boolean {
  return x === 'x' || x === '*' || x === 'X';
}

function parseConstraint(c: string): Constraint {
  const m = constraintRegex.exec(c);
  if (!m) throw new Error(`improper constraint: ${c}`);
  const m3 = m[3] ?? '';
  const m4 = m[4] ?? '';
  const m5 = m[5] ?? '';
  const m6 = m[6] ?? '';
  let ver = m[2];
  let minorDirty = false;
  let patchDirty = false;
  let dirty = false;
  if (isX(m3) || m3 === '') {
    ver = `0.0.0${m6}`;
    dirty = true;
  } else if (isX(m4.replace(/^\./, '')) || m4 === '') {
    minorDirty = true;
    dirty = true;
    ver = `${m3}.0.0${m6}`;
  } else if (isX(m5.replace(/^\./, '')) || m5 === '') {
    dirty = true;
    patchDirty = true;
    ver = `${m3}${m4}.0${m6}`;
  }
  let con: VersionData;
  try {
    con = newVersion(ver);
  } catch {
    throw new Error('constraint Parser Error');
  }
  return { con, orig: m[2], origfunc: m[1], minorDirty, dirty, patchDirty };
}

/** rewriteRange: "1.2 - 1.4.5" becomes ">= 1.2, <= 1.4.5". */
function rewriteRange(i: string): string {
  let o = i;
  let previousEnd = 0;
  for (const v of i.matchAll(constraintRangeRegex)) {
    // Go's pattern starts with \s*: its match takes the spaces before the range too.
    let start = v.index;
    while (start > previousEnd && isSpace(i[start - 1])) start--;
    previousEnd = v.index + v[0].length;
    const whole = i.slice(start, previousEnd);
    o = o.replace(whole, () => `>= ${v[1]}, <= ${v[11]}`);
  }
  return o;
}

/** semver.NewConstraint: OR groups of AND constraints. */
export function newConstraint(c: string): Constraint[][] {
  const ors = rewriteRange(c).split('||');
  return ors.map((v) => {
    if (!validConstraint(v)) throw new Error(`improper constraint: ${v}`);
    const cs = [...v.matchAll(findConstraintRegex)].map((m) => m[0]);
    if (cs.length === 0) cs.push(v);
    return cs.map(parseConstraint);
  });
}

function check(v: VersionData, c: Constraint): boolean {
  const preOnly = v.pre !== '' && c.con.pre === '';
  switch (c.origfunc) {
    case '':
    case '=':
      if (preOnly) return false;
      if (c.dirty) return tilde(v, c);
      return compareVersions(v, c.con) === 0;
    case '!=':
      if (c.dirty) {
        if (preOnly) return false;
        if (c.con.major !== v.major) return true;
        if (c.con.minor !== v.minor && !c.minorDirty) return true;
        else if (c.minorDirty) return false;
        else if (c.con.patch !== v.patch && !c.patchDirty) return true;
        else if (c.patchDirty) {
          if (v.pre !== '' || c.con.pre !== '') return comparePrerelease(v.pre, c.con.pre) !== 0;
          return false;
        }
      }
      return compareVersions(v, c.con) !== 0;
    case '>':
      if (preOnly) return false;
      if (!c.dirty) return compareVersions(v, c.con) === 1;
      if (v.major > c.con.major) return true;
      if (v.major < c.con.major) return false;
      if (c.minorDirty) return false;
      if (c.patchDirty) return v.minor > c.con.minor;
      return compareVersions(v, c.con) === 1;
    case '<':
      if (preOnly) return false;
      return compareVersions(v, c.con) < 0;
    case '>=':
    case '=>':
      if (preOnly) return false;
      return compareVersions(v, c.con) >= 0;
    case '<=':
    case '=<':
      if (preOnly) return false;
      if (!c.dirty) return compareVersions(v, c.con) <= 0;
      if (v.major > c.con.major) return false;
      if (v.major === c.con.major && v.minor > c.con.minor && !c.minorDirty) return false;
      return true;
    case '~':
    case '~>':
      if (preOnly) return false;
      return tilde(v, c);
    case '^':
      return caret(v, c, preOnly);
  }
  return false;
}

function tilde(v: VersionData, c: Constraint): boolean {
  if (v.pre !== '' && c.con.pre === '') return false;
  if (compareVersions(v, c.con) < 0) return false;
  if (c.con.major === 0n && c.con.minor === 0n && c.con.patch === 0n && !c.minorDirty && !c.patchDirty) return true;
  if (v.major !== c.con.major) return false;
  if (v.minor !== c.con.minor && !c.minorDirty) return false;
  return true;
}

function caret(v: VersionData, c: Constraint, preOnly: boolean): boolean {
  if (preOnly) return false;
  if (compareVersions(v, c.con) < 0) return false;
  if (c.con.major > 0n || c.minorDirty) return v.major === c.con.major;
  if (c.con.major === 0n && v.major > 0n) return false;
  if (c.con.minor > 0n || c.patchDirty) return v.minor === c.con.minor;
  if (c.con.minor === 0n && v.minor > 0n) return false;
  return c.con.patch === v.patch;
}

export function checkConstraints(constraints: Constraint[][], v: VersionData): boolean {
  return constraints.some((group) => group.every((c) => check(v, c)));
}

export const SEMVER_FUNCS: Record<string, FuncDef> = {
  semver: goFunc('func(version string) (*semver.Version, error)', (version: string) => new SemverVersion(newVersion(version), true)),
  semverCompare: goFunc('func(constraint, version string) (bool, error)', (constraint: string, version: string) => {
    const c = newConstraint(constraint);
    const v = newVersion(version);
    return checkConstraints(c, v);
  }),
};
