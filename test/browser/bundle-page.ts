// Bundles test/browser/page.ts for the browser with esbuild, with every
// import of the library's index redirected to a built ESM entry, the way
// an application bundler would take it from node_modules.
import { fileURLToPath } from 'node:url';

import { build, type Metafile, type Plugin } from 'esbuild';

/** The bundled page script and what esbuild said about it. */
export interface PageBundle {
  /** The page script, an ES module. */
  script: string;
  /** esbuild's warnings, formatted. */
  warnings: string[];
  /** Input files with their imports, from esbuild's metafile. */
  inputs: Metafile['inputs'];
}

const page = fileURLToPath(new URL('./page.ts', import.meta.url));
const modules = fileURLToPath(new URL('../../node_modules', import.meta.url));

/**
 * Bundles the page with `entry` (the built `dist/index.js`) standing in for
 * `../../src/index`.
 */
export async function bundlePage(entry: string): Promise<PageBundle> {
  const useBuild: Plugin = {
    name: 'modalfuse-from-build',
    setup(b) {
      b.onResolve({ filter: /\/src\/index$/ }, () => ({ path: entry }));
    },
  };
  const result = await build({
    entryPoints: [page],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
    metafile: true,
    logLevel: 'silent',
    plugins: [useBuild],
    // The build sits in a temporary folder; its imports (tfjs, ml-matrix)
    // come from the repository's node_modules.
    nodePaths: [modules],
    outfile: 'page.js',
  });
  return {
    script: result.outputFiles[0]!.text,
    warnings: result.warnings.map((w) => `${w.location?.file}: ${w.text}`),
    inputs: result.metafile.inputs,
  };
}
