import { UserError } from '../errors.js';

/** Architectures as OSTree and Flatpak name them (`uname -m` style). */
export const RUNTIME_ARCHES = ['x86_64', 'aarch64', 'i386', 'arm', 'ppc64le', 's390x', 'riscv64', 'loongarch64'] as const;

/** One component of an OSTree ref (ostree's own rule). */
const REF_PART = /^[\w\d][-._\w\d]*$/;

/**
 * Checks a runtime name as MaPS does: `software/arch/version`, the software in reverse DNS
 * with at least three dot-separated components (`org.oscar_system.oscar`), an architecture
 * that exists, a version. Throws one line saying what is wrong.
 */
export function validateRuntimeName(ref: string): void {
  const example = 'com.example.package/x86_64/2023.08';
  const parts = ref.split('/');
  if (parts.length !== 3) throw new UserError(`runtime name "${ref}" must be reverse-dns/arch/version, three parts (e.g. ${example})`);
  const [software, arch, version] = parts as [string, string, string];
  const labels = software.split('.');
  if (labels.length < 3 || labels.some((l) => !/^[A-Za-z0-9_][A-Za-z0-9_-]*$/.test(l))) {
    throw new UserError(`runtime name "${ref}": "${software}" is not a reverse DNS name of three or more components (e.g. com.example.package)`);
  }
  if (!(RUNTIME_ARCHES as readonly string[]).includes(arch)) {
    throw new UserError(`runtime name "${ref}": unknown architecture "${arch}" (one of ${RUNTIME_ARCHES.join(', ')})`);
  }
  if (!REF_PART.test(version)) throw new UserError(`runtime name "${ref}": "${version}" is not a version (letters, digits, ".", "-", "_"; e.g. 2023.08)`);
}

export interface QualifiedRef {
  /** The remote, or undefined for a ref committed here. */
  remote?: string;
  ref: string;
}

/** Splits `remote:ref` (MaPS's fully qualified form) from a plain `ref`. */
export function parseQualifiedRef(text: string): QualifiedRef {
  const colon = text.indexOf(':');
  if (colon === -1) return { ref: text };
  const remote = text.slice(0, colon);
  if (!REF_PART.test(remote)) throw new UserError(`"${remote}" is not a remote name`);
  return { remote, ref: text.slice(colon + 1) };
}

/** A remote name as `ostree remote add` takes it. */
export function validateRemoteName(name: string): void {
  if (!REF_PART.test(name) || name === LOCAL_REMOTE)
    throw new UserError(`"${name}" cannot name a remote (letters, digits, ".", "-", "_"; not ${LOCAL_REMOTE})`);
}

/** Where deployments of refs committed here live, as MaPS's `_local`. */
export const LOCAL_REMOTE = '_local';
