/**
 * Thesis 2 end to end: data and features (S1-S3), samples, split and
 * scaler (S4-S6), the models and baselines (S7) trained with every seed
 * (S8), scored in price units with Diebold-Mariano tests and the direction
 * check (S9); then past the thesis, the headline-embedding variants and the
 * placebo with the news shuffled across days.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';

import type { SeedSpread } from '../../../src/index';
import {
  compare,
  scoreAll,
  summarizeRows,
  type Comparison,
  type RowMetrics,
} from '../evaluate';
import type { Predictions, Ratios, TrainHooks } from '../experiment';
import { writeExplanationReport } from '../explain-report';
import { BASELINES, thesis2Baselines } from './baselines';
import {
  PRICE_FEATURES,
  loadDjia,
  type DailyFeatures,
  type DjiaDays,
} from './data';
import { makeDataset, type Thesis2Dataset } from './dataset';
import { directionCheck, type DirectionCheck } from './direction';
import { headlineEmbeddings, type HeadlineEmbeddings } from './embeddings';
import { DECISION_FUSION, MODELS, type ModelKey } from './models';
import { thesis2Options, type Thesis2Options } from './options';
import { thesis2Report, type Thesis2Report } from './report';
import { trainSet, type DatasetTensors, type TrainFacts } from './train';

/** Progress callbacks. */
export interface Thesis2Hooks extends TrainHooks {
  /** A stage begins. */
  stage?(text: string): void;
}

/** One seed's outcome. */
export interface Thesis2SeedResult {
  seed: number;
  /** Test metrics (price units) and validation MSE of every row. */
  rows: Record<string, RowMetrics>;
  /** Diebold-Mariano tests on this seed's forecasts. */
  comparisons: Comparison[];
  /** Notes per row (epochs, weights, chosen alpha). */
  notes: Record<string, string>;
  /** Training facts per model. */
  training: Record<string, TrainFacts | Record<string, unknown>>;
}

/** What {@link runThesis2} returns (and writes to results.json). */
export interface Thesis2Results {
  /** The options after defaults. */
  options: Thesis2Options;
  /** Row names in table order: models, placebo models, baselines. */
  rowNames: string[];
  /** Per seed. */
  seeds: Thesis2SeedResult[];
  /** Spread over seeds of every metric of every row. */
  summary: Record<string, Record<string, SeedSpread>>;
  /** Metrics and tests of the seed-mean forecasts. */
  seedMean: { rows: Record<string, RowMetrics>; comparisons: Comparison[] };
  /** Spec S9 direction check, over all data and per split period. */
  direction: {
    trainMedian: number;
    all: DirectionCheck;
    train: DirectionCheck;
    val: DirectionCheck;
    test: DirectionCheck;
  };
  /** Data facts. */
  data: Record<string, unknown>;
  /** The headline encoder, when a text variant ran. */
  embeddings: Omit<HeadlineEmbeddings, 'values'> | null;
  /** What was skipped and why. */
  notes: string[];
  /** Tables, verdict and their text renderings. */
  report: Thesis2Report;
  /** Wall time of the whole run. */
  totalSeconds: number;
  /** Files written. */
  files: string[];
}

/** Row name of a model trained on shuffled news. */
export const placeboName = (name: string): string => `${name} [placebo]`;

/**
 * Runs thesis 2.
 *
 * @param partial - Options; see {@link Thesis2Options} (quick: 2 epochs,
 *   one seed).
 * @param hooks - Progress callbacks.
 * @returns The results; also written to `options.out`.
 */
export async function runThesis2(
  partial: Partial<Thesis2Options> = {},
  hooks: Thesis2Hooks = {},
): Promise<Thesis2Results> {
  const options = thesis2Options(partial);
  const started = performance.now();
  await tf.setBackend(options.backend);
  await tf.ready();

  hooks.stage?.('Reading the DJIA prices and headlines; VADER per headline');
  const { days, features } = await loadDjia(options.data, options.lastDays);
  const notes: string[] = [];

  let embeddings: HeadlineEmbeddings | null = null;
  if (options.text.length > 0) {
    hooks.stage?.('Training the headline encoder on Financial PhraseBank');
    try {
      embeddings = await headlineEmbeddings(days, {
        phrasebank: options.phrasebank,
        epochs: options.encoderEpochs,
      });
    } catch (error) {
      notes.push(
        `Text variants skipped: ${(error as Error).message.split('\n')[0]}`,
      );
    }
  }
  const dayEmbeddings = embeddings
    ? {
        values: embeddings.values.subarray(features.warmup * embeddings.width),
        width: embeddings.width,
      }
    : undefined;
  const data = makeDataset(features, {
    window: options.window,
    horizon: options.horizon,
    ...(dayEmbeddings ? { embeddings: dayEmbeddings } : {}),
  });
  const textKeys: ModelKey[] = dayEmbeddings
    ? options.text.map((t) => (t === 'concat' ? 'textConcat' : 'textAttention'))
    : [];
  const direction = directionChecks(days, features, data);
  await mkdir(options.out, { recursive: true });

  const seedResults: Thesis2SeedResult[] = [];
  const allPredictions: Record<string, Predictions>[] = [];
  const explanationFiles: string[] = [];
  for (const seed of options.seeds) {
    hooks.stage?.(`Seed ${seed}: the thesis models`);
    const explain =
      options.explain > 0 && seed === options.seeds[0]
        ? async (key: ModelKey, model: tfl.LayersModel, t: DatasetTensors) => {
            if (key !== 'featureFusion') return;
            hooks.stage?.(
              `Explaining ${options.explain} test predictions of the ` +
                `feature-fusion model (seed ${seed})`,
            );
            explanationFiles.push(
              ...(await writeExplanationReport({
                model,
                test: {
                  price: t.test.inputs.price as tf.Tensor3D,
                  news: t.test.inputs.news as tf.Tensor3D,
                },
                featureNames: [...PRICE_FEATURES],
                dates: data.parts.test.dates,
                out: join(options.out, 'explanations'),
                count: options.explain,
                seed,
                ...(hooks.stage ? { onProgress: hooks.stage } : {}),
              })),
            );
          }
        : undefined;
    const run = await trainSet(
      data,
      ['price', 'priceNews', 'featureFusion', 'news', ...textKeys],
      seed,
      options,
      hooks,
      (name) => name,
      null,
      explain,
    );
    const predictions = run.predictions;
    const training = run.training;
    if (!options.placebo) run.priceModel?.model.dispose();
    if (options.placebo) {
      hooks.stage?.(`Seed ${seed}: placebo, news shuffled across days`);
      const placebo = makeDataset(features, {
        window: options.window,
        horizon: options.horizon,
        ...(dayEmbeddings ? { embeddings: dayEmbeddings } : {}),
        placeboSeed: 1000 + seed,
      });
      const shuffled = await trainSet(
        placebo,
        ['priceNews', 'featureFusion', 'news', ...textKeys],
        seed,
        options,
        hooks,
        placeboName,
        run.priceModel,
      );
      Object.assign(predictions, shuffled.predictions);
      Object.assign(training, shuffled.training);
      run.priceModel?.model.dispose();
      const ridge = thesis2Baselines(placebo).find(
        (b) => b.name === BASELINES.ridgePriceNews,
      )!;
      predictions[placeboName(ridge.name)] = {
        val: ridge.val,
        test: ridge.test,
        note: ridge.note ?? '',
        kind: 'baseline',
      };
    }
    for (const b of thesis2Baselines(data)) {
      predictions[b.name] = {
        val: b.val,
        test: b.test,
        note: b.note ?? '',
        kind: 'baseline',
      };
    }
    const ordered = orderRows(predictions);
    const { val, test } = data.parts;
    seedResults.push({
      seed,
      rows: scoreAll(val, test, ordered),
      comparisons: compare(test, ordered, pairsOf(ordered), options.horizon),
      notes: Object.fromEntries(
        Object.entries(ordered).map(([n, p]) => [n, p.note]),
      ),
      training,
    });
    allPredictions.push(ordered);
  }

  const rowNames = Object.keys(seedResults[0]!.rows);
  const summary = summarizeRows(seedResults);
  const meanPredictions = seedMean(allPredictions);
  const seedMeanResult = {
    rows: scoreAll(data.parts.val, data.parts.test, meanPredictions),
    comparisons: compare(
      data.parts.test,
      meanPredictions,
      pairsOf(meanPredictions),
      options.horizon,
    ),
  };

  const results: Thesis2Results = {
    options,
    rowNames,
    seeds: seedResults,
    summary,
    seedMean: seedMeanResult,
    direction,
    data: describeData(days, data),
    embeddings: embeddings
      ? {
          width: embeddings.width,
          encoderScores: embeddings.encoderScores,
          seconds: embeddings.seconds,
        }
      : null,
    notes,
    report: { tables: [], verdict: '', text: '', markdown: '' },
    totalSeconds: 0,
    files: [],
  };
  results.totalSeconds = (performance.now() - started) / 1000;
  results.report = thesis2Report(results);
  const files = {
    json: join(options.out, 'results.json'),
    markdown: join(options.out, 'report.md'),
    text: join(options.out, 'table.txt'),
  };
  await writeFile(files.json, JSON.stringify(results, null, 2));
  await writeFile(files.markdown, results.report.markdown);
  await writeFile(files.text, results.report.text);
  results.files = [...Object.values(files), ...explanationFiles];
  return results;
}

/** Rows in table order: real models, placebo models, baselines. */
function orderRows(
  predictions: Record<string, Predictions>,
): Record<string, Predictions> {
  const models = [
    MODELS.price.name,
    MODELS.priceNews.name,
    MODELS.featureFusion.name,
    MODELS.news.name,
    DECISION_FUSION,
    MODELS.textAttention.name,
    MODELS.textConcat.name,
  ];
  const baselines = [
    BASELINES.lastClose,
    BASELINES.trailing,
    BASELINES.drift,
    BASELINES.ridgePrice,
    BASELINES.ridgePriceNews,
  ];
  const order = [
    ...models,
    ...models.map(placeboName),
    ...baselines,
    ...baselines.map(placeboName),
  ];
  return Object.fromEntries(
    order.filter((n) => n in predictions).map((n) => [n, predictions[n]!]),
  );
}

/**
 * The tests every run makes: each news model against the price-only LSTM
 * (spec S9), against its own placebo, and every model against drift.
 */
function pairsOf(predictions: Record<string, Predictions>): [string, string][] {
  const price = MODELS.price.name;
  const names = Object.keys(predictions);
  const models = names.filter(
    (n) => predictions[n]!.kind !== 'baseline' && !n.endsWith('[placebo]'),
  );
  const pairs: [string, string][] = [];
  for (const m of models) if (m !== price) pairs.push([m, price]);
  for (const m of models) {
    if (names.includes(placeboName(m))) pairs.push([m, placeboName(m)]);
  }
  for (const m of models) pairs.push([m, BASELINES.drift]);
  return pairs;
}

/** Mean over seeds of each row's ratio predictions. */
function seedMean(
  runs: Record<string, Predictions>[],
): Record<string, Predictions> {
  const names = Object.keys(runs[0]!);
  const average = (key: 'val' | 'test', name: string): Ratios =>
    runs[0]![name]![key].map((_, i) => {
      const sum = [0, 0];
      for (const run of runs) {
        const r = run[name]![key][i]!;
        sum[0] += r[0];
        sum[1] += r[1];
      }
      return [sum[0]! / runs.length, sum[1]! / runs.length];
    });
  return Object.fromEntries(
    names.map((name) => [
      name,
      {
        ...runs[0]![name]!,
        val: average('val', name),
        test: average('test', name),
        note: `mean of ${runs.length} seeds`,
      },
    ]),
  );
}

function directionChecks(
  days: DjiaDays,
  features: DailyFeatures,
  data: Thesis2Dataset,
): Thesis2Results['direction'] {
  const [first, last] = data.scalerRows;
  const sorted = features.rows
    .slice(first, last + 1)
    .map((r) => r[10]!)
    .sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const trainMedian =
    sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  const dayOf = (date: string) => days.series.dates.indexOf(date);
  const { train, val, test } = data.parts;
  return {
    trainMedian,
    all: directionCheck(days, trainMedian),
    train: directionCheck(days, trainMedian, 0, dayOf(train.dates.at(-1)!)),
    val: directionCheck(
      days,
      trainMedian,
      dayOf(val.dates[0]!),
      dayOf(val.dates.at(-1)!),
    ),
    test: directionCheck(days, trainMedian, dayOf(test.dates[0]!)),
  };
}

function describeData(
  days: DjiaDays,
  data: Thesis2Dataset,
): Record<string, unknown> {
  const part = (p: { dates: string[] }) =>
    `${p.dates[0]}..${p.dates.at(-1)}, ${p.dates.length} samples`;
  return {
    days: days.series.dates.length,
    firstDay: days.series.dates[0],
    lastDay: days.series.dates.at(-1),
    headlines: days.headlines.reduce((s, d) => s + d.texts.length, 0),
    rowsAfterWarmup: data.table.dates.length,
    samples: data.samples.t.length,
    purgedPerBoundary: data.samples.horizon - 1,
    features: data.table.names,
    split: {
      train: part(data.parts.train),
      val: part(data.parts.val),
      test: part(data.parts.test),
    },
    scalerRows: data.scalerRows.map((r) => data.table.dates[r]),
  };
}
