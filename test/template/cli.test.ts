import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { jetpack, removeDir, tempDir } from '../helpers/cli.js';

// jetpack diagnose template: the engine from the command line.
const work = tempDir();
const root = path.join(work, 'store');
const file = (name: string, text: string) => {
  const p = path.join(work, name);
  writeFileSync(p, text);
  return p;
};

test('renders a file with values files and --set, exactly, no newline added', () => {
  const tpl = file('t.tpl', '{{.Values.arch|upper}}-{{ .Values.list | join "+" }}-{{ .Values.deep.key }}-{{ now | date "2006-01-02" }}');
  const a = file('a.yaml', 'arch: amd64\nlist: [x, y]\ndeep: { key: one, other: 2 }\n');
  const b = file('b.json', '{"deep": {"key": "two"}}');
  const r = jetpack(root, ['diagnose', 'template', `--values=${a}`, '--values', b, '--set', 'list[2]=z,arch=arm64', tpl], { env: { SOURCE_DATE_EPOCH: '86400' } });
  assert.is(r.status, 0, r.stderr);
  assert.is(r.stdout, 'ARM64-x+y+z-two-1970-01-02');
});

test('reads the template from stdin', () => {
  const r = jetpack(root, ['diagnose', 'template', '--set', 'n=3', '-'], { input: '{{ range until (int .Values.n) }}{{ . }}{{ end }}\n' });
  assert.is(r.stdout, '012\n');
});

test('a template error is one line with file, line and column, and a non-zero status', () => {
  const tpl = file('bad.tpl', 'line one\n{{ .Values.x | nosuch }}');
  const r = jetpack(root, ['diagnose', 'template', tpl]);
  assert.is(r.status, 1);
  assert.is(r.stderr, `jetpack: ${tpl}:2:16: function "nosuch" not defined\n`);
  assert.is(r.stdout, '');
  const req = jetpack(root, ['diagnose', 'template', '-'], { input: '{{ required "arch is required" .Values.arch }}' });
  assert.match(req.stderr, /^jetpack: <stdin>:1:4: executing "<stdin>" at <required>: error calling required: arch is required\n$/);
});

test('bad values and usage errors', () => {
  assert.match(jetpack(root, ['diagnose', 'template', `--values=${file('list.yaml', '- a\n')}`, '-'], { input: '' }).stderr, /the values must be a map/);
  assert.match(jetpack(root, ['diagnose', 'template', `--values=${file('bad.yaml', 'a: [\n')}`, '-'], { input: '' }).stderr, /not YAML or JSON/);
  assert.match(jetpack(root, ['diagnose', 'template', '--set', 'novalue', '-'], { input: '' }).stderr, /--set novalue: key "novalue" has no value/);
  assert.is(jetpack(root, ['diagnose', 'template']).status, 2);
  assert.match(jetpack(root, ['diagnose', 'frobnicate']).stderr, /unknown diagnose subcommand "frobnicate"/);
});

test.after(() => removeDir(work));
test.run();
