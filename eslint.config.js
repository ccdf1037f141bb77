// Lint rules for modalfuse: typescript-eslint's recommended set plus the
// few rules that carry the house style (see ../shared/STYLE.md).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'docs/**',
      'coverage/**',
      'node_modules/**',
      'bench/results/**',
      'examples/**/out/**',
      'test/.generated/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      'no-console': 'error',
      'no-restricted-syntax': [
        'error',
        {
          selector: 'ExportDefaultDeclaration',
          message: 'Use named exports (STYLE.md 11).',
        },
      ],
    },
  },
  {
    // Tests, examples and benches talk to the terminal on purpose.
    files: ['test/**', 'examples/**', 'bench/**', 'scripts/**', '*.config.*'],
    rules: { 'no-console': 'off', 'no-restricted-syntax': 'off' },
  },
);
