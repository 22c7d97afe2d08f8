export const SIZE_UNITS: Record<string, number> = { '': 1, K: 2 ** 10, M: 2 ** 20, G: 2 ** 30, T: 2 ** 40 };

/**
 * A size as flags and the environment write it: digits with an optional binary unit
 * (`512K`, `16M`, `2G`, `1T`, also `16MiB`, `16MB`). Undefined for anything else, zero, or a
 * size past what a double holds exactly: each caller words its own refusal.
 */
export function parseSize(text: string): number | undefined {
  const m = /^(\d+)([KMGT]?)(?:i?B)?$/i.exec(text.trim());
  const value = m ? Number(m[1]) * SIZE_UNITS[m[2].toUpperCase()] : NaN;
  return value > 0 && Number.isSafeInteger(value) ? value : undefined;
}
