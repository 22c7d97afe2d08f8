// The inputs of the strings differential test (see main.go): random but fixed (a seeded generator).

let seed = 777;
const rnd = (n) => {
  seed = (seed * 1103515245 + 12345) & 0x7fffffff;
  return seed % n;
};
const chars = [
  'a',
  'b',
  'Z',
  'Q',
  ' ',
  '  ',
  '\t',
  '\n',
  '_',
  '-',
  '.',
  '1',
  '9',
  'é',
  'É',
  'ß',
  'ǅ',
  'ǆ',
  'Σ',
  'ς',
  'İ',
  'ı',
  'ﬁ',
  '😀',
  '中',
  '文',
  'Ⅻ',
  '²',
  '٣',
  '!',
  '?',
  '\u00a0',
  '\u3000',
  'ᾳ',
  'ა',
  'K',
  'µ',
  'ÿ',
  'Ÿ',
  'ŉ',
  '"',
  "'",
  '\\',
  '\u0085',
  '\u200b',
  'Ǳ',
  'ǲ',
  'ǳ',
  'HTTP',
  'Server',
  'x2',
  'ID',
  'aB',
  '\ufffd',
];
const str = () => {
  let s = '';
  const n = rnd(10);
  for (let i = 0; i < n; i++) s += chars[rnd(chars.length)];
  return s;
};
const fns1 = [
  'upper',
  'lower',
  'title',
  'untitle',
  'trim',
  'nospace',
  'initials',
  'swapcase',
  'snakecase',
  'camelcase',
  'kebabcase',
  'b64enc',
  'b32enc',
  'base',
  'dir',
  'clean',
  'ext',
  'quote',
];
const lines = [];
for (let i = 0; i < 1500; i++) {
  const r = rnd(10);
  if (r < 6) lines.push({ F: fns1[rnd(fns1.length)], Args: [str()] });
  else if (r === 6) lines.push({ F: ['wrap', 'abbrev', 'trunc', 'indent', 'repeat'][rnd(5)], Args: [rnd(14) - 3, str() + str()] });
  else if (r === 7) lines.push({ F: ['wrapWith'][0], Args: [rnd(8) - 1, ['|', '', ' ', '\n'][rnd(4)], str() + str()] });
  else if (r === 8) lines.push({ F: ['abbrevboth', 'substr'][rnd(2)], Args: [rnd(14) - 3, rnd(14) - 3, str() + str()] });
  else lines.push({ F: ['trimAll', 'trimPrefix', 'trimSuffix', 'contains', 'hasPrefix', 'replace'][rnd(5)], Args: [str().slice(0, 3), str()] });
}
for (const l of lines) if (l.F === 'replace') l.Args = [l.Args[0], '-', l.Args[1]];
console.log(lines.map((l) => JSON.stringify(l)).join('\n'));
