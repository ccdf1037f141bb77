/**
 * Training a dual encoder with the CLIP contrastive loss.
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';

import { describe } from '../internal/errors';
import { type ModelInputs, sampleCount } from '../model/model-inputs';
import { clipLoss, positiveMaskFromIds } from './contrastive';
import { LogitScale } from './logit-scale';
import { type RetrievalMetrics, retrievalMetrics } from './retrieval';
import {
  type TwoTowerFitOptions,
  embed,
  runTwoTowerLoop,
} from './two-tower-loop';

/** What {@link fitContrastive} reports after each epoch. */
export interface ContrastiveEpochLog {
  /** Epoch number, from 1. */
  epoch: number;
  /** Mean training loss over the epoch's batches (weighted by size). */
  loss: number;
  /** The logit scale in use at the end of the epoch (after the clamp). */
  scale: number;
  /** CLIP loss on the validation data in batches of `batchSize`, or null. */
  valLoss: number | null;
  /** Retrieval metrics over the whole validation set, or null. */
  valRetrieval: RetrievalMetrics | null;
  /** Wall time of the epoch, validation included, in milliseconds. */
  ms: number;
}

/** Options of {@link fitContrastive}. */
export interface ContrastiveFitOptions extends TwoTowerFitOptions {
  /**
   * The learnable logit scale, trained with the model.
   * @defaultValue a new {@link LogitScale} (1/0.07, at most 100)
   */
  logitScale?: LogitScale;
  /**
   * Item id of each training sample; samples that share an id are not
   * treated as each other's negatives (the positive mask of the loss).
   */
  ids?: readonly (string | number)[];
  /** Data evaluated after every epoch; the best epoch has the lowest loss. */
  validation?: {
    /** Validation inputs, as for training. */
    inputs: ModelInputs;
    /** Item ids of the validation samples. */
    ids?: readonly (string | number)[];
  };
  /** Called after every epoch; may be async. */
  onEpochEnd?: (log: ContrastiveEpochLog) => void | Promise<void>;
}

/** The result of {@link fitContrastive}. */
export interface ContrastiveHistory {
  /** One log per epoch. */
  epochs: ContrastiveEpochLog[];
  /** Epoch with the lowest validation loss, or null without validation. */
  bestEpoch: number | null;
  /** The logit scale that was trained (the one given, or a new one). */
  logitScale: LogitScale;
  /** Total wall time in milliseconds. */
  totalMs: number;
  /** Number of training steps taken. */
  steps: number;
}

/**
 * Trains a two-output model (e.g. from {@link buildDualEncoder}) and a
 * learnable logit scale with the CLIP loss ({@link clipLoss}): each batch's
 * paired rows are positives, all other rows of the batch negatives. Batch
 * order is fixed by `seed`; after every epoch the validation loss and
 * retrieval metrics are computed in inference mode, and by default the
 * weights (and scale) of the epoch with the lowest validation loss are
 * restored at the end.
 *
 * @example
 * ```ts
 * const history = await fitContrastive(model, { news, prices }, {
 *   epochs: 10,
 *   batchSize: 64,
 *   seed: 0,
 *   validation: { inputs: { news: newsVal, prices: pricesVal } },
 * });
 * history.epochs.at(-1)?.valRetrieval?.aToB.recallAtK[10];
 * ```
 * @see Radford et al. (2021), Learning Transferable Visual Models From
 * Natural Language Supervision, ICML.
 * @param model - A model with two outputs of one size.
 * @param inputs - Training inputs: an array in input order or a record
 *   keyed by input name.
 * @param options - See {@link ContrastiveFitOptions}.
 * @returns The training history.
 * @throws TypeError for a model without exactly two outputs; RangeError
 *   for invalid options, ids of the wrong length, or a loss that becomes
 *   non-finite.
 */
export async function fitContrastive(
  model: tfl.LayersModel,
  inputs: ModelInputs,
  options: ContrastiveFitOptions,
): Promise<ContrastiveHistory> {
  const where = 'fitContrastive';
  const scale = options.logitScale ?? new LogitScale();
  const n = sampleCount(inputs);
  checkIds(where, 'ids', options.ids, n);
  const validation = options.validation;
  if (validation) {
    checkIds(
      where,
      'validation.ids',
      validation.ids,
      sampleCount(validation.inputs),
    );
  }
  const batchSize = options.batchSize ?? 64;
  const lossOf = (
    za: tf.Tensor,
    zb: tf.Tensor,
    ids: readonly (string | number)[] | undefined,
  ) => {
    const mask = ids ? positiveMaskFromIds(ids) : undefined;
    const loss = clipLoss(za, zb, {
      logScale: scale.logScale(),
      maxScale: scale.maxScale,
      ...(mask ? { positiveMask: mask } : {}),
    });
    mask?.dispose();
    return loss;
  };

  const result = await runTwoTowerLoop<ContrastiveEpochLog>({
    where,
    model,
    inputs,
    options,
    extraVariables: scale.trainable ? [scale.logScale()] : [],
    extraWeights: () => [scale.logScale()],
    restoreExtra: ([w]) => scale.logScale().assign(w as tf.Scalar),
    minBatch: 1,
    loss: (za, zb, idx) => {
      const ids = options.ids;
      return lossOf(
        za,
        zb,
        ids ? idx.map((i) => ids[i] as string | number) : undefined,
      );
    },
    evaluate: (epoch, loss, ms) => {
      let valLoss: number | null = null;
      let valRetrieval: RetrievalMetrics | null = null;
      if (validation) {
        const [za, zb] = embed(model, validation.inputs);
        try {
          valLoss = batchedLoss(za, zb, batchSize, validation.ids, lossOf);
          valRetrieval = retrievalMetrics(za, zb, {
            ...(validation.ids ? { ids: validation.ids } : {}),
          });
        } finally {
          tf.dispose([za, zb]);
        }
      }
      const log = {
        epoch,
        loss,
        scale: scale.scale(),
        valLoss,
        valRetrieval,
        ms,
      };
      return { log, score: valLoss === null ? null : -valLoss };
    },
    onEpochEnd: options.onEpochEnd,
    hasValidation: validation !== undefined,
  });
  return { ...result, logitScale: scale };
}

/** Mean CLIP loss over consecutive batches, weighted by batch size. */
function batchedLoss(
  za: tf.Tensor2D,
  zb: tf.Tensor2D,
  batchSize: number,
  ids: readonly (string | number)[] | undefined,
  lossOf: (
    a: tf.Tensor,
    b: tf.Tensor,
    ids: readonly (string | number)[] | undefined,
  ) => tf.Scalar,
): number {
  const n = za.shape[0];
  let total = 0;
  for (let start = 0; start < n; start += batchSize) {
    const size = Math.min(batchSize, n - start);
    total +=
      size *
      tf.tidy(() => {
        const a = tf.slice(za, [start, 0], [size, -1]);
        const b = tf.slice(zb, [start, 0], [size, -1]);
        const part = ids?.slice(start, start + size);
        return lossOf(a, b, part).dataSync()[0] as number;
      });
  }
  return total / n;
}

function checkIds(
  where: string,
  name: string,
  ids: readonly (string | number)[] | undefined,
  n: number,
): void {
  if (ids !== undefined && (!Array.isArray(ids) || ids.length !== n)) {
    throw new RangeError(
      `${where}: expected ${name} with one id per sample (${n}), ` +
        `received ${describe(ids)}`,
    );
  }
}
