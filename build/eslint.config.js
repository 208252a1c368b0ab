// ESLint flat config: recommended rule sets, Prettier's formatting check, and the layer rule
// (docs/architecture.md, "Layers").
import js from '@eslint/js';
import { defineConfig, globalIgnores } from 'eslint/config';
import vue from 'eslint-plugin-vue';
import { builtinModules } from 'node:module';
import tseslint from 'typescript-eslint';

/**
 * Layers (docs/architecture.md), in the spirit of VS Code's code-layering rule:
 *   common   imports nothing else (no node:*, no electron, no vue);
 *   node     imports common;
 *   main     imports node and common;
 *   preload  imports only types from common (and 'electron');
 *   renderer imports only from common.
 */
const LAYERS = {
  'electron/common': {
    bare: ['electron', 'node', 'ui'],
    dirs: ['electron/node', 'electron/main', 'electron/preload', 'renderer'],
  },
  'electron/node': { bare: ['electron', 'ui'], dirs: ['electron/main', 'electron/preload', 'renderer'] },
  'electron/main': { bare: ['ui'], dirs: ['electron/preload', 'renderer'] },
  'electron/preload': {
    bare: ['node', 'ui'],
    dirs: ['electron/node', 'electron/main', 'renderer'],
    typesOnly: ['electron/common'],
  },
  renderer: { bare: ['electron', 'node'], dirs: ['electron/node', 'electron/main', 'electron/preload'] },
};

/** Package imports by name (exact names, so `./events` is not mistaken for Node's `events`). */
const BARE = {
  electron: {
    names: ['electron', 'electron/main', 'electron/common', 'electron/renderer', 'electron/utility'],
    message: 'Only electron/main and electron/preload may import Electron.',
  },
  node: {
    names: builtinModules,
    pattern: '^node:',
    message: 'Node built-ins belong in electron/node or electron/main.',
  },
  ui: { names: ['vue', 'pinia'], pattern: '^@vue/', message: 'Vue and Pinia belong in renderer/.' },
};

/** The package.json `imports` alias of each layer folder (`#common/…` is electron/common/…). */
const ALIAS = {
  'electron/common': '#common',
  'electron/node': '#node',
  'electron/main': '#main',
  'electron/preload': '#preload',
  renderer: '#renderer',
};
const aliasRegex = (to) => `^${escape(ALIAS[to])}(?:/|$)`;

const MAX_DEPTH = 8;
const escape = (s) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/**
 * Relative imports are caught exactly: for a file `depth` folders below `from`, the only spelling
 * that reaches folder `to` climbs a known number of `../` and then names the rest of `to`. Matching
 * that (not just "/main/" anywhere) keeps `./main` inside electron/node/cli legal.
 */
function relativeRegex(from, depth, to) {
  const a = from.split('/');
  const b = to.split('/');
  let common = 0;
  while (common < a.length && a[common] === b[common]) common++;
  const ups = a.length - common + depth;
  return `^(?:\\.\\./){${ups}}${escape(b.slice(common).join('/'))}(?:/|$)`;
}

function layerConfigs() {
  const configs = [];
  for (const [from, rule] of Object.entries(LAYERS)) {
    for (let depth = 0; depth <= MAX_DEPTH; depth++) {
      const paths = rule.bare.flatMap((k) => BARE[k].names.map((name) => ({ name, message: BARE[k].message })));
      const patterns = [
        ...rule.bare.filter((k) => BARE[k].pattern).map((k) => ({ regex: BARE[k].pattern, message: BARE[k].message })),
        ...rule.dirs.flatMap((to) =>
          [relativeRegex(from, depth, to), aliasRegex(to)].map((regex) => ({
            regex,
            message: `${from} must not import ${to} (layering, docs/architecture.md).`,
          })),
        ),
        ...(rule.typesOnly ?? []).flatMap((to) =>
          [relativeRegex(from, depth, to), aliasRegex(to)].map((regex) => ({
            regex,
            allowTypeImports: true,
            message: `${from} may import only types from ${to} (use \`import type\`).`,
          })),
        ),
      ];
      configs.push({
        files: [`${from}/${'*/'.repeat(depth)}*.{ts,vue,js,mjs,cjs}`],
        rules: { '@typescript-eslint/no-restricted-imports': ['error', { paths, patterns }] },
      });
    }
  }
  return configs;
}

export default defineConfig([
  globalIgnores(['node_modules/', 'out/', 'dist/', 'coverage/', '.lab/', 'test-results/', 'docs/']),
  js.configs.recommended,
  ...tseslint.configs.recommended,
  ...vue.configs['flat/essential'],
  {
    files: ['**/*.vue'],
    languageOptions: { parserOptions: { parser: tseslint.parser } },
  },
  {
    rules: {
      // TypeScript checks names itself; for the few plain .js/.mjs files Node globals are assumed.
      'no-undef': 'off',
      // Best-effort cleanup (`try { kill() } catch {}`) is a normal idiom.
      'no-empty': ['error', { allowEmptyCatch: true }],
      // Validators deliberately match control characters to refuse them.
      'no-control-regex': 'off',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' },
      ],
    },
  },
  {
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  ...layerConfigs(),
]);
