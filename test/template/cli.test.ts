import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { jetpack, removeDir, tempDir } from '../helpers/cli.js';
import { GOLDEN_DIR } from './golden/compare.js';

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
  const r = jetpack(root, ['diagnose', 'template', `--values=${a}`, '--values', b, '--set', 'list[2]=z,arch=arm64', tpl], {
    env: { SOURCE_DATE_EPOCH: '86400' },
  });
  assert.is(r.status, 0, r.stderr);
  assert.is(r.stdout, 'ARM64-x+y+z-two-1970-01-02');
});

test('reads the template from stdin', () => {
  const r = jetpack(root, ['diagnose', 'template', '--set', 'n=3', '-'], { input: '{{ range until (int .Values.n) }}{{ . }}{{ end }}\n' });
  assert.is(r.stdout, '012\n');
});

test("a template error is Go's, one line (file and line, and the column where Go gives one), and a non-zero status", () => {
  const tpl = file('bad.tpl', 'line one\n{{ .Values.x | nosuch }}');
  const r = jetpack(root, ['diagnose', 'template', tpl]);
  assert.is(r.status, 1);
  assert.is(r.stderr, `jetpack: template: ${tpl}:2: function "nosuch" not defined\n`);
  assert.is(r.stdout, '');
  const req = jetpack(root, ['diagnose', 'template', '-'], { input: '{{ required "arch is required" .Values.arch }}' });
  assert.is(
    req.stderr,
    'jetpack: template: <stdin>:1:3: executing "<stdin>" at <required "arch is required" .Values.arch>: error calling required: arch is required\n',
  );
  const deep = jetpack(root, ['diagnose', 'template', file('deep.tpl', 'é\n  ü {{ index .Values 9 }}')]);
  assert.match(
    deep.stderr,
    /^jetpack: template: \S+deep\.tpl:2:8: executing "\S+deep\.tpl" at <index \.Values 9>: error calling index: value has type int; should be string\n$/,
  );
  assert.is(deep.status, 1);
});

test('bad values and usage errors', () => {
  assert.match(jetpack(root, ['diagnose', 'template', `--values=${file('list.yaml', '- a\n')}`, '-'], { input: '' }).stderr, /the values must be a map/);
  assert.match(jetpack(root, ['diagnose', 'template', `--values=${file('bad.yaml', 'a: [\n')}`, '-'], { input: '' }).stderr, /not YAML or JSON/);
  assert.match(jetpack(root, ['diagnose', 'template', '--set', 'novalue', '-'], { input: '' }).stderr, /-set novalue: key "novalue" has no value/);
  assert.is(jetpack(root, ['diagnose', 'template']).status, 2);
  assert.match(jetpack(root, ['diagnose', 'frobnicate']).stderr, /unknown diagnose subcommand "frobnicate"/);
});

test('prints what Go prints for golden cases, and fails where Go fails with its error (every 10th case of go-*.json)', () => {
  const dir = path.join(work, 'golden');
  mkdirSync(dir);
  for (const name of readdirSync(path.join(GOLDEN_DIR, 'cases')).filter((f) => f.startsWith('go-'))) {
    const cases = JSON.parse(readFileSync(path.join(GOLDEN_DIR, 'cases', name), 'utf8')) as {
      values: unknown;
      cases: Array<{ name: string; template: string; values?: unknown; templates?: unknown }>;
    };
    const expected = new Map(
      (JSON.parse(readFileSync(path.join(GOLDEN_DIR, 'expected', name), 'utf8')) as Array<{ name: string; output?: string; error?: string }>).map((e) => [
        e.name,
        e,
      ]),
    );
    cases.cases.forEach((c, i) => {
      if (i % 10 !== 0 || c.templates) return;
      writeFileSync(path.join(dir, 't.tpl'), c.template);
      writeFileSync(path.join(dir, 'values.json'), JSON.stringify(c.values ?? cases.values));
      const r = jetpack(root, ['diagnose', 'template', '--values', 'values.json', 't.tpl'], { cwd: dir, env: { SOURCE_DATE_EPOCH: '1257894000', TZ: 'UTC' } });
      const want = expected.get(c.name)!;
      if (want.error !== undefined) {
        assert.is(r.stderr, `jetpack: ${want.error}\n`, `${name} ${c.name}`);
        assert.is(r.status, 1);
      } else {
        assert.is(r.stderr, '', `${name} ${c.name}`);
        assert.is(r.stdout, want.output, `${name} ${c.name}`);
      }
    });
  }
});

test.after(() => removeDir(work));
test.run();
