import path from 'node:path';
import { checkTransport, skopeoCopy, type TransportOptions } from '../fetch/skopeo.js';
import type { Store, StoredImage } from '../store/store.js';
import { exportOci, type OciExportOptions } from './oci.js';

/**
 * Pushes an image to any location skopeo takes (a registry: docker://HOST/REPO:TAG): written
 * as an OCI layout in the store's tmp/, then `skopeo copy`. The layers are the same bytes each
 * time, so the registry already has a parent's layers when its child is pushed and skopeo
 * uploads only the new ones. Returns the manifest digest.
 */
export async function pushImage(store: Store, image: StoredImage, dest: string, transport: TransportOptions, opts: Omit<OciExportOptions, 'format' | 'tag' | 'transient'>): Promise<string> {
  checkTransport(dest);
  const staging = await store.stage('push');
  try {
    const layout = staging.path('layout');
    const digest = await exportOci(store, image, layout, { ...opts, format: 'oci', tag: 'push', transient: true });
    await skopeoCopy(`oci:${path.resolve(layout)}:push`, dest, 'dest', transport);
    return digest;
  } finally {
    await staging.discard();
  }
}
