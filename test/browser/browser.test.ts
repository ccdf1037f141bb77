// modalfuse in a browser: the ESM build bundled with esbuild for the
// browser, run in headless Chromium on the tfjs cpu and webgl backends,
// and models moving between the page and Node.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';

import * as tf from '@tensorflow/tfjs-core';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { buildLibrary } from '../package/tsup-build';
import { bundlePage, type PageBundle } from './bundle-page';
import { CHROMIUM_PATHS, findChromium, openTestPage } from './chromium';
import type { TestPage } from './chromium';
import {
  fixtureData,
  fixtureModel,
  loadFromWire,
  predictWire,
  saveToWire,
  trainFixture,
} from './fixture-model';

const BACKENDS = ['cpu', 'webgl'] as const;

// On cpu the page and Node run the same float32 arithmetic in the same
// order and agree to the bit; webgl's shaders sum in their own order (seen
// here: 1.5e-7 on outputs of about 0.1).
const TOLERANCE: Record<string, number> = { cpu: 1e-6, webgl: 1e-5 };

let dir = '';
let bundle: PageBundle | undefined;
let browser: TestPage | undefined;
let unavailable: string | undefined;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'modalfuse-browser-'));
  // The ESM files of `npm run build` (both entries, so index.js imports
  // the chunks it shares with modalfuse/node, as in the package).
  await buildLibrary(join(dir, 'dist'), {
    format: ['esm'],
    dts: false,
    sourcemap: false,
  });
  bundle = await bundlePage(join(dir, 'dist', 'index.js'));

  const executable = findChromium();
  if (executable === undefined) {
    unavailable =
      `no Chromium at ${CHROMIUM_PATHS.join(' or ')}: install Debian's ` +
      '`apt-get install -y chromium` (as .ci/run does) or set ' +
      'MODALFUSE_CHROMIUM to a Chromium executable';
    if (process.env.MODALFUSE_REQUIRE_BROWSER) throw new Error(unavailable);
    console.warn(`test/browser: skipping the page tests, ${unavailable}`);
    return;
  }
  browser = await openTestPage(executable, bundle.script);
});

afterAll(async () => {
  await browser?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** The page, or a skipped test when Chromium is missing. */
function pageOrSkip(skip: (note: string) => never): Page {
  if (!browser) skip(`no browser: ${unavailable}`);
  return browser.page;
}

describe('modalfuse in the browser', () => {
  it('bundles the ESM build for the browser without warnings or Node built-ins', () => {
    expect(bundle!.warnings).toEqual([]);
    const inputs = Object.keys(bundle!.inputs);
    const built = relative(process.cwd(), join(dir, 'dist', 'index.js'));
    expect(inputs).toContain(built.split('\\').join('/'));
    expect(inputs.filter((f) => f.startsWith('src/'))).toEqual([]);
    const imports = Object.values(bundle!.inputs).flatMap((i) =>
      i.imports.map((x) => x.path),
    );
    expect(imports.filter((p) => /^(node:|fs|path)/.test(p))).toEqual([]);
  });

  it.for(BACKENDS)(
    'trains, saves to IndexedDB and memory, reloads and explains a fusion model on %s',
    async (backend, { skip }) => {
      const page = pageOrSkip(skip);
      const report = await page.evaluate(
        ([b, seed]) => window.modalfusePage!.roundTrip(b, seed),
        [backend, 11] as const,
      );

      expect(report.backend).toBe(backend);
      if (backend === 'webgl') expect(report.float32).toBe(true);
      expect(report.losses).toHaveLength(3);
      expect(report.losses.every(Number.isFinite)).toBe(true);
      expect(report.losses[2]).toBeLessThan(report.losses[0]!);
      expect(report.storedModels).toContain(
        `indexeddb://modalfuse-browser-${backend}`,
      );
      expect(report.indexedDbMaxDiff).toBe(0);
      expect(report.memoryMaxDiff).toBe(0);

      // Modality Shapley values: one per modality, summing to f(x) minus
      // the all-absent output, for the reloaded model's own prediction.
      const { labels, values, baseValue, fx, prediction } = report.explanation;
      expect(labels).toEqual(['series', 'table']);
      expect(values).toHaveLength(2);
      expect(values[0]! + values[1]! + baseValue).toBeCloseTo(fx, 5);
      expect(Math.abs(fx - prediction)).toBeLessThan(TOLERANCE[backend]!);
      expect(report.leakedTensors).toBe(0);
      expect(browser!.errors).toEqual([]);
    },
  );

  it('loads a model trained and saved in Node and predicts as Node does', async ({
    skip,
  }) => {
    const page = pageOrSkip(skip);
    const model = fixtureModel();
    await trainFixture(model, 21);
    const { inputs } = fixtureData(22);
    const expected = predictWire(model, inputs);
    const artifacts = await saveToWire(model);
    model.dispose();

    for (const backend of BACKENDS) {
      const predictions = await page.evaluate(
        ([b, a, x]) => window.modalfusePage!.predictFromWire(b, a, x),
        [backend, artifacts, inputs] as const,
      );
      expect(predictions).toHaveLength(expected.length);
      const worst = Math.max(
        ...predictions.map((p, i) => Math.abs(p - expected[i]!)),
      );
      expect(worst, backend).toBeLessThan(TOLERANCE[backend]!);
    }
    expect(browser!.errors).toEqual([]);
  });

  it.for(BACKENDS)(
    'gives Node a model trained in the page on %s, which Node loads and predicts alike',
    async (backend, { skip }) => {
      const page = pageOrSkip(skip);
      const saved = await page.evaluate(
        ([b, seed]) => window.modalfusePage!.trainToWire(b, seed),
        [backend, 31] as const,
      );
      const model = await loadFromWire(saved.artifacts);
      const predictions = predictWire(model, saved.inputs);
      model.dispose();

      expect(tf.getBackend()).toBe('cpu');
      const worst = Math.max(
        ...predictions.map((p, i) => Math.abs(p - saved.predictions[i]!)),
      );
      expect(worst).toBeLessThan(TOLERANCE[backend]!);
      expect(browser!.errors).toEqual([]);
    },
  );
});
