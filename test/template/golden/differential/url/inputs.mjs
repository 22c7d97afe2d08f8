// The inputs of the url differential test (see main.go): random but fixed (a seeded generator).

let seed = 99;
const rnd = (n) => {
  seed = (seed * 1103515245 + 12345) & 0x7fffffff;
  return seed % n;
};
const parts = [
  'http',
  'HTTPS',
  'mailto',
  ':',
  '//',
  '/',
  '?',
  '#',
  '@',
  'user',
  ':pw',
  'host',
  '.com',
  ':80',
  ':x',
  '[::1]',
  '%20',
  '%zz',
  '%41',
  '%2f',
  ' ',
  'é',
  'a=b&c=d',
  '+',
  '*',
  '.',
  '..',
  'x',
  '%25',
  '[',
  ']',
  '!',
  '$',
  ';',
  ',',
  '~',
  '%e9',
  '%ff',
  '\\',
];
const out = [];
for (let i = 0; i < 600; i++) {
  let s = '';
  const n = rnd(9);
  for (let k = 0; k < n; k++) s += parts[rnd(parts.length)];
  out.push(JSON.stringify(s));
}
console.log(out.join('\n'));
