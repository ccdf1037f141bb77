/**
 * The alignment experiment: contrastive and Deep CCA dual encoders,
 * untrained and random baselines, and linear CCA on the same features,
 * all scored on the held-out test days.
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';

import {
  LinearCca,
  type RetrievalMetrics,
  buildDualEncoder,
  fitContrastive,
  fitDeepCca,
  retrievalMetrics,
} from '../../src/alignment';
import { lstmEncoder, mlpEncoder } from '../../src/encoders';
import { Random } from '../../src/internal/random';
import { predictBatched } from '../../src/model';
import {
  type AlignmentData,
  type Part,
  PRICE_FEATURES,
  loadAlignmentData,
} from './dataset';
import type { AlignmentOptions } from './options';
import { formatTable } from './report';

/** One row of the results table. */
export interface ResultRow {
  name: string;
  /** Test retrieval, prices → news and news → prices. */
  retrieval: RetrievalMetrics;
  /** Test correlations of the canonical pairs fitted on training data. */
  testCorrelations: number[];
  /** The same pairs' correlations on the training data (in-sample). */
  trainCorrelations: number[];
  /** Seconds spent training (0 for baselines). */
  seconds: number;
  /** Best epoch of a trained model. */
  bestEpoch?: number | null;
}

/** What a run returns. */
export interface AlignmentResult {
  rows: ResultRow[];
  table: string;
  counts: { train: number; val: number; test: number; sessions: number };
  testDates: [string, string];
  totalSeconds: number;
}

/** Progress callbacks of a run. */
export interface Progress {
  stage?: (text: string) => void;
  epoch?: (model: string, text: string) => void;
}

type Embeddings = { prices: number[][]; news: number[][] };

/** Runs the experiment; see the example's README. */
export async function runAlignment(
  options: AlignmentOptions,
  progress: Progress = {},
): Promise<AlignmentResult> {
  const started = performance.now();
  await tf.setBackend(options.backend);
  await tf.ready();
  progress.stage?.('Loading DJIA prices and headlines');
  const data = await loadAlignmentData(options);
  const inputs = {
    train: toInputs(data.train, options),
    val: toInputs(data.val, options),
    test: toInputs(data.test, options),
  };
  const rows: ResultRow[] = [];
  const seeds = new Random(options.seed);
  try {
    progress.stage?.('Baselines: random embeddings and untrained encoders');
    rows.push(randomBaseline(data, options, seeds.fork()));
    const untrained = dualEncoder(options, seeds.seed());
    rows.push(score('Untrained encoders', embedParts(untrained, inputs), 0));
    untrained.dispose();

    progress.stage?.('Contrastive (CLIP loss) dual encoder');
    const clip = dualEncoder(options, seeds.seed());
    const clipHistory = await fitContrastive(clip, inputs.train, {
      epochs: options.epochs,
      batchSize: 64,
      learningRate: 1e-3,
      seed: seeds.seed(),
      validation: { inputs: inputs.val },
      onEpochEnd: (log) =>
        progress.epoch?.(
          'clip',
          `epoch ${log.epoch}: loss ${log.loss.toFixed(4)}, val loss ` +
            `${log.valLoss?.toFixed(4)}, val R@10 price→news ` +
            `${pct(log.valRetrieval!.aToB.recallAtK[10]!)}, ` +
            `scale ${log.scale.toFixed(1)}`,
        ),
    });
    rows.push({
      ...score(
        'Contrastive (CLIP loss)',
        embedParts(clip, inputs),
        clipHistory.totalMs / 1000,
      ),
      bestEpoch: clipHistory.bestEpoch,
    });
    clipHistory.logitScale.dispose();
    clip.dispose();

    progress.stage?.('Deep CCA dual encoder');
    const dcca = dualEncoder(options, seeds.seed());
    const dccaHistory = await fitDeepCca(dcca, inputs.train, {
      epochs: options.epochs,
      batchSize: 128,
      learningRate: 1e-3,
      seed: seeds.seed(),
      k: options.topK,
      validation: { inputs: inputs.val },
      onEpochEnd: (log) =>
        progress.epoch?.(
          'dcca',
          `epoch ${log.epoch}: loss ${log.loss.toFixed(4)}, val corr ` +
            `(top ${options.topK}, CCA fitted on train) ` +
            `${log.valCorrelation?.toFixed(4)}`,
        ),
    });
    rows.push({
      ...score(
        'Deep CCA (top-4)',
        embedParts(dcca, inputs),
        dccaHistory.totalMs / 1000,
      ),
      bestEpoch: dccaHistory.bestEpoch,
    });
    dcca.dispose();

    progress.stage?.('Linear CCA on the raw features');
    rows.push(linearBaseline(data, options));
  } finally {
    for (const part of Object.values(inputs)) tf.dispose(Object.values(part));
  }

  const testDates: [string, string] = [
    data.test.dates[0]!,
    data.test.dates.at(-1)!,
  ];
  const counts = {
    train: data.train.dates.length,
    val: data.val.dates.length,
    test: data.test.dates.length,
    sessions: data.sessions,
  };
  return {
    rows,
    table: formatTable(rows, counts.test, options.topK),
    counts,
    testDates,
    totalSeconds: (performance.now() - started) / 1000,
  };
}

function toInputs(part: Part, options: AlignmentOptions) {
  const n = part.dates.length;
  return {
    prices: tf.tensor3d(part.prices, [
      n,
      options.window,
      PRICE_FEATURES.length,
    ]),
    news: tf.tensor2d(part.news, [n, options.textDim]),
  };
}

function dualEncoder(options: AlignmentOptions, seed: number): tfl.LayersModel {
  const rng = new Random(seed);
  return buildDualEncoder({
    modalities: {
      prices: {
        shape: [options.window, PRICE_FEATURES.length],
        encoder: lstmEncoder({ units: 32, seed: rng.seed() }),
      },
      news: {
        shape: [options.textDim],
        encoder: mlpEncoder({ units: [64], dropout: 0.2, seed: rng.seed() }),
      },
    },
    embeddingDim: options.embeddingDim,
    seed: rng.seed(),
  });
}

/** Training and test embeddings of a model (outputs: news, prices). */
function embedParts(
  model: tfl.LayersModel,
  inputs: Record<'train' | 'test', Record<'prices' | 'news', tf.Tensor>>,
): { train: Embeddings; test: Embeddings } {
  const embed = (x: Record<string, tf.Tensor>): Embeddings => {
    const [news, prices] = predictBatched(model, x) as tf.Tensor2D[];
    const out = { news: news!.arraySync(), prices: prices!.arraySync() };
    tf.dispose([news!, prices!]);
    return out;
  };
  return { train: embed(inputs.train), test: embed(inputs.test) };
}

/** Test retrieval and held-out canonical correlations of embeddings. */
function score(
  name: string,
  e: { train: Embeddings; test: Embeddings },
  seconds: number,
): ResultRow {
  const cca = new LinearCca({ rx: 1e-3, ry: 1e-3 }).fit(
    e.train.prices,
    e.train.news,
  );
  return {
    name,
    retrieval: retrievalMetrics(e.test.prices, e.test.news),
    testCorrelations: cca.correlate(e.test.prices, e.test.news),
    trainCorrelations: cca.correlations,
    seconds,
  };
}

function randomBaseline(
  data: AlignmentData,
  options: AlignmentOptions,
  rng: Random,
): ResultRow {
  const gaussian = (n: number) =>
    Array.from({ length: n }, () =>
      Array.from({ length: options.embeddingDim }, () => rng.normal()),
    );
  const [nTrain, nTest] = [data.train.dates.length, data.test.dates.length];
  return score(
    'Random embeddings',
    {
      train: { prices: gaussian(nTrain), news: gaussian(nTrain) },
      test: { prices: gaussian(nTest), news: gaussian(nTest) },
    },
    0,
  );
}

/**
 * Linear CCA between the flattened price windows and the hashed headlines,
 * with the ridge (relative to the mean feature variance) chosen on the
 * validation days by the sum of the top-k held-out correlations.
 */
function linearBaseline(
  data: AlignmentData,
  options: AlignmentOptions,
): ResultRow {
  const start = performance.now();
  const p = options.window * PRICE_FEATURES.length;
  const rowsOf = (values: Float32Array, width: number) =>
    Array.from({ length: values.length / width }, (_, i) =>
      values.subarray(i * width, (i + 1) * width),
    );
  const view = (part: Part) => ({
    x: rowsOf(part.prices, p),
    y: rowsOf(part.news, options.textDim),
  });
  const [train, val, test] = [
    view(data.train),
    view(data.val),
    view(data.test),
  ];
  const meanVariance = (rows: Float32Array[]) => {
    const width = rows[0]!.length;
    let total = 0;
    for (let j = 0; j < width; j++) {
      const col = rows.map((r) => r[j]!);
      const m = col.reduce((s, v) => s + v, 0) / col.length;
      total += col.reduce((s, v) => s + (v - m) ** 2, 0) / (col.length - 1);
    }
    return total / width;
  };
  const [vx, vy] = [meanVariance(train.x), meanVariance(train.y)];
  let best: { cca: LinearCca; score: number; lambda: number } | null = null;
  for (const lambda of [0.1, 1, 10]) {
    const cca = new LinearCca({
      rx: lambda * vx,
      ry: lambda * vy,
      nComponents: options.embeddingDim,
    }).fit(train.x, train.y);
    const scoreOnVal = cca
      .correlate(val.x, val.y)
      .slice(0, options.topK)
      .reduce((s, c) => s + c, 0);
    if (!best || scoreOnVal > best.score) {
      best = { cca, score: scoreOnVal, lambda };
    }
  }
  const { cca, lambda } = best!;
  return {
    name: `Linear CCA (features, ridge ${lambda}×var)`,
    retrieval: retrievalMetrics(cca.transformX(test.x), cca.transformY(test.y)),
    testCorrelations: cca.correlate(test.x, test.y),
    trainCorrelations: cca.correlate(train.x, train.y),
    seconds: (performance.now() - start) / 1000,
  };
}

function pct(x: number): string {
  return `${(100 * x).toFixed(1)}%`;
}
