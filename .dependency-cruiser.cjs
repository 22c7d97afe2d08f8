// The layering of src/ (docs/ARCHITECTURE.md), checked by `npm run lint:deps`:
// imports only point down, no workflow imports another, no folder cycle, no orphan module.

/** The layers, bottom first: a folder may import its own layer's folders (without a cycle) and lower ones. */
const LAYERS = [
  { name: 'base', folders: ['util', 'errors.ts'] },
  { name: 'formats', folders: ['image', 'archive', 'template', 'aci'] },
  { name: 'store and drivers', folders: ['store', 'layers'] },
  { name: 'mechanisms', folders: ['container', 'ostree', 'registry', 'openpgp', 'rootless'] },
  { name: 'workflows', folders: ['derive', 'fetch', 'export', 'import', 'job', 'runtime', 'upload', 'flatpak', 'portable'] },
  { name: 'entry points', folders: ['cli', 'api', 'script'] },
];
const WORKFLOWS = LAYERS.find((l) => l.name === 'workflows').folders;

/** @param {string[]} folders */
const under = (folders) => `^src/(${folders.join('|').replace(/\./g, '\\.')})(/|$)`;

// Started by name, not imported: the bundle's entry points (scripts/build.mjs).
const ENTRY_POINTS = [
  '^src/cli/main\\.ts$',
  '^src/cli/boot\\.ts$',
  '^src/aci/hash-worker\\.ts$',
  '^src/archive/device-filter\\.ts$',
  '^src/script/runner\\.ts$',
  '^src/api/index\\.ts$',
];

const upward = LAYERS.slice(0, -1).map((layer, i) => ({
  name: `no-upward-from-${layer.name.replace(/ /g, '-')}`,
  comment: `the ${layer.name} layer imports only its own layer and the ones below it`,
  severity: 'error',
  from: { path: under(layer.folders) },
  to: { path: under(LAYERS.slice(i + 1).flatMap((l) => l.folders)) },
}));

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    ...upward,
    {
      name: 'in-a-layer',
      comment: 'every folder of src/ has its place in LAYERS (and docs/ARCHITECTURE.md)',
      severity: 'error',
      from: { path: '^src/', pathNot: under(LAYERS.flatMap((l) => l.folders)) },
      to: {},
    },
    {
      name: 'no-workflow-to-workflow',
      comment: 'a workflow shares code with another only through the layers below',
      severity: 'error',
      from: { path: `^src/(${WORKFLOWS.join('|')})/` },
      to: { path: under(WORKFLOWS), pathNot: '^src/$1/' },
    },
    {
      name: 'no-folder-cycle',
      comment: 'folders depend on each other one way only',
      severity: 'error',
      scope: 'folder',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'no-module-cycle',
      comment: 'modules depend on each other one way only (a type-only import back is harmless: it is erased)',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
    {
      name: 'no-orphans',
      comment: 'a module nothing imports is dead code (entry points are started by name)',
      severity: 'error',
      from: { orphan: true, path: '^src/', pathNot: ENTRY_POINTS },
      to: {},
    },
    {
      name: 'no-unresolvable',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
  },
};
