// Worker thread: hashes one file with sha512, so that the main thread can walk the same
// file's tar headers at the same time (sha512 is the longest single job of an import).
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';

const hash = createHash('sha512');
let size = 0;
for await (const chunk of createReadStream((workerData as { file: string }).file, { highWaterMark: 1 << 20 })) {
  hash.update(chunk as Buffer);
  size += (chunk as Buffer).length;
}
parentPort!.postMessage({ digest: hash.digest('hex'), size });
