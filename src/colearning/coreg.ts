/**
 * The labelling confidence of COREG (Zhou and Li 2005): how much adding a
 * pseudo-labelled sample lowers a k-nearest-neighbour regressor's squared
 * error on the sample's labelled neighbours.
 */
import * as tf from '@tensorflow/tfjs-core';

import { assertFiniteArray, assertInteger } from '../internal/assert';
import { ShapeError } from '../internal/errors';

/** Rows as nested arrays or a rank-2 tensor `[n, features]`. */
export type FeatureRows = readonly (readonly number[])[] | tf.Tensor2D;

/**
 * COREG's confidence of each candidate's pseudo-label.
 *
 * With `h` the k-nearest-neighbour regressor (Euclidean distance, the mean
 * of the neighbours' targets, a training sample being its own nearest
 * neighbour) fitted on the training rows `L`, and `h'` the same regressor
 * fitted on `L ∪ {(x, ŷ)}`, the confidence of candidate `x` with
 * pseudo-label `ŷ` is
 *
 * ```
 * Δ(x) = Σ_{xᵢ ∈ Ω(x)} (yᵢ − h(xᵢ))² − (yᵢ − h'(xᵢ))²
 * ```
 *
 * where `Ω(x)` are the `k` training rows nearest to `x`. `h'` is computed
 * in closed form: adding `x` changes `h(xᵢ)` only when `x` is nearer to
 * `xᵢ` than its current `k`-th neighbour, which it then replaces (or joins,
 * when `L` has fewer than `k` rows). `Δ > 0` means the pseudo-label agrees
 * with the labelled neighbourhood; COREG adds the candidate with the
 * largest positive `Δ`. Distance ties go to the lower row index.
 *
 * @param train - Training rows and their targets (labels, plus any
 *   pseudo-labels already added).
 * @param candidates - Candidate rows `[u, features]`.
 * @param pseudoLabels - Pseudo-label `ŷ` of each candidate.
 * @param k - Neighbours. @defaultValue 3, as in the paper
 * @returns `Δ` of each candidate.
 * @throws ShapeError when counts or feature widths disagree or a part is
 *   empty; RangeError for a non-finite value or `k < 1`.
 * @see Zhou and Li (2005), Semi-supervised regression with co-training,
 * IJCAI.
 */
export function coregConfidence(
  train: { features: FeatureRows; targets: ArrayLike<number> },
  candidates: FeatureRows,
  pseudoLabels: ArrayLike<number>,
  k = 3,
): number[] {
  const where = 'coregConfidence';
  assertInteger(where, 'k', k, 1);
  const x = toMatrix(train.features);
  const u = toMatrix(candidates);
  const y = Array.from(train.targets);
  try {
    const [n, d] = x.shape;
    const [m, du] = u.shape;
    if (n === 0 || m === 0 || n !== y.length || m !== pseudoLabels.length) {
      throw new ShapeError(
        `${where}: expected non-empty training rows with one target each ` +
          `and candidates with one pseudo-label each, received ${n} rows ` +
          `and ${y.length} targets, ${m} candidates and ` +
          `${pseudoLabels.length} pseudo-labels`,
      );
    }
    if (d !== du) {
      throw new ShapeError(
        `${where}: expected candidates with the ${d} features of the ` +
          `training rows, received ${du}`,
      );
    }
    assertFiniteArray(where, 'targets', y);
    assertFiniteArray(where, 'pseudoLabels', pseudoLabels);

    // Each training row's neighbourhood in L: its prediction h(xᵢ), the
    // squared distance of its kk-th neighbour and that neighbour's target.
    const kk = Math.min(k, n);
    const dLL = squaredDistances(x, x);
    const h = new Float64Array(n);
    const kthDistance = new Float64Array(n);
    const kthTarget = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const nearest = nearestOf(dLL, i, n, kk);
      h[i] = nearest.reduce((s, j) => s + y[j]!, 0) / kk;
      const last = nearest[kk - 1] as number;
      kthDistance[i] = dLL[i * n + last]!;
      kthTarget[i] = y[last]!;
    }
    assertFiniteArray(where, 'features', h);

    const dUL = squaredDistances(u, x);
    const deltas: number[] = [];
    for (let c = 0; c < m; c++) {
      const yHat = pseudoLabels[c] as number;
      let delta = 0;
      for (const i of nearestOf(dUL, c, n, kk)) {
        const hi = h[i]!;
        let hNew = hi;
        if (kk < k) hNew = (kk * hi + yHat) / (kk + 1);
        else if (dUL[c * n + i]! < kthDistance[i]!) {
          hNew = hi + (yHat - kthTarget[i]!) / k;
        }
        delta += (y[i]! - hi) ** 2 - (y[i]! - hNew) ** 2;
      }
      deltas.push(delta);
    }
    return deltas;
  } finally {
    if (!(train.features instanceof tf.Tensor)) x.dispose();
    if (!(candidates instanceof tf.Tensor)) u.dispose();
  }
}

function toMatrix(rows: FeatureRows): tf.Tensor2D {
  if (rows instanceof tf.Tensor) {
    if (rows.rank !== 2) {
      throw new ShapeError(
        `coregConfidence: expected rank-2 features, received rank ` +
          `${rows.rank}`,
      );
    }
    return rows;
  }
  const width = rows[0]?.length ?? 0;
  const ragged = rows.findIndex((r) => r.length !== width);
  if (ragged >= 0) {
    throw new ShapeError(
      `coregConfidence: expected rows of ${width} features, received ` +
        `${rows[ragged]!.length} at row ${ragged}`,
    );
  }
  return tf.tensor2d(rows as number[][], [rows.length, width], 'float32');
}

/** Row-major squared Euclidean distances `[a rows, b rows]`, as float64. */
function squaredDistances(a: tf.Tensor2D, b: tf.Tensor2D): Float64Array {
  const values = tf.tidy(() => {
    const na = tf.sum(tf.square(a), 1, true);
    const nb = tf.reshape(tf.sum(tf.square(b), 1), [1, -1]);
    const cross = tf.matMul(a, b, false, true);
    return tf.relu(tf.sub(tf.add(na, nb), tf.mul(2, cross)));
  });
  const out = Float64Array.from(values.dataSync());
  values.dispose();
  return out;
}

/** Indices of the `k` smallest entries of row `r`, ties to lower index. */
function nearestOf(
  distances: Float64Array,
  r: number,
  width: number,
  k: number,
): number[] {
  const offset = r * width;
  const order = Array.from({ length: width }, (_, j) => j);
  order.sort(
    (p, q) => distances[offset + p]! - distances[offset + q]! || p - q,
  );
  return order.slice(0, k);
}
