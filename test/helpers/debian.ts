import { existsSync, mkdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { JETPACK, REPO, sh } from './cli.js';

/**
 * The Debian bookworm minbase of images/debian, made once per test run with its real
 * Makefile and shared by every suite that needs it: scripts/run-tests.mjs names the shared
 * directory in JETPACK_TEST_SHARED (and removes it after the run). Returns the image
 * directory, holding image.aci, rootfs.tar and manifest.json.
 */
export function sharedDebian(): string {
  let shared = process.env.JETPACK_TEST_SHARED;
  if (!shared) {
    // A suite run on its own (uvu directly): its own copy, removed when it exits.
    shared = process.env.JETPACK_TEST_SHARED = path.join(os.tmpdir(), `jetpack-test-shared-${process.pid}`);
    const mine = shared;
    process.on('exit', () => rmSync(mine, { recursive: true, force: true }));
  }
  mkdirSync(shared, { recursive: true });
  const dir = path.join(shared, 'debian');
  // flock: two suites started at once build it once.
  sh(`exec 9>"${shared}/debian.lock" && flock 9 && if [ ! -f "${dir}/image.aci" ]; then
        rm -rf "${dir}" && cp -r "${REPO}/images/debian" "${dir}" &&
        make -C "${dir}" image.aci JETPACK="${JETPACK} -root=${shared}/store" >"${shared}/debian.log" 2>&1 || { tail -30 "${shared}/debian.log" >&2; exit 1; }
      fi`);
  if (!existsSync(path.join(dir, 'image.aci'))) throw new Error('the shared Debian minbase was not made');
  return dir;
}

/** Imports the shared Debian minbase into the store at `root`; returns its image ID. */
export function importDebian(root: string): string {
  const aci = path.join(sharedDebian(), 'image.aci');
  return sh(`"${JETPACK}" -root="${root}" import "${aci}" 2>/dev/null`).trim();
}
