import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { formatValue, quoteGo } from '../../src/template/format.js';
import { Regexp } from '../../src/template/regexp.js';
import { bytesOf } from '../../src/template/bytes.js';
import { ENCODING } from '../../src/template/sprig/encoding.js';
import { STRINGS } from '../../src/template/sprig/strings.js';
import type { GoValue } from '../../src/template/types.js';
import { parseJson } from '../helpers/json.js';

/** What one case gave, in Go's JSON (absent fields are undefined). */
type Outcome = Record<string, unknown>;

// Random inputs (fixed seeds) run through Go 1.19's own regexp, Sprig's string functions and
// net/url by test/template/golden/differential/*/main.go; jetpack must answer each the same.

const DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'golden', 'differential');

/** One JSON value a line, as the generator (inputs) or Go (go.jsonl) wrote them. */
function lines<T>(kind: string, file: string): T[] {
  return readFileSync(path.join(DIR, kind, file), 'utf8')
    .trim()
    .split('\n')
    .map((l) => parseJson<T>(l));
}

/** Go's %q of a string whose raw bytes are U+DC80–U+DCFF here: invalid bytes as \xNN. */
function q(s: string): string {
  const b = bytesOf(s);
  let out = '"';
  let i = 0;
  while (i < b.length) {
    const c = b[i];
    let n = c < 0x80 ? 1 : c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3 : c >= 0xf0 && c <= 0xf4 ? 4 : 0;
    if (n > 1) {
      const t = Buffer.from(b.subarray(i, i + n)).toString('utf8');
      if (t.includes('\ufffd') && !(n === 3 && b[i] === 0xef && b[i + 1] === 0xbf && b[i + 2] === 0xbd)) n = 0;
    }
    if (n === 0) {
      out += '\\x' + c.toString(16).padStart(2, '0');
      i++;
      continue;
    }
    out += quoteGo(Buffer.from(b.subarray(i, i + n)).toString('utf8')).slice(1, -1);
    i += n;
  }
  return out + '"';
}

function report(kind: string, bad: string[], total: number): void {
  assert.is(bad.length, 0, `${kind}: ${bad.length} of ${total} differ from Go, first:\n${bad.slice(0, 5).join('\n')}`);
}

test('regexp: Match, Find, FindAll, ReplaceAll, ReplaceAllLiteral, Split and compile errors as Go', () => {
  const inputs = lines<{ P: string; S: string; N: number; R: string }>('regexp', 'inputs.jsonl');
  const go = lines<Outcome>('regexp', 'go.jsonl');
  const bad: string[] = [];
  inputs.forEach((c, i) => {
    let got: Outcome;
    try {
      const re = Regexp.compile(c.P);
      const all = re.findAllString(c.S, c.N);
      const sp = re.split(c.S, c.N);
      got = {
        Match: re.matchString(c.S),
        Find: re.findString(c.S),
        All: all,
        AllNil: all === null,
        Repl: re.replaceAllString(c.S, c.R),
        Lit: re.replaceAllLiteralString(c.S, c.R),
        Split: sp,
        SplitNil: sp === null,
      };
    } catch (e) {
      got = { Err: (e as Error).message };
    }
    const norm = (o: Outcome) => JSON.stringify(o.Err ? { Err: o.Err } : { ...o, Err: undefined });
    if (norm(got) !== norm(go[i])) bad.push(`${JSON.stringify(c)}\n  go: ${norm(go[i])}\n  jetpack: ${norm(got)}`);
  });
  report('regexp', bad, inputs.length);
});

test('string functions: unicode case mapping, byte loops, xstrings, goutils as Sprig on Go', () => {
  const inputs = lines<{ F: string; Args: unknown[] }>('strings', 'inputs.jsonl');
  const go = lines<Outcome>('strings', 'go.jsonl');
  const bad: string[] = [];
  inputs.forEach((c, i) => {
    const def = { ...STRINGS, ...ENCODING }[c.F];
    const args = c.Args.map((a, k) => (def.params[k] === 'int' ? BigInt(a as number) : a));
    let got: Outcome;
    try {
      const v: unknown = def.fn(...args);
      got = { out: typeof v === 'boolean' ? `%!q(bool=${v})` : q(v as string) };
    } catch (e) {
      got = { panic: (e as Error).message };
    }
    if (JSON.stringify(got) !== JSON.stringify(go[i]))
      bad.push(`${c.F} ${JSON.stringify(c.Args)}\n  go: ${JSON.stringify(go[i])}\n  jetpack: ${JSON.stringify(got)}`);
  });
  report('strings', bad, inputs.length);
});

test('urlParse and urlJoin: net/url parsing, escaping and errors as Go', () => {
  const inputs = lines<string>('url', 'inputs.jsonl');
  const go = lines<Outcome>('url', 'go.jsonl');
  const bad: string[] = [];
  inputs.forEach((s, i) => {
    let got: Outcome;
    try {
      const d = STRINGS.urlParse.fn(s) as GoValue;
      got = { d: q(formatValue(d)), j: q(STRINGS.urlJoin.fn(d) as string) };
    } catch (e) {
      got = { panic: (e as Error).message };
    }
    if (JSON.stringify(got) !== JSON.stringify(go[i])) bad.push(`${JSON.stringify(s)}\n  go: ${JSON.stringify(go[i])}\n  jetpack: ${JSON.stringify(got)}`);
  });
  report('url', bad, inputs.length);
});

test.run();
