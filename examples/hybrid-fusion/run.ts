/**
 * Trains the hybrid model on one price file and scores it against two
 * baselines and under missing and noisy modalities.
 */
import { readFile } from 'node:fs/promises';

import * as tf from '@tensorflow/tfjs-core';

import {
  LateFusion,
  fitModel,
  installKernels,
  mlpEncoder,
  predictBatched,
  robustnessReport,
  type EpochLog,
  type FusionKind,
  type RobustnessReport,
} from '../../src/index';
import { partInputs, prepareHybridData, type HybridPart } from './data';
import { buildHybridModel } from './hybrid-model';

/** Options of {@link runHybrid}. */
export interface HybridRunOptions {
  /** Path of a daily OHLCV CSV. */
  prices: string;
  /** Intermediate fusion operator. */
  fusion: FusionKind;
  /** Epoch cap. */
  epochs: number;
  /** Early-stopping patience in epochs. */
  patience: number;
  /** Batch size. */
  batchSize: number;
  /** Seed of weights, modality dropout, shuffling and noise. */
  seed: number;
  /** Keep only the last rows of the file. */
  lastRows?: number;
  /** Called after every epoch. */
  onEpochEnd?: (log: EpochLog) => void;
}

/** Test errors of one model, in percentage points of today's close. */
export interface ScoreRow {
  /** Model or baseline name. */
  name: string;
  /** MAE of the next-horizon max-high ratio. */
  maeMax: number;
  /** MAE of the next-horizon min-low ratio. */
  maeMin: number;
}

/** What {@link runHybrid} returns. */
export interface HybridResult {
  /** Samples per part. */
  sizes: { train: number; val: number; test: number };
  /** Hybrid model and baselines on the test part. */
  scores: ScoreRow[];
  /** Learned late-fusion weights per branch, `[max, min]`. */
  decisionWeights: Record<string, number[]>;
  /** Test MAE with each modality removed or noisy. */
  robustness: RobustnessReport;
  /** Epochs run and the best one. */
  epochs: { run: number; best: number | null };
}

/**
 * Runs the hybrid example end to end.
 *
 * @param options - See {@link HybridRunOptions}.
 * @returns Scores, decision weights and the robustness report.
 */
export async function runHybrid(
  options: HybridRunOptions,
): Promise<HybridResult> {
  installKernels();
  const data = prepareHybridData(await readFile(options.prices, 'utf8'), {
    ...(options.lastRows === undefined ? {} : { lastRows: options.lastRows }),
  });
  const { train, val, test } = data.parts;

  // Labels standardized with the training statistics.
  const stats = labelStats(train);
  const targets = (p: HybridPart) =>
    tf.tidy(() =>
      tf.div(tf.sub(tf.tensor2d(p.labels, [p.n, 2]), stats.mean), stats.std),
    );
  const inputs = {
    train: partInputs(train, data.shapes),
    val: partInputs(val, data.shapes),
    test: partInputs(test, data.shapes),
  };
  const y = { train: targets(train), val: targets(val), test: targets(test) };

  const model = buildHybridModel({
    sequences: { price: data.shapes.price, indicators: data.shapes.indicators },
    others: {
      trend: {
        shape: data.shapes.trend,
        encoder: mlpEncoder({ units: [16], seed: options.seed + 1 }),
      },
    },
    fusion: options.fusion,
    fusionUnits: 32,
    outputs: 2,
    modalityDropout: 0.15,
    seed: options.seed,
  });
  const optimizer = tf.train.adam(1e-3);
  const history = await fitModel(model, inputs.train, y.train, {
    epochs: options.epochs,
    batchSize: options.batchSize,
    seed: options.seed,
    optimizer,
    validation: { inputs: inputs.val, targets: y.val },
    patience: options.patience,
    ...(options.onEpochEnd ? { onEpochEnd: options.onEpochEnd } : {}),
  });

  // Scores in percentage points of today's close.
  const predicted = tf.tidy(() =>
    tf.add(
      tf.mul(predictBatched(model, inputs.test) as tf.Tensor, stats.std),
      stats.mean,
    ),
  );
  const mean = Array.from(stats.mean.dataSync());
  const scores = [
    score('hybrid fusion', test, predicted.dataSync()),
    score(
      'train mean',
      test,
      Float32Array.from({ length: test.n * 2 }, (_, i) => mean[i % 2]!),
    ),
    score('trailing range', test, test.trailing),
  ];
  predicted.dispose();

  const late = model.getLayer('prediction') as LateFusion;
  const weights = late.currentWeights();
  const decisionWeights = Object.fromEntries(
    late.modalities.map((m, i) => [m, weights[i]!]),
  );

  const std = Array.from(stats.std.dataSync());
  const robustness = robustnessReport(model, inputs.test, y.test, {
    metric: (t, p) =>
      tf.tidy(() => {
        const err = tf.mul(tf.abs(tf.sub(t, p)), tf.tensor1d(std));
        return 100 * (tf.mean(err).dataSync()[0] as number);
      }),
    metricName: 'MAE (pp)',
    noise: [0.5, 1],
    seed: options.seed,
  });

  tf.dispose([inputs.train, inputs.val, inputs.test, y, stats]);
  optimizer.dispose();
  model.dispose();
  return {
    sizes: { train: train.n, val: val.n, test: test.n },
    scores,
    decisionWeights,
    robustness,
    epochs: { run: history.epochs.length, best: history.bestEpoch },
  };
}

function labelStats(part: HybridPart): { mean: tf.Tensor; std: tf.Tensor } {
  return tf.tidy(() => {
    const labels = tf.tensor2d(part.labels, [part.n, 2]);
    const { mean, variance } = tf.moments(labels, 0);
    return { mean, std: tf.sqrt(variance) };
  });
}

function score(
  name: string,
  part: HybridPart,
  predicted: ArrayLike<number>,
): ScoreRow {
  let max = 0;
  let min = 0;
  for (let i = 0; i < part.n; i++) {
    max += Math.abs((predicted[2 * i] as number) - part.labels[2 * i]!);
    min += Math.abs((predicted[2 * i + 1] as number) - part.labels[2 * i + 1]!);
  }
  return { name, maeMax: (100 * max) / part.n, maeMin: (100 * min) / part.n };
}
