/**
 * Fine-tuning with a learning rate per group of layers: a pretrained
 * encoder inside a fusion model learns slower than the new layers.
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';

import { assertOneOf } from '../internal/assert';
import { ShapeError } from '../internal/errors';
import { type LossName, evaluateLoss } from '../model/fit-model';
import { type ModelInputs, sampleCount } from '../model/model-inputs';
import {
  type GroupEpochLog,
  type GroupFitHistory,
  type GroupFitOptions,
  runGroupLoop,
} from './train-loop';

/** Options of {@link fineTune}. */
export interface FineTuneOptions extends GroupFitOptions {
  /** Loss, summed over outputs. @defaultValue 'meanSquaredError' */
  loss?: LossName;
  /** Data scored after every epoch. */
  validation?: {
    /** Validation inputs. */
    inputs: ModelInputs;
    /** Validation targets, one per output. */
    targets: tf.Tensor | tf.Tensor[];
  };
  /**
   * Restore the weights of the epoch with the lowest validation loss.
   * @defaultValue true when `validation` is given
   */
  restoreBest?: boolean;
  /** Called after every epoch; may be async. */
  onEpochEnd?: (log: GroupEpochLog) => void | Promise<void>;
}

const LOSSES: readonly LossName[] = [
  'meanSquaredError',
  'meanAbsoluteError',
  'binaryCrossentropy',
  'categoricalCrossentropy',
];

/**
 * Trains a model with a learning rate per group of layers, e.g. a
 * pretrained encoder at a tenth of the rate of the fusion and heads around
 * it ("discriminative fine-tuning", Howard and Ruder 2018).
 *
 * tfjs optimizers take one learning rate, so there is one optimizer per
 * distinct rate, each over its group's variables: every step computes the
 * gradients of all trainable weights once and each optimizer applies its
 * share. This is exact for any optimizer (scaling gradients instead would
 * be undone by Adam's normalisation). A group with `learningRateScale` 0
 * is held fixed; weights of frozen layers ({@link freezeLayers}) are not
 * trained at all. Batches are shuffled with `seed`; the losses are those
 * of `fitModel` (cross-entropies on probabilities, clipped to 1e-7).
 *
 * @example
 * ```ts
 * const encoder = lstmEncoder({ units: [32], seed: 1, name: 'price_encoder' });
 * // ... pretrain a model that uses `encoder`, then build a fusion model
 * // that reuses the same layer instance:
 * await fineTune(fusion, inputs, targets, {
 *   epochs: 5,
 *   learningRate: 1e-3,
 *   groups: [{ layers: 'price_encoder', learningRateScale: 0.1 }],
 *   seed: 0,
 * });
 * ```
 * @param model - The model, trained in place.
 * @param inputs - Training inputs (tensor, array or record by input name).
 * @param targets - Training targets, one per output.
 * @param options - See {@link FineTuneOptions}.
 * @returns The history, with each optimizer's rate and weights.
 * @throws ShapeError when inputs and targets disagree on the sample count;
 *   TypeError when a group names no layer of the model or a weight is in
 *   two groups; RangeError for an option out of range or a non-finite loss.
 * @see Howard and Ruder (2018), Universal language model fine-tuning for
 * text classification, ACL.
 */
export async function fineTune(
  model: tfl.LayersModel,
  inputs: ModelInputs,
  targets: tf.Tensor | tf.Tensor[],
  options: FineTuneOptions,
): Promise<GroupFitHistory> {
  const where = 'fineTune';
  const loss = options.loss ?? 'meanSquaredError';
  assertOneOf(where, 'loss', loss, LOSSES);
  const ys = Array.isArray(targets) ? targets : [targets];
  const n = sampleCount(inputs);
  if (ys.length !== model.outputs.length || ys.some((y) => y.shape[0] !== n)) {
    throw new ShapeError(
      `${where}: expected ${model.outputs.length} target tensor(s) of ${n} ` +
        `samples, received sample counts [${ys.map((y) => y.shape[0])}]`,
    );
  }
  const validation = options.validation;
  return runGroupLoop(
    {
      where,
      model,
      inputs,
      loss: (outputs, indices) =>
        tf.tidy(() =>
          outputs
            .map((p, o) => lossTensor(loss, tf.gather(ys[o]!, indices), p))
            .reduce((a, b) => tf.add(a, b)),
        ),
      validate: validation
        ? () => evaluateLoss(model, validation.inputs, validation.targets, loss)
        : null,
      restoreBest: options.restoreBest ?? validation !== undefined,
      onEpochEnd: options.onEpochEnd,
    },
    options,
  );
}

/** A loss of `fitModel`'s definitions as a differentiable scalar. @internal */
export function lossTensor(
  loss: LossName,
  y: tf.Tensor,
  p: tf.Tensor,
): tf.Scalar {
  return tf.tidy(() => {
    switch (loss) {
      case 'meanSquaredError':
        return tf.mean(tf.squaredDifference(y, p));
      case 'meanAbsoluteError':
        return tf.mean(tf.abs(tf.sub(y, p)));
      case 'binaryCrossentropy': {
        const q = tf.clipByValue(p, 1e-7, 1 - 1e-7);
        const ll = tf.add(
          tf.mul(y, tf.log(q)),
          tf.mul(tf.sub(1, y), tf.log(tf.sub(1, q))),
        );
        return tf.neg(tf.mean(ll));
      }
      case 'categoricalCrossentropy': {
        const q = tf.clipByValue(p, 1e-7, 1 - 1e-7);
        return tf.neg(tf.mean(tf.sum(tf.mul(y, tf.log(q)), -1)));
      }
    }
  }) as tf.Scalar;
}
