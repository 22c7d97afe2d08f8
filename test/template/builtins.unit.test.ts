import { test } from 'uvu';
import { fails, renders, values } from './helpers.js';

// text/template's predefined functions ("Functions" in the package docs).
const V = values(`
list: [a, b, c]
map: { k: v, n: 2 }
s: hello
i: 3
f: 1.5
`);

test('and, or, not return the deciding argument; and/or stop early', () => {
  renders(
    [
      ['{{ and 1 0 "x" }}', '0'],
      ['{{ and 1 "x" }}', 'x'],
      ['{{ or 0 "" "first" "second" }}', 'first'],
      ['{{ or 0 "" }}', ''],
      ['{{ not 0 }} {{ not "x" }}', 'true false'],
      ['{{ or true (index .Values.list 10) }}', 'true'],
      ['{{ and false (index .Values.list 10) }}', 'false'],
    ],
    V,
  );
});

test('len, index (lists, maps, strings, nested) and slice', () => {
  renders(
    [
      ['{{ len .Values.list }} {{ len .Values.map }} {{ len .Values.s }} {{ len "héllo" }}', '3 2 5 6'],
      ['{{ index .Values.list 2 }} {{ index .Values.map "k" }} {{ index .Values.s 1 }}', 'c v 101'],
      ['{{ index . "Values" "map" "n" }}', '2'],
      ['[{{ index .Values.map "absent" }}]', '[]'],
      ['{{ slice .Values.list 1 }} {{ slice .Values.list 0 2 }}', '[b c] [a b]'],
    ],
    V,
  );
  // Sprig's slice replaces Go's builtin (a FuncMap entry wins): it takes lists only.
  fails('{{ slice .Values.s 1 3 }}', /error calling slice: list should be type of slice or array but string/, V);
  fails('{{ index .Values.list 5 }}', /error calling index: index out of range: 5/, V);
  fails('{{ len 3 }}', /error calling len: len of type int/, V);
});

test('print, printf and println format as fmt does', () => {
  renders(
    [
      ['{{ print "a" "b" 1 2 "c" }}', 'ab1 2c'],
      ['{{ println "a" 1 }}', 'a 1\n'],
      ['{{ printf "%s=%d %v %q %5.2f|%-4s|%04d %x %t %%" "k" 42 .Values.list "q" 3.14159 "ab" 7 255 true }}', 'k=42 [a b c] "q"  3.14|ab  |0007 ff true %'],
      ['{{ printf "%v %v" .Values.i .Values.f }}', '3 1.5'],
      ['{{ printf "%d" }}', '%!d(MISSING)'],
    ],
    V,
  );
});

test('eq (with several arguments), ne, lt, le, gt, ge on basic kinds', () => {
  renders(
    [
      ['{{ eq .Values.s "hello" }} {{ eq 1 2 3 1 }} {{ eq "a" "b" }}', 'true true false'],
      ['{{ ne .Values.i 3 }} {{ lt 1 2 }} {{ le 2 2 }} {{ gt "b" "a" }} {{ ge 1.5 2.5 }}', 'false true true true false'],
      ['{{ eq .Values.missing "x" }} {{ eq .Values.missing nil }}', 'false true'],
    ],
    V,
  );
  fails('{{ eq 1 "1" }}', /error calling eq: incompatible types for comparison/, V);
  fails('{{ lt 1 1.5 }}', /incompatible types for comparison/, V);
  fails('{{ eq .Values.list .Values.list }}', /non-comparable type/, V);
});

test('wrong numbers of arguments are caught before the call', () => {
  fails('{{ not 1 2 }}', /wrong number of args for not: want 1 got 2/, V);
  fails('{{ .Values.s 1 }}', /s is not a method but has arguments/, V);
  fails('{{ 3 4 }}', /can't give argument to non-function 3/, V);
});

test('html, urlquery and js escape', () => {
  renders([['{{ html "<a href=\'x\'>&</a>" }} {{ urlquery "a b&c" }}', '&lt;a href=&#39;x&#39;&gt;&amp;&lt;/a&gt; a+b%26c']], V);
});

test.run();
