/**
 * A seeded training loop over groups of variables, each with its own
 * optimizer (and so its own learning rate), shared by {@link fineTune} and
 * {@link fitDistillation}.
 *
 * @internal
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';

import { assertInRange, assertInteger } from '../internal/assert';
import { ShapeError } from '../internal/errors';
import { Random, resolveSeed } from '../internal/random';
import { installKernels } from '../kernels/register';
import {
  type ModelInputs,
  orderInputs,
  sampleCount,
} from '../model/model-inputs';
import { type LayerSelector, findLayers } from './freeze';

/** A group of layers trained at a multiple of the base learning rate. */
export interface LayerGroup {
  /** The layers of the group; see {@link LayerSelector}. */
  layers: LayerSelector;
  /**
   * Multiplier of the base learning rate for the group's weights; 0
   * freezes them for this training only.
   */
  learningRateScale: number;
}

/** Options shared by the loops with per-group learning rates. */
export interface GroupFitOptions {
  /** Number of epochs. */
  epochs: number;
  /** Samples per batch; the last partial batch is kept. @defaultValue 32 */
  batchSize?: number;
  /** Seed of the per-epoch shuffling; omit for a random one. */
  seed?: number;
  /** Base learning rate. @defaultValue 1e-3 */
  learningRate?: number;
  /**
   * Layer groups with their own learning rates; other trainable weights
   * use the base rate. A weight may belong to one group only.
   * @defaultValue none
   */
  groups?: LayerGroup[];
  /**
   * Makes each group's optimizer from its learning rate; one optimizer per
   * group, disposed at the end. @defaultValue `tf.train.adam`
   */
  optimizer?: (learningRate: number) => tf.Optimizer;
}

/** What the loops report after each epoch. */
export interface GroupEpochLog {
  /** Epoch number, from 1. */
  epoch: number;
  /** Mean training loss over the epoch's batches (weighted by size). */
  loss: number;
  /** Validation loss, or null without validation. */
  valLoss: number | null;
  /** Wall time of the epoch in milliseconds. */
  ms: number;
}

/** The result of the loops. */
export interface GroupFitHistory {
  /** One log per epoch. */
  epochs: GroupEpochLog[];
  /** Epoch with the lowest validation loss, or null without validation. */
  bestEpoch: number | null;
  /** Each optimizer's learning rate and the weights it updated. */
  groups: {
    /** The optimizer's learning rate. */
    learningRate: number;
    /** Names of the weights it updated. */
    weights: string[];
  }[];
  /** Training steps taken. */
  steps: number;
  /** Total wall time in milliseconds. */
  totalMs: number;
}

/** A group of variables with its optimizer. */
interface Group {
  learningRate: number;
  variables: tf.Variable[];
  optimizer: tf.Optimizer;
}

/** What a loop needs besides the options. */
export interface LoopSpec {
  where: string;
  model: tfl.LayersModel;
  inputs: ModelInputs;
  /** The loss of a batch from the model's outputs and the batch indices. */
  loss: (outputs: tf.Tensor[], indices: tf.Tensor1D) => tf.Scalar;
  /** Validation loss (lower is better), or null without validation. */
  validate: (() => number) | null;
  restoreBest: boolean;
  onEpochEnd?: ((log: GroupEpochLog) => void | Promise<void>) | undefined;
}

/** Runs the loop; see {@link GroupFitOptions}. */
export async function runGroupLoop(
  spec: LoopSpec,
  options: GroupFitOptions,
): Promise<GroupFitHistory> {
  const { where, model } = spec;
  assertInteger(where, 'epochs', options.epochs, 1);
  const batchSize = options.batchSize ?? 32;
  assertInteger(where, 'batchSize', batchSize, 1);
  const learningRate = options.learningRate ?? 1e-3;
  assertInRange(where, 'learningRate', learningRate, 0, Infinity);
  const xs = orderInputs(model, spec.inputs);
  const n = sampleCount(xs);
  if (n === 0) {
    throw new ShapeError(`${where}: expected training samples, received 0`);
  }

  installKernels();
  const groups = makeGroups(where, model, options, learningRate);
  const variables = groups.flatMap((g) => g.variables);
  const rng = new Random(resolveSeed(where, options.seed));
  const history: GroupFitHistory = {
    epochs: [],
    bestEpoch: null,
    groups: groups.map((g) => ({
      learningRate: g.learningRate,
      weights: g.variables.map((v) => v.name),
    })),
    steps: 0,
    totalMs: 0,
  };
  const started = performance.now();
  let best: tf.Tensor[] | null = null;
  let bestLoss = Infinity;

  try {
    for (let epoch = 1; epoch <= options.epochs; epoch++) {
      const epochStart = performance.now();
      const order = rng.permutation(n);
      let lossSum = 0;
      for (let start = 0; start < n; start += batchSize) {
        const idx = order.slice(start, start + batchSize);
        const value = step(spec, xs, idx, groups, variables);
        if (!Number.isFinite(value)) {
          throw new RangeError(
            `${where}: the training loss became ${value} at epoch ${epoch}; ` +
              `lower the learning rate or check the inputs`,
          );
        }
        lossSum += value * idx.length;
        history.steps++;
      }
      const valLoss = spec.validate ? spec.validate() : null;
      if (valLoss !== null && valLoss < bestLoss) {
        bestLoss = valLoss;
        history.bestEpoch = epoch;
        if (spec.restoreBest) {
          tf.dispose(best ?? []);
          best = model.getWeights().map((w) => tf.clone(w));
        }
      }
      const log = {
        epoch,
        loss: lossSum / n,
        valLoss,
        ms: performance.now() - epochStart,
      };
      history.epochs.push(log);
      await spec.onEpochEnd?.(log);
    }
    if (best) model.setWeights(best);
  } finally {
    tf.dispose(best ?? []);
    groups.forEach((g) => g.optimizer.dispose());
  }
  history.totalMs = performance.now() - started;
  return history;
}

/** One optimizer per distinct learning rate over the trainable weights. */
function makeGroups(
  where: string,
  model: tfl.LayersModel,
  options: GroupFitOptions,
  learningRate: number,
): Group[] {
  const scaleOf = new Map<tf.Variable, number>();
  (options.groups ?? []).forEach((group, g) => {
    assertInRange(
      where,
      `groups[${g}].learningRateScale`,
      group.learningRateScale,
      0,
      Infinity,
    );
    for (const layer of findLayers(model, group.layers)) {
      for (const w of layer.trainableWeights) {
        const v = w.read() as tf.Variable;
        if (scaleOf.has(v)) {
          throw new TypeError(
            `${where}: expected each weight in one group at most, received ` +
              `'${w.name}' in groups[${g}] and an earlier group`,
          );
        }
        scaleOf.set(v, group.learningRateScale);
      }
    }
  });

  const make = options.optimizer ?? ((lr: number) => tf.train.adam(lr));
  const byScale = new Map<number, tf.Variable[]>();
  for (const w of model.trainableWeights) {
    const v = w.read() as tf.Variable;
    const scale = scaleOf.get(v) ?? 1;
    if (scale === 0) continue;
    byScale.set(scale, [...(byScale.get(scale) ?? []), v]);
  }
  if (byScale.size === 0) {
    throw new TypeError(
      `${where}: expected trainable weights with a learning rate above 0 ` +
        `in model '${model.name}', received none`,
    );
  }
  return [...byScale.entries()].map(([scale, variables]) => ({
    learningRate: learningRate * scale,
    variables,
    optimizer: make(learningRate * scale),
  }));
}

/** One step: gradients of all groups at once, each applied by its own
 * optimizer. */
function step(
  spec: LoopSpec,
  xs: tf.Tensor[],
  idx: number[],
  groups: Group[],
  variables: tf.Variable[],
): number {
  const indices = tf.tensor1d(idx, 'int32');
  const batch = xs.map((t) => tf.gather(t, indices));
  try {
    const { value, grads } = tf.variableGrads(() => {
      const out = spec.model.apply(batch.length === 1 ? batch[0]! : batch, {
        training: true,
      }) as tf.Tensor | tf.Tensor[];
      return spec.loss(Array.isArray(out) ? out : [out], indices);
    }, variables);
    for (const group of groups) {
      const mine: tf.NamedTensorMap = {};
      for (const v of group.variables) {
        const g = grads[v.name];
        if (g) mine[v.name] = g;
      }
      if (Object.keys(mine).length > 0) group.optimizer.applyGradients(mine);
    }
    const loss = value.dataSync()[0] as number;
    tf.dispose([value, ...Object.values(grads)]);
    return loss;
  } finally {
    indices.dispose();
    batch.forEach((t) => t.dispose());
  }
}
