/**
 * Bundle size: what modalfuse's ESM entry weighs, and what it adds to a
 * browser application that already bundles tfjs.
 *
 *   npx tsx bench/bundle-size.ts
 *
 * Builds the ESM entries with the repository's tsup configuration (as
 * `npm run build` does) into a temporary `node_modules/modalfuse`, then
 * bundles small applications for the browser with esbuild, minified:
 *
 * - `tfjs`: tfjs-core, tfjs-layers and the cpu backend (the baseline);
 * - `tfjs + modalfuse`: the baseline plus `import * as mf from 'modalfuse'`;
 * - `tfjs + buildModel`: the baseline plus `import { buildModel }`, to show
 *   what tree shaking removes (unused functions go; every layer class
 *   stays, since `sideEffects` keeps the registrations that let saved
 *   models load);
 * - `modalfuse alone`: modalfuse and its own dependencies with tfjs left
 *   external.
 *
 * Sizes are bytes, raw and gzip (level 9). Results go to
 * bench/results/bundle-size.json.
 */
import { copyFile, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

import { build } from 'esbuild';

import { machine, writeResult } from './harness';

interface Size {
  bytes: number;
  gzip: number;
}

const root = fileURLToPath(new URL('../', import.meta.url));
// tsup takes package.json (and so the external dependencies) from the
// working directory; bench/run.ts starts benches in bench/.
process.chdir(root);
const { buildLibrary } = await import('../test/package/tsup-build');

function size(text: string | Uint8Array): Size {
  const bytes = typeof text === 'string' ? Buffer.from(text) : text;
  return { bytes: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length };
}

const kb = (n: number) => `${(n / 1024).toFixed(1)} kB`;

async function main(): Promise<void> {
  const tmp = await mkdtemp(join(tmpdir(), 'modalfuse-bundle-size-'));
  const pkgDir = join(tmp, 'node_modules', 'modalfuse');
  try {
    // The ESM files of the package, as npm run build writes them.
    await mkdir(pkgDir, { recursive: true });
    await copyFile(join(root, 'package.json'), join(pkgDir, 'package.json'));
    await buildLibrary(join(pkgDir, 'dist'), {
      format: ['esm'],
      dts: false,
      sourcemap: false,
    });

    // The ESM entry and the chunks it imports.
    const entryFiles = ['index.js'];
    const index = await readFile(join(pkgDir, 'dist', 'index.js'), 'utf8');
    for (const m of index.matchAll(/from "\.\/(chunk-[\w-]+\.js)"/g)) {
      entryFiles.push(m[1]!);
    }
    const entryText = (
      await Promise.all(
        entryFiles.map((f) => readFile(join(pkgDir, 'dist', f), 'utf8')),
      )
    ).join('\n');

    const tfjs =
      "import * as tf from '@tensorflow/tfjs-core';\n" +
      "import * as tfl from '@tensorflow/tfjs-layers';\n" +
      "import '@tensorflow/tfjs-backend-cpu';\n" +
      'export { tf, tfl };\n';
    const apps: Record<string, { code: string; external?: string[] }> = {
      tfjs: { code: tfjs },
      'tfjs + modalfuse': {
        code: `${tfjs}import * as mf from 'modalfuse';\nexport { mf };\n`,
      },
      'tfjs + buildModel': {
        code: `${tfjs}export { buildModel } from 'modalfuse';\n`,
      },
      'modalfuse alone': {
        code: "export * from 'modalfuse';\n",
        external: ['@tensorflow/*'],
      },
    };

    const bundles: Record<string, Size> = {};
    for (const [name, app] of Object.entries(apps)) {
      const result = await build({
        stdin: { contents: app.code, resolveDir: tmp, loader: 'js' },
        bundle: true,
        minify: true,
        format: 'esm',
        platform: 'browser',
        target: 'es2022',
        write: false,
        logLevel: 'error',
        external: app.external ?? [],
        nodePaths: [join(tmp, 'node_modules'), join(root, 'node_modules')],
      });
      bundles[name] = size(result.outputFiles[0]!.contents);
    }

    const base = bundles.tfjs!;
    const full = bundles['tfjs + modalfuse']!;
    const result = {
      machine: machine(),
      esmEntry: { files: entryFiles, ...size(entryText) },
      bundles,
      added: {
        bytes: full.bytes - base.bytes,
        gzip: full.gzip - base.gzip,
      },
      ratios: {
        'tfjs + modalfuse / tfjs (gzip)': full.gzip / base.gzip,
        'tfjs + buildModel / tfjs + modalfuse (gzip)':
          bundles['tfjs + buildModel']!.gzip / full.gzip,
      },
    };

    const e = result.esmEntry;
    console.log(
      `ESM entry (${entryFiles.join(', ')}): ${kb(e.bytes)}, ` +
        `${kb(e.gzip)} gzip`,
    );
    for (const [name, s] of Object.entries(bundles)) {
      console.log(
        `${name.padEnd(18)} ${kb(s.bytes).padStart(10)} minified, ` +
          `${kb(s.gzip).padStart(9)} gzip`,
      );
    }
    console.log(
      `modalfuse adds ${kb(result.added.gzip)} gzip to a tfjs app ` +
        `(${result.ratios['tfjs + modalfuse / tfjs (gzip)'].toFixed(2)}x)`,
    );
    await writeResult('bundle-size', result);
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

await main();
