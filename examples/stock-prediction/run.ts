/**
 * The experiment: for each feature variant, on the spec's split or on
 * walk-forward folds, train every model with every seed, score them on the
 * test part, test the differences, and write the results.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';

import {
  chronologicalSplit,
  walkForwardFolds,
  type SeedSpread,
} from '../../src/index';
import {
  loadSamples,
  makeSplit,
  type FeatureMode,
  type Part,
  type Samples,
} from './dataset';
import {
  DRIFT,
  compare,
  comparisonPairs,
  scoreAll,
  selectOnValidation,
  summarizeRows,
  toPrices,
  type Comparison,
  type RowMetrics,
  type Selection,
} from './evaluate';
import {
  trainAndPredict,
  type Predictions,
  type Ratios,
  type RowKind,
  type TrainHooks,
} from './experiment';
import { writeExplanationReport } from './explain-report';
import type { ModelShapes } from './models';
import type { RunOptions } from './options';
import { plotSvg } from './report';
import { writeReport } from './report-md';

/** Progress events for the terminal. */
export interface RunHooks extends TrainHooks {
  /** A stage of the run begins. */
  stage?(text: string): void;
  /** Something about the data the user should know. */
  warn?(text: string): void;
}

/** One seed's outcome on one variant (test blocks pooled over folds). */
export interface SeedResult {
  seed: number;
  rows: Record<string, RowMetrics>;
  kinds: Record<string, RowKind>;
  selection: Selection;
  comparisons: Comparison[];
  notes: Record<string, string>;
  training: Record<string, unknown>;
  /** Per fold (walk-forward only): rows of that fold's test block. */
  folds?: {
    fold: number;
    from: string;
    to: string;
    rows: Record<string, RowMetrics>;
  }[];
}

/** Everything about one feature variant. */
export interface VariantResult {
  features: FeatureMode;
  /** What each row is: unimodal, fusion or baseline. */
  kinds: Record<string, RowKind>;
  evaluation: 'split' | 'walk-forward';
  seeds: SeedResult[];
  /** Spread over seeds of every metric of every row. */
  summary: Record<string, Record<string, SeedSpread>>;
  /** Row names in table order: models, then baselines. */
  rowNames: string[];
  /** Description of the test period(s). */
  testPeriod: string;
}

/** What a run returns (and writes to results.json and report.md). */
export interface RunResults {
  variants: VariantResult[];
  data: Record<string, unknown>;
  totalSeconds: number;
  files: string[];
}

/**
 * Runs the experiment.
 *
 * @param options - Parsed command-line options.
 * @param hooks - Progress callbacks.
 * @returns The results.
 */
export async function runExperiment(
  options: RunOptions,
  hooks: RunHooks = {},
): Promise<RunResults> {
  await tf.setBackend(options.backend);
  await tf.ready();
  const started = performance.now();
  try {
    await mkdir(options.out, { recursive: true });
  } catch (error) {
    throw new Error(
      `--out: cannot create the directory '${options.out}' ` +
        `(${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
    );
  }

  hooks.stage?.(`Preparing data from ${options.prices}`);
  const data = await loadSamples(
    {
      prices: options.prices,
      ...(options.flows ? { flows: options.flows } : {}),
    },
    {
      window: options.window,
      horizon: options.horizon,
      ...(options.lastRows === undefined ? {} : { lastRows: options.lastRows }),
    },
  );
  const splits = splitsOf(data, options);
  const shapes: ModelShapes = {
    price: [options.window, data.table.names.length],
    chart: [data.images.shape[1], data.images.shape[2], 1],
  };
  const seeds = Array.from(
    { length: options.seeds },
    (_, i) => options.seed + i,
  );
  await mkdir(options.out, { recursive: true });

  const variants: VariantResult[] = [];
  const files: string[] = [];
  for (const features of options.features) {
    const seedResults: SeedResult[] = [];
    let plotted = false;
    for (const seed of seeds) {
      const perFold: {
        part: { val: Part; test: Part };
        run: Record<string, Predictions>;
      }[] = [];
      const training: Record<string, unknown> = {};
      for (const [k, split] of splits.entries()) {
        hooks.stage?.(
          `Features ${features}, seed ${seed}` +
            (splits.length > 1 ? `, fold ${k + 1} of ${splits.length}` : '') +
            ` (test ${describePart(data, split.test)})`,
        );
        const prepared = makeSplit(data, split, features);
        // Explanations: first variant, first seed, last fold.
        const explain =
          options.explain > 0 &&
          variants.length === 0 &&
          seed === seeds[0] &&
          k === splits.length - 1;
        const run = await trainAndPredict(
          prepared,
          shapes,
          seed,
          { ...options, fusions: options.fusion },
          {
            ...hooks,
            ...(explain
              ? {
                  trained: async (models, test) => {
                    hooks.stage?.(
                      `Explaining ${options.explain} test predictions`,
                    );
                    files.push(
                      ...(await explainFused(
                        models,
                        test,
                        data,
                        prepared,
                        options,
                      )),
                    );
                  },
                }
              : {}),
          },
        );
        perFold.push({ part: prepared.parts, run: run.predictions });
        training[splits.length > 1 ? `fold ${k + 1}` : 'split'] = run.training;
      }
      const pooled = pool(perFold);
      const rows = scoreAll(pooled.val, pooled.test, pooled.predictions);
      const kinds = kindsOf(pooled.predictions);
      const selection = selectOnValidation(
        Object.fromEntries(Object.entries(rows).map(([n, r]) => [n, r.valMse])),
        kinds,
      );
      const comparisons = compare(
        pooled.test,
        pooled.predictions,
        comparisonPairs(selection, kinds),
        options.horizon,
      );
      const result: SeedResult = {
        seed,
        rows,
        kinds,
        selection,
        comparisons,
        notes: Object.fromEntries(
          Object.entries(perFold.at(-1)!.run).map(([n, p]) => [n, p.note]),
        ),
        training,
      };
      if (splits.length > 1) {
        result.folds = perFold.map((f, k) => ({
          fold: k + 1,
          from: f.part.test.dates[0]!,
          to: f.part.test.dates.at(-1)!,
          rows: scoreAll(f.part.val, f.part.test, f.run),
        }));
      }
      seedResults.push(result);
      if (!plotted) {
        plotted = true;
        const path = join(options.out, `plot-${features}.svg`);
        await writeFile(path, plotFor(pooled, selection.best, options));
        files.push(path);
      }
    }
    const rowNames = Object.keys(seedResults[0]!.rows);
    const summary = summarizeRows(seedResults);
    variants.push({
      features,
      kinds: seedResults[0]!.kinds,
      evaluation: splits.length > 1 ? 'walk-forward' : 'split',
      seeds: seedResults,
      summary,
      rowNames,
      testPeriod: splits.map((s) => describePart(data, s.test)).join(', '),
    });
  }

  const results: RunResults = {
    variants,
    data: describeData(options, data, splits),
    totalSeconds: (performance.now() - started) / 1000,
    files,
  };
  const jsonPath = join(options.out, 'results.json');
  await writeFile(jsonPath, JSON.stringify({ options, ...results }, null, 2));
  const reportPath = join(options.out, 'report.md');
  await writeFile(reportPath, writeReport(options, results));
  results.files.unshift(jsonPath, reportPath);
  return results;
}

type Split = { train: Int32Array; val: Int32Array; test: Int32Array };

/** The spec's 70/15/15 split, or walk-forward folds. */
function splitsOf(data: Samples, options: RunOptions): Split[] {
  const n = data.samples.t.length;
  const purge = options.horizon - 1;
  if (options.walkForward > 0) {
    return walkForwardFolds(n, { folds: options.walkForward, purge });
  }
  const split = chronologicalSplit(n, { purge });
  if (split.train.length < 2 || split.val.length < 1 || split.test.length < 1) {
    throw new RangeError(
      `prices: ${n} samples leave no room for a train/validation/test ` +
        `split with horizon ${options.horizon}; use a longer file`,
    );
  }
  return [split];
}

/** Joins the folds' validation and test parts and predictions. */
function pool(
  folds: {
    part: { val: Part; test: Part };
    run: Record<string, Predictions>;
  }[],
): { val: Part; test: Part; predictions: Record<string, Predictions> } {
  const join = (parts: Part[]): Part => ({
    index: Int32Array.from(parts.flatMap((p) => Array.from(p.index))),
    dates: parts.flatMap((p) => p.dates),
    windows: new Float32Array(0),
    charts: new Float32Array(0),
    labels: Float32Array.from(parts.flatMap((p) => Array.from(p.labels))),
    y: parts.flatMap((p) => p.y),
    closeT: Float64Array.from(parts.flatMap((p) => Array.from(p.closeT))),
    trailing: parts.flatMap((p) => p.trailing),
  });
  if (folds.length === 1) {
    return { ...folds[0]!.part, predictions: folds[0]!.run };
  }
  const names = Object.keys(folds[0]!.run);
  const predictions = Object.fromEntries(
    names.map((name) => {
      const cat = (key: 'val' | 'test'): Ratios =>
        folds.flatMap((f) => f.run[name]![key]);
      const first = folds[0]!.run[name]!;
      return [name, { ...first, val: cat('val'), test: cat('test') }];
    }),
  );
  return {
    val: join(folds.map((f) => f.part.val)),
    test: join(folds.map((f) => f.part.test)),
    predictions,
  };
}

function plotFor(
  pooled: { test: Part; predictions: Record<string, Predictions> },
  best: string,
  options: RunOptions,
): string {
  const { test, predictions } = pooled;
  const panel = (k: 0 | 1, what: string) => ({
    title: `${what} of the next ${options.horizon} sessions (test)`,
    series: [
      {
        label: `actual ${what.toLowerCase()}`,
        values: toPrices(test, test.y, k),
        color: '#222',
      },
      {
        label: `${best} (best on validation)`,
        values: toPrices(test, predictions[best]!.test, k),
        color: '#d62728',
      },
      {
        label: DRIFT,
        values: toPrices(test, predictions[DRIFT]!.test, k),
        color: '#1f77b4',
        dashed: true,
      },
      {
        label: 'close today',
        values: Array.from(test.closeT),
        color: '#aaa',
        dashed: true,
      },
    ],
  });
  const file = options.prices.split(/[\\/]/).pop() ?? options.prices;
  return plotSvg(`Predicted vs actual: ${file}`, test.dates, [
    panel(0, 'Highest high'),
    panel(1, 'Lowest low'),
  ]);
}

/** Explains the feature-fusion model (or the first fusion over both). */
async function explainFused(
  models: ReadonlyMap<string, tfl.LayersModel>,
  test: Record<string, tf.Tensor>,
  data: Samples,
  prepared: { parts: { test: Part } },
  options: RunOptions,
): Promise<string[]> {
  const both = [...models.entries()].find(
    ([, m]) => [...m.inputNames].sort().join() === 'chart,price',
  );
  const chosen = models.has('Feature fusion')
    ? (['Feature fusion', models.get('Feature fusion')!] as const)
    : both;
  if (!chosen) return [];
  return writeExplanationReport({
    model: chosen[1],
    test,
    featureNames: data.table.names,
    dates: prepared.parts.test.dates,
    out: join(options.out, 'explanations'),
    count: options.explain,
    seed: options.seed,
  });
}

function kindsOf(
  predictions: Record<string, Predictions>,
): Record<string, RowKind> {
  return Object.fromEntries(
    Object.entries(predictions).map(([n, p]) => [n, p.kind]),
  );
}

function describePart(data: Samples, index: Int32Array): string {
  const d = data.samples.dates;
  return `${d[index[0]!]}..${d[index.at(-1)!]}, ${index.length} samples`;
}

function describeData(
  options: RunOptions,
  data: Samples,
  splits: Split[],
): Record<string, unknown> {
  return {
    prices: options.prices,
    flows: options.flows ?? null,
    sessions: data.series.dates.length,
    firstDate: data.series.dates[0],
    lastDate: data.series.dates.at(-1),
    features: data.table.names,
    samples: data.samples.t.length,
    purgedPerBoundary: options.horizon - 1,
    droppedFlowDates: data.droppedFlowDates,
    splits: splits.map((s) => ({
      train: describePart(data, s.train),
      val: describePart(data, s.val),
      test: describePart(data, s.test),
    })),
  };
}
