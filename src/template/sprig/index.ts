import type { FuncDef } from '../builtins.js';
import { CONVERT } from './convert.js';
import { cryptoFunctions } from './crypto.js';
import { dateFunctions } from './dates.js';
import { DEFAULTS } from './defaults.js';
import { DICTS } from './dicts.js';
import { ENCODING } from './encoding.js';
import { HELM } from './helm.js';
import { LISTS } from './lists.js';
import { MATH } from './math.js';
import { REFLECT } from './reflect.js';
import { REGEX } from './regex.js';
import { beginRandom } from './random.js';
import { SEMVER_FUNCS } from './semver.js';
import { STRINGS } from './strings.js';

export { empty } from './defaults.js';
export { strval, toFloat64, toInt64 } from './convert.js';

/**
 * The Sprig 3.2.3 functions (github.com/Masterminds/sprig) as Helm's engine offers them (no
 * env or expandenv), and Helm's JSON and YAML ones; `now` is the clock. Each call starts a
 * rendering: the random functions draw from a fresh source for the template `name`
 * (SOURCE_DATE_EPOCH's seeded stream when it is set: random.ts).
 */
export function sprigFunctions(now: () => Date, name = ''): Record<string, FuncDef> {
  beginRandom(name);
  return {
    ...STRINGS,
    ...REGEX,
    ...ENCODING,
    ...cryptoFunctions(now),
    ...LISTS,
    ...DICTS,
    ...DEFAULTS,
    ...CONVERT,
    ...MATH,
    ...REFLECT,
    ...dateFunctions(now),
    ...SEMVER_FUNCS,
    ...HELM,
  };
}
