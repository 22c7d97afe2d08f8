import { test } from 'uvu';
import { fails, renders, values } from './helpers.js';

// Actions, pipelines, trim markers, comments, variables: text/template's package documentation.
const V = values(`
release: next
arch: x86-64bit
n: 3
f: 2.5
list: [a, b, c]
map: { b: 2, a: 1 }
nested: { inner: { deep: yes } }
empty: ""
`);

test('text and actions print values with fmt %v', () => {
  renders(
    [
      ['plain text', 'plain text'],
      ['{{ .Values.release }}', 'next'],
      ['{{.Values.n}} {{.Values.f}}', '3 2.5'],
      ['{{ .Values.list }}', '[a b c]'],
      ['{{ .Values.map }}', 'map[a:1 b:2]'],
      ['{{ .Values.nested.inner.deep }}', 'yes'],
      ['{{ "quoted\\tstring" }}', 'quoted\tstring'],
      ['{{ `raw\\n` }}', 'raw\\n'],
      ["{{ 'a' }}", '97'],
      ['{{ 0x1F }} {{ 1e3 }} {{ -7 }} {{ 1_000 }}', '31 1000 -7 1000'],
      ['{{ true }} {{ false }}', 'true false'],
      ['{{ . | len }}', '4'],
    ],
    V,
  );
});

test('trim markers remove the white space beside them, and only with a space inside', () => {
  renders(
    [
      ['a  {{- "b" -}}  c', 'abc'],
      ['a\n\n  {{- "b" }}\n', 'ab\n'],
      ['{{ "x" -}}\n\t\n y', 'xy'],
      ['{{-3}}', '-3'],
      ['{{- 3 -}}', '3'],
      ['{{ 23 -}} < {{- 45 }}', '23<45'],
    ],
    V,
  );
});

test('comments, with and without trim markers, print nothing', () => {
  renders(
    [
      ['a{{/* a comment */}}b', 'ab'],
      ['a {{- /* trimmed */ -}} b', 'ab'],
      ['{{/* multi\nline */}}x', 'x'],
    ],
    V,
  );
  fails('{{/* unclosed', /^template: t\.tpl:1: unclosed comment$/, V);
});

test('pipelines pass the value on as the last argument; parentheses group', () => {
  renders(
    [
      ['{{ .Values.release | upper }}', 'NEXT'],
      ['{{ .Values.release | printf "%s-%s" "x" }}', 'x-next'],
      ['{{ "a" | printf "%s%s" "b" | upper }}', 'BA'],
      ['{{ printf "%d" (len .Values.list) }}', '3'],
      ['{{ (index .Values.list 1) | upper }}', 'B'],
      ['{{ (.Values.nested).inner.deep }}', 'yes'],
      ['{{ (dict "k" "v").k }}', 'v'],
    ],
    V,
  );
});

test('variables: :=, = and $ (the data), scoped to their block', () => {
  renders(
    [
      ['{{ $x := .Values.release }}{{ $x }}', 'next'],
      ['{{ $x := 1 }}{{ $x = 2 }}{{ $x }}', '2'],
      ['{{ $x := 1 }}{{ if true }}{{ $x = 2 }}{{ end }}{{ $x }}', '2'],
      ['{{ $x := 1 }}{{ if true }}{{ $x := 2 }}{{ $x }}{{ end }}{{ $x }}', '21'],
      ['{{ with .Values.nested }}{{ $.Values.release }}{{ end }}', 'next'],
      ['{{ $v := .Values }}{{ $v.map.a }}', '1'],
    ],
    V,
  );
  fails('{{ $undefined }}', /undefined variable "\$undefined"/, V);
  fails('{{ $y = 1 }}', /at <1>: undefined variable: \$y$/, V);
});

test('missing values render empty (Helm); a field of a missing value is an error', () => {
  renders(
    [
      ['[{{ .Values.missing }}]', '[]'],
      ['[{{ .Values.empty }}]', '[]'],
      ['[{{ .Nothing }}]', '[]'],
    ],
    V,
  );
  fails('{{ .Values.missing.field }}', /t\.tpl:1:10: executing "t\.tpl" at <\.Values\.missing\.field>: nil pointer evaluating interface \{\}\.field/, V);
  fails('{{ .Values.release.field }}', /can't evaluate field field in type interface \{\}$/, V);
});

test('lexical errors name the line and column', () => {
  fails('ok\n  {{ .Values.release', /^template: t\.tpl:2: unclosed action$/, V);
  fails('{{ "unterminated }}', /^template: t\.tpl:1: unterminated quoted string$/, V);
  fails('{{ 3x }}', /bad number syntax: "3x"/, V);
  fails('{{ nosuchfunc 1 }}', /^template: t\.tpl:1: function "nosuchfunc" not defined$/, V);
  fails('{{ end }}', /unexpected \{\{end\}\}/, V);
  fails('{{ if true }}x', /unexpected EOF/, V);
  fails('{{ (1 }}', /unclosed left paren/, V);
  fails('{{ 1 | 2 }}', /non executable command in pipeline stage 2/, V);
});

test.run();
