/**
 * Seeded training with validation, early stopping and progress callbacks.
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';

import { assertInteger, assertOneOf } from '../internal/assert';
import { Random, resolveSeed } from '../internal/random';
import { installKernels } from '../kernels/register';
import { checkCounts, lossValue, orderTargets } from './fit-targets';
import {
  type ModelInputs,
  orderInputs,
  predictBatched,
  sampleCount,
} from './model-inputs';

/** Optimizers that fitModel created, per model, so they can be freed. */
const ownOptimizers = new WeakMap<tfl.LayersModel, tf.Optimizer>();

/** Losses that {@link fitModel} can train with and evaluate. */
export type LossName =
  | 'meanSquaredError'
  | 'meanAbsoluteError'
  | 'binaryCrossentropy'
  | 'categoricalCrossentropy';

const LOSSES: readonly LossName[] = [
  'meanSquaredError',
  'meanAbsoluteError',
  'binaryCrossentropy',
  'categoricalCrossentropy',
];

/** Targets: one tensor, one per output in order, or keyed by output name. */
export type ModelTargets = tf.Tensor | tf.Tensor[] | Record<string, tf.Tensor>;

/** What {@link fitModel} reports after each batch. */
export interface BatchLog {
  /** Epoch number, from 1. */
  epoch: number;
  /** Batch number within the epoch, from 1. */
  batch: number;
  /** Batches per epoch. */
  batches: number;
  /** Training loss of this batch. */
  loss: number;
}

/** What {@link fitModel} reports after each epoch. */
export interface EpochLog {
  /** Epoch number, from 1. */
  epoch: number;
  /** Mean training loss over the epoch's batches (weighted by size). */
  loss: number;
  /** Loss on the validation data in inference mode, or null without it. */
  valLoss: number | null;
  /** Whether the validation loss improved on the best so far. */
  improved: boolean;
  /** Wall time of the epoch, validation included, in milliseconds. */
  ms: number;
}

/** Options of {@link fitModel}. */
export interface FitOptions {
  /** Maximum number of epochs. */
  epochs: number;
  /** Samples per batch; the last partial batch is kept. @defaultValue 64 */
  batchSize?: number;
  /** Seed of the per-epoch shuffling; omit for a random one. */
  seed?: number;
  /** Optimizer; its state starts fresh. @defaultValue Adam(learningRate) */
  optimizer?: tf.Optimizer;
  /** Learning rate of the default Adam optimizer. @defaultValue 1e-3 */
  learningRate?: number;
  /** Training loss, summed over outputs. @defaultValue 'meanSquaredError' */
  loss?: LossName;
  /** Shuffle the training samples each epoch. @defaultValue true */
  shuffle?: boolean;
  /** Data evaluated after every epoch, for early stopping. */
  validation?: {
    /** Validation inputs, as for training. */
    inputs: ModelInputs;
    /** Validation targets, as for training. */
    targets: ModelTargets;
  };
  /**
   * Stop when this many consecutive epochs fail to improve the best
   * validation loss. Needs `validation`. @defaultValue no early stopping
   */
  patience?: number;
  /**
   * At the end, restore the weights of the epoch with the best validation
   * loss. @defaultValue true when `validation` is given
   */
  restoreBest?: boolean;
  /** Called after every batch. */
  onBatchEnd?: (log: BatchLog) => void;
  /** Called after every epoch; may be async. */
  onEpochEnd?: (log: EpochLog) => void | Promise<void>;
}

/** The result of {@link fitModel}. */
export interface FitHistory {
  /** One log per epoch run. */
  epochs: EpochLog[];
  /** Epoch with the best validation loss, or null without validation. */
  bestEpoch: number | null;
  /** The best validation loss, or null without validation. */
  bestValLoss: number | null;
  /** Whether early stopping ended training before `epochs`. */
  stoppedEarly: boolean;
  /** Total wall time in milliseconds. */
  totalMs: number;
  /** Mean wall time of one training step (gather, forward, backward,
   * update) in milliseconds. */
  meanStepMs: number;
  /** Number of training steps taken. */
  steps: number;
}

/**
 * Trains a tfjs-layers model with seeded shuffling, per-epoch validation in
 * inference mode, early stopping and restoration of the best weights.
 *
 * Unlike `model.fit`, whose shuffling draws from `Math.random`, the batch
 * order here is fixed by `seed`, so two runs with the same seed and the
 * same seeded layers give identical weights on the same backend. The model
 * is (re)compiled with the given optimizer and loss.
 *
 * @param model - The model to train (weights are updated in place).
 * @param inputs - Training inputs: a tensor, an array in input order, or a
 *   record keyed by input name.
 * @param targets - Training targets, one per model output.
 * @param options - See {@link FitOptions}.
 * @returns The training history.
 * @throws ShapeError when inputs and targets disagree on the sample count;
 *   RangeError or TypeError for invalid options.
 */
export async function fitModel(
  model: tfl.LayersModel,
  inputs: ModelInputs,
  targets: ModelTargets,
  options: FitOptions,
): Promise<FitHistory> {
  const where = 'fitModel';
  assertInteger(where, 'epochs', options.epochs, 1);
  const batchSize = options.batchSize ?? 64;
  assertInteger(where, 'batchSize', batchSize, 1);
  const loss = options.loss ?? 'meanSquaredError';
  assertOneOf(where, 'loss', loss, LOSSES);
  if (options.learningRate !== undefined) {
    const lr = options.learningRate;
    if (typeof lr !== 'number' || !(lr > 0) || !Number.isFinite(lr)) {
      throw new RangeError(
        `${where}: expected learningRate to be a finite number > 0, ` +
          `received ${String(lr)}`,
      );
    }
  }
  if (options.patience !== undefined) {
    assertInteger(where, 'patience', options.patience, 1);
    if (!options.validation) {
      throw new TypeError(
        `${where}: patience needs validation data, received none`,
      );
    }
  }
  const xs = orderInputs(model, inputs);
  const ys = orderTargets(model, targets);
  const n = sampleCount(xs);
  checkCounts(where, 'training', n, ys);
  if (options.validation) {
    const vn = sampleCount(orderInputs(model, options.validation.inputs));
    checkCounts(
      where,
      'validation',
      vn,
      orderTargets(model, options.validation.targets),
    );
  }

  installKernels();
  // An optimizer that an earlier call created for this model holds slot
  // variables nobody else can free; dispose it before replacing it.
  ownOptimizers.get(model)?.dispose();
  ownOptimizers.delete(model);
  const optimizer =
    options.optimizer ?? tf.train.adam(options.learningRate ?? 1e-3);
  model.compile({ optimizer, loss });
  if (!options.optimizer) {
    ownOptimizers.set(model, optimizer);
    // Let model.dispose() free the optimizer we created, as it does for an
    // optimizer tfjs-layers creates from a name (a protected field).
    (model as unknown as { isOptimizerOwned: boolean }).isOptimizerOwned = true;
  }
  const rng = new Random(resolveSeed(where, options.seed));
  const restoreBest = options.restoreBest ?? options.validation !== undefined;
  const batches = Math.ceil(n / batchSize);
  const history: FitHistory = {
    epochs: [],
    bestEpoch: null,
    bestValLoss: null,
    stoppedEarly: false,
    totalMs: 0,
    meanStepMs: 0,
    steps: 0,
  };
  let best: tf.Tensor[] | null = null;
  let stale = 0;
  let stepMs = 0;
  const started = now();

  try {
    for (let epoch = 1; epoch <= options.epochs; epoch++) {
      const epochStart = now();
      const order =
        options.shuffle === false ? [...Array(n).keys()] : rng.permutation(n);
      let lossSum = 0;
      for (let b = 0; b < batches; b++) {
        const stepStart = now();
        const idx = order.slice(b * batchSize, (b + 1) * batchSize);
        const batchLoss = await trainStep(model, xs, ys, idx);
        stepMs += now() - stepStart;
        history.steps++;
        if (!Number.isFinite(batchLoss)) {
          throw new RangeError(
            `${where}: the training loss became ${batchLoss} at epoch ` +
              `${epoch}, batch ${b + 1}; lower the learning rate or check ` +
              `the inputs for extreme values`,
          );
        }
        lossSum += batchLoss * idx.length;
        options.onBatchEnd?.({ epoch, batch: b + 1, batches, loss: batchLoss });
      }

      let valLoss: number | null = null;
      let improved = false;
      if (options.validation) {
        valLoss = evaluateLoss(
          model,
          options.validation.inputs,
          options.validation.targets,
          loss,
        );
        if (!Number.isFinite(valLoss)) {
          throw new RangeError(
            `${where}: the validation loss became ${valLoss} after epoch ` +
              `${epoch}; check the validation inputs and targets for ` +
              `non-finite values`,
          );
        }
        improved =
          history.bestValLoss === null || valLoss < history.bestValLoss;
        if (improved) {
          history.bestValLoss = valLoss;
          history.bestEpoch = epoch;
          stale = 0;
          if (restoreBest) {
            best?.forEach((t) => t.dispose());
            best = model.getWeights().map((w) => tf.clone(w));
          }
        } else {
          stale++;
        }
      }
      const log: EpochLog = {
        epoch,
        loss: lossSum / n,
        valLoss,
        improved,
        ms: now() - epochStart,
      };
      history.epochs.push(log);
      await options.onEpochEnd?.(log);
      if (options.patience !== undefined && stale >= options.patience) {
        history.stoppedEarly = epoch < options.epochs;
        break;
      }
    }
    if (best) model.setWeights(best);
  } finally {
    best?.forEach((t) => t.dispose());
  }
  history.totalMs = now() - started;
  history.meanStepMs = history.steps > 0 ? stepMs / history.steps : 0;
  return history;
}

/**
 * The loss of a model on data, in inference mode, with the same definition
 * as training: the mean over samples and units of each output, summed over
 * outputs.
 *
 * @param model - The model.
 * @param inputs - See `orderInputs`.
 * @param targets - One target per output.
 * @param loss - Which loss. @defaultValue 'meanSquaredError'
 * @returns The loss as a number.
 */
export function evaluateLoss(
  model: tfl.LayersModel,
  inputs: ModelInputs,
  targets: ModelTargets,
  loss: LossName = 'meanSquaredError',
): number {
  const ys = orderTargets(model, targets, 'evaluateLoss');
  return tf.tidy(() => {
    const predicted = predictBatched(model, inputs);
    const list = Array.isArray(predicted) ? predicted : [predicted];
    let total = 0;
    list.forEach((p, i) => {
      total += lossValue(loss, ys[i] as tf.Tensor, p);
    });
    return total;
  });
}

async function trainStep(
  model: tfl.LayersModel,
  xs: tf.Tensor[],
  ys: tf.Tensor[],
  idx: number[],
): Promise<number> {
  const indices = tf.tensor1d(idx, 'int32');
  const bx = xs.map((t) => tf.gather(t, indices));
  const by = ys.map((t) => tf.gather(t, indices));
  try {
    const out = await model.trainOnBatch(
      bx.length === 1 ? (bx[0] as tf.Tensor) : bx,
      by.length === 1 ? (by[0] as tf.Tensor) : by,
    );
    return Array.isArray(out) ? (out[0] as number) : out;
  } finally {
    indices.dispose();
    bx.forEach((t) => t.dispose());
    by.forEach((t) => t.dispose());
  }
}

function now(): number {
  return globalThis.performance.now();
}
