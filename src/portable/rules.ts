import path from 'node:path';
import { hostArch } from '../image/platform.js';
import { MACHINE_OF_ARCH, parseElf, type ElfInfo } from './elf.js';
import type { LayerTree } from '../layers/layer-tree.js';

/** One rule an image fails: which, where, why, and what to do. */
export interface Failure {
  rule: string;
  path: string;
  message: string;
  fix: string;
}

export interface PortableReport {
  ok: boolean;
  /** PRETTY_NAME of the image's os-release (or extension-release for an extension). */
  os?: string;
  prefixes: string[];
  units: string[];
  failures: Failure[];
}

export interface CheckOptions {
  /** The unit name prefixes: the command line's, else derived from the image's file name; empty for os-release's PORTABLE_PREFIXES. */
  prefixes: string[];
  /** When `prefixes` is empty and os-release declares none. */
  fallbackPrefixes?: string[];
  /** The image is a raw file system (read-only: nothing can be created in it at attach). */
  raw: boolean;
  /** Check as an extension image named so (its extension-release.NAME), against `base` when given. */
  extension?: { name: string; base?: LayerTree };
}

const UNIT_DIRS = ['etc/systemd/system', 'run/systemd/system', 'usr/local/lib/systemd/system', 'usr/lib/systemd/system', 'lib/systemd/system'];
const UNIT_SUFFIXES = ['.service', '.socket', '.target', '.timer', '.path'];
const MOUNT_POINTS = ['proc', 'sys', 'dev', 'run', 'tmp', 'var/tmp'];
const EXEC_PATH = ['usr/local/sbin', 'usr/local/bin', 'usr/sbin', 'usr/bin', 'sbin', 'bin'];
const LIBRARY_DIRS = ['lib64', 'usr/lib64', 'lib', 'usr/lib'];
/** Debian's multiarch directories, which its ld.so searches too. */
const MULTIARCH: Readonly<Record<string, string>> = {
  amd64: 'x86_64-linux-gnu',
  aarch64: 'aarch64-linux-gnu',
  i386: 'i386-linux-gnu',
  armv7l: 'arm-linux-gnueabihf',
  ppc64le: 'powerpc64le-linux-gnu',
  s390x: 's390x-linux-gnu',
};
const SYSTEMD_ARCH: Readonly<Record<string, string>> = { amd64: 'x86-64', i386: 'x86', aarch64: 'arm64', armv7l: 'arm', ppc64le: 'ppc64-le', s390x: 's390x' };

/** The prefixes of an image file or directory name: up to the first "_" (the version separator), without ".raw". */
export function prefixOfName(name: string): string {
  return path
    .basename(name)
    .replace(/\.raw$/, '')
    .split('_')[0];
}

/** Whether a unit file name matches a prefix: prefix, then "-", "." or "@"; and a suffix portabled copies. */
export function unitMatches(unit: string, prefixes: string[]): boolean {
  return UNIT_SUFFIXES.some((s) => unit.endsWith(s)) && prefixes.some((p) => unit.startsWith(p) && ['-', '.', '@'].includes(unit[p.length] ?? ''));
}

export function parseOsRelease(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (m) out.set(m[1], m[2].replace(/^(["'])(.*)\1$/, '$2'));
  }
  return out;
}

async function osRelease(tree: LayerTree): Promise<{ at: string; fields: Map<string, string> } | undefined> {
  for (const at of ['etc/os-release', 'usr/lib/os-release']) {
    const data = await tree.readFile(at);
    if (data) return { at, fields: parseOsRelease(data.toString()) };
  }
  return undefined;
}

/** Checks an image against the portable service rules of systemd's PORTABLE_SERVICES.md (docs/PORTABLE.md). */
export async function checkPortable(tree: LayerTree, opts: CheckOptions): Promise<PortableReport> {
  const failures: Failure[] = [];
  const fail = (rule: string, at: string, message: string, fix: string) => failures.push({ rule, path: `/${at}`, message, fix });
  let os: string | undefined;
  let prefixes = opts.prefixes;
  if (opts.extension) {
    os = await checkExtensionRelease(tree, opts.extension, fail);
    if (!prefixes.length) prefixes = opts.fallbackPrefixes ?? [];
  } else {
    const release = await osRelease(tree);
    if (!release) fail('os-release', 'etc/os-release', 'no os-release in /etc or /usr/lib', 'add /usr/lib/os-release (ID=, PRETTY_NAME=, PORTABLE_PREFIXES=)');
    os = release?.fields.get('PRETTY_NAME');
    const declared = release?.fields.get('PORTABLE_PREFIXES')?.split(/\s+/).filter(Boolean);
    if (declared?.length && !prefixes.every((p) => declared.includes(p))) {
      fail(
        'prefixes',
        release!.at,
        `PORTABLE_PREFIXES=${declared.join(' ')} does not declare ${prefixes.join(' ')} (attach refuses it)`,
        `name the image ${declared[0]}_VERSION or add the prefix to PORTABLE_PREFIXES`,
      );
    }
    if (!prefixes.length) prefixes = declared ?? opts.fallbackPrefixes ?? [];
    await checkFiles(tree, opts.raw, fail);
  }
  const units = await matchingUnits(tree, prefixes);
  if (!units.length) {
    fail(
      'units',
      UNIT_DIRS[3],
      `no non-empty unit file matching ${prefixes.map((p) => `${p}{.,-,@}*`).join(', ')} (.service, .socket, .target, .timer, .path)`,
      `add /usr/lib/systemd/system/${prefixes[0] ?? 'NAME'}.service`,
    );
  }
  const checker = new ExecutableChecker(tree, fail);
  for (const unit of units) for (const command of await execStarts(tree, unit.at)) await checker.checkCommand(command, unit.at);
  return { ok: failures.length === 0, os, prefixes, units: units.map((u) => u.name), failures };
}

async function checkFiles(tree: LayerTree, raw: boolean, fail: (rule: string, at: string, message: string, fix: string) => void): Promise<void> {
  const how = raw ? 'a read-only image must hold it' : 'portabled binds it from the host';
  for (const file of ['etc/resolv.conf', 'etc/machine-id']) {
    if (!(await tree.resolve(file))?.stat.isFile()) fail(path.basename(file), file, `missing (${how})`, `create an empty /${file}`);
  }
  for (const dir of MOUNT_POINTS) {
    if (!(await tree.resolve(dir))?.stat.isDirectory()) fail('mount-points', dir, 'missing mount point', `mkdir /${dir}`);
  }
  const bin = await tree.lstat('bin');
  if (bin?.stat.isSymbolicLink()) {
    for (const dir of ['lib', 'lib64']) {
      const own = await tree.lstat(dir);
      if (!own) continue;
      const target = await tree.resolve(dir);
      if (!own.stat.isSymbolicLink() || !target?.rel.startsWith('usr/'))
        fail('merged-usr', dir, 'a merged-/usr image (/bin is a link) whose /' + dir + ' is not a link into /usr', `ln -s usr/${dir} /${dir}`);
    }
  }
}

async function checkExtensionRelease(
  tree: LayerTree,
  ext: NonNullable<CheckOptions['extension']>,
  fail: (rule: string, at: string, message: string, fix: string) => void,
): Promise<string | undefined> {
  const at = `usr/lib/extension-release.d/extension-release.${ext.name}`;
  const data = (await tree.readFile(at)) ?? (await tree.readFile(`etc/extension-release.d/extension-release.${ext.name}`));
  if (!data) {
    fail('extension-release', at, 'missing (an extension names itself in extension-release.NAME)', `add /${at} with ID= and SYSEXT_LEVEL= or VERSION_ID=`);
    return undefined;
  }
  const fields = parseOsRelease(data.toString());
  const scope = (fields.get('SYSEXT_SCOPE') ?? 'system portable').split(/\s+/);
  if (!scope.includes('portable')) fail('extension-release', at, `SYSEXT_SCOPE=${scope.join(' ')} leaves out portable`, 'add portable to SYSEXT_SCOPE');
  const arch = fields.get('ARCHITECTURE');
  if (arch && arch !== SYSTEMD_ARCH[hostArch()])
    fail('extension-release', at, `ARCHITECTURE=${arch} is not the host's (${SYSTEMD_ARCH[hostArch()]})`, 'build it for the host or drop ARCHITECTURE=');
  if (ext.base) {
    const base = await osRelease(ext.base);
    if (!base) fail('extension-release', at, 'the base image has no os-release to match', 'check the base first');
    else {
      const id = fields.get('ID');
      if (id !== '_any' && id !== base.fields.get('ID'))
        fail('extension-release', at, `ID=${id ?? ''} is not the base's ID=${base.fields.get('ID') ?? ''}`, `set ID=${base.fields.get('ID') ?? '_any'}`);
      const level = fields.get('SYSEXT_LEVEL');
      if (
        level !== undefined ? level !== base.fields.get('SYSEXT_LEVEL') : fields.has('VERSION_ID') && fields.get('VERSION_ID') !== base.fields.get('VERSION_ID')
      ) {
        fail(
          'extension-release',
          at,
          level !== undefined
            ? `SYSEXT_LEVEL=${level} is not the base's`
            : `VERSION_ID=${fields.get('VERSION_ID')} is not the base's VERSION_ID=${base.fields.get('VERSION_ID') ?? ''}`,
          'match the base release',
        );
      }
    }
  }
  return fields.get('SYSEXT_PRETTY_NAME') ?? fields.get('PRETTY_NAME');
}

async function matchingUnits(tree: LayerTree, prefixes: string[]): Promise<Array<{ name: string; at: string }>> {
  const seen = new Map<string, string>();
  for (const dir of UNIT_DIRS) {
    for (const name of await tree.readdir(dir)) {
      if (seen.has(name) || !unitMatches(name, prefixes)) continue;
      const data = await tree.readFile(path.posix.join(dir, name));
      if (data && data.toString().trim() !== '') seen.set(name, path.posix.join(dir, name));
    }
  }
  return [...seen].map(([name, at]) => ({ name, at })).sort((a, b) => a.name.localeCompare(b.name));
}

/** The programs of a unit's ExecStart= lines (prefix characters and arguments taken off). */
async function execStarts(tree: LayerTree, at: string): Promise<string[]> {
  const text = (await tree.readFile(at))?.toString() ?? '';
  return text
    .split('\n')
    .map((l) => /^\s*ExecStart\s*=\s*(.*)$/.exec(l)?.[1]?.trim())
    .filter((v): v is string => !!v)
    .map((v) => v.replace(/^[@\-:+!|]+/, '').split(/\s+/)[0])
    .filter(Boolean);
}

/** Checks programs and their ELF dependencies inside the image, each file once. */
class ExecutableChecker {
  private readonly checked = new Set<string>();
  private libraryDirs?: string[];

  constructor(
    private readonly tree: LayerTree,
    private readonly fail: (rule: string, at: string, message: string, fix: string) => void,
  ) {}

  async checkCommand(command: string, unit: string): Promise<void> {
    let file = command.startsWith('/') ? command.slice(1) : undefined;
    if (!file) for (const dir of EXEC_PATH) if (!file && (await this.tree.resolve(`${dir}/${command}`))?.stat.isFile()) file = `${dir}/${command}`;
    if (!file)
      return this.fail(
        'executable',
        unit,
        `ExecStart= runs ${command}, which is in none of the image's PATH directories`,
        'give the absolute path of a program in the image',
      );
    await this.checkProgram(file, `ExecStart= of /${unit}`);
  }

  private async checkProgram(file: string, why: string): Promise<void> {
    if (this.checked.has(file)) return;
    this.checked.add(file);
    const found = await this.tree.resolve(file);
    if (!found?.stat.isFile()) return this.fail('executable', file, `missing (${why})`, 'install it into the image');
    if (!(found.stat.mode & 0o111)) return this.fail('executable', file, `not executable (${why})`, `chmod +x /${file}`);
    const data = await this.tree.readFile(file);
    if (data!.subarray(0, 2).toString() === '#!') {
      const interpreter =
        data!
          .subarray(2, data!.indexOf(10) === -1 ? undefined : data!.indexOf(10))
          .toString()
          .trim()
          .split(/\s+/)[0] ?? '';
      return this.checkProgram(interpreter.replace(/^\//, ''), `the interpreter of /${file}`);
    }
    await this.checkElf(file, data!, why);
  }

  private async checkElf(file: string, data: Buffer, why: string): Promise<void> {
    let elf;
    try {
      elf = parseElf(data);
    } catch (err) {
      return this.fail('executable', file, `a damaged ELF file: ${(err as Error).message} (${why})`, 'rebuild it');
    }
    if (!elf) return this.fail('executable', file, `neither ELF nor a #! script (${why})`, 'install a program built for the host');
    const machine = MACHINE_OF_ARCH[hostArch()];
    if (machine !== undefined && elf.machine !== machine)
      return this.fail(
        'executable',
        file,
        `built for another architecture (ELF machine ${elf.machine}, the host's is ${machine})`,
        `install the ${hostArch()} build`,
      );
    if (elf.interpreter) {
      const loader = elf.interpreter.replace(/^\//, '');
      if (!(await this.tree.resolve(loader))?.stat.isFile())
        this.fail('loader', loader, `missing: the ELF interpreter of /${file}`, 'install the C library (or link the program statically)');
    }
    for (const soname of elf.needed) {
      const lib = await this.findLibrary(soname, elf, file);
      if (!lib) this.fail('executable', file, `needs ${soname}, found in none of the image's library directories`, `install the package with ${soname}`);
      else if (!this.checked.has(lib.rel)) {
        this.checked.add(lib.rel);
        await this.checkElf(lib.rel, lib.data, `needed by /${file}`);
      }
    }
  }

  /** Where ld.so would find `soname` for `by`: the first file of the same ELF class and machine, as ld.so skips others. */
  private async findLibrary(soname: string, by: ElfInfo, file: string): Promise<{ rel: string; data: Buffer } | undefined> {
    if (soname.includes('/')) {
      const found = await this.tree.resolve(soname.replace(/^\//, ''));
      const data = found && (await this.tree.readFile(found.rel));
      return data && { rel: found.rel, data };
    }
    const origin = path.posix.dirname(file);
    const dirs = [...by.searchPath.map((d) => d.replace(/\$(ORIGIN|\{ORIGIN\})/g, `/${origin}`).replace(/^\//, '')), ...(await this.systemLibraryDirs())];
    for (const dir of dirs) {
      const found = await this.tree.resolve(`${dir}/${soname}`);
      if (!found?.stat.isFile()) continue;
      const head = (await this.tree.readFile(found.rel))!;
      const bits = head[4] === 2 ? 64 : 32;
      const machine = head.length >= 20 ? (head[5] === 2 ? head.readUInt16BE(18) : head.readUInt16LE(18)) : -1;
      if (bits === by.bits && machine === by.machine) return { rel: found.rel, data: head };
    }
    return undefined;
  }

  /** ld.so's directories: /etc/ld.so.conf (with its includes), then the built-in ones. */
  private async systemLibraryDirs(): Promise<string[]> {
    if (this.libraryDirs) return this.libraryDirs;
    const dirs: string[] = [];
    const read = async (file: string, depth: number): Promise<void> => {
      for (const raw of ((await this.tree.readFile(file))?.toString() ?? '').split('\n')) {
        const line = raw.replace(/#.*/, '').trim();
        const include = /^include\s+(.+)$/.exec(line);
        if (include && depth < 4) {
          const pattern = include[1].replace(/^\//, '');
          const dir = path.posix.dirname(pattern);
          const re = new RegExp(
            `^${path.posix
              .basename(pattern)
              .replace(/[.+^${}()|[\]\\]/g, '\\$&')
              .replace(/\*/g, '.*')}$`,
          );
          for (const name of await this.tree.readdir(dir)) if (re.test(name)) await read(`${dir}/${name}`, depth + 1);
        } else if (line.startsWith('/')) dirs.push(line.slice(1));
      }
    };
    await read('etc/ld.so.conf', 0);
    const triplet = MULTIARCH[hostArch()];
    this.libraryDirs = [...dirs, ...(triplet ? [`lib/${triplet}`, `usr/lib/${triplet}`] : []), ...LIBRARY_DIRS];
    return this.libraryDirs;
  }
}
