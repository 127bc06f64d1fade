// ESLint flat config: typescript-eslint for .ts, eslint-plugin-svelte for .svelte / .svelte.ts.
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';
import tseslint from 'typescript-eslint';

// ---- Layers: imports point downward only (README "Layout"; src-main/engine/README.md for the engine). ----

const ENGINE_FOLDERS = [
  'onnx',
  'random',
  'autodiff',
  'optim',
  'dropout',
  'step-graph',
  'model',
  'runtime',
  'trainer',
  'infer',
  'tokenizer',
  'metrics',
];
/** What each engine folder may import from its siblings; everything else is above it or beside it. */
const ENGINE_ALLOWED = {
  onnx: [],
  random: [],
  tokenizer: [],
  metrics: [],
  optim: ['onnx'],
  dropout: ['onnx'],
  autodiff: ['onnx', 'random'],
  'step-graph': ['onnx', 'random', 'autodiff', 'optim', 'dropout'],
  model: ['onnx', 'random', 'autodiff', 'optim', 'dropout', 'step-graph', 'tokenizer'],
  runtime: ['onnx', 'optim', 'dropout', 'step-graph'],
  trainer: ['onnx', 'random', 'autodiff', 'optim', 'dropout', 'step-graph', 'model', 'runtime', 'tokenizer', 'metrics'],
  infer: ['onnx', 'random', 'autodiff', 'optim', 'dropout', 'step-graph', 'model', 'runtime', 'tokenizer', 'metrics'],
};
const upTo3 = (name) => ['../', '../../', '../../../'].flatMap((up) => [`${up}${name}`, `${up}${name}/*`]);
const TESTS = ['**/*.test.ts', '**/testing.ts', '**/testing/**', '**/fixtures/**'];
const TRANSPORTS = ['server', 'cli', 'electron'];

/** One pattern group of no-restricted-imports: `folders` (relative, up to 3 levels up) are off limits. */
const forbidFolders = (folders, message) => ({ group: folders.flatMap(upTo3), message });

// Outside the engine, an engine folder is used through its index (its deliberate public surface).
// autodiff/check is the gradient-check harness: test tooling, like a testing/ folder.
const ENGINE_BY_INDEX = {
  group: ['**/engine/*/*', '!**/engine/*/testing', '!**/engine/*/testing/*', '!**/engine/autodiff/check'],
  message: "Import the engine through a folder's index (e.g. '../engine/runtime'), not a file inside it.",
};
const SIBLING_BY_INDEX = {
  group: ['../*/*', '!../*/testing', '!../*/testing/*'],
  message: "Import a sibling engine folder through its index ('../runtime'), not a file inside it.",
};

/** A block whose files get exactly these patterns (flat config replaces, not merges, a rule's options). */
const restrict = (files, patterns) => ({
  files,
  ignores: TESTS,
  rules: { 'no-restricted-imports': ['error', { patterns }] },
});

const engineLayers = Object.entries(ENGINE_ALLOWED).flatMap(([folder, allowed]) => {
  const forbidden = forbidFolders(
    [...ENGINE_FOLDERS.filter((f) => f !== folder && !allowed.includes(f)), 'data', 'store', 'services', ...TRANSPORTS],
    `engine/${folder} may import only ${allowed.join(', ') || 'nothing from other engine folders'} (see src-main/engine/README.md); the engine imports nothing outside itself.`,
  );
  return [
    restrict([`src-main/engine/${folder}/*.ts`], [forbidden, SIBLING_BY_INDEX]),
    restrict([`src-main/engine/${folder}/*/**/*.ts`], [forbidden]),
  ];
});

const layers = [
  ...engineLayers,
  restrict(
    ['src-main/data/**/*.ts'],
    [
      forbidFolders(['store', 'services', ...TRANSPORTS], 'data/ sits below store, services and the transports.'),
      ENGINE_BY_INDEX,
    ],
  ),
  restrict(
    ['src-main/store/**/*.ts'],
    [
      forbidFolders(
        ['data', 'services', ...TRANSPORTS],
        'store/ sits below services and the transports, beside data/.',
      ),
      ENGINE_BY_INDEX,
    ],
  ),
  restrict(
    ['src-main/services/**/*.ts'],
    [forbidFolders(TRANSPORTS, 'services/ sit below the transports (server, cli, electron).'), ENGINE_BY_INDEX],
  ),
  restrict(
    ['src-main/server/**/*.ts'],
    [
      forbidFolders(['cli', 'electron'], 'server/ is a transport: it may use services, not the other transports.'),
      ENGINE_BY_INDEX,
    ],
  ),
  restrict(
    ['src-main/cli/**/*.ts', 'src-main/electron/**/*.ts', 'bench/**/*.ts', 'scripts/**/*.ts', 'e2e/**/*.ts'],
    [ENGINE_BY_INDEX],
  ),
  {
    files: ['src-renderer/**/*.ts', 'src-renderer/**/*.svelte'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/src-main/**'],
              message: 'The renderer talks to the API contract only (src-preload/contract).',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src-preload/contract/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [{ regex: '^(?!\\./[^/]+$)', message: 'Contract files import only sibling contract files (./x).' }],
        },
      ],
    },
  },
];

export default defineConfig(
  {
    ignores: [
      'out/**',
      'dist/**',
      'node_modules/**',
      '.venv/**',
      'coverage/**',
      'e2e/screenshots/**',
      'test-results/**',
      'bench/results/**',
      '.tmp/**',
      'runs/**',
    ],
  },
  js.configs.recommended,
  tseslint.configs.recommended,
  svelte.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      eqeqeq: ['error', 'always'],
      'no-console': 'off',
    },
  },
  {
    files: ['src-renderer/**'],
    languageOptions: { globals: { ...globals.browser } },
  },
  ...layers,
  {
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: {
      parserOptions: { parser: tseslint.parser, extraFileExtensions: ['.svelte'] },
    },
  },
);
