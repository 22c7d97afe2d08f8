import { def, type FuncDef } from '../builtins.js';
import { stringFunc as str, strval, toInt64 } from './convert.js';

/** Go regexps (RE2) in JavaScript: the syntax templates use is shared; (?i) flags are moved. */
function regex(pattern: string, global = false): RegExp {
  let flags = global ? 'gu' : 'u';
  const m = /^\(\?([imsU]+)\)/.exec(pattern);
  if (m) {
    pattern = pattern.slice(m[0].length);
    flags += m[1]!.replace(/U/g, '');
  }
  try {
    return new RegExp(pattern, flags);
  } catch (err) {
    throw new Error(`error parsing regexp: ${(err as Error).message}`);
  }
}

/** Go's regexp Expand for ReplaceAllString: $1, ${1}, ${name}. */
function goReplacement(repl: string): string {
  return repl.replace(/\$\{(\w+)\}|\$(\w+)|\$\$/g, (all, braced: string | undefined, bare: string | undefined) => {
    if (all === '$$') return '$$';
    const name = braced ?? bare!;
    return /^\d+$/.test(name) ? `$${name}` : `$<${name}>`;
  });
}

function splitRegex(s: string, re: RegExp, n: number): string[] {
  if (n === 0) return [];
  const out: string[] = [];
  let last = 0;
  for (const m of s.matchAll(re)) {
    if (n > 0 && out.length === n - 1) break;
    if (m[0] === '' && m.index === 0) continue;
    out.push(s.slice(last, m.index));
    last = m.index! + m[0].length;
  }
  out.push(s.slice(last));
  return out;
}

/** Sprig's regular expression functions. */
export const REGEX: Record<string, FuncDef> = {
  regexMatch: def((re, s) => regex(strval(re)).test(strval(s)), 2),
  regexFind: def((re, s) => regex(strval(re)).exec(strval(s))?.[0] ?? '', 2),
  regexFindAll: def((re, s, n) => {
    const all = [...strval(s).matchAll(regex(strval(re), true))].map((m) => m[0]);
    const limit = Number(toInt64(n));
    return limit < 0 ? all : all.slice(0, limit);
  }, 3),
  regexReplaceAll: def((re, s, repl) => strval(s).replace(regex(strval(re), true), goReplacement(strval(repl))), 3),
  regexReplaceAllLiteral: def((re, s, repl) => strval(s).replace(regex(strval(re), true), () => strval(repl)), 3),
  regexSplit: def((re, s, n) => splitRegex(strval(s), regex(strval(re), true), Number(toInt64(n))), 3),
  regexQuoteMeta: str((s) => s.replace(/[\\.+*?()|[\]{}^$]/g, '\\$&')),
};
