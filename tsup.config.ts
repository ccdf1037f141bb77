import { builtinModules } from 'node:module';

import { defineConfig, type Options } from 'tsup';

type TsupPlugin = NonNullable<Options['plugins']>[number];

// A few Node-only helpers (loadOhlcvCsv, the news loaders) import
// `node:fs/promises` when called, so that the main entry stays usable in
// browsers. A bundler still follows a dynamic import of a string literal
// and fails on the built-in ("Could not resolve fs/promises" in esbuild),
// so the ESM output spells these specifiers as expressions that bundlers
// leave alone; Node resolves them as before. test/browser checks the
// result bundles for the browser.
const builtins = builtinModules.filter((m) => !m.startsWith('_'));
const lazyBuiltin = new RegExp(
  String.raw`\bimport\(\s*(["'])(?:node:)?(` +
    builtins.map((m) => m.replace(/[/.]/g, '\\$&')).join('|') +
    String.raw`)\1\s*\)`,
  'g',
);

const hideLazyBuiltins: TsupPlugin = {
  name: 'hide-lazy-node-builtins',
  renderChunk(code) {
    if (this.format !== 'esm') return undefined;
    const hidden = code.replace(
      lazyBuiltin,
      (_, _quote, name: string) =>
        `import(/* webpackIgnore: true */ /* @vite-ignore */ ` +
        `["node", "${name}"].join(":"))`,
    );
    return hidden === code ? undefined : { code: hidden };
  },
};

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
  // The names package.json's exports map points to, whatever the working
  // directory (tsup otherwise picks .mjs outside a "type": "module" one).
  outExtension: ({ format }) => ({ js: format === 'cjs' ? '.cjs' : '.js' }),
  plugins: [hideLazyBuiltins],
});
