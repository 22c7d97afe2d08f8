// Sprig 3.2.3's regular expression functions over Go's regexp API (../regexp.ts: RE2 by re2js,
// linear time). As in Sprig, the plain functions use regexp.MustCompile (a bad pattern panics:
// `regexp: Compile(…): error parsing regexp: …`), regexMatch ignores the error (false), and the
// must* variants return the compile error itself.
import { goFunc, type FuncDef } from '../gofunc.js';
import { Regexp, matchString, quoteMeta } from '../regexp.js';

const must = (regex: string): Regexp => Regexp.mustCompile(regex);
const compile = (regex: string): Regexp => Regexp.compile(regex);
const int = (n: bigint): number => (n > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : n < -1n ? -1 : Number(n));

/** Sprig's regular expression functions. */
export const REGEX: Record<string, FuncDef> = {
  regexMatch: goFunc('func(regex string, s string) bool', (regex: string, s: string) => {
    try {
      return matchString(regex, s);
    } catch {
      return false;
    }
  }),
  mustRegexMatch: goFunc('func(regex string, s string) (bool, error)', (regex: string, s: string) => matchString(regex, s)),
  regexFindAll: goFunc('func(regex string, s string, n int) []string', (regex: string, s: string, n: bigint) => must(regex).findAllString(s, int(n))),
  mustRegexFindAll: goFunc('func(regex string, s string, n int) ([]string, error)', (regex: string, s: string, n: bigint) =>
    compile(regex).findAllString(s, int(n)),
  ),
  regexFind: goFunc('func(regex string, s string) string', (regex: string, s: string) => must(regex).findString(s)),
  mustRegexFind: goFunc('func(regex string, s string) (string, error)', (regex: string, s: string) => compile(regex).findString(s)),
  regexReplaceAll: goFunc('func(regex string, s string, repl string) string', (regex: string, s: string, repl: string) =>
    must(regex).replaceAllString(s, repl),
  ),
  mustRegexReplaceAll: goFunc('func(regex string, s string, repl string) (string, error)', (regex: string, s: string, repl: string) =>
    compile(regex).replaceAllString(s, repl),
  ),
  regexReplaceAllLiteral: goFunc('func(regex string, s string, repl string) string', (regex: string, s: string, repl: string) =>
    must(regex).replaceAllLiteralString(s, repl),
  ),
  mustRegexReplaceAllLiteral: goFunc('func(regex string, s string, repl string) (string, error)', (regex: string, s: string, repl: string) =>
    compile(regex).replaceAllLiteralString(s, repl),
  ),
  regexSplit: goFunc('func(regex string, s string, n int) []string', (regex: string, s: string, n: bigint) => must(regex).split(s, int(n))),
  mustRegexSplit: goFunc('func(regex string, s string, n int) ([]string, error)', (regex: string, s: string, n: bigint) => compile(regex).split(s, int(n))),
  regexQuoteMeta: goFunc('func(s string) string', quoteMeta),
};
