/** The publishing side of fetch: signing ACIs and the discovery page that points at them. */
import { rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { UserError } from '../errors.js';
import { exportLayered } from './export.js';
import { labelValue } from '../image/manifest.js';
import { resolveImage } from '../store/lookup.js';
import type { Store, StoredImage } from '../store/store.js';
import { writeOutput } from '../util/output-file.js';
import { signDetached, type SignOptions } from '../openpgp/gpg.js';
import { ifExists } from '../util/fs.js';

/** NAME-VERSION-OS-ARCH.aci, NAME's last component: the file a discovery template usually names. */
export function publishedFileName(image: StoredImage): string {
  const m = image.manifest;
  const parts = [m.name.split('/').pop()!, labelValue(m, 'version') ?? 'latest', labelValue(m, 'os'), labelValue(m, 'arch')];
  return `${parts.filter(Boolean).join('-')}.aci`;
}

async function isFile(file: string): Promise<boolean> {
  return (await ifExists(stat(file)))?.isFile() ?? false;
}

/**
 * Signs TARGET (an ACI file, or a stored image first exported to `output`) and returns the
 * signature's path. The .asc appears only when gpg succeeded.
 */
export async function signTarget(openStore: () => Promise<Store>, target: string, opts: SignOptions & { output?: string }): Promise<string> {
  let file = target;
  if (!(await isFile(target))) {
    if (target.includes('/') && target.endsWith('.aci')) throw new UserError(`${target}: no such file`);
    const image = await resolveImage(await openStore(), target);
    file = opts.output ?? publishedFileName(image);
    await writeOutput(file, (fd) => exportLayered(image, fd));
  } else if (opts.output) {
    throw new UserError('-o is for signing an image of the store, not a file');
  }
  const signature = `${file}.asc`;
  const partial = path.join(path.dirname(signature), `.${path.basename(signature)}.${process.pid}.tmp`);
  try {
    await signDetached(file, partial, opts);
    await rename(partial, signature);
  } finally {
    await rm(partial, { force: true });
  }
  return signature;
}

const escapeAttribute = (s: string): string => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');

/** The HTML page whose meta tags discovery reads. */
export function discoveryPage(prefix: string, template: string, pubkeys?: string): string {
  for (const [what, value] of [
    ['PREFIX', prefix],
    ['URL-TEMPLATE', template],
    ['-pubkeys', pubkeys ?? ''],
  ] as const) {
    if (/\s/.test(value)) throw new UserError(`${what} "${value}" has a space; meta tag contents are "PREFIX URL"`);
  }
  if (!/^https?:\/\//.test(template)) throw new UserError(`URL-TEMPLATE must be an http(s) URL, not "${template}"`);
  if (!template.includes('{ext}')) throw new UserError(`URL-TEMPLATE has no {ext}: fetch needs both NAME.aci and NAME.aci.asc from it`);
  const tags = [`<meta name="ac-discovery" content="${escapeAttribute(`${prefix} ${template}`)}">`];
  if (pubkeys) tags.push(`<meta name="ac-discovery-pubkeys" content="${escapeAttribute(`${prefix} ${pubkeys}`)}">`);
  return ['<!DOCTYPE html>', '<html>', '<head>', ...tags.map((t) => `  ${t}`), '</head>', '<body></body>', '</html>', ''].join('\n');
}
