import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { renderTemplate } from '../../../src/template/engine.js';
import type { GoValue } from '../../../src/template/format.js';
import { fromYamlValue } from '../../../src/template/values.js';

/*
 * The golden cases: cases/NAME.json holds templates and values, expected/NAME.json what Go
 * 1.19's text/template with Sprig 3.2.3 and Helm's engine rules made of them (gen.go).
 */

export const GOLDEN_DIR = path.dirname(fileURLToPath(import.meta.url));

/** gen.go's fixed `now`: 2009-11-10 23:00:00 UTC. */
export const GOLDEN_NOW = new Date(1257894000 * 1000);

export interface Case {
  name: string;
  template: string;
  values?: GoValue;
  templates?: Record<string, string>;
}

interface Expected {
  name: string;
  output?: string;
  error?: string;
}

export interface Mismatch {
  file: string;
  name: string;
  problem: string;
}

export function caseFiles(): string[] {
  return readdirSync(path.join(GOLDEN_DIR, 'cases'))
    .filter((f) => f.endsWith('.json'))
    .sort();
}

// The yaml package reads JSON too, and keeps 3 (int) apart from 3.0 (float) as Go does.
function readValues(text: string): { values?: GoValue; cases: Case[] } {
  return fromYamlValue(parseYaml(text, { intAsBigInt: true })) as never;
}

/** "template: t.tpl:1:5: …" → "t.tpl:1:5": where Go (or jetpack) says the error is. */
export function errorLocation(message: string): string {
  return /^(?:template: )?([^:\s]+:\d+(?::\d+)?):/.exec(message)?.[1] ?? '';
}

const KEY_MAKERS = /\b(?:derivePassword|bcrypt|htpasswd|genCA|genSelfSignedCert|genSignedCert|genPrivateKey)\b/;

/**
 * Whether a case makes RSA or DSA keys, certificates on them, bcrypt hashes or derived passwords
 * (a tenth of a second of CPU and more each): the full suite renders those (golden-keys.test.ts),
 * the unit tier the others.
 */
export function makesKeys(c: Case): boolean {
  return [c.template, ...Object.values(c.templates ?? {})].some((t) => KEY_MAKERS.test(t));
}

/** Renders every case of one file (or those `only` picks) as the golden test does; returns what differs from Go. */
export function compareFile(file: string, only: (c: Case) => boolean = () => true): { count: number; mismatches: Mismatch[] } {
  const { values, cases: all } = readValues(readFileSync(path.join(GOLDEN_DIR, 'cases', file), 'utf8'));
  const cases = all.filter(only);
  const expected = JSON.parse(readFileSync(path.join(GOLDEN_DIR, 'expected', file), 'utf8')) as Expected[];
  const byName = new Map(expected.map((e) => [e.name, e]));
  const mismatches: Mismatch[] = [];
  const wrong = (name: string, problem: string) => mismatches.push({ file, name, problem });
  for (const c of cases) {
    const want = byName.get(c.name);
    if (!want) {
      wrong(c.name, 'no expected result: run gen.go');
      continue;
    }
    let got: string | undefined;
    let error = '';
    try {
      // A copy per case, as gen.go decodes them afresh: a case may change its values (set, merge).
      const own = structuredClone(c.values ?? values ?? {});
      got = renderTemplate(c.template, { name: 't.tpl', values: own, now: () => GOLDEN_NOW, templates: c.templates });
    } catch (err) {
      error = (err as Error).message;
    }
    if (want.error !== undefined) {
      if (!error) wrong(c.name, `Go fails (${want.error}), jetpack rendered ${JSON.stringify(got)}`);
      else if (error.replace(/^template: /, '') !== want.error.replace(/^template: /, ''))
        wrong(c.name, `error differs:\n      Go:      ${want.error}\n      jetpack: ${error}`);
    } else if (error) {
      wrong(c.name, `Go renders ${JSON.stringify(want.output)}, jetpack fails: ${error}`);
    } else if (got !== want.output) {
      wrong(c.name, `output differs:\n      Go:      ${JSON.stringify(want.output)}\n      jetpack: ${JSON.stringify(got)}`);
    }
  }
  return { count: cases.length, mismatches };
}
