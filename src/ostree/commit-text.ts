// src/ostree/: the one place that runs ostree, and runtime names as OSTree refs.
import { UserError } from '../errors.js';

/**
 * What makes an OSTree commit object besides its tree, read from `ostree show --raw`
 * (GVariant text of `(a{sv} metadata, ay parent, a(say) related, s subject, s body,
 * t timestamp, ay root-tree, ay root-meta)`). Committing the same tree again with exactly these
 * (metadata in this order, no parent) gives the same commit checksum.
 */
export interface CommitDescription {
  /** String metadata, in the commit's own order. */
  metadata: Array<[string, string]>;
  /** The refs of `ostree.ref-binding` (ostree commit --branch adds it). */
  refBinding: string[];
  subject: string;
  body: string;
  timestamp: number;
}

type Token = { kind: 'string'; value: string } | { kind: 'punct'; value: string } | { kind: 'word'; value: string };

const ESCAPES: Record<string, string> = { a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v' };

/** Tokens of GVariant text: quoted strings (with g_variant_print's escapes), punctuation, bare words. */
function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (/\s/.test(c)) {
      i++;
    } else if (c === "'" || c === '"') {
      let value = '';
      for (i++; text[i] !== c; i++) {
        if (i >= text.length) throw new Error('unterminated string');
        if (text[i] !== '\\') {
          value += text[i];
          continue;
        }
        const e = text[++i];
        if (e === 'u' || e === 'U') {
          const n = e === 'u' ? 4 : 8;
          value += String.fromCodePoint(parseInt(text.slice(i + 1, i + 1 + n), 16));
          i += n;
        } else {
          value += ESCAPES[e] ?? e;
        }
      }
      i++;
      tokens.push({ kind: 'string', value });
    } else if (c === '@') {
      const m = /^@\S+/.exec(text.slice(i))!; // a type annotation such as @a(say): one word
      tokens.push({ kind: 'word', value: m[0] });
      i += m[0].length;
    } else if ('{}[]()<>,:'.includes(c)) {
      tokens.push({ kind: 'punct', value: c });
      i++;
    } else {
      const m = /^[^\s{}[\]()<>,:'"]+/.exec(text.slice(i))!;
      tokens.push({ kind: 'word', value: m[0] });
      i += m[0].length;
    }
  }
  return tokens;
}

class Reader {
  private i = 0;
  constructor(private readonly tokens: Token[]) {}

  next(): Token {
    const t = this.tokens[this.i++];
    if (!t) throw new Error('unexpected end');
    return t;
  }

  peek(): Token | undefined {
    return this.tokens[this.i];
  }

  expect(punct: string): void {
    const t = this.next();
    if (t.kind !== 'punct' || t.value !== punct) throw new Error(`expected ${punct}, found ${t.value}`);
  }

  string(): string {
    const t = this.next();
    if (t.kind !== 'string') throw new Error(`expected a string, found ${t.value}`);
    return t.value;
  }

  /** Skips one value: a word sequence such as `uint64 5` or `@ay`, or a bracketed group. */
  skipValue(): void {
    const t = this.next();
    if (t.kind === 'punct' && '[(<{'.includes(t.value)) {
      const close = { '[': ']', '(': ')', '<': '>', '{': '}' }[t.value]!;
      while (!(this.peek()?.kind === 'punct' && this.peek()!.value === close)) {
        this.skipValue();
        if (this.peek()?.kind === 'punct' && [',', ':'].includes(this.peek()!.value)) this.next();
      }
      this.next();
    } else if (t.kind === 'word' && (t.value.startsWith('@') || this.peek()?.kind === 'word')) {
      this.skipValue(); // a type annotation (@ay []) or a typed number (uint64 5): the value follows
    }
  }
}

/** Parses the first line of `ostree show --raw` after "commit CHECKSUM". */
export function parseCommitText(text: string): CommitDescription {
  try {
    const r = new Reader(tokenize(text));
    r.expect('(');
    const metadata: Array<[string, string]> = [];
    const refBinding: string[] = [];
    if (r.peek()?.kind === 'word') r.next(); // "@a{sv}" before an empty dict
    r.expect('{');
    while (!(r.peek()?.kind === 'punct' && r.peek()!.value === '}')) {
      const key = r.string();
      r.expect(':');
      r.expect('<');
      if (key === 'ostree.ref-binding') {
        r.expect('[');
        while (!(r.peek()?.kind === 'punct' && r.peek()!.value === ']')) {
          refBinding.push(r.string());
          if (r.peek()?.kind === 'punct' && r.peek()!.value === ',') r.next();
        }
        r.expect(']');
      } else {
        const value = r.peek();
        if (value?.kind !== 'string') throw new UserError(`commit metadata ${key} is not a string: only commits jetpack made can be carried`);
        metadata.push([key, r.string()]);
      }
      r.expect('>');
      if (r.peek()?.kind === 'punct' && r.peek()!.value === ',') r.next();
    }
    r.expect('}');
    r.expect(',');
    for (const field of ['parent', 'related']) {
      const start = r.peek();
      r.skipValue();
      if (field === 'parent' && start?.kind === 'punct')
        throw new UserError('the commit has a parent: only parentless commits (as jetpack makes them) can be carried');
      r.expect(',');
    }
    const subject = r.string();
    r.expect(',');
    const body = r.string();
    r.expect(',');
    const typed = r.next();
    const number = typed.kind === 'word' && typed.value === 'uint64' ? r.next() : typed;
    const timestamp = Number(number.value);
    if (!Number.isSafeInteger(timestamp)) throw new Error(`bad timestamp ${number.value}`);
    return { metadata, refBinding, subject, body, timestamp };
  } catch (err) {
    if (err instanceof UserError) throw err;
    throw new UserError(`cannot read the commit: unexpected ostree show --raw output (${(err as Error).message})`, 1, { cause: err });
  }
}
