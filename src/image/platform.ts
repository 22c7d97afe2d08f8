/** The host platform in appc's os/arch label vocabulary (schema/types/labels.go). */
import { endianness } from 'node:os';

/** The os/arch pairs appc accepts in the `os` and `arch` labels. */
export const VALID_OS_ARCH: Readonly<Record<string, readonly string[]>> = Object.freeze({
  linux: ['amd64', 'i386', 'aarch64', 'aarch64_be', 'armv6l', 'armv7l', 'armv7b', 'ppc64', 'ppc64le', 's390x'],
  freebsd: ['amd64', 'i386', 'arm'],
  darwin: ['x86_64', 'i386'],
});

const NODE_TO_APPC_ARCH: Readonly<Record<string, string>> = {
  x64: 'amd64',
  ia32: 'i386',
  arm64: 'aarch64',
  arm: 'armv7l',
  s390x: 's390x',
};

export function isKnownOS(os: string): boolean {
  return Object.hasOwn(VALID_OS_ARCH, os);
}

export function isValidOSArch(os: string, arch: string): boolean {
  return isKnownOS(os) && VALID_OS_ARCH[os].includes(arch);
}

/** Node's platform names equal appc's for every os appc knows. */
export function hostOS(): string {
  return process.platform;
}

/** An arch appc has no name for (riscv64, loong64 …) is returned under Node's name. */
export function hostArch(): string {
  if (process.arch === 'ppc64') return endianness() === 'LE' ? 'ppc64le' : 'ppc64';
  return Object.hasOwn(NODE_TO_APPC_ARCH, process.arch) ? NODE_TO_APPC_ARCH[process.arch] : process.arch;
}
