// ESLint (flat config): the recommended rules, light enough for the code as it is, and the rule
// that keeps workflow code deterministic: no Node built-ins, no I/O modules, activities as types.
import { builtinModules } from 'node:module';
import js from '@eslint/js';
import boundaries from 'eslint-plugin-boundaries';
import tseslint from 'typescript-eslint';

const nodeGlobals = Object.fromEntries(
  ['process', 'console', 'Buffer', 'URL', 'URLSearchParams', 'fetch', 'setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'require', 'module', '__dirname', 'AbortSignal', 'TextEncoder', 'TextDecoder']
    .map((name) => [name, 'readonly']),
);

/** Modules a workflow may not import: they do I/O, or are not deterministic under replay. */
const IO_MODULES = [
  ...builtinModules.filter((m) => !m.startsWith('_')),
  'mongodb', 'sharp', 'onnxruntime-node', 'onnxruntime-web', 'tesseract.js', 'exifr', 'express', 'pino', 'aws4fetch',
  '@tensorflow/tfjs', '@tensorflow/tfjs-node', '@tensorflow/tfjs-backend-wasm', '@techstark/opencv-js', '@vladmandic/human',
  '@temporalio/client', '@temporalio/worker', '@temporalio/activity',
];
const WORKFLOW_MESSAGE = 'workflow code must be deterministic: no Node built-ins or I/O (use an activity)';

/**
 * The layers, lowest first, and what each may import (its own folder always). An arrow up (a
 * store importing a use case, core importing the store) does not lint. `types` may be imported
 * as types only: clients name the workflows they start, the engine's protocol names model results.
 * docs/architecture.md draws the same picture.
 */
const LAYERS = {
  core: { may: [] },
  where: { may: ['core'] },
  hashsets: { may: ['core'] },
  models: { may: ['core', 'where'] },
  blobs: { may: ['core'] },
  store: { may: ['core', 'where', 'hashsets'] },
  // Derived indexes over the store's descriptors (image regions): rebuilt from it, never the truth.
  vectors: { may: ['core', 'models', 'store'] },
  engine: { may: ['core', 'models'] },
  client: { may: ['core'], types: ['workflows'] },
  usecases: { may: ['core', 'where', 'hashsets', 'models', 'blobs', 'store', 'client', 'vectors'], types: ['engine', 'workflows'] },
  activities: { may: ['core', 'where', 'hashsets', 'models', 'blobs', 'store', 'engine', 'usecases', 'vectors'] },
  workflows: { may: ['core'], types: ['activities'] },
  services: { may: ['core'] },
  worker: { may: ['core', 'models', 'blobs', 'store', 'engine', 'activities', 'services', 'client', 'vectors'] },
  api: { may: ['core', 'where', 'models', 'blobs', 'store', 'client', 'usecases', 'vectors'], types: ['workflows'] },
  cli: { may: ['core', 'where', 'hashsets', 'models', 'blobs', 'store', 'client', 'usecases', 'services', 'vectors'], types: ['workflows'] },
  web: { may: ['core', 'where'] },
};
const layerPolicies = Object.entries(LAYERS).map(([layer, { may, types = [] }]) => ({
  from: { element: { type: layer } },
  allow: [
    { to: { element: { types: { anyOf: [layer, ...may] } } } },
    ...(types.length ? [{ to: { element: { types: { anyOf: types } } }, dependency: { kind: 'type' } }] : []),
  ],
}));

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.data/**', '.tools/**', 'tests/.tmp/**', 'bench/out/**', 'screenshots/**', 'eval/source/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: nodeGlobals },
    rules: {
      // `_`-prefixed names are deliberately unused (destructuring something away, Express's arity).
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true }],
      // Package versions are read with require('<pkg>/package.json').
      '@typescript-eslint/no-require-imports': 'off',
    },
  },
  {
    files: Object.keys(LAYERS).map((l) => (l === 'web' ? 'web/src/**/*.ts' : `${l}/**/*.ts`)),
    plugins: { boundaries },
    settings: {
      'import/resolver': { node: { extensions: ['.ts', '.js', '.json'] } },
      'boundaries/elements': Object.keys(LAYERS).map((l) => ({ type: l, pattern: l === 'web' ? 'web/src' : l })),
    },
    rules: {
      'boundaries/dependencies': ['error', { default: 'disallow', policies: layerPolicies }],
      // A file outside every layer (a new top-level folder, bench/, eval/, tests/) is not importable.
      'boundaries/no-unknown': 'error',
    },
  },
  // Tests read JSON answers loosely on purpose.
  { files: ['tests/**/*.ts'], rules: { '@typescript-eslint/no-explicit-any': 'off' } },
  {
    files: ['workflows/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', {
        paths: IO_MODULES.map((name) => ({ name, message: WORKFLOW_MESSAGE })),
        patterns: [
          { group: ['node:*'], message: WORKFLOW_MESSAGE },
          // What workers and processes run: types only (proxyActivities<typeof activities>).
          {
            group: ['**/activities', '**/activities/*', '**/store', '**/store/*', '**/blobs', '**/blobs/*', '**/models', '**/models/*', '**/engine', '**/engine/*', '**/client', '**/client/*', '**/services/*', '**/api/*', '**/worker/*', '**/cli/*', '**/core/config', '**/core/log', '**/core/project-root'],
            allowTypeImports: true,
            message: 'workflows import activities, stores and models as types only',
          },
        ],
      }],
    },
  },
);
