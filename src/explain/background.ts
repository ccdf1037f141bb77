/**
 * Background data for the Shapley explainers: rows with weights, and a
 * weighted k-means summarizer that keeps the background small.
 */
import * as tf from '@tensorflow/tfjs-core';

import { assertInteger } from '../internal/assert';
import { ShapeError, describe } from '../internal/errors';
import { Random } from '../internal/random';
import {
  type ExplainInputs,
  type InputLayout,
  hostData,
  matchLayout,
} from './model-adapter';

/** Background rows with a weight each (weights need not sum to 1). */
export interface WeightedBackground {
  /** The rows, as a tensor or a record keyed by input name. */
  inputs: ExplainInputs;
  /** One non-negative weight per row. */
  weights: ArrayLike<number>;
}

/** Background as the explainers take it: plain rows or weighted rows. */
export type BackgroundInput = ExplainInputs | WeightedBackground;

/** Background copied to the host, with normalized weights. */
export interface HostBackground {
  /** Data per input, `[rows * size]`. */
  data: Record<string, Float32Array | Int32Array>;
  /** Number of rows. */
  rows: number;
  /** Weights summing to 1. */
  weights: Float64Array;
}

/**
 * Checks a background against the inputs and copies it to the host.
 *
 * @throws TypeError or ShapeError when it does not match the inputs;
 *   RangeError for negative, non-finite or all-zero weights.
 */
export async function hostBackground(
  where: string,
  layout: InputLayout,
  background: BackgroundInput,
): Promise<HostBackground> {
  const weighted = isWeighted(background);
  const inputs = weighted ? background.inputs : background;
  const { tensors, rows } = matchLayout(where, 'background', layout, inputs);
  if (rows < 1) {
    throw new ShapeError(`${where}: expected at least one background row`);
  }
  const weights = new Float64Array(rows).fill(1);
  if (weighted) {
    if (background.weights.length !== rows) {
      throw new ShapeError(
        `${where}: expected ${rows} background weights, received ` +
          background.weights.length,
      );
    }
    for (let i = 0; i < rows; i++) weights[i] = background.weights[i] as number;
  }
  let total = 0;
  for (let i = 0; i < rows; i++) {
    const w = weights[i] as number;
    if (!(w >= 0) || !Number.isFinite(w)) {
      throw new RangeError(
        `${where}: expected background weights to be finite and >= 0, ` +
          `received ${w} at row ${i}`,
      );
    }
    total += w;
  }
  if (total <= 0) {
    throw new RangeError(`${where}: expected a background weight above 0`);
  }
  for (let i = 0; i < rows; i++) weights[i] = (weights[i] as number) / total;
  return { data: await hostData(layout, tensors), rows, weights };
}

function isWeighted(b: BackgroundInput): b is WeightedBackground {
  return !(b instanceof tf.Tensor) && 'weights' in b && 'inputs' in b;
}

/** Options of {@link summarizeBackground}. */
export interface SummarizeOptions {
  /** Number of centroids. */
  k: number;
  /** Seed of the k-means++ initialisation. */
  seed: number;
  /** Weights of the data rows. @defaultValue all 1 */
  weights?: ArrayLike<number>;
  /** Lloyd iterations at most. @defaultValue 100 */
  iterations?: number;
}

/**
 * Summarizes background rows by weighted k-means, as shap's `kmeans`
 * does: k-means++ seeding, Lloyd iterations with row weights, then every
 * element of every centroid snapped to the nearest value observed in that
 * element's column, so each centroid is built from real values (a one-hot
 * column stays 0 or 1, a token id stays an id). Each centroid's weight is
 * the total weight of its rows. Rows of several inputs are clustered
 * jointly on all their elements.
 *
 * @example
 * ```ts
 * const background = await summarizeBackground(trainRows, { k: 10, seed: 0 });
 * const shap = await explainKernelShap(model, x, { background, seed: 1 });
 * tf.dispose(background.inputs);
 * ```
 * @param data - The rows, a tensor or a record keyed by input name.
 * @param options - See {@link SummarizeOptions}.
 * @returns New tensors (the caller disposes them) and their weights; the
 *   rows themselves when there are no more than `k`.
 * @throws RangeError for a `k` below 1 or weights that do not fit the rows.
 * @see Lundberg and Lee (2017), A unified approach to interpreting model
 *   predictions; Arthur and Vassilvitskii (2007), k-means++.
 */
export async function summarizeBackground(
  data: ExplainInputs,
  options: SummarizeOptions,
): Promise<WeightedBackground> {
  const where = 'summarizeBackground';
  assertInteger(where, 'k', options.k, 1);
  const iterations = options.iterations ?? 100;
  assertInteger(where, 'iterations', iterations, 1);
  const record: Record<string, tf.Tensor> =
    data instanceof tf.Tensor ? { input: data } : data;
  const names = Object.keys(record).sort();
  const rows = record[names[0] as string]?.shape[0] ?? 0;
  const weights = rowWeights(where, options.weights, rows);

  // Rows as one joint float64 matrix [rows, dims].
  const parts = await Promise.all(names.map((n) => record[n]!.data()));
  const sizes = names.map((n, i) => {
    const size = (parts[i] as ArrayLike<number>).length / rows;
    if (record[n]!.shape[0] !== rows) {
      throw new ShapeError(
        `${where}: expected every input to have ${rows} rows, received ` +
          `${record[n]!.shape[0]} for '${n}'`,
      );
    }
    return size;
  });
  const dims = sizes.reduce((a, b) => a + b, 0);
  const x = new Float64Array(rows * dims);
  let offset = 0;
  names.forEach((_, i) => {
    const part = parts[i] as ArrayLike<number>;
    const size = sizes[i] as number;
    for (let r = 0; r < rows; r++) {
      for (let e = 0; e < size; e++) {
        x[r * dims + offset + e] = part[r * size + e] as number;
      }
    }
    offset += size;
  });

  const { centroids, mass } =
    rows <= options.k
      ? { centroids: x, mass: weights }
      : weightedKMeans(
          x,
          rows,
          dims,
          weights,
          options.k,
          iterations,
          options.seed,
        );
  const k = mass.length;
  if (rows > options.k) snapToObserved(centroids, k, x, rows, dims);

  const inputs: Record<string, tf.Tensor> = {};
  offset = 0;
  names.forEach((n, i) => {
    const size = sizes[i] as number;
    const values = new Float32Array(k * size);
    for (let c = 0; c < k; c++) {
      for (let e = 0; e < size; e++) {
        values[c * size + e] = centroids[c * dims + offset + e] as number;
      }
    }
    const t = record[n]!;
    inputs[n] = tf.tensor(values, [k, ...t.shape.slice(1)], t.dtype);
    offset += size;
  });
  const total = mass.reduce((a, b) => a + b, 0);
  return {
    inputs: data instanceof tf.Tensor ? inputs['input']! : inputs,
    weights: Array.from(mass, (m) => m / total),
  };
}

function rowWeights(
  where: string,
  weights: ArrayLike<number> | undefined,
  rows: number,
): Float64Array {
  const w = new Float64Array(rows).fill(1);
  if (weights === undefined) return w;
  if (weights.length !== rows) {
    throw new RangeError(
      `${where}: expected ${rows} weights, received ${describe(weights)} of ` +
        `length ${weights.length}`,
    );
  }
  for (let i = 0; i < rows; i++) {
    const v = weights[i] as number;
    if (!(v >= 0) || !Number.isFinite(v)) {
      throw new RangeError(
        `${where}: expected weights to be finite and >= 0, received ${v} ` +
          `at row ${i}`,
      );
    }
    w[i] = v;
  }
  return w;
}

/** Weighted Lloyd k-means with k-means++ seeding; drops empty clusters. */
function weightedKMeans(
  x: Float64Array,
  rows: number,
  dims: number,
  weights: Float64Array,
  k: number,
  iterations: number,
  seed: number,
): { centroids: Float64Array; mass: Float64Array } {
  const rng = new Random(seed);
  const dist = (r: number, c: Float64Array, j: number): number => {
    let s = 0;
    for (let e = 0; e < dims; e++) {
      const d = (x[r * dims + e] as number) - (c[j * dims + e] as number);
      s += d * d;
    }
    return s;
  };

  // k-means++: each next centroid drawn with probability weight * D².
  let centroids = new Float64Array(k * dims);
  const nearest = new Float64Array(rows).fill(Infinity);
  let chosen = drawWeighted(rng, weights);
  for (let j = 0; j < k; j++) {
    centroids.set(x.subarray(chosen * dims, (chosen + 1) * dims), j * dims);
    const scores = new Float64Array(rows);
    for (let r = 0; r < rows; r++) {
      nearest[r] = Math.min(nearest[r] as number, dist(r, centroids, j));
      scores[r] = (weights[r] as number) * (nearest[r] as number);
    }
    if (scores.every((s) => s === 0)) {
      centroids = centroids.slice(0, (j + 1) * dims);
      break;
    }
    chosen = drawWeighted(rng, scores);
  }
  let m = centroids.length / dims;

  const label = new Int32Array(rows).fill(-1);
  let mass = new Float64Array(m);
  for (let it = 0; it < iterations; it++) {
    let changed = false;
    for (let r = 0; r < rows; r++) {
      let best = 0;
      let bestD = Infinity;
      for (let j = 0; j < m; j++) {
        const d = dist(r, centroids, j);
        if (d < bestD) {
          bestD = d;
          best = j;
        }
      }
      if (label[r] !== best) changed = true;
      label[r] = best;
    }
    const sums = new Float64Array(m * dims);
    mass = new Float64Array(m);
    for (let r = 0; r < rows; r++) {
      const j = label[r] as number;
      const w = weights[r] as number;
      mass[j] = (mass[j] as number) + w;
      for (let e = 0; e < dims; e++) {
        sums[j * dims + e] =
          (sums[j * dims + e] as number) + w * (x[r * dims + e] as number);
      }
    }
    for (let j = 0; j < m; j++) {
      if ((mass[j] as number) <= 0) continue;
      for (let e = 0; e < dims; e++) {
        centroids[j * dims + e] =
          (sums[j * dims + e] as number) / (mass[j] as number);
      }
    }
    if (!changed && it > 0) break;
  }

  // Drop clusters that hold no weight.
  const keep = Array.from(mass.keys()).filter((j) => (mass[j] as number) > 0);
  if (keep.length < m) {
    const kept = new Float64Array(keep.length * dims);
    keep.forEach((j, i) =>
      kept.set(centroids.subarray(j * dims, (j + 1) * dims), i * dims),
    );
    centroids = kept;
    mass = Float64Array.from(keep, (j) => mass[j] as number);
    m = keep.length;
  }
  return { centroids, mass };
}

function drawWeighted(rng: Random, weights: ArrayLike<number>): number {
  let total = 0;
  for (let i = 0; i < weights.length; i++) total += weights[i] as number;
  let u = rng.next() * total;
  for (let i = 0; i < weights.length; i++) {
    u -= weights[i] as number;
    if (u < 0) return i;
  }
  return weights.length - 1;
}

/** Replaces each centroid element by the closest value in its column. */
function snapToObserved(
  centroids: Float64Array,
  k: number,
  x: Float64Array,
  rows: number,
  dims: number,
): void {
  const column = new Float64Array(rows);
  for (let e = 0; e < dims; e++) {
    for (let r = 0; r < rows; r++) column[r] = x[r * dims + e] as number;
    column.sort();
    for (let j = 0; j < k; j++) {
      const v = centroids[j * dims + e] as number;
      // Binary search for the closest observed value.
      let lo = 0;
      let hi = rows - 1;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if ((column[mid] as number) < v) lo = mid + 1;
        else hi = mid;
      }
      const above = column[lo] as number;
      const below = lo > 0 ? (column[lo - 1] as number) : above;
      centroids[j * dims + e] = v - below <= above - v ? below : above;
    }
  }
}
