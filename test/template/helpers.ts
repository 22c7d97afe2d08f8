import * as assert from 'uvu/assert';
import { parse as parseYaml } from 'yaml';
import { renderTemplate } from '../../src/template/engine.js';
import { fromYamlValue } from '../../src/template/values.js';
import type { GoValue } from '../../src/template/format.js';

/** .Values from YAML text, typed as mark-devkit's yaml.v3 options are (ints are int64). */
export function values(yaml: string): GoValue {
  return fromYamlValue(parseYaml(yaml, { intAsBigInt: true }));
}

/** The fixed `now` of these tests: 2009-11-10 23:00:00 UTC, Go's playground time. */
export const NOW = new Date(Date.UTC(2009, 10, 10, 23, 0, 0));

export function render(text: string, vals: GoValue = {}): string {
  return renderTemplate(text, { name: 't.tpl', values: vals, now: () => NOW });
}

/** Each [template, expected output] pair renders exactly so. */
export function renders(cases: Array<[string, string]>, vals: GoValue = {}): void {
  for (const [text, expected] of cases) assert.is(render(text, vals), expected, text);
}

/** The template fails with a message matching `expected`. */
export function fails(text: string, expected: RegExp, vals: GoValue = {}): void {
  let message = '';
  try {
    render(text, vals);
  } catch (err) {
    message = (err as Error).message;
  }
  assert.match(message, expected, `${text} should fail`);
}
