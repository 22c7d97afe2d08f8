/** What commands print for programs (-json; the typed API in src/api reads it). */
import { labelMap } from '../image/manifest.js';
import type { StoredImage } from '../store/store.js';
import { printJSON } from './command.js';

export function imageJSON(image: StoredImage) {
  return {
    id: image.id,
    name: image.manifest.name,
    labels: labelMap(image.manifest),
    size: image.info.size,
    stored: image.info.stored,
    dependencies: image.info.dependencies,
  };
}

/** An image a command stored or found: its ID on a line, or with -json the image as an object. */
export function printImage(json: boolean, image: StoredImage, added: boolean): void {
  if (json) printJSON({ ...imageJSON(image), added });
  else process.stdout.write(`${image.id}\n`);
}

/** `text` (lines for people and shell scripts), or with -json `value` as one line of JSON. */
export function printResult(json: boolean, text: string, value: object): void {
  if (json) printJSON(value);
  else process.stdout.write(text);
}
