import { test } from 'uvu';
import { fails, renders, values } from './helpers.js';

// Sprig (masterminds.github.io/sprig) as Helm provides it, cases from its documentation.
const V = values(`
name: "  Hello World  "
list: [b, a, c, a]
nums: [1, 2, 3]
dict: { b: 2, a: 1 }
csv: "a,b,c"
n: 5
zero: 0
empty: ""
off: false
purge: false
`);

test('strings', () => {
  renders(
    [
      ['{{ trim .Values.name }}|{{ trimAll "$" "$5.00$" }}|{{ trimPrefix "-" "-x" }}|{{ trimSuffix "-" "x-" }}', 'Hello World|5.00|x|x'],
      ['{{ upper "a" }}{{ lower "B" }} {{ title "hello world" }} {{ untitle "Hello World" }}', 'Ab Hello World hello world'],
      [
        '{{ repeat 3 "ab" }} {{ substr 0 5 "hello world" }} {{ nospace "a b  c" }} {{ trunc 5 "hello world" }} {{ trunc -5 "hello world" }}',
        'ababab hello abc hello world',
      ],
      [
        '{{ abbrev 5 "hello world" }} {{ initials "First Try" }} {{ contains "cat" "catch" }} {{ hasPrefix "ca" "cat" }} {{ hasSuffix "at" "cat" }}',
        'he... FT true true true',
      ],
      ['{{ quote "a" "b" }} {{ squote "c" }} {{ cat "a" "b" 1 }}', '"a" "b" \'c\' a b 1'],
      ['{{ indent 2 "a\\nb" }}|{{ nindent 2 "c" }}', '  a\n  b|\n  c'],
      [
        '{{ replace " " "-" "a b c" }} {{ plural "one" "many" 2 }} {{ snakecase "FirstName" }} {{ camelcase "http_server" }} {{ kebabcase "FirstName" }}',
        'a-b-c many first_name HttpServer first-name',
      ],
      ['{{ splitList "," .Values.csv }} {{ (split "," .Values.csv)._1 }} {{ join "+" .Values.list }} {{ join "-" .Values.nums }}', '[a b c] b b+a+c+a 1-2-3'],
      ['{{ toString 42 }} {{ toStrings .Values.nums }} {{ .Values.n | toString | printf "%q" }}', '42 [1 2 3] "5"'],
    ],
    V,
  );
});

test('lists', () => {
  renders(
    [
      [
        '{{ list 1 "a" true }} {{ first .Values.list }} {{ last .Values.list }} {{ rest .Values.nums }} {{ initial .Values.nums }}',
        '[1 a true] b a [2 3] [1 2]',
      ],
      [
        '{{ append .Values.nums 4 }} {{ prepend .Values.nums 0 }} {{ concat .Values.nums (list 9) }} {{ reverse .Values.nums }}',
        '[1 2 3 4] [0 1 2 3] [1 2 3 9] [3 2 1]',
      ],
      ['{{ uniq .Values.list }} {{ without .Values.list "a" }} {{ has "c" .Values.list }} {{ compact (list "a" "" 0 "b") }}', '[b a c] [b c] true [a b]'],
      ['{{ slice .Values.nums 1 }} {{ sortAlpha .Values.list }} {{ until 3 }} {{ untilStep 0 10 4 }} {{ seq 3 }}', '[2 3] [a a b c] [0 1 2] [0 4 8] 1 2 3'],
    ],
    V,
  );
});

test('dicts', () => {
  renders(
    [
      [
        '{{ $d := dict "x" 1 "y" "two" }}{{ $d }} {{ get $d "y" }} {{ hasKey $d "x" }} {{ keys $d | sortAlpha }} {{ values .Values.dict | len }}',
        'map[x:1 y:two] two true [x y] 2',
      ],
      ['{{ $d := dict }}{{ $_ := set $d "k" "v" }}{{ $d.k }}{{ $_ := unset $d "k" }}[{{ $d.k }}]', 'v[]'],
      ['{{ pick .Values.dict "a" }} {{ omit .Values.dict "a" }} {{ pluck "a" .Values.dict (dict "a" 9) }}', 'map[a:1] map[b:2] [1 9]'],
      ['{{ merge (dict "a" 1) (dict "a" 2 "b" 3) }} {{ mergeOverwrite (dict "a" 1) (dict "a" 2) }}', 'map[a:1 b:3] map[a:2]'],
    ],
    V,
  );
});

test("default, empty, coalesce, ternary, required: Helm's default of false is the default", () => {
  renders(
    [
      ['{{ .Values.missing | default "foo" }} {{ .Values.empty | default "bar" }} {{ default "x" .Values.n }}', 'foo bar 5'],
      ['{{ .Values.purge | default true }} {{ .Values.zero | default 7 }}', 'true 7'],
      ['{{ empty .Values.empty }} {{ empty .Values.n }} {{ empty (list) }} {{ empty .Values.off }}', 'true false true true'],
      ['{{ coalesce .Values.missing .Values.empty "c" }} {{ ternary "yes" "no" true }} {{ ternary "yes" "no" .Values.off }}', 'c yes no'],
      ['{{ required "need n" .Values.n }}', '5'],
    ],
    V,
  );
  fails(
    '{{ required "the release option is required" .Values.release }}',
    /^template: t\.tpl:1:3: executing "t\.tpl" at <required "the release option is required" \.Values\.release>: error calling required: the release option is required$/,
    V,
  );
  fails('{{ fail "stop here" }}', /error calling fail: stop here/, V);
});

test('dates: now, date with Go layouts, dateInZone, unixEpoch', () => {
  renders(
    [
      ['{{ now | date "2006-01-02" }}', '2009-11-10'],
      ['{{ dateInZone "2006-01-02 15:04:05 MST" now "UTC" }}', '2009-11-10 23:00:00 UTC'],
      ['{{ dateInZone "Jan 2, 2006 at 3:04pm (MST)" now "America/New_York" }}', 'Nov 10, 2009 at 6:00pm (EST)'],
      ['{{ unixEpoch now }} {{ date "2006" 0 }}', `1257894000 ${new Date(0).getFullYear()}`],
      ['{{ now.Year }}', '2009'],
    ],
    V,
  );
});

test('conversion, JSON and YAML', () => {
  renders(
    [
      [
        '{{ atoi "42" | add 1 }} {{ int "7" }} {{ int 3.9 }} {{ float64 "1.5" }} {{ add 1 2 3 }} {{ sub 5 2 }} {{ mul 2 3 }} {{ div 7 2 }} {{ mod 7 2 }} {{ max 1 5 3 }} {{ min 4 2 }} {{ add1 1 }}',
        '43 7 3 1.5 6 3 6 3 1 5 2 2',
      ],
      ['{{ toJson .Values.dict }} {{ toJson (list 1 "<a>" true nil 1.5) }}', '{"a":1,"b":2} [1,"\\u003ca\\u003e",true,null,1.5]'],
      ['{{ toPrettyJson (dict "a" (list 1)) }}', '{\n  "a": [\n    1\n  ]\n}'],
      ['{{ toYaml (dict "b" (list 1 2) "a" "x") }}', 'a: x\nb:\n- 1\n- 2'],
      ['{{ (fromYaml "a: 1\\nb: [x, z]").b }} {{ (fromJson "{\\"k\\": 2}").k }}', '[x z] 2'],
    ],
    V,
  );
});

test('regular expressions, base64, hashes', () => {
  renders(
    [
      [
        '{{ regexMatch "^[a-z]+\\\\d$" "abc1" }} {{ regexFind "[0-9]+" "ab123cd45" }} {{ regexFindAll "[0-9]" "a1b2c3" -1 }} {{ regexFindAll "[0-9]" "a1b2c3" 2 }}',
        'true 123 [1 2 3] [1 2]',
      ],
      [
        '{{ regexReplaceAll "a(x*)b" "-ab-axxb-" "${1}W" }} {{ regexReplaceAllLiteral "a(x*)b" "-ab-axxb-" "${1}" }} {{ regexSplit "z+" "pizza" -1 }}',
        '-W-xxW- -${1}-${1}- [pi a]',
      ],
      [
        '{{ b64enc "hello" }} {{ b64dec "aGVsbG8=" }} {{ sha256sum "hello" }}',
        'aGVsbG8= hello 2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824',
      ],
    ],
    V,
  );
});

test('tpl and include render text and named templates with the given data', () => {
  renders(
    [
      ['{{ tpl "{{ .Values.n }}-{{ upper \\"x\\" }}" . }}', '5-X'],
      ['{{ define "part" }}<{{ .a }}>{{ end }}{{ include "part" .Values.dict | upper }}', '<1>'],
      ['{{ define "nl" }}x{{ end }}{{ include "nl" . | nindent 2 }}', '\n  x'],
    ],
    V,
  );
});

test.run();
