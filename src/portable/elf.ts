// src/portable/: systemd portable-service images and their checks.
/** What the portable check needs of an ELF file: its class, machine, interpreter and dynamic needs. */
export interface ElfInfo {
  bits: 32 | 64;
  littleEndian: boolean;
  /** e_machine (62 x86-64, 183 AArch64, 3 i386, 40 ARM …). */
  machine: number;
  /** PT_INTERP: the dynamic loader, absent for static binaries. */
  interpreter?: string;
  /** DT_NEEDED sonames. */
  needed: string[];
  /** DT_RUNPATH, else DT_RPATH, split at ':'. */
  searchPath: string[];
}

const PT_LOAD = 1;
const PT_DYNAMIC = 2;
const PT_INTERP = 3;
const DT_NEEDED = 1;
const DT_STRTAB = 5;
const DT_RPATH = 15;
const DT_RUNPATH = 29;

/** The e_machine of each appc arch: what the host runs. */
export const MACHINE_OF_ARCH: Readonly<Record<string, number>> = { amd64: 62, aarch64: 183, i386: 3, armv7l: 40, ppc64le: 21, s390x: 22 };

/** Parses an ELF file's headers; undefined when `data` is not ELF. Throws on a truncated or inconsistent file. */
export function parseElf(data: Buffer): ElfInfo | undefined {
  if (data.length < 52 || data.readUInt32BE(0) !== 0x7f454c46) return undefined;
  const bits = data[4] === 2 ? 64 : 32;
  const le = data[5] !== 2;
  const u16 = (o: number) => (le ? data.readUInt16LE(o) : data.readUInt16BE(o));
  const u32 = (o: number) => (le ? data.readUInt32LE(o) : data.readUInt32BE(o));
  const word = (o: number) => (bits === 64 ? Number(le ? data.readBigUInt64LE(o) : data.readBigUInt64BE(o)) : u32(o));
  const machine = u16(18);
  const phoff = word(bits === 64 ? 32 : 28);
  const phentsize = u16(bits === 64 ? 54 : 42);
  const phnum = u16(bits === 64 ? 56 : 44);
  const segments = Array.from({ length: phnum }, (_, i) => {
    const o = phoff + i * phentsize;
    if (o + phentsize > data.length) throw new Error('truncated program headers');
    return bits === 64
      ? { type: u32(o), offset: word(o + 8), vaddr: word(o + 16), filesz: word(o + 32) }
      : { type: u32(o), offset: u32(o + 4), vaddr: u32(o + 8), filesz: u32(o + 16) };
  });
  const cString = (o: number) => {
    const end = data.indexOf(0, o);
    if (o >= data.length || end === -1) throw new Error('string outside the file');
    return data.toString('utf8', o, end);
  };
  const info: ElfInfo = { bits, littleEndian: le, machine, needed: [], searchPath: [] };
  const interp = segments.find((s) => s.type === PT_INTERP);
  if (interp) info.interpreter = cString(interp.offset);
  const dynamic = segments.find((s) => s.type === PT_DYNAMIC);
  if (!dynamic) return info;
  const entry = bits === 64 ? 16 : 8;
  const tags: Array<[number, number]> = [];
  for (let o = dynamic.offset; o + entry <= dynamic.offset + dynamic.filesz && o + entry <= data.length; o += entry) {
    const tag = word(o);
    if (tag === 0) break;
    tags.push([tag, word(o + entry / 2)]);
  }
  const strtabAddr = tags.find(([t]) => t === DT_STRTAB)?.[1];
  if (strtabAddr === undefined) return info;
  const load = segments.find((s) => s.type === PT_LOAD && strtabAddr >= s.vaddr && strtabAddr < s.vaddr + s.filesz);
  if (!load) throw new Error('the string table is in no loaded segment');
  const strtab = strtabAddr - load.vaddr + load.offset;
  info.needed = tags.filter(([t]) => t === DT_NEEDED).map(([, v]) => cString(strtab + v));
  const runpath = tags.find(([t]) => t === DT_RUNPATH) ?? tags.find(([t]) => t === DT_RPATH);
  if (runpath)
    info.searchPath = cString(strtab + runpath[1])
      .split(':')
      .filter(Boolean);
  return info;
}
