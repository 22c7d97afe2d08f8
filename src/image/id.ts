// src/image/: appc image formats: manifests, names, identifiers, IDs, platforms.
/** An image ID: "sha512-" and the hex sha512 of the uncompressed ACI, as in appc. */
export const ID_PATTERN = /^sha512-[0-9a-f]{128}$/;

export function isImageID(s: string): boolean {
  return ID_PATTERN.test(s);
}

/** The short form listings show (Jetpack's ShortHash): "sha512-" and 32 hex digits. */
export function shortImageID(id: string): string {
  return id.slice(0, 'sha512-'.length + 32);
}
