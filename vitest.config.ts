import { fileURLToPath } from 'node:url';

import { defineConfig } from 'vitest/config';

const src = (path: string) =>
  fileURLToPath(new URL(`./src/${path}`, import.meta.url));

export default defineConfig({
  resolve: {
    // Snippets in README and docs import the package by name; run them
    // against the sources.
    alias: [
      { find: /^modalfuse\/node$/, replacement: src('node.ts') },
      { find: /^modalfuse$/, replacement: src('index.ts') },
    ],
  },
  test: {
    include: ['test/**/*.test.ts'],
    pool: 'forks',
    testTimeout: 120_000,
    hookTimeout: 120_000,
    setupFiles: ['test/setup.ts'],
  },
});
