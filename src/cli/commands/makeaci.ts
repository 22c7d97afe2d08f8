import { expectArgs, type Command } from '../command.js';
import { flagString } from '../flags.js';
import { writeOutput } from '../../util/output-file.js';
import { COMPRESS_FLAG } from './export.js';

export const makeaciCommand: Command = {
  name: 'makeaci',
  args: 'ROOTFS-TARBALL MANIFEST.json OUT.aci',
  summary: 'Make a base-image ACI from a rootfs tarball and a manifest',
  description:
    "Jetpack's makeaci.sh: unpacks ROOTFS-TARBALL (any compression) as root, keeping owners,\n" +
    'modes, devices and xattrs, adds MANIFEST.json as the manifest, and writes a deterministic\n' +
    'ACI to OUT.aci ("-" for stdout). Prints the ACI\'s image ID. Also installed as share/makeaci.',
  flags: [COMPRESS_FLAG],
  async run(_ctx, flags) {
    expectArgs(this, flags.positional, 3);
    const [tarball, manifest, out] = flags.positional as [string, string, string];
    const [{ makeAci }, { parseCompression }] = await Promise.all([import('../../aci/makeaci.js'), import('../../archive/compression.js')]);
    const compression = parseCompression(flagString(flags, 'compress') ?? 'none');
    const id = await writeOutput(out, (fd) => makeAci(tarball, manifest, fd, compression, out === '-' ? undefined : out), { durable: true });
    (out === '-' ? process.stderr : process.stdout).write(`${id}\n`);
  },
};
