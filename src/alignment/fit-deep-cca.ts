/**
 * Training two encoders with the Deep CCA objective, with held-out
 * canonical correlations after every epoch.
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';

import { type ModelInputs } from '../model/model-inputs';
import {
  type DeepCcaOptions,
  deepCcaCorrelation,
  deepCcaLoss,
} from './deep-cca';
import { LinearCca } from './linear-cca';
import {
  type TwoTowerFitOptions,
  embed,
  runTwoTowerLoop,
} from './two-tower-loop';

/** What {@link fitDeepCca} reports after each epoch. */
export interface DeepCcaEpochLog {
  /** Epoch number, from 1. */
  epoch: number;
  /** Mean training loss (−correlation per batch), weighted by size. */
  loss: number;
  /**
   * Held-out canonical correlations, descending: linear CCA (with the
   * loss's ridges) fitted on the training outputs, applied to the
   * validation outputs, and the Pearson correlation of each pair of
   * canonical variates there. Null without validation.
   */
  valCorrelations: number[] | null;
  /** Sum of the `k` (or all) held-out correlations, or null. */
  valCorrelation: number | null;
  /**
   * The objective computed on the validation outputs alone (CCA refitted
   * on them, so it is optimistic for small sets), or null.
   */
  valObjective: number | null;
  /** Wall time of the epoch, validation included, in milliseconds. */
  ms: number;
}

/** Options of {@link fitDeepCca}. */
export interface DeepCcaFitOptions extends TwoTowerFitOptions, DeepCcaOptions {
  /** Data evaluated after every epoch; the best epoch has the highest
   * held-out correlation. */
  validation?: {
    /** Validation inputs, as for training. */
    inputs: ModelInputs;
  };
  /** Called after every epoch; may be async. */
  onEpochEnd?: (log: DeepCcaEpochLog) => void | Promise<void>;
}

/** The result of {@link fitDeepCca}. */
export interface DeepCcaHistory {
  /** One log per epoch. */
  epochs: DeepCcaEpochLog[];
  /** Epoch with the highest held-out correlation, or null. */
  bestEpoch: number | null;
  /** Total wall time in milliseconds. */
  totalMs: number;
  /** Number of training steps taken. */
  steps: number;
}

/**
 * Trains the two outputs of a model (two encoders, e.g. from
 * {@link buildDualEncoder}) to be maximally correlated with
 * {@link deepCcaLoss}, in seeded minibatches (Wang et al. 2015 found
 * minibatches of a few hundred work as well as the paper's full batch). A
 * last batch no larger than the output size is merged into the one before
 * it, since the loss needs more samples than dimensions.
 *
 * After every epoch, the held-out correlation is measured the honest way:
 * linear CCA is fitted on the training outputs and its directions applied
 * to the validation outputs (as Andrew et al. report test correlation).
 * By default the weights of the epoch with the highest held-out
 * correlation are restored at the end.
 *
 * @example
 * ```ts
 * const history = await fitDeepCca(model, { news, prices }, {
 *   epochs: 10, batchSize: 256, seed: 0, k: 4,
 *   validation: { inputs: { news: newsVal, prices: pricesVal } },
 * });
 * history.epochs.map((e) => e.valCorrelation);
 * ```
 * @see Andrew, Arora, Bilmes and Livescu (2013), Deep Canonical
 * Correlation Analysis, ICML.
 * @see Wang, Arora, Livescu and Bilmes (2015), On Deep Multi-View
 * Representation Learning, ICML (minibatch training).
 * @param model - A model with two outputs.
 * @param inputs - Training inputs: an array in input order or a record
 *   keyed by input name.
 * @param options - See {@link DeepCcaFitOptions}.
 * @returns The training history.
 * @throws TypeError for a model without exactly two outputs; RangeError
 *   for invalid options (including a batch size not above the output size)
 *   or a loss that becomes non-finite.
 */
export async function fitDeepCca(
  model: tfl.LayersModel,
  inputs: ModelInputs,
  options: DeepCcaFitOptions,
): Promise<DeepCcaHistory> {
  const where = 'fitDeepCca';
  const dims = model.outputs.map((o) => (o.shape[1] as number | null) ?? 0);
  const o = Math.max(...dims, 0);
  const cca: DeepCcaOptions = {
    ...(options.r1 === undefined ? {} : { r1: options.r1 }),
    ...(options.r2 === undefined ? {} : { r2: options.r2 }),
    ...(options.k === undefined ? {} : { k: options.k }),
    ...(options.iterations === undefined
      ? {}
      : { iterations: options.iterations }),
    ...(options.subspaceIterations === undefined
      ? {}
      : { subspaceIterations: options.subspaceIterations }),
  };
  const validation = options.validation;

  return runTwoTowerLoop<DeepCcaEpochLog>({
    where,
    model,
    inputs,
    options,
    extraVariables: [],
    extraWeights: () => [],
    restoreExtra: () => undefined,
    minBatch: o + 1,
    loss: (h1, h2) => deepCcaLoss(h1, h2, cca),
    evaluate: (epoch, loss, ms) => {
      const log: DeepCcaEpochLog = {
        epoch,
        loss,
        valCorrelations: null,
        valCorrelation: null,
        valObjective: null,
        ms,
      };
      if (validation) {
        Object.assign(log, heldOut(model, inputs, validation.inputs, cca), {
          ms,
        });
      }
      return { log, score: log.valCorrelation };
    },
    onEpochEnd: options.onEpochEnd,
    hasValidation: validation !== undefined,
  });
}

function heldOut(
  model: tfl.LayersModel,
  train: ModelInputs,
  val: ModelInputs,
  cca: DeepCcaOptions,
): Pick<
  DeepCcaEpochLog,
  'valCorrelations' | 'valCorrelation' | 'valObjective'
> {
  const [t1, t2] = embed(model, train);
  const [v1, v2] = embed(model, val);
  try {
    const linear = new LinearCca({
      rx: cca.r1 ?? 1e-3,
      ry: cca.r2 ?? 1e-3,
    }).fit(t1.arraySync(), t2.arraySync());
    const correlations = linear.correlate(v1.arraySync(), v2.arraySync());
    const k = cca.k ?? correlations.length;
    const valCorrelation = correlations.slice(0, k).reduce((s, c) => s + c, 0);
    const m = v1.shape[0];
    const valObjective =
      m > Math.max(v1.shape[1], v2.shape[1])
        ? tf.tidy(() => deepCcaCorrelation(v1, v2, cca).dataSync()[0] as number)
        : null;
    return { valCorrelations: correlations, valCorrelation, valObjective };
  } finally {
    tf.dispose([t1, t2, v1, v2]);
  }
}
