import { defineConfig } from 'tsup';

// ESM and CJS builds with declarations. tfjs, papaparse, ml-matrix and
// trading-signals stay external (peer or regular dependencies).
export default defineConfig({
  entry: { index: 'src/index.ts', node: 'src/node.ts' },
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'es2022',
  splitting: true,
  treeshake: false,
});
