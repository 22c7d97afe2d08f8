import path from 'node:path';
import { IMAGE_FILES } from './layout.js';
import type { Store, StoredImage } from './store.js';

/**
 * The rootfs directories that make up an image, bottom first: every dependency's stack in
 * manifest order (appc renders dependencies depth-first, then the image on top), then the
 * image's own layer. A layer that appears twice keeps only its top-most place, which
 * renders the same tree.
 */
export async function layerStack(store: Store, image: StoredImage): Promise<string[]> {
  const stack = await stackOf(store, image.id, image.info.dependencies);
  return stack.filter((layer, i) => stack.lastIndexOf(layer) === i);
}

// Walks dependencies through info.json alone: a manifest can carry a pathWhitelist of the
// whole tree, and rendering needs none of it.
async function stackOf(store: Store, id: string, dependencies: string[]): Promise<string[]> {
  const stack: string[] = [];
  for (const depID of dependencies) {
    const dep = await store.info(depID);
    if (!dep) throw new Error(`image ${id} depends on ${depID}, which is missing from the store (run jetpack fsck)`);
    stack.push(...(await stackOf(store, depID, dep.dependencies)));
  }
  stack.push(path.join(store.layout.imageDir(id), IMAGE_FILES.rootfs));
  return stack;
}
