import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Regexp, RegexpError, matchString, quoteMeta } from '../../src/template/regexp.js';

// Go's regexp over re2js: RE2 semantics, Go's iteration and expansion rules, Go's errors.
// Expected answers are Go 1.19's (its documentation examples and the golden cases).

test('linear time: a catastrophic pattern for backtracking engines answers at once', () => {
  const started = Date.now();
  const long = 'a'.repeat(30000) + '!';
  assert.is(matchString('^(a+)+$', long), false);
  assert.is(matchString('(x+x+)+y', 'x'.repeat(5000)), false);
  assert.is(matchString('^(a|a)*$', long), false);
  assert.is(matchString('^(a+)+$', 'a'.repeat(30000)), true);
  // A bound generous enough for a slow machine: a backtracking engine takes minutes.
  assert.ok(Date.now() - started < 20000, `took ${Date.now() - started} ms`);
});

function compileError(expr: string): string {
  try {
    Regexp.compile(expr);
  } catch (e) {
    assert.instance(e, RegexpError);
    return (e as Error).message;
  }
  return 'compiled';
}

test('RE2 syntax: accepted and refused as Go 1.19 does, with its messages', () => {
  assert.is(compileError('('), 'error parsing regexp: missing closing ): `(`');
  assert.is(compileError('a(?=b)'), 'error parsing regexp: invalid or unsupported Perl syntax: `(?=`');
  assert.is(compileError('(?<=a)b'), 'error parsing regexp: invalid or unsupported Perl syntax: `(?<`');
  assert.is(compileError('(?<x>a)'), 'error parsing regexp: invalid or unsupported Perl syntax: `(?<`');
  assert.is(compileError('(a)\\1'), 'error parsing regexp: invalid escape sequence: `\\1`');
  assert.is(compileError('a{1001}'), 'error parsing regexp: invalid repeat count: `{1001}`');
  assert.is(compileError('a\\'), 'error parsing regexp: trailing backslash at end of expression: ``');
  assert.is(compileError('(?:a{1000}){1000}'), 'error parsing regexp: invalid repeat count: `{1000}`');
  assert.is(
    compileError('('.repeat(1001) + 'a' + ')'.repeat(1001)),
    'error parsing regexp: expression nests too deeply: `' + '('.repeat(1001) + 'a' + ')'.repeat(1001) + '`',
  );
  assert.is(compileError('(?P<n>a)(?P<n>b)'), 'compiled');
  assert.is(compileError('[(?<x>]\\Q(?<\\E'), 'compiled');
  assert.is(compileError('x{3'), 'compiled');
  assert.is(matchString('^a\\z', 'a\n'), false);
  assert.is(matchString('^a$', 'a\n'), false);
  assert.is(matchString('(?P<year>\\d{4})', '2023'), true);
  assert.throws(
    () => Regexp.mustCompile('('),
    (e: Error) => e.message === 'regexp: Compile(`(`): error parsing regexp: missing closing ): `(`',
  );
});

test('FindAll, ReplaceAll, Split: Go iteration over empty matches and non-ASCII text', () => {
  const re = (s: string) => Regexp.compile(s);
  assert.equal(re('a*').findAllString('baaab', -1), ['', 'aaa', '']);
  assert.equal(re('').findAllString('é😀', -1), ['', '', '']);
  assert.equal(re('.').findAllString('é✓😀', -1), ['é', '✓', '😀']);
  assert.is(re('x').findAllString('abc', -1), null);
  assert.is(re('b').findAllString('abc', 0), null);
  assert.equal(re('[2,4,6,8]').findAllString('123456789', 2), ['2', '4']);
  assert.is(re('a(x*)b').replaceAllString('-ab-axxb-', '${1}W'), '-W-xxW-');
  assert.is(re('a(x*)b').replaceAllString('-ab-axxb-', '$1W'), '---');
  assert.is(re('(?P<k>\\w+)=(?P<v>\\w+)').replaceAllString('a=1 b=2', '${v}_${k}_$0'), '1_a_a=1 2_b_b=2');
  assert.is(re('(a)').replaceAllString('aa', '$01|${1|$$|$'), '|${1|$|$|${1|$|$');
  assert.is(re('a*').replaceAllString('baaac', '-'), '-b-c-');
  assert.is(re('').replaceAllString('é😀', '.'), '.é.😀.');
  assert.is(re('a(x*)b').replaceAllLiteralString('-ab-axxb-', '${1}'), '-${1}-${1}-');
  assert.equal(re('a*').split('abaabaccadaaae', 5), ['', 'b', 'b', 'c', 'cadaaae']);
  assert.equal(re('').split('é😀x', -1), ['é', '😀', 'x']);
  assert.equal(re('z+').split('pizza', 1), ['pizza']);
  assert.is(re('z+').split('pizza', 0), null);
  assert.is(quoteMeta('[a-z]+(x)|y*?^$\\{}'), '\\[a-z\\]\\+\\(x\\)\\|y\\*\\?\\^\\$\\\\\\{\\}');
});

test.run();
