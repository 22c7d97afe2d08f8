import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { BUILTINS } from '../../src/template/builtins.js';
import { EXEC_LIMITS, Executor, TemplateCall, type ExecOptions } from '../../src/template/exec.js';
import { goFunc, type FuncDef } from '../../src/template/gofunc.js';
import { parseTrees } from '../../src/template/parser.js';
import { sprigFunctions } from '../../src/template/sprig/index.js';
import type { Tree } from '../../src/template/tree.js';
import { lazyList, type GoValue } from '../../src/template/types.js';
import { fromYamlValue } from '../../src/template/values.js';
import { GOLDEN_DIR } from './golden/compare.js';

// The executor on its own (src/template/exec.ts): Go's bounds, Go 1.22's range over int, and
// the argument checks of functions declared by their Go signature.
process.env.TZ = 'UTC';

/** A Helm-like engine: the builtins, Sprig, an include returning a TemplateCall as Helm's does, and extra functions. */
function engine(extra: Record<string, FuncDef> = {}, opts: ExecOptions = {}) {
  const funcs = new Map<string, FuncDef>(Object.entries({ ...BUILTINS, ...sprigFunctions(() => new Date(1257894000000)), ...extra }));
  const templates = new Map<string, Tree>();
  const exec = new Executor(templates, { get: (n) => funcs.get(n) }, opts);
  const open = new Map<string, number>();
  funcs.set(
    'include',
    goFunc('func(name string, data interface{}) (string, error)', (name: string, data: GoValue) => {
      const n = open.get(name) ?? 0;
      if (n > 1000) throw new Error(`rendering template has a nested reference name: ${name}: unable to execute template`);
      open.set(name, n + 1);
      return new TemplateCall(name, data, (out, err) => {
        open.set(name, n);
        if (err) throw err;
        return out!;
      });
    }),
  );
  return (text: string, values: GoValue = {}) => {
    for (const [n, t] of parseTrees('t.tpl', text, { hasFunction: (f) => funcs.has(f) })) templates.set(n, t);
    return exec.execute('t.tpl', { Values: values }).replaceAll('<no value>', '');
  };
}

function fails(f: () => unknown): string {
  try {
    f();
  } catch (err) {
    return (err as Error).message;
  }
  assert.unreachable('no error');
  return '';
}

test("Go's bound on nested templates: 100000, with Go's error", () => {
  const render = engine();
  assert.is(
    fails(() => render('{{ define "r" }}{{ template "r" . }}{{ end }}{{ template "r" . }}')),
    'template: t.tpl:1:28: executing "r" at <{{template "r" .}}>: exceeded maximum template depth (100000)',
  );
  assert.is(render('{{ define "r" }}{{ if lt . 99999 }}{{ template "r" (add1 .) }}{{ else }}{{ . }}{{ end }}{{ end }}{{ template "r" 0 }}'), '99999');
});

test("Helm's bound on nested includes of one name reaches 1001 through the executor, error as Go words it", () => {
  const render = engine();
  const expected = (JSON.parse(readFileSync(path.join(GOLDEN_DIR, 'expected', 'go-semantics.json'), 'utf8')) as Array<{ name: string; error?: string }>).find(
    (c) => c.name === 'include-nested-limit',
  )!.error!;
  assert.is(
    fails(() => render('{{ define "r" }}{{ include "r" . }}{{ end }}{{ include "r" . }}')),
    expected,
  );
  assert.is(render('{{ define "r" }}{{ if lt . 1000 }}{{ include "r" (add1 .) | trim }}{{ else }} {{ . }}{{ end }}{{ end }}{{ include "r" 0 }}'), '1000');
  // Inside parentheses the call runs at once (nesting JavaScript calls): still right when shallow.
  assert.is(render('{{ define "a" }}<{{ . }}>{{ end }}{{ printf "%s!" (include "a" 1) }}{{ $x := include "a" 2 }}{{ $x }}'), '<1>!<2>');
});

test("an error inside an included template is the include call's error, in the caller", () => {
  const render = engine();
  assert.is(
    fails(() => render('{{ define "a" }}\n {{ .x.y }}{{ end }}x{{ include "a" . | upper }}')),
    'template: t.tpl:2:24: executing "t.tpl" at <include "a" .>: error calling include: template: t.tpl:2:6: executing "a" at <.x.y>: nil pointer evaluating interface {}.y',
  );
});

test('range over a lazy list of 10^9 numbers prints as it goes and stops at the output bound', () => {
  const render = engine({ huge: goFunc('func() []int', () => lazyList(1e9, (i) => BigInt(i), '[]int')) });
  assert.is(
    fails(() => render('{{ range huge }}{{ . }}{{ end }}')),
    `template: t.tpl: output larger than ${EXEC_LIMITS.outputChars >> 20} Mi characters`,
  );
  assert.is(
    render('{{ range $i, $e := huge }}{{ if eq $i 3 }}{{ break }}{{ end }}{{ $e }}{{ end }} {{ len huge }} {{ index huge 999999999 }}'),
    '012 1000000000 999999999',
  );
});

test('the time bound ends a run-away rendering with one line', () => {
  const saved = EXEC_LIMITS.timeMs;
  EXEC_LIMITS.timeMs = -1;
  try {
    const render = engine({ huge: goFunc('func() []int', () => lazyList(1e9, (i) => BigInt(i), '[]int')) });
    assert.is(
      fails(() => render('{{ range huge }}{{ end }}')),
      'template: t.tpl: rendering took longer than -0.001 s',
    );
  } finally {
    EXEC_LIMITS.timeMs = saved;
  }
});

test('arguments are checked against the Go signature as evalCall and validateType do', () => {
  const render = engine({
    up: goFunc('func(s string) string', (s: string) => s.toUpperCase()),
    cut: goFunc('func(c int, s string) string', (c: bigint, s: string) => s.slice(0, Number(c))),
    two: goFunc('func() int64', () => 2n),
  });
  const cases: Array<[string, string]> = [
    ['{{ up 3 }}', 'template: t.tpl:1:6: executing "t.tpl" at <3>: expected string; found 3'],
    ['{{ 3 | up }}', 'template: t.tpl:1:7: executing "t.tpl" at <up>: wrong type for value; expected string; got int'],
    ['{{ up .Values.nil }}', 'template: t.tpl:1:13: executing "t.tpl" at <.Values.nil>: wrong type for value; expected string; got interface {}'],
    ['{{ .Values.missing | up }}', 'template: t.tpl:1:21: executing "t.tpl" at <up>: invalid value; expected string'],
    ['{{ up nil }}', 'template: t.tpl:1:6: executing "t.tpl" at <nil>: cannot assign nil to string'],
    ['{{ cut (two) "abc" }}', 'template: t.tpl:1:8: executing "t.tpl" at <two>: wrong type for value; expected int; got int64'],
    ['{{ cut two "abc" }}', 'template: t.tpl:1:7: executing "t.tpl" at <two>: wrong type for value; expected int; got int64'],
    ['{{ cut 2.5 "abc" }}', 'template: t.tpl:1:7: executing "t.tpl" at <2.5>: expected integer; found 2.5'],
    ['{{ up }}', 'template: t.tpl:1:3: executing "t.tpl" at <up>: wrong number of args for up: want 1 got 0'],
  ];
  for (const [text, error] of cases) {
    let got: string;
    try {
      got = `rendered ${render(text, { nil: null })}`;
    } catch (err) {
      got = (err as Error).message;
    }
    assert.is(got, error, text);
  }
  assert.is(render('{{ cut 2.0 "abc" }} {{ up .Values.s }}', { s: 'x' }), 'ab X');
});

test("Go 1.22's range over an integer (go122.json, written by hand), only with rangeOverInt", () => {
  const file = JSON.parse(readFileSync(path.join(GOLDEN_DIR, 'go122.json'), 'utf8')) as {
    values: GoValue;
    cases: Array<{ name: string; template: string; output?: string; error?: string }>;
  };
  const values = fromYamlValue(parseYaml(JSON.stringify(file.values), { intAsBigInt: true }));
  for (const c of file.cases) {
    const render = engine({}, { rangeOverInt: true });
    if (c.error !== undefined)
      assert.is(
        fails(() => render(c.template, values)),
        c.error,
        c.name,
      );
    else assert.is(render(c.template, values), c.output, c.name);
  }
  assert.is(
    fails(() => engine()('{{ range 3 }}{{ . }}{{ end }}')),
    'template: t.tpl:1:9: executing "t.tpl" at <3>: range can\'t iterate over 3',
  );
});

test.run();
