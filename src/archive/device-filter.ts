import { pipeline } from 'node:stream/promises';
import { devicesAsPlaceholders, placeholdersAsDevices } from './device-placeholders.js';

/**
 * GNU tar's compression program in a user namespace (gnu-tar.ts, DEVICE_FILTER): tar pipes an
 * archive it writes through it, and runs it with -d to read one it extracts. Device nodes
 * become placeholders on the way in and placeholders devices on the way out
 * (device-placeholders.ts).
 */
const rewrite = process.argv.includes('-d') ? devicesAsPlaceholders() : placeholdersAsDevices();
pipeline(process.stdin, rewrite, process.stdout).catch((err: Error) => {
  process.stderr.write(`jetpack: ${err.message}\n`);
  process.exit(1);
});
