import os from 'node:os';
import path from 'node:path';
import { rootless } from '../util/userns.js';

export const DEFAULT_ROOT = '/var/lib/jetpack';

/** The default store: /var/lib/jetpack for root; an ordinary user's $XDG_DATA_HOME/jetpack, else ~/.local/share/jetpack. */
export function defaultRoot(): string {
  if (!rootless()) return DEFAULT_ROOT;
  const xdg = process.env.XDG_DATA_HOME; // relative: ignored, as the XDG base directory spec says
  return path.join(xdg && path.isAbsolute(xdg) ? xdg : path.join(process.env.HOME || os.homedir(), '.local', 'share'), 'jetpack');
}

/** The store root: the -root flag, else $JETPACK_ROOT, else the default (defaultRoot). */
export function storeRoot(flag: string | undefined): string {
  return path.resolve(flag || process.env.JETPACK_ROOT || defaultRoot());
}

/** Where everything lives inside a store; see docs/STORE.md. */
export class StoreLayout {
  readonly images: string;
  readonly tmp: string;
  readonly lockFile: string;
  /** What the host lends every container (GNU make, the /dev template), each made once. */
  readonly tools: string;
  /** The OSTree repo runtimes are committed to unless --repo names another. */
  readonly ostreeRepo: string;
  /** Deployed runtimes: `<remote>/<ref>/` each (docs/RUNTIMES.md). */
  readonly runtimes: string;
  /** Runtime upload artifacts and the URLs of unfinished uploads. */
  readonly uploads: string;
  /** Containers of failed builds kept with -keep: `build-…/` each, with its `enter` script. */
  readonly containers: string;
  /** The keys trusted to sign images (docs/FETCH.md). */
  readonly keys: string;

  constructor(readonly root: string) {
    this.images = path.join(root, 'images');
    this.tools = path.join(root, 'tools');
    this.tmp = path.join(root, 'tmp');
    this.lockFile = path.join(root, 'lock');
    this.ostreeRepo = path.join(root, 'ostree', 'repo');
    this.runtimes = path.join(root, 'runtimes');
    this.uploads = path.join(root, 'uploads');
    this.keys = path.join(root, 'keys');
    this.containers = path.join(root, 'containers');
  }

  imageDir(id: string): string {
    return path.join(this.images, id);
  }
}

/** Files of one stored image. */
export const IMAGE_FILES = {
  manifest: 'manifest',
  aci: 'aci',
  /** The detached signature the ACI was checked with, when it had one. */
  signature: 'aci.asc',
  info: 'info.json',
  rootfs: 'rootfs',
} as const;
