/**
 * The seeded training loop shared by {@link fitContrastive} and
 * {@link fitDeepCca}: a two-output model trained on a loss of its two
 * outputs, with per-epoch evaluation and restoration of the best weights.
 *
 * @internal
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';

import { assertInteger } from '../internal/assert';
import { ShapeError } from '../internal/errors';
import { Random, resolveSeed } from '../internal/random';
import { installKernels } from '../kernels/register';
import {
  type ModelInputs,
  orderInputs,
  predictBatched,
} from '../model/model-inputs';

/** Options common to the alignment training helpers. */
export interface TwoTowerFitOptions {
  /** Number of epochs. */
  epochs: number;
  /** Samples per batch. @defaultValue 64 */
  batchSize?: number;
  /** Seed of the per-epoch shuffling; omit for a random one. */
  seed?: number;
  /** Optimizer; its state starts fresh. @defaultValue Adam(learningRate) */
  optimizer?: tf.Optimizer;
  /** Learning rate of the default Adam optimizer. @defaultValue 1e-3 */
  learningRate?: number;
  /**
   * At the end, restore the weights of the epoch with the best validation
   * score. @defaultValue true when validation data are given
   */
  restoreBest?: boolean;
}

/** What the loop needs from a helper. */
export interface LoopSpec<TLog> {
  where: string;
  model: tfl.LayersModel;
  inputs: ModelInputs;
  options: TwoTowerFitOptions;
  /** Variables trained besides the model's (the logit scale). */
  extraVariables: tf.Variable[];
  /** Extra weights saved and restored with the best epoch. */
  extraWeights: () => tf.Tensor[];
  restoreExtra: (weights: tf.Tensor[]) => void;
  /** The smallest batch the loss accepts; a smaller last batch merges. */
  minBatch: number;
  /** The loss of one batch from the two outputs and the batch indices. */
  loss: (za: tf.Tensor, zb: tf.Tensor, indices: number[]) => tf.Scalar;
  /** Builds the epoch log; `score` (higher is better) or null. */
  evaluate: (
    epoch: number,
    trainLoss: number,
    ms: number,
  ) => { log: TLog; score: number | null };
  onEpochEnd?: ((log: TLog) => void | Promise<void>) | undefined;
  hasValidation: boolean;
}

/** The result of the loop. */
export interface LoopResult<TLog> {
  epochs: TLog[];
  bestEpoch: number | null;
  totalMs: number;
  steps: number;
}

/** Runs the loop; see {@link LoopSpec}. */
export async function runTwoTowerLoop<TLog>(
  spec: LoopSpec<TLog>,
): Promise<LoopResult<TLog>> {
  const { where, model, options } = spec;
  assertInteger(where, 'epochs', options.epochs, 1);
  const batchSize = options.batchSize ?? 64;
  assertInteger(where, 'batchSize', batchSize, spec.minBatch);
  checkTwoOutputs(where, model);
  const xs = orderInputs(model, spec.inputs);
  const n = xs[0]?.shape[0] as number;
  if (n < spec.minBatch) {
    throw new ShapeError(
      `${where}: expected at least ${spec.minBatch} training samples, ` +
        `received ${n}`,
    );
  }

  installKernels();
  const optimizer =
    options.optimizer ?? tf.train.adam(options.learningRate ?? 1e-3);
  const variables = [
    ...model.trainableWeights.map((w) => w.read() as tf.Variable),
    ...spec.extraVariables,
  ];
  const rng = new Random(resolveSeed(where, options.seed));
  const restoreBest = options.restoreBest ?? spec.hasValidation;
  const result: LoopResult<TLog> = {
    epochs: [],
    bestEpoch: null,
    totalMs: 0,
    steps: 0,
  };
  let best: tf.Tensor[] | null = null;
  let bestScore = -Infinity;
  const started = performance.now();

  try {
    for (let epoch = 1; epoch <= options.epochs; epoch++) {
      const epochStart = performance.now();
      const batches = batchesOf(rng.permutation(n), batchSize, spec.minBatch);
      let lossSum = 0;
      for (const idx of batches) {
        const batchLoss = step(spec, optimizer, variables, xs, idx);
        if (!Number.isFinite(batchLoss)) {
          throw new RangeError(
            `${where}: the training loss became ${batchLoss} at epoch ` +
              `${epoch}; lower the learning rate or check the inputs`,
          );
        }
        lossSum += batchLoss * idx.length;
        result.steps++;
      }
      const { log, score } = spec.evaluate(
        epoch,
        lossSum / n,
        performance.now() - epochStart,
      );
      if (score !== null && score > bestScore) {
        bestScore = score;
        result.bestEpoch = epoch;
        if (restoreBest) {
          best?.forEach((t) => t.dispose());
          best = [
            ...model.getWeights().map((w) => tf.clone(w)),
            ...spec.extraWeights().map((w) => tf.clone(w)),
          ];
        }
      }
      result.epochs.push(log);
      await spec.onEpochEnd?.(log);
    }
    if (best) {
      const count = model.getWeights().length;
      model.setWeights(best.slice(0, count));
      spec.restoreExtra(best.slice(count));
    }
  } finally {
    best?.forEach((t) => t.dispose());
    if (!options.optimizer) optimizer.dispose();
  }
  result.totalMs = performance.now() - started;
  return result;
}

/** The two outputs of a model in inference mode, in batches. */
export function embed(
  model: tfl.LayersModel,
  inputs: ModelInputs,
): [tf.Tensor2D, tf.Tensor2D] {
  const out = predictBatched(model, inputs) as tf.Tensor[];
  return [out[0] as tf.Tensor2D, out[1] as tf.Tensor2D];
}

function step<TLog>(
  spec: LoopSpec<TLog>,
  optimizer: tf.Optimizer,
  variables: tf.Variable[],
  xs: tf.Tensor[],
  idx: number[],
): number {
  const indices = tf.tensor1d(idx, 'int32');
  const batch = xs.map((t) => tf.gather(t, indices));
  try {
    const cost = optimizer.minimize(
      () => {
        const out = spec.model.apply(batch.length === 1 ? batch[0]! : batch, {
          training: true,
        }) as tf.Tensor[];
        return spec.loss(out[0] as tf.Tensor, out[1] as tf.Tensor, idx);
      },
      true,
      variables,
    );
    const value = cost?.dataSync()[0] as number;
    cost?.dispose();
    return value;
  } finally {
    indices.dispose();
    batch.forEach((t) => t.dispose());
  }
}

/** Consecutive batches of `order`; a last batch below `minBatch` merges. */
function batchesOf(
  order: number[],
  size: number,
  minBatch: number,
): number[][] {
  const out: number[][] = [];
  for (let s = 0; s < order.length; s += size)
    out.push(order.slice(s, s + size));
  const last = out[out.length - 1] as number[];
  if (out.length > 1 && last.length < minBatch) {
    out.pop();
    (out[out.length - 1] as number[]).push(...last);
  }
  return out;
}

function checkTwoOutputs(where: string, model: tfl.LayersModel): void {
  if (model.outputs.length !== 2) {
    throw new TypeError(
      `${where}: expected a model with two outputs (one embedding per ` +
        `modality, as buildDualEncoder makes), received ` +
        `${model.outputs.length} outputs [${model.outputNames.join(', ')}]`,
    );
  }
}
