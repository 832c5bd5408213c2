import path from 'node:path';
import js from '@eslint/js';
import { defineConfig, globalIgnores } from 'eslint/config';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';
import boundaries from './eslint/feature-boundaries.js';

const srcDir = path.join(import.meta.dirname, 'src');

export default defineConfig([
  globalIgnores(['dist/', 'node_modules/', 'src/lib/api/schema.d.ts']),
  {
    files: ['**/*.{ts,tsx}'],
    extends: [js.configs.recommended, tseslint.configs.recommended, reactHooks.configs.flat.recommended],
    languageOptions: {
      ecmaVersion: 2022,
      globals: globals.browser,
    },
    plugins: { boundaries },
    rules: {
      'boundaries/feature-boundaries': ['error', { srcDir }],
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      // Packages that would bypass the app's own wrappers.
      'no-restricted-imports': [
        'error',
        {
          paths: [
            { name: 'react-router-dom', message: 'Use "react-router" (v7 ships everything there).' },
            { name: 'axios', message: 'Use the fetch wrapper in @/lib/api.' },
          ],
        },
      ],
    },
  },
  {
    files: ['*.{js,ts}', 'eslint/**/*.js', 'scripts/**/*.mjs', 'public/**/*.js'],
    extends: [js.configs.recommended],
    languageOptions: { globals: { ...globals.node } },
  },
  {
    files: ['public/**/*.js'],
    languageOptions: { sourceType: 'script', globals: { ...globals.browser } },
  },
]);
