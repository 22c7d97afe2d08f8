import { checkTransport, skopeoCopy, type TransportOptions } from '../registry/skopeo.js';
import type { Store, StoredImage } from '../store/store.js';
import { acName } from './oci-manifest.js';
import { importOci } from './oci.js';

/** The repository and tag a location names (docker://HOST/REPO:TAG → HOST/REPO, TAG). */
function repositoryOf(src: string): { repository: string; tag?: string } {
  const rest = src.replace(/^[a-z-]+:(\/\/)?/, '').replace(/@sha256:[0-9a-f]+$/, '');
  const m = /^(.*?)(?::([A-Za-z0-9_][A-Za-z0-9_.-]*))?$/.exec(rest)!;
  return { repository: m[1], tag: m[2] };
}

/**
 * Pulls an image from any location skopeo takes into the store: `skopeo copy` into an OCI
 * layout in tmp/, then the OCI import (one image per layer). Named by -name, else by its own
 * title, else by its repository.
 */
export async function pullImage(
  store: Store,
  src: string,
  transport: TransportOptions,
  opts: { name?: string; log: (line: string) => void },
): Promise<StoredImage> {
  checkTransport(src);
  const { repository, tag } = repositoryOf(src);
  const staging = await store.stage('pull');
  try {
    const layout = staging.path('layout');
    await skopeoCopy(src, `oci:${layout}:pulled`, 'src', transport);
    return await importOci(store, { kind: 'layout', dir: layout, tag: 'pulled' }, { ...opts, fallbackName: acName(repository), tag: tag ?? 'latest' });
  } finally {
    await staging.discard();
  }
}
