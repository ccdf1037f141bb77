/**
 * Permutation importance: how much a metric worsens when the values of a
 * feature, a group of features or a whole modality are shuffled across
 * rows.
 */
import * as tf from '@tensorflow/tfjs-core';

import { assertInteger } from '../internal/assert';
import { ShapeError, describe, formatShape } from '../internal/errors';
import { Random } from '../internal/random';
import {
  type ExplainInputs,
  type Explainable,
  ModelRunner,
  checkOutput,
  hostData,
  resolveInputs,
} from './model-adapter';
import { type PlayerSpec, resolvePlayers } from './players';

/** A loss of predictions against targets: lower is better. */
export type PermutationMetric =
  | 'mse'
  | 'mae'
  | ((targets: Float64Array, predictions: Float64Array) => number);

/** Options of {@link explainPermutation}. */
export interface PermutationOptions {
  /** Seed of the permutations; the same seed gives the same result. */
  seed: number;
  /** Permutations per player. @defaultValue 5 */
  repeats?: number;
  /**
   * The players: features (`'elements'`), groups, time steps (`{ axis }`)
   * or whole modalities (`'whole'` per input).
   * @defaultValue every element of every input
   */
  players?: PlayerSpec;
  /** The loss. @defaultValue 'mse' */
  metric?: PermutationMetric;
  /** Output index (all outputs joined along the last axis). @defaultValue 0 */
  output?: number;
  /** Rows per prediction call. @defaultValue 512 */
  batchSize?: number;
}

/** Permutation importance: plain data for the bar renderers. */
export interface PermutationImportance {
  /** Mean increase of the loss over the repeats, per player. */
  importances: number[];
  /** Standard deviation of the increase over the repeats, per player. */
  std: number[];
  /** The loss after each permutation, `[players][repeats]`. */
  scores: number[][];
  /** The loss on the unpermuted rows. */
  baseline: number;
  /** One label per player. */
  labels: string[];
  /** The players' layout. */
  shape: number[];
  /** The metric's name (`'custom'` for a function). */
  metric: string;
  /** Output index. */
  output: number;
}

/**
 * Permutation importance (Breiman 2001; Fisher, Rudin and Dominici 2019):
 * for each player and repeat, the player's values are permuted across the
 * rows (all elements of a group or modality with the same permutation),
 * and the loss of the model's predictions is compared with the loss on
 * the original rows. The permuted datasets are predicted together in
 * calls of `batchSize` rows.
 *
 * @example
 * ```ts
 * const imp = await explainPermutation(model, testInputs, testTargets, {
 *   players: { price: 'whole', chart: 'whole' }, // one player per modality
 *   repeats: 10,
 *   seed: 0,
 * });
 * imp.importances; // [chart, price]
 * ```
 * @param model - A tfjs-layers model or a batched prediction function.
 * @param inputs - Rows (at least 2), a tensor or a record keyed by input
 *   name.
 * @param targets - One target per row for the explained output, `[rows]`
 *   or `[rows, 1]`, or `[rows, outputs]` (then column `output` is used).
 * @param options - See {@link PermutationOptions}.
 * @returns Importances per player with their spread.
 * @throws ShapeError when the targets do not fit the rows; RangeError for
 *   invalid numbers.
 * @see Fisher, Rudin and Dominici (2019), All models are wrong, but many
 *   are useful, JMLR.
 */
export async function explainPermutation(
  model: Explainable,
  inputs: ExplainInputs,
  targets: tf.Tensor | ArrayLike<number>,
  options: PermutationOptions,
): Promise<PermutationImportance> {
  const where = 'explainPermutation';
  const { layout, tensors, rows } = resolveInputs(where, model, inputs);
  if (rows < 2) {
    throw new ShapeError(
      `${where}: expected at least 2 rows, received ${rows}`,
    );
  }
  const repeats = options.repeats ?? 5;
  assertInteger(where, 'repeats', repeats, 1);
  const batchSize = options.batchSize ?? 512;
  assertInteger(where, 'batchSize', batchSize, 1);
  const output = options.output ?? 0;
  assertInteger(where, 'output', output, 0);
  if (typeof options.seed !== 'number' || !Number.isFinite(options.seed)) {
    throw new RangeError(
      `${where}: expected a finite numeric seed, received ${String(options.seed)}`,
    );
  }
  const y = await targetColumn(where, targets, rows, output);
  const metric = options.metric ?? 'mse';
  const loss = lossOf(where, metric);
  const players = resolvePlayers(where, layout, options.players);
  const data = await hostData(layout, tensors);
  const runner = new ModelRunner(where, model, layout);
  const rng = new Random(options.seed);

  // Elements of each player, per input.
  const members = layout.inputs.map((s) => {
    const a = players.assignment[s.name];
    const lists: number[][] = Array.from({ length: players.count }, () => []);
    if (a) a.forEach((p, e) => p >= 0 && lists[p]!.push(e));
    return lists;
  });

  // Jobs: the original rows, then each player × repeat.
  const jobs: { player: number; perm: Int32Array | null }[] = [
    { player: -1, perm: null },
  ];
  for (let p = 0; p < players.count; p++) {
    for (let r = 0; r < repeats; r++) {
      jobs.push({ player: p, perm: Int32Array.from(rng.permutation(rows)) });
    }
  }
  const predictions = jobs.map(() => new Float64Array(rows));
  const totalRows = jobs.length * rows;
  for (let r0 = 0; r0 < totalRows; r0 += batchSize) {
    const c = Math.min(batchSize, totalRows - r0);
    const chunk: Record<string, tf.Tensor> = {};
    layout.inputs.forEach((s, k) => {
      const source = data[s.name]!;
      const out =
        source instanceof Int32Array
          ? new Int32Array(c * s.size)
          : new Float32Array(c * s.size);
      for (let i = 0; i < c; i++) {
        const job = jobs[Math.floor((r0 + i) / rows)]!;
        const row = (r0 + i) % rows;
        out.set(source.subarray(row * s.size, (row + 1) * s.size), i * s.size);
        if (job.perm) {
          const from = (job.perm[row] as number) * s.size;
          for (const e of members[k]![job.player]!)
            out[i * s.size + e] = source[from + e] as number;
        }
      }
      chunk[s.name] = tf.tensor(out, [c, ...s.shape], s.dtype);
    });
    try {
      const out = await runner.run(chunk);
      checkOutput(where, output, runner.outputs);
      for (let i = 0; i < c; i++) {
        const job = Math.floor((r0 + i) / rows);
        predictions[job]![(r0 + i) % rows] = out[
          i * runner.outputs + output
        ] as number;
      }
    } finally {
      tf.dispose(Object.values(chunk));
    }
  }

  const baseline = loss(y, predictions[0]!);
  const scores = Array.from({ length: players.count }, (_, p) =>
    Array.from({ length: repeats }, (_, r) =>
      loss(y, predictions[1 + p * repeats + r]!),
    ),
  );
  const importances = scores.map(
    (s) => s.reduce((a, b) => a + b, 0) / repeats - baseline,
  );
  const std = scores.map((s, p) => {
    const mean = (importances[p] as number) + baseline;
    return Math.sqrt(s.reduce((a, v) => a + (v - mean) ** 2, 0) / repeats);
  });
  return {
    importances,
    std,
    scores,
    baseline,
    labels: players.labels,
    shape: players.shape,
    metric: typeof metric === 'string' ? metric : 'custom',
    output,
  };
}

async function targetColumn(
  where: string,
  targets: tf.Tensor | ArrayLike<number>,
  rows: number,
  output: number,
): Promise<Float64Array> {
  if (!(targets instanceof tf.Tensor)) {
    if (targets.length !== rows) {
      throw new ShapeError(
        `${where}: expected ${rows} targets, received ${describe(targets)} ` +
          `of length ${targets.length}`,
      );
    }
    return Float64Array.from(targets);
  }
  const shape = targets.shape;
  const width = shape.length === 1 ? 1 : (shape[1] as number);
  if (shape[0] !== rows || shape.length > 2) {
    throw new ShapeError(
      `${where}: expected targets of shape [${rows}] or [${rows},outputs], ` +
        `received ${formatShape(shape)}`,
    );
  }
  const data = await targets.data();
  const column = width === 1 ? 0 : output;
  checkOutput(where, column, width);
  return Float64Array.from(
    { length: rows },
    (_, i) => data[i * width + column] as number,
  );
}

function lossOf(
  where: string,
  metric: PermutationMetric,
): (y: Float64Array, p: Float64Array) => number {
  if (typeof metric === 'function') return metric;
  if (metric === 'mse' || metric === 'mae') {
    const f = metric === 'mse' ? (d: number) => d * d : Math.abs;
    return (y, p) => {
      let s = 0;
      for (let i = 0; i < y.length; i++)
        s += f((y[i] as number) - (p[i] as number));
      return s / y.length;
    };
  }
  throw new TypeError(
    `${where}: expected metric 'mse', 'mae' or a function, received ` +
      describe(metric),
  );
}
