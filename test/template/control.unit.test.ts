import { test } from 'uvu';
import { fails, renders, values } from './helpers.js';

// if, else if, range, with, break/continue, define, template, block: text/template's docs.
const V = values(`
list: [a, b, c]
empty: []
map: { z: 26, a: 1, m: 13 }
flag: true
off: false
zero: 0
n: 3
flavor: ""
mix_ins: [gnome, media]
`);

test('if / else if / else, on Go truth', () => {
  renders(
    [
      ['{{ if .Values.flag }}yes{{ end }}', 'yes'],
      ['{{ if .Values.off }}yes{{ else }}no{{ end }}', 'no'],
      ['{{ if .Values.zero }}a{{ else if .Values.empty }}b{{ else if .Values.list }}c{{ else }}d{{ end }}', 'c'],
      ['{{ if .Values.missing }}a{{ else }}b{{ end }}', 'b'],
      ['{{ if and .Values.flag .Values.n }}both{{ end }}', 'both'],
      ['{{ if or .Values.off .Values.zero }}x{{ else }}neither{{ end }}', 'neither'],
      ['{{ if not .Values.off }}not{{ end }}', 'not'],
    ],
    V,
  );
});

test('range over lists and maps (in key order), with variables, else, break and continue; Go 1.19 refuses ints', () => {
  renders(
    [
      ['{{ range .Values.list }}[{{ . }}]{{ end }}', '[a][b][c]'],
      ['{{ range $i, $e := .Values.list }}{{ $i }}={{ $e }} {{ end }}', '0=a 1=b 2=c '],
      ['{{ range $e := .Values.list }}{{ $e }}{{ end }}', 'abc'],
      ['{{ range $k, $v := .Values.map }}{{ $k }}:{{ $v }},{{ end }}', 'a:1,m:13,z:26,'],
      ['{{ range .Values.empty }}x{{ else }}empty{{ end }}', 'empty'],
      ['{{ range .Values.missing }}x{{ else }}none{{ end }}', 'none'],
      ['{{ range .Values.list }}{{ if eq . "b" }}{{ break }}{{ end }}{{ . }}{{ end }}', 'a'],
      ['{{ range .Values.list }}{{ if eq . "b" }}{{ continue }}{{ end }}{{ . }}{{ end }}', 'ac'],
      ['{{ range .Values.list }}{{ $.Values.n }}{{ end }}', '333'],
    ],
    V,
  );
  fails('{{ break }}', /\{\{break\}\} outside \{\{range\}\}/, V);
  fails('{{ range .Values.flag }}{{ end }}', /range can't iterate over true/, V);
  fails('{{ range .Values.n }}{{ . }}{{ end }}', /t\.tpl:1:16: executing "t\.tpl" at <\.Values\.n>: range can't iterate over 3$/, V);
});

test('with sets dot; else runs when the value is empty', () => {
  renders(
    [
      ['{{ with .Values.map }}{{ .a }}{{ end }}', '1'],
      ['{{ with .Values.flavor }}{{ . }}{{ else }}no flavor{{ end }}', 'no flavor'],
      ['{{ with $x := .Values.n }}{{ $x }}{{ end }}', '3'],
    ],
    V,
  );
  // `else with` is Go 1.23's: Go 1.19 refuses it.
  fails('{{ with .Values.missing }}a{{ else with .Values.list }}{{ index . 0 }}{{ end }}', /^template: t\.tpl:1: unexpected <with> in else$/, V);
});

test('define, template and block', () => {
  renders(
    [
      ['{{ define "greet" }}hello {{ . }}{{ end }}{{ template "greet" "world" }}', 'hello world'],
      ['{{ define "t" }}[{{ .Values.n }}]{{ end }}{{ template "t" . }}', '[3]'],
      ['{{ define "t" }}[{{ . }}]{{ end }}{{ template "t" }}', '[]'],
      ['{{ block "b" .Values.list }}{{ len . }}{{ end }}', '3'],
      ['{{ define "x" }}X{{ end }}{{ include "x" . | lower }}', 'x'],
    ],
    V,
  );
  fails('{{ template "nope" }}', /^template: t\.tpl:1:12: executing "t\.tpl" at <\{\{template "nope"\}\}>: template "nope" not defined$/, V);
});

test('the ego-setup hook of mark-stages: list items added or removed by the template', () => {
  const hook = [
    '  commands:',
    '    - >-',
    '      ego profile arch {{ .Values.arch }}',
    '    {{- if .Values.flavor }}',
    '    - >-',
    '      ego profile flavor {{ .Values.flavor }}',
    '    {{- end }}',
    '    {{- if .Values.mix_ins }}',
    '    - >-',
    '      ego profile mix-ins {{ join " " .Values.mix_ins }}',
    '    {{- end }}',
    '    - ego profile show',
  ].join('\n');
  renders(
    [[hook, '  commands:\n    - >-\n      ego profile arch x86\n    - >-\n      ego profile mix-ins gnome media\n    - ego profile show']],
    values('arch: x86\nflavor: ""\nmix_ins: [gnome, media]'),
  );
});

test.run();
