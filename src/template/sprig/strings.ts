import { def, type FuncDef } from '../builtins.js';
import { EXEC_LIMITS } from '../exec.js';
import { quoteGo, type GoValue } from '../format.js';
import { stringFunc as str, strval, toInt64 } from './convert.js';

function words(s: string): string[] {
  return s
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean);
}

function title(s: string): string {
  return s.replace(/(^|[^\p{L}\p{N}_'])(\p{L})/gu, (_, sep: string, c: string) => sep + c.toUpperCase());
}

function repeat(s: string, n: bigint): string {
  if (n > 0n && BigInt(s.length) * n > BigInt(EXEC_LIMITS.outputChars)) throw new Error(`the result would be larger than ${EXEC_LIMITS.outputChars >> 20} Mi characters`);
  return s.repeat(n > 0n ? Number(n) : 0);
}

function sortAlpha(v: GoValue): GoValue[] {
  const items = Array.isArray(v) ? v.map(strval) : [strval(v)];
  return items.sort();
}

function escapeClass(s: string): string {
  return s.replace(/[\\\]^-]/g, '\\$&');
}

function splitN(s: string, sep: string, n: number): string[] {
  if (n === 0) return [];
  const parts = s.split(sep);
  if (n < 0 || parts.length <= n) return parts;
  return [...parts.slice(0, n - 1), parts.slice(n - 1).join(sep)];
}

function wrapText(s: string, width: number): string {
  const out: string[] = [];
  for (const line of s.split('\n')) {
    let current = '';
    for (const word of line.split(' ')) {
      if (current && current.length + 1 + word.length > width) {
        out.push(current);
        current = word;
      } else current = current ? `${current} ${word}` : word;
    }
    out.push(current);
  }
  return out.join('\n');
}

/** Sprig's string and string-slice functions. */
export const STRINGS: Record<string, FuncDef> = {
  trim: str((s) => s.trim()),
  trimAll: def((cut, s) => strval(s).replace(new RegExp(`^[${escapeClass(strval(cut))}]+|[${escapeClass(strval(cut))}]+$`, 'gu'), ''), 2),
  trimPrefix: def((p, s) => (strval(s).startsWith(strval(p)) ? strval(s).slice(strval(p).length) : strval(s)), 2),
  trimSuffix: def((p, s) => (strval(p) && strval(s).endsWith(strval(p)) ? strval(s).slice(0, -strval(p).length) : strval(s)), 2),
  upper: str((s) => s.toUpperCase()),
  lower: str((s) => s.toLowerCase()),
  title: str(title),
  untitle: str((s) => s.replace(/(^|\s)(\p{L})/gu, (_, sep: string, c: string) => sep + c.toLowerCase())),
  repeat: def((n, s) => repeat(strval(s), toInt64(n)), 2),
  substr: def((start, end, s) => {
    const text = strval(s);
    const a = Number(toInt64(start));
    const b = Number(toInt64(end));
    if (a < 0) return text.slice(0, b < 0 ? undefined : b);
    if (b < 0 || b > text.length) return text.slice(a);
    return a > b ? '' : text.slice(a, b);
  }, 3),
  nospace: str((s) => s.replace(/\s/g, '')),
  trunc: def((n, s) => {
    const c = Number(toInt64(n));
    const text = strval(s);
    if (c < 0 && text.length + c > 0) return text.slice(text.length + c);
    if (c >= 0 && text.length > c) return text.slice(0, c);
    return text;
  }, 2),
  abbrev: def((width, s) => {
    const w = Number(toInt64(width));
    const text = strval(s);
    return w < 4 || text.length <= w ? text : `${text.slice(0, w - 3)}...`;
  }, 2),
  initials: str((s) => s.split(/\s+/).filter(Boolean).map((w) => [...w][0]).join('')),
  contains: def((sub, s) => strval(s).includes(strval(sub)), 2),
  hasPrefix: def((p, s) => strval(s).startsWith(strval(p)), 2),
  hasSuffix: def((p, s) => strval(s).endsWith(strval(p)), 2),
  quote: def((...a) => a.filter((x) => x !== null && x !== undefined).map((x) => quoteGo(strval(x))).join(' '), 0, Infinity),
  squote: def((...a) => a.filter((x) => x !== null && x !== undefined).map((x) => `'${strval(x)}'`).join(' '), 0, Infinity),
  cat: def((...a) => a.filter((x) => x !== null && x !== undefined).map(strval).join(' '), 0, Infinity),
  indent: def((n, s) => {
    const pad = ' '.repeat(Number(toInt64(n)));
    return pad + strval(s).replace(/\n/g, `\n${pad}`);
  }, 2),
  nindent: def((n, s) => {
    const pad = ' '.repeat(Number(toInt64(n)));
    return `\n${pad}${strval(s).replace(/\n/g, `\n${pad}`)}`;
  }, 2),
  replace: def((old, repl, s) => strval(s).split(strval(old)).join(strval(repl)), 3),
  plural: def((one, many, n) => (toInt64(n) === 1n ? strval(one) : strval(many)), 3),
  snakecase: str((s) => words(s).map((w) => w.toLowerCase()).join('_')),
  camelcase: str((s) => s.split('_').filter(Boolean).map((w) => w[0]!.toUpperCase() + w.slice(1)).join('')),
  kebabcase: str((s) => words(s).map((w) => w.toLowerCase()).join('-')),
  swapcase: str((s) => [...s].map((c) => (c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase())).join('')),
  wrap: def((n, s) => wrapText(strval(s), Number(toInt64(n))), 2),
  split: def((sep, s) => Object.fromEntries(strval(s).split(strval(sep)).map((p, i) => [`_${i}`, p])), 2),
  splitList: def((sep, s) => strval(s).split(strval(sep)), 2),
  splitn: def((sep, n, s) => {
    const parts = splitN(strval(s), strval(sep), Number(toInt64(n)));
    return Object.fromEntries(parts.map((p, i) => [`_${i}`, p]));
  }, 3),
  join: def((sep, v) => (Array.isArray(v) ? v.map(strval) : v === null || v === undefined ? [] : [strval(v)]).join(strval(sep)), 2),
  toString: def(strval, 1),
  toStrings: def((v) => (Array.isArray(v) ? v.map(strval) : [strval(v)]), 1),
  sortAlpha: def(sortAlpha, 1),
};
