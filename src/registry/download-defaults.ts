// src/registry/: transport: skopeo for registries, the http(s) client, locations (path, -, file://, http(s)://).
import type { DownloadLimits, DownloadKind } from './http.js';

/** How long a server may stay silent before a request fails (-timeout), in seconds. */
export const DEFAULT_TIMEOUT_SECONDS = 30;

/**
 * What one download may take (docs/FETCH.md): an image up to -max-size and -deadline; a
 * discovery page, signature or key up to -max-meta-size, and a minute at most.
 */
export const DEFAULT_LIMITS: Record<DownloadKind, DownloadLimits> = {
  image: { maxBytes: 4 * 2 ** 30, deadlineSeconds: 3600 },
  meta: { maxBytes: 2 ** 20, deadlineSeconds: 60 },
};

/** "1 MiB", "4 GiB", "300 bytes": a size cap as a refusal names it. */
export function formatSize(bytes: number): string {
  for (const [unit, size] of [
    ['GiB', 1 << 30],
    ['MiB', 1 << 20],
    ['KiB', 1 << 10],
  ] as const) {
    if (bytes >= size && bytes % size === 0) return `${bytes / size} ${unit}`;
  }
  return `${bytes} bytes`;
}
