import { UserError } from '../errors.js';
import { validateRuntimeName } from '../ostree/runtime-name.js';

/** A Flatpak ref: `runtime/ID/ARCH/BRANCH` or `app/ID/ARCH/BRANCH`. */
export interface FlatpakRef {
  kind: 'runtime' | 'app';
  id: string;
  arch: string;
  branch: string;
}

export function formatRef(ref: FlatpakRef): string {
  return `${ref.kind}/${ref.id}/${ref.arch}/${ref.branch}`;
}

/** Parses and checks a ref (the ID/ARCH/BRANCH rules are the runtime names' own: three-part reverse DNS, a known arch). */
export function parseRef(text: string, kind?: FlatpakRef['kind']): FlatpakRef {
  const [k, ...rest] = text.split('/');
  if ((k !== 'runtime' && k !== 'app') || rest.length !== 3)
    throw new UserError(`"${text}" is not a Flatpak ref (runtime/ID/ARCH/BRANCH or app/ID/ARCH/BRANCH)`);
  if (kind && k !== kind)
    throw new UserError(
      `"${text}" is ${k === 'app' ? 'an application' : 'a runtime'} ref; a ${kind === 'app' ? 'app' : 'runtime'}/ID/ARCH/BRANCH ref is needed here`,
    );
  validateRuntimeName(rest.join('/'));
  const [id, arch, branch] = rest as [string, string, string];
  return { kind: k, id, arch, branch };
}

const TO_FLATPAK_ARCH: Readonly<Record<string, string>> = {
  amd64: 'x86_64',
  aarch64: 'aarch64',
  i386: 'i386',
  armv7l: 'arm',
  ppc64le: 'ppc64le',
  s390x: 's390x',
};

/** appc's arch label as Flatpak names it (amd64 → x86_64). */
export function flatpakArch(appcArch: string): string {
  return TO_FLATPAK_ARCH[appcArch] ?? appcArch;
}

/** Flatpak's arch as appc names it (x86_64 → amd64). */
export function appcArch(arch: string): string {
  return Object.entries(TO_FLATPAK_ARCH).find(([, f]) => f === arch)?.[0] ?? arch;
}

/** A keyfile (flatpak-metadata(5)): groups of key=value lines. */
export type KeyFile = Map<string, Map<string, string>>;

export function parseKeyFile(text: string, where: string): KeyFile {
  const groups: KeyFile = new Map();
  let group: Map<string, string> | undefined;
  for (const [i, raw] of text.split('\n').entries()) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const header = /^\[([^\]]+)\]$/.exec(line);
    if (header) {
      group = new Map();
      groups.set(header[1], group);
      continue;
    }
    const eq = line.indexOf('=');
    if (!group || eq <= 0) throw new UserError(`${where}:${i + 1}: not a keyfile line (want [Group] or key=value): ${line}`);
    group.set(line.slice(0, eq).trim(), line.slice(eq + 1).trim());
  }
  return groups;
}

export interface RuntimeMetadata {
  /** `[Runtime] name`. */
  name: string;
  groups: KeyFile;
}

/** The `[Runtime]` of a metadata file; an application's metadata, or none, is an error. */
export function runtimeMetadata(text: string, where: string): RuntimeMetadata {
  const groups = parseKeyFile(text, where);
  if (groups.has('Application')) throw new UserError(`${where} describes an application ([Application]), not a runtime`);
  const name = groups.get('Runtime')?.get('name');
  if (!name) throw new UserError(`${where} has no [Runtime] name: not a Flatpak runtime`);
  return { name, groups };
}
