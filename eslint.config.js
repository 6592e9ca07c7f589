import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'out/**', 'node_modules/**', 'test-results/**', '.profiles/**', 'build/**', 'tests/bench/scratch/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      'no-restricted-imports': ['error', { paths: [{ name: 'electron', message: 'Only main/app and preload may import electron.' }] }],
    },
  },
  {
    files: ['main/app/**', 'preload/**', 'tests/e2e/**'],
    ignores: ['main/app/policy.ts', 'main/app/csp.ts', 'main/app/serve.ts', 'main/app/stage.ts', 'preload/bridge.ts'],
    rules: { 'no-restricted-imports': 'off' },
  },
  {
    files: ['renderer/**'],
    languageOptions: { globals: { ...globals.browser } },
    plugins: { 'react-hooks': reactHooks },
    rules: { 'react-hooks/rules-of-hooks': 'error', 'react-hooks/exhaustive-deps': 'error' },
  },
  {
    // The renderer and the shared layer run without Node: keep Node built-ins out of them.
    files: ['renderer/**', 'common/**'],
    ignores: ['renderer/vite.config.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['node:*', 'fs', 'path', 'crypto', 'electron', '**/main/core/**'], message: 'The renderer and common/ never import Node, Electron or core modules.' }] }],
    },
  },
  {
    files: ['scripts/**', 'bin/**', 'build/**'],
    languageOptions: { globals: { ...globals.node } },
  },
);
