import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { formatValue, type GoValue, quoteGo, sprint, sprintf, sprintln } from '../../src/template/format.js';

// Expected outputs are Go's: the listed fmt.Println results, and cases from Go's fmt_test.go
// (Go ints written as bigints, Go floats as numbers).

type Case = [format: string, value: GoValue, want: string];

function checkAll(cases: Case[]): void {
  for (const [format, value, want] of cases) {
    // eslint-disable-next-line @typescript-eslint/no-base-to-string -- names the case in a failure message: JavaScript's text of a value is enough
    assert.is(sprintf(format, [value]), want, `Sprintf(${JSON.stringify(format)}, ${String(value)})`);
  }
}

function withLocalZone(zone: string, run: () => void): void {
  const saved = process.env.TZ;
  process.env.TZ = zone;
  try {
    run();
  } finally {
    if (saved === undefined) delete process.env.TZ;
    else process.env.TZ = saved;
  }
}

test('floats print like fmt.Println: shortest digits, exponent form when the exponent is below -4 or at least 6', () => {
  const cases: [number, string][] = [
    [1000000.0, '1e+06'],
    [123456789.0, '1.23456789e+08'],
    [100000.0, '100000'],
    [0.0001, '0.0001'],
    [0.00001, '1e-05'],
    [3.0, '3'],
    [2.5, '2.5'],
    [1e21, '1e+21'],
    [2 ** 53, '9.007199254740992e+15'],
    [0.1 + 0.2, '0.30000000000000004'],
    [1.2345678, '1.2345678'],
    [NaN, 'NaN'],
    [Infinity, '+Inf'],
    [-Infinity, '-Inf'],
    [-0, '-0'],
    [0, '0'],
    [5e-324, '5e-324'],
    [-1e100, '-1e+100'],
  ];
  for (const [value, want] of cases) assert.is(formatValue(value), want, String(value));
});

test('scalars: nil, bools, ints and strings', () => {
  assert.is(formatValue(null), '<nil>');
  assert.is(formatValue(true), 'true');
  assert.is(formatValue(false), 'false');
  assert.is(formatValue(-9223372036854775808n), '-9223372036854775808');
  assert.is(formatValue(12345n), '12345');
  assert.is(formatValue('a b\n'), 'a b\n');
  assert.is(
    formatValue(() => 1),
    '<function>',
  );
});

test('lists and maps: elements with %v, map keys sorted by their bytes', () => {
  assert.is(formatValue([]), '[]');
  assert.is(formatValue([1n, 'hello', 2.5, null]), '[1 hello 2.5 <nil>]');
  assert.is(formatValue([[1n, [2n]], []]), '[[1 [2]] []]');
  assert.is(formatValue({}), 'map[]');
  assert.is(formatValue({ b: 2n, a: [true], c: { z: null, y: 'x' } }), 'map[a:[true] b:2 c:map[y:x z:<nil>]]');
  // U+FF5E sorts before U+1F600 in UTF-8, though not in UTF-16.
  assert.is(formatValue({ '😀': 1n, '～': 2n, B: 3n, a: 4n }), 'map[B:3 a:4 ～:2 😀:1]');
});

test('a Date prints as time.Time.String() in the local zone', () => {
  const date = new Date(Date.UTC(2009, 10, 10, 23, 0, 0, 123));
  withLocalZone('UTC', () => assert.is(formatValue(date), '2009-11-10 23:00:00.123 +0000 UTC'));
  withLocalZone('America/New_York', () => {
    assert.is(formatValue(date), '2009-11-10 18:00:00.123 -0500 EST');
    assert.is(formatValue(new Date(Date.UTC(2009, 10, 10, 23))), '2009-11-10 18:00:00 -0500 EST');
    assert.is(
      sprintf('%s|%q|%x', [date, date, new Date(0)]),
      '2009-11-10 18:00:00.123 -0500 EST|"2009-11-10 18:00:00.123 -0500 EST"|' + Buffer.from('1969-12-31 19:00:00 -0500 EST').toString('hex'),
    );
    assert.is(sprintf('%#v', [date]), 'time.Date(2009, time.November, 10, 18, 0, 0, 123000000, time.Local)');
    assert.is(formatValue([date]), '[2009-11-10 18:00:00.123 -0500 EST]');
  });
});

test('Sprint puts spaces only between operands that are both non-strings; Sprintln always', () => {
  assert.is(sprint(['a', 1n, 2n, 'b', 'c', 3.5, null, true]), 'a1 2bc3.5 <nil> true');
  assert.is(sprint([]), '');
  assert.is(sprint([[1n], [2n]]), '[1] [2]');
  assert.is(sprintln(['a', 1n, 'b']), 'a 1 b\n');
  assert.is(sprintln([]), '\n');
});

test('strconv.Quote', () => {
  assert.is(quoteGo(''), '""');
  assert.is(quoteGo('abc'), '"abc"');
  assert.is(quoteGo('\x07\b\f\n\r\t\v"\\'), '"\\a\\b\\f\\n\\r\\t\\v\\"\\\\"');
  assert.is(quoteGo('日本語 ☺'), '"日本語 ☺"');
  assert.is(quoteGo('\x00\x7f\u00a0\u00ad\u2028\ufeff'), '"\\x00\\x7f\\u00a0\\u00ad\\u2028\\ufeff"');
  assert.is(quoteGo('\u{10ffff}\u{1d6c2}'), '"\\U0010ffff𝛂"');
  assert.is(quoteGo("'"), `"'"`);
});

test('strings: %s %q %x %X, width, precision and flags', () => {
  checkAll([
    ['%s', 'abc', 'abc'],
    ['%v', 'abc', 'abc'],
    ['%q', 'abc', '"abc"'],
    ['%x', 'abc', '616263'],
    ['%x', '', ''],
    ['%x', 'xyz', '78797a'],
    ['%X', 'xyz', '78797A'],
    ['% x', 'xyz', '78 79 7a'],
    ['% X', 'xyz', '78 79 7A'],
    ['%#x', 'xyz', '0x78797a'],
    ['%#X', 'xyz', '0X78797A'],
    ['%# x', 'xyz', '0x78 0x79 0x7a'],
    ['%# X', 'xyz', '0X78 0X79 0X7A'],
    ['%x', 'hé', '68c3a9'],
    ['%q', '', '""'],
    ['%#q', '', '``'],
    ['%q', '"', '"\\""'],
    ['%#q', '"', '`"`'],
    ['%q', '`', '"`"'],
    ['%#q', '`', '"`"'],
    ['%q', '\n', '"\\n"'],
    ['%#q', '\\n', '`\\n`'],
    ['%q', '日本語', '"日本語"'],
    ['%+q', '日本語', '"\\u65e5\\u672c\\u8a9e"'],
    ['%#q', '日本語', '`日本語`'],
    ['%#+q', '日本語', '`日本語`'],
    ['%q', '\x07\b\f\n\r\t\v"\\', '"\\a\\b\\f\\n\\r\\t\\v\\"\\\\"'],
    ['% q', '☺', '"☺"'],
    ['%+q', '☺', '"\\u263a"'],
    ['%10q', '⌘', '       "⌘"'],
    ['%+10q', '⌘', '  "\\u2318"'],
    ['%-10q', '⌘', '"⌘"       '],
    ['%010q', '⌘', '0000000"⌘"'],
    ['%-010q', '⌘', '"⌘"       '],
    ['%#8q', '\n', '    "\\n"'],
    ['%#-8q', '\t', '`\t`     '],
    ['%q', '\u{10ffff}', '"\\U0010ffff"'],
    ['%#q', '\u{10ffff}', '`\u{10ffff}`'],
    ['%5s', 'abc', '  abc'],
    ['%2s', '\u263a', ' ☺'],
    ['%-5s', 'abc', 'abc  '],
    ['%05s', 'abc', '00abc'],
    ['%0-5s', 'abc', 'abc  '],
    ['%5s', 'abcdefghijklmnopqrstuvwxyz', 'abcdefghijklmnopqrstuvwxyz'],
    ['%.5s', 'abcdefghijklmnopqrstuvwxyz', 'abcde'],
    ['%.0s', '日本語日本語', ''],
    ['%.5s', '日本語日本語', '日本語日本'],
    ['%.10s', '日本語日本語', '日本語日本語'],
    ['%20.5s', 'qwertyuiop', '               qwert'],
    ['%-20.5s', 'qwertyuiop', 'qwert               '],
    ['%08q', 'abc', '000"abc"'],
    ['%-8q', 'abc', '"abc"   '],
    ['%.5q', 'abcdefghijklmnopqrstuvwxyz', '"abcde"'],
    ['%.5x', 'abcdefghijklmnopqrstuvwxyz', '6162636465'],
    ['%.3q', '日本語日本語', '"日本語"'],
    ['%.1x', '日本語', 'e6'],
    ['%10.1q', '日本語日本語', '       "日"'],
    ['%2x', '', '  '],
    ['% 02x', '', '00'],
    ['%-02x', '', '  '],
    ['%8x', 'ab', '    6162'],
    ['%#8x', 'a', '    0x61'],
    ['%08x', 'a', '00000061'],
    ['%#08x', 'a', '00000x61'],
    ['% 10x', 'ab', '     61 62'],
    ['%# 10x', 'ab', ' 0x61 0x62'],
    ['%# 010x', 'ab', '00x61 0x62'],
    ['%#-10X', 'ab', '0X6162    '],
    ['%# -010X', 'ab', '0X61 0X62 '],
  ]);
});

test('integers: bases, signs, padding and precision', () => {
  checkAll([
    ['%d', 12345n, '12345'],
    ['%v', -12345n, '-12345'],
    ['%d', -9223372036854775808n, '-9223372036854775808'],
    ['%.d', 0n, ''],
    ['%.0d', 0n, ''],
    ['%6.0d', 0n, '      '],
    ['%06.0d', 0n, '      '],
    ['% d', 12345n, ' 12345'],
    ['%+d', 12345n, '+12345'],
    ['%+d', -12345n, '-12345'],
    // %+v means struct field names, not a sign.
    ['%+v', 5n, '5'],
    ['%+v', 1.5, '1.5'],
    ['%05d', 42n, '00042'],
    ['%b', 7n, '111'],
    ['%b', -6n, '-110'],
    ['%#b', 7n, '0b111'],
    ['%#b', -6n, '-0b110'],
    ['%o', 0o1234n, '1234'],
    ['%o', -0o1234n, '-1234'],
    ['%#o', 0o1234n, '01234'],
    ['%O', 0o1234n, '0o1234'],
    ['%O', -0o1234n, '-0o1234'],
    ['%#X', 0n, '0X0'],
    ['%x', 0x12abcdefn, '12abcdef'],
    ['%X', 0x12abcdefn, '12ABCDEF'],
    ['%x', -255n, '-ff'],
    ['%.20b', 7n, '00000000000000000111'],
    ['%10d', 12345n, '     12345'],
    ['%10d', -12345n, '    -12345'],
    ['%+10d', 12345n, '    +12345'],
    ['%010d', 12345n, '0000012345'],
    ['%010d', -12345n, '-000012345'],
    ['%20.8d', 1234n, '            00001234'],
    ['%20.8d', -1234n, '           -00001234'],
    ['%020.8d', 1234n, '            00001234'],
    ['%-20.8d', -1234n, '-00001234           '],
    ['%-#20.8x', 0x1234abcn, '0x01234abc          '],
    ['%-#20.8X', 0x1234abcn, '0X01234ABC          '],
    ['%-#20.8o', 0o1234n, '00001234            '],
    ['%068d', -1n, '-' + '0'.repeat(66) + '1'],
    ['%#.68x', 42n, '0x' + '0'.repeat(66) + '2a'],
  ]);
});

test('integers as characters: %c %q %U', () => {
  checkAll([
    ['%c', 0x78n, 'x'],
    ['%c', 0xe4n, 'ä'],
    ['%c', 0x672cn, '本'],
    ['%.0c', 0x2318n, '⌘'],
    ['%3c', 0x2318n, '  ⌘'],
    ['%-3c', 0x2318n, '⌘  '],
    ['%c', -1n, '\ufffd'],
    ['%c', 0xdc80n, '\ufffd'],
    ['%c', 0x110000n, '\ufffd'],
    ['%c', 0x100000000n, '\ufffd'],
    ['%q', 0n, "'\\x00'"],
    ['%q', 0x22n, `'"'`],
    ['%q', 0x27n, "'\\''"],
    ['%q', 0x60n, "'`'"],
    ['%q', 0xffn, "'ÿ'"],
    ['%+q', 0xffn, "'\\u00ff'"],
    ['%q', 0x0an, "'\\n'"],
    ['%+q', 0x263an, "'\\u263a'"],
    ['%010q', 0x2318n, "0000000'⌘'"],
    ['%+-10q', 0x2318n, "'\\u2318'  "],
    ['%q', 0xe00n, "'\\u0e00'"],
    ['%q', 0x10ffffn, "'\\U0010ffff'"],
    ['%q', -1n, "'\ufffd'"],
    ['%q', 0xfffffffffn, "'\ufffd'"],
    ['%U', 0n, 'U+0000'],
    ['%U', -1n, 'U+FFFFFFFFFFFFFFFF'],
    ['%U', 0x0an, 'U+000A'],
    ['%#U', 0x0an, 'U+000A'],
    ['%+U', 0x78n, 'U+0078'],
    ['%# U', 0x78n, "U+0078 'x'"],
    ['%#.2U', 0x78n, "U+0078 'x'"],
    ['%#U', 0x263an, "U+263A '☺'"],
    ['%#U', 0x1d6c2n, "U+1D6C2 '𝛂'"],
    ['%#14.6U', 0x2318n, "  U+002318 '⌘'"],
    ['%#-14.6U', 0x2318n, "U+002318 '⌘'  "],
    ['%#014.6U', 0x2318n, "  U+002318 '⌘'"],
  ]);
});

test('floats: %e %f %g and friends, rounding half to even on the binary value', () => {
  checkAll([
    ['%+.3e', 0.0, '+0.000e+00'],
    ['%+.3e', 1.0, '+1.000e+00'],
    ['%+.3f', -1.0, '-1.000'],
    ['%+.3F', -1.0, '-1.000'],
    ['%+07.2f', 1.0, '+001.00'],
    ['%+07.2f', -1.0, '-001.00'],
    ['%-07.2f', 1.0, '1.00   '],
    ['%-07.2f', -1.0, '-1.00  '],
    ['%+-07.2f', 1.0, '+1.00  '],
    ['%+10.2f', 1.0, '     +1.00'],
    ['% .3E', -1.0, '-1.000E+00'],
    ['% .3e', 1.0, ' 1.000e+00'],
    ['%+.3g', 0.0, '+0'],
    ['%+.3g', 1.0, '+1'],
    ['% .3g', 1.0, ' 1'],
    ['%b', 1.0, '4503599627370496p-52'],
    ['%.4b', -1.0, '-4503599627370496p-52'],
    ['%e', 1.0, '1.000000e+00'],
    ['%e', 1234.5678e3, '1.234568e+06'],
    ['%e', 1234.5678e-8, '1.234568e-05'],
    ['%e', -7.0, '-7.000000e+00'],
    ['%e', -1e-9, '-1.000000e-09'],
    ['%f', 1234.5678e3, '1234567.800000'],
    ['%f', 1234.5678e-8, '0.000012'],
    ['%f', -7.0, '-7.000000'],
    ['%f', -1e-9, '-0.000000'],
    ['%g', 1234.5678e3, '1.2345678e+06'],
    ['%g', 1234.5678e-8, '1.2345678e-05'],
    ['%g', -7.0, '-7'],
    ['%g', -1e-9, '-1e-09'],
    ['%E', 1234.5678e-8, '1.234568E-05'],
    ['%G', 1234.5678e3, '1.2345678E+06'],
    ['%G', -1e-9, '-1E-09'],
    ['%20.6e', 1.2345e3, '        1.234500e+03'],
    ['%20.8e', 1.2345e3, '      1.23450000e+03'],
    ['%20f', 1.23456789e3, '         1234.567890'],
    ['%20f', 1.23456789e-3, '            0.001235'],
    ['%20f', 12345678901.234568, '  12345678901.234568'], // Go's case writes 12345678901.23456789, the same float64
    ['%-20f', 1.23456789e3, '1234.567890         '],
    ['%20.8f', 1.23456789e-3, '          0.00123457'],
    ['%g', 1.23456789e3, '1234.56789'],
    ['%g', 1.23456789e-3, '0.00123456789'],
    ['%g', 1.23456789e20, '1.23456789e+20'],
    ['%.3g', 1234.5678, '1.23e+03'],
    ['%.68f', 1.0, '1.' + '0'.repeat(68)],
    ['%5.1f', 3.14159, '  3.1'],
    ['%.2f', 2.675, '2.67'],
    ['%.0f', 2.5, '2'],
    ['%.0f', 3.5, '4'],
    ['%.0f', 0.5, '0'],
    ['%.1f', 0.25, '0.2'],
    ['%.2f', 1.005, '1.00'],
    ['%.1f', 0.05, '0.1'],
    ['%.1e', 2.5e10, '2.5e+10'],
    ['%.0e', 2.5, '2e+00'],
    ['%.2f', 99.995, '100.00'],
    ['%.1f', -0.01, '-0.0'],
  ]);
});

test('floats: the # flag, %x hex floats, infinities and NaN', () => {
  checkAll([
    ['%#g', 1e-323, '1.00000e-323'],
    ['%#g', -1.0, '-1.00000'],
    ['%#g', 1.1, '1.10000'],
    ['%#g', 123456.0, '123456.'],
    ['%#g', 1234567.0, '1.234567e+06'],
    ['%#g', 1230000.0, '1.23000e+06'],
    ['%#g', 1000000.0, '1.00000e+06'],
    ['%#.0f', 1.0, '1.'],
    ['%#.0e', 1.0, '1.e+00'],
    ['%#.0x', 1.0, '0x1.p+00'],
    ['%#.0g', 1.0, '1.'],
    ['%#.0g', 1100000.0, '1.e+06'],
    ['%#.4f', 1.0, '1.0000'],
    ['%#.4e', 1.0, '1.0000e+00'],
    ['%#.4x', 1.0, '0x1.0000p+00'],
    ['%#.4g', 1.0, '1.000'],
    ['%#.4g', 100000.0, '1.000e+05'],
    ['%#.4g', 1.234, '1.234'],
    ['%#.4g', 0.1234, '0.1234'],
    ['%#.4g', 1.23, '1.230'],
    ['%#.4g', 0.123, '0.1230'],
    ['%#.4g', 10.2, '10.20'],
    ['%#.4g', 0.0, '0.000'],
    ['%#.4g', 0.012, '0.01200'],
    ['%#.0f', 123.0, '123.'],
    ['%#.0e', 123.0, '1.e+02'],
    ['%#.0x', 123.0, '0x1.p+07'],
    ['%#.0g', 123.0, '1.e+02'],
    ['%#.4e', 123.0, '1.2300e+02'],
    ['%#.4x', 123.0, '0x1.ec00p+06'],
    ['%#.4g', 123.0, '123.0'],
    ['%#.4g', 123000.0, '1.230e+05'],
    ['%#9.4g', 1.0, '    1.000'],
    ['%#b', 1.0, '4503599627370496p-52'],
    ['%+.3x', 0.0, '+0x0.000p+00'],
    ['%+.3x', 1.0, '+0x1.000p+00'],
    ['% .3X', -1.0, '-0X1.000P+00'],
    ['% .3x', 1.0, ' 0x1.000p+00'],
    ['%x', 1.0, '0x1p+00'],
    ['%X', 255.5, '0X1.FFP+07'],
    ['%f', Infinity, '+Inf'],
    ['%.1f', -Infinity, '-Inf'],
    ['% f', NaN, ' NaN'],
    ['%20f', Infinity, '                +Inf'],
    ['% 20F', Infinity, '                 Inf'],
    ['% 20e', -Infinity, '                -Inf'],
    ['%+20E', -Infinity, '                -Inf'],
    ['%+-20G', Infinity, '+Inf                '],
    ['%20e', NaN, '                 NaN'],
    ['% +20E', NaN, '                +NaN'],
    ['% -20g', NaN, ' NaN                '],
    ['%+020e', Infinity, '                +Inf'],
    ['%-020f', -Infinity, '-Inf                '],
    ['%-020E', NaN, 'NaN                 '],
  ]);
  const cLikePadding: [string, string, string][] = [
    ['%.2f', '1.00', '-1.00'],
    ['% .2f', ' 1.00', '-1.00'],
    ['%+.2f', '+1.00', '-1.00'],
    ['%7.2f', '   1.00', '  -1.00'],
    ['% 7.2f', '   1.00', '  -1.00'],
    ['%+7.2f', '  +1.00', '  -1.00'],
    ['%07.2f', '0001.00', '-001.00'],
    ['% 07.2f', ' 001.00', '-001.00'],
    ['%+07.2f', '+001.00', '-001.00'],
    ['% +07.2f', '+001.00', '-001.00'],
  ];
  for (const [format, positive, negative] of cLikePadding) {
    assert.is(sprintf(format, [1.0]), positive, format);
    assert.is(sprintf(format, [-1.0]), negative, format);
  }
});

test('bools, %T and %%', () => {
  checkAll([
    ['%t', true, 'true'],
    ['%v', false, 'false'],
    ['%-7t|', true, 'true   |'],
    ['%T', 1n, 'int'],
    ['%T', 1.5, 'float64'],
    ['%T', 'a', 'string'],
    ['%T', true, 'bool'],
    ['%T', [], '[]interface {}'],
    ['%T', {}, 'map[string]interface {}'],
    ['%T', new Date(0), 'time.Time'],
    ['%T', null, '<nil>'],
    ['%10T', null, '     <nil>'],
    ['%-10T', null, '<nil>     '],
    ['%10v', null, '     <nil>'],
    ['%-10v', null, '<nil>     '],
    ['%6.2f%%', 99.5, ' 99.50%'],
    ['%5%|%d', 1n, '%|1'],
  ]);
});

test('lists and maps take the verb and flags element by element', () => {
  checkAll([
    ['%s', ['a', 'b'], '[a b]'],
    ['%d', [1n, 2n], '[1 2]'],
    ['%#x', [1n, 2n, 15n], '[0x1 0x2 0xf]'],
    ['%x', [1n, 2n, 15n], '[1 2 f]'],
    ['%q', ['a', 'b'], '["a" "b"]'],
    ['%5v', ['a', 1n], '[    a     1]'],
    ['%06v', [10.0, 10n], '[000010 000010]'],
    ['%06v', [-10.0, 10n], '[-00010 000010]'],
    ['%03.6v', [1n, 2.0, 'x'], '[000001 002 00x]'],
    ['%03.0v', [0n, 2.0, 'x'], '[    002 000]'],
    ['%d', [1n, null, 'a'], '[1 <nil> %!d(string=a)]'],
    ['%s', [1n], '[%!s(int=1)]'],
    ['%d', { a: 1n, b: 'x' }, 'map[%!d(string=a):1 %!d(string=b):%!d(string=x)]'],
    ['%v', { b: 1n, a: [1n, null, 'x'], c: {} }, 'map[a:[1 <nil> x] b:1 c:map[]]'],
    ['%+v', { a: [1n] }, 'map[a:[1]]'],
  ]);
});

test('%#v prints Go syntax', () => {
  checkAll([
    ['%#v', 'foo', '"foo"'],
    ['%#v', 1000000000n, '1000000000'],
    ['%#v', 1.0, '1'],
    ['%#v', 1000000.0, '1e+06'],
    ['%#v', 1.2345678, '1.2345678'],
    ['%#v', null, '<nil>'],
    ['%#v', [], '[]interface {}{}'],
    ['%#v', [1n, 'hello', 2.5, null], '[]interface {}{1, "hello", 2.5, interface {}(nil)}'],
    ['%#v', { b: 1n, a: ['x'] }, 'map[string]interface {}{"a":[]interface {}{"x"}, "b":1}'],
  ]);
});

test('wrong verbs, missing and extra operands, as Go reports them', () => {
  checkAll([
    ['%d', 2.5, '%!d(float64=2.5)'],
    ['%d', 'hello', '%!d(string=hello)'],
    ['%s', 5n, '%!s(int=5)'],
    ['%s', true, '%!s(bool=true)'],
    ['%t', 'a', '%!t(string=a)'],
    ['%5t', 'a', '%!t(string=    a)'],
    ['%d', null, '%!d(<nil>)'],
    ['%☠', null, '%!☠(<nil>)'],
    ['%☠', 0n, '%!☠(int=0)'],
    ['%☠', 'hello', '%!☠(string=hello)'],
    ['%☠', 1.2345678, '%!☠(float64=1.2345678)'],
    ['%z', [1n], '[%!z(int=1)]'],
    ['%p', 27n, '%!p(int=27)'],
    ['%p', null, '%!p(<nil>)'],
    ['%.', 3n, '%!.(int=3)'],
    ['%s %', 'hello', 'hello %!(NOVERB)'],
    ['%s %.2', 'hello', 'hello %!(NOVERB)'],
    ['%010.2', '12345', '%!(NOVERB)%!(EXTRA string=12345)'],
    ['%017091901790959340919092959340919017929593813360', 0n, '%!(NOVERB)%!(EXTRA int=0)'],
    ['', null, '%!(EXTRA <nil>)'],
    ['', 2n, '%!(EXTRA int=2)'],
    ['no args', 'hello', 'no args%!(EXTRA string=hello)'],
  ]);
  assert.is(sprintf('%d', []), '%!d(MISSING)');
  assert.is(sprintf('%d %s', [1n]), '1 %!s(MISSING)');
  assert.is(sprintf('%d', [1n, 'a', null, [2n]]), '1%!(EXTRA string=a, <nil>, []interface {}=[2])');
});

test('* widths and precisions, and explicit operand indexes', () => {
  const cases: [string, GoValue[], string][] = [
    ['%*d|%-*d|%.*f', [5n, 1n, 3n, 2n, 2n, 3.14159], '    1|2  |3.14'],
    ['%*d', [-4n, 7n], '7   '],
    ['%*d', [2.5, 7n], '%!(BADWIDTH)7'],
    ['%.*d', ['x', 7n], '%!(BADPREC)7'],
    ['%.*d', [-1n, 7n], '%!(BADPREC)7'],
    ['%*d', [10000000n, 7n], '%!(BADWIDTH)7'],
    ['%[1]d', [1n], '1'],
    ['%[2]d', [2n, 1n], '1'],
    ['%[2]d %[1]d', [1n, 2n], '2 1'],
    ['%[2]*[1]d', [2n, 5n], '    2'],
    ['%[3]*.[2]*[1]f', [12.0, 2n, 6n], ' 12.00'],
    ['%[1]*.[2]*[3]f', [6n, 2n, 12.0], ' 12.00'],
    ['%[1]*[3]f', [10n, 99n, 12.0], ' 12.000000'],
    ['%.[1]*[3]f', [6n, 99n, 12.0], '12.000000'],
    ['%6.f', [12.0], '    12'],
    ['%[1]*.[3]f', [6n, 3n, 12.0], '    12'],
    ['%d %d %d %#[1]o %#o %#o', [11n, 12n, 13n], '11 12 13 013 014 015'],
    ['%[d', [2n, 1n], '%!d(BADINDEX)'],
    ['%]d', [2n, 1n], '%!](int=2)d%!(EXTRA int=1)'],
    ['%[]d', [2n, 1n], '%!d(BADINDEX)'],
    ['%[-3]d', [2n, 1n], '%!d(BADINDEX)'],
    ['%[99]d', [2n, 1n], '%!d(BADINDEX)'],
    ['%[3]', [2n, 1n], '%!(NOVERB)'],
    ['%[1].2d', [5n, 6n], '%!d(BADINDEX)'],
    ['%[1]2d', [2n, 1n], '%!d(BADINDEX)'],
    ['%3.[2]d', [7n], '%!d(BADINDEX)'],
    ['%.[2]d', [7n], '%!d(BADINDEX)'],
    ['%d %d %d %#[1]o %#o %#o %#o', [11n, 12n, 13n], '11 12 13 013 014 015 %!o(MISSING)'],
    ['%[5]d %[2]d %d', [1n, 2n, 3n], '%!d(BADINDEX) 2 3'],
    ['%d %[3]d %d', [1n, 2n], '1 %!d(BADINDEX) 2'],
    ['%.[]', [], '%!](BADINDEX)'],
    ['%.-3d', [42n], '%!-(int=42)3d'],
    ['%2147483648d', [42n], '%!(NOVERB)%!(EXTRA int=42)'],
    ['%-2147483648d', [42n], '%!(NOVERB)%!(EXTRA int=42)'],
    ['%.2147483648d', [42n], '%!(NOVERB)%!(EXTRA int=42)'],
  ];
  for (const [format, args, want] of cases) assert.is(sprintf(format, args), want, format);
});

test.run();
