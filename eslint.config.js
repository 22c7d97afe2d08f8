// ESLint's and typescript-eslint's recommended rules, the type-checked ones included, over
// src, test, scripts, bench and images (tsconfig.eslint.json gives the types; test/api reads
// dist/api's declarations, so run `npm run build` first). Every departure from the
// recommended sets is below, with its reason; docs/DESIGN-CHOICES.md says why this tool set.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// What Node defines for plain JavaScript (scripts/, bench/, the golden generators): the
// TypeScript sources get them from @types/node through the type checker instead.
const nodeGlobals = Object.fromEntries(
  [
    'process',
    'console',
    'performance',
    'Buffer',
    'URL',
    'setTimeout',
    'clearTimeout',
    'setInterval',
    'clearInterval',
    'setImmediate',
    'queueMicrotask',
    'structuredClone',
  ].map((name) => [name, 'readonly']),
);

export default tseslint.config(
  // What git ignores and generates: build output, benchmark scratch (bench/work/ holds compiled copies of src/), coverage.
  { ignores: ['dist/**', 'node_modules/**', 'bench/work/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { project: './tsconfig.eslint.json', tsconfigRootDir: import.meta.dirname } },
    rules: {
      // The underscore marks a binding kept on purpose, as tsc's noUnusedParameters already
      // accepts: a parameter an interface imposes, or a property destructured out so that the
      // rest (`...flat`) lacks it.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true }],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    languageOptions: { globals: nodeGlobals },
  },
  {
    // bench/build-profile-hook.cjs and .dependency-cruiser.cjs are CommonJS: the hook is preloaded with node --require before any ES module
    // loader exists, and dependency-cruiser loads its configuration with require().
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { require: 'readonly', module: 'writable' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // Tests hand async callbacks to APIs that take a promise (writeOutput, withProgress, a
    // Command's run); an async function with nothing to await is the plain way to write one.
    files: ['test/**'],
    rules: { '@typescript-eslint/require-await': 'off' },
  },
);
