import * as assert from 'uvu/assert';

const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Asserts the lines a long step prints in a pipe or CI (the helpers set CI=true): `jetpack:
 * LABEL: started` and `jetpack: LABEL: done in Xs…`. Returns the done line.
 */
export function assertStepReported(stderr: string, label: string): string {
  const prefix = `^jetpack: ${escape(label)}: `;
  assert.match(stderr, new RegExp(`${prefix}started$`, 'm'), `${label}: no start line in ${stderr}`);
  const done = new RegExp(`${prefix}done in \\d+(\\.\\d)?s( \\(.*\\))?$`, 'm').exec(stderr);
  assert.ok(done, `${label}: no done line in ${stderr}`);
  return done[0];
}

/** A size as progress shows it ("512 B", "40.0 KiB", "1.2 MiB"), for a RegExp's source. */
export const SIZE = String.raw`\d+(?:\.\d)? (?:B|KiB|MiB|GiB|TiB)`;

/** Any line of a long step's progress. */
export const PROGRESS_LINE = /^jetpack: .*: (started|done in )/m;
