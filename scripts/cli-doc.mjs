#!/usr/bin/env node
// Writes docs/CLI.md from the CLI's own help, so the reference always matches the code.
// Usage: node scripts/cli-doc.mjs [--check]   (--check: exit 1 if docs/CLI.md is stale)
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const jetpack = (...args) => execFileSync(path.join(root, 'bin', 'jetpack'), args, { encoding: 'utf8' });
const general = jetpack('help');
const section = general.slice(general.indexOf('Commands:'), general.indexOf('\n\n', general.indexOf('Commands:')));
const commands = [...section.matchAll(/^ {2}([a-z-]+) {2}/gm)].map((m) => m[1]).filter((c) => c !== 'help');
const doc = [
  '# jetpack command reference',
  '',
  'Generated from `jetpack help` by `node scripts/cli-doc.mjs`; a test fails when it is stale.',
  '',
  '```',
  general.trimEnd(),
  '```',
  ...commands.flatMap((c) => {
    const help = jetpack('help', c);
    // A subcommand group lists its subcommands as "  GROUP SUB ARGS"; each gets its own help.
    const subs = [...new Set([...help.matchAll(new RegExp(`^  ${c} ([a-z-]+)`, 'gm'))].map((m) => m[1]))];
    return ['', `## ${c}`, '', '```', help.trimEnd(), '```', ...subs.flatMap((s) => ['', `### ${c} ${s}`, '', '```', jetpack('help', c, s).trimEnd(), '```'])];
  }),
  '',
].join('\n');
const file = path.join(root, 'docs', 'CLI.md');
if (process.argv.includes('--check')) {
  if (readFileSync(file, 'utf8') !== doc) {
    console.error('docs/CLI.md is stale: run node scripts/cli-doc.mjs');
    process.exit(1);
  }
} else {
  writeFileSync(file, doc);
}
