// The inputs of the regexp differential test (see main.go): random but fixed (a seeded generator).

// random patterns over a small alphabet
let seed = 12345;
const rnd = (n) => {
  seed = (seed * 1103515245 + 12345) & 0x7fffffff;
  return seed % n;
};
const atoms = [
  'a',
  'b',
  'é',
  '😀',
  '.',
  '\\w',
  '\\d',
  '\\s',
  '\\b',
  '^',
  '$',
  '(?:a|b)',
  '[a-c]',
  '[^a]',
  '\\pL',
  'x',
  '(a)',
  '(?P<n>b)',
  '(?i)A',
  '\\z',
  '\\A',
  '(?m)^',
  '(?s).',
  '[é😀]',
  '\\B',
];
const quants = ['', '', '', '*', '+', '?', '*?', '+?', '{2}', '{1,3}', '{0,}'];
function pat(d = 0) {
  let s = '';
  const n = 1 + rnd(4);
  for (let i = 0; i < n; i++) {
    let a = atoms[rnd(atoms.length)];
    if (d < 2 && rnd(5) === 0) a = '(' + pat(d + 1) + (rnd(2) ? '|' + pat(d + 1) : '') + ')';
    s += a + quants[rnd(quants.length)];
  }
  return s;
}
const chars = ['a', 'b', 'a', 'é', '😀', ' ', '\n', 'x', '1', 'A', 'B', '_'];
const repls = ['-', '$1', '${1}x', '$n', '${n}', '$$', '$', '<$0>', '${2}', '$1a', '$01'];
const lines = [];
for (let i = 0; i < 500; i++) {
  let s = '';
  const len = rnd(12);
  for (let k = 0; k < len; k++) s += chars[rnd(chars.length)];
  const ns = [-1, -1, 0, 1, 2, 3];
  lines.push(JSON.stringify({ P: pat(), S: s, R: repls[rnd(repls.length)], N: ns[rnd(ns.length)] }));
}
// error patterns
for (const p of [
  '(',
  ')',
  'a**',
  '[z-a]',
  '\\8',
  '(?<x>a)',
  '(?<=a)',
  '(?=a)',
  '(?!a)',
  'x{1001}',
  '(?P<a>x)(?P<a>y)',
  '[[:nope:]]',
  '\\p{Nope}',
  'a{,5}',
  '(?i)(?-i)a',
  '(?i-s:a.)',
  '\\Q(?<\\E',
  '[(?<]',
  'x{2}{3}',
  '(?P<n',
  '(?P<n>',
  '(?P=n)',
  '\\C',
  '\\X',
  'a\\',
  '[a',
  '[]a]',
  '[^]a]',
  '(?:',
  '*',
  '(|)',
  '(?P<é>a)',
])
  lines.push(JSON.stringify({ P: p, S: 'ab', R: '-', N: -1 }));
console.log(lines.join('\n'));
