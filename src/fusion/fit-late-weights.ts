/**
 * Least-squares weights for late fusion, on the probability simplex.
 */
import { Matrix, solve } from 'ml-matrix';

import { assertFiniteArray } from '../internal/assert';
import { ShapeError } from '../internal/errors';
import { checkModalities } from './fusion-layer';

/** Rows of predictions or targets: `[samples][units]`. */
export type Rows = readonly (readonly number[] | Float32Array | Float64Array)[];

/** Result of {@link fitLateFusionWeights}. */
export interface LateFusionFit {
  /** Weight of each modality per output unit; each unit's weights sum to 1. */
  weights: Record<string, number[]>;
  /** Mean squared error of the fused prediction per unit on the fit data. */
  mse: number[];
}

/**
 * Finds, for each output unit separately, the convex combination of the
 * modalities' predictions with the least squared error against the targets:
 * `min_w ||Σ_m w_m p_m - y||²` subject to `w_m >= 0`, `Σ_m w_m = 1`.
 *
 * The problem is convex; it is solved exactly by trying every support set
 * (2^M − 1 of them, so M is limited to 12) with the equality-constrained
 * normal equations and keeping the best feasible solution. For two
 * modalities this is the closed form `w = clip(<d, y − p_2>/<d, d>, 0, 1)`,
 * `d = p_1 − p_2`.
 *
 * Fit it on validation predictions, never on the test part.
 *
 * @param predictions - Each modality's predictions `[samples][units]`.
 * @param targets - True values `[samples][units]`.
 * @returns The weights keyed by modality and the fitted MSE per unit.
 * @throws ShapeError when row counts or unit counts disagree; RangeError on
 *   non-finite values or more than 12 modalities.
 */
export function fitLateFusionWeights(
  predictions: Record<string, Rows>,
  targets: Rows,
): LateFusionFit {
  const where = 'fitLateFusionWeights';
  const names = checkModalities(where, Object.keys(predictions));
  if (names.length > 12) {
    throw new RangeError(
      `${where}: expected at most 12 modalities, received ${names.length}`,
    );
  }
  const n = targets.length;
  const units = targets[0]?.length ?? 0;
  if (n === 0 || units === 0) {
    throw new ShapeError(
      `${where}: expected at least one target row with one unit, received ` +
        `${n} rows of ${units} units`,
    );
  }
  for (const name of names)
    checkRows(where, name, predictions[name]!, n, units);
  checkRows(where, 'targets', targets, n, units);

  const weights: Record<string, number[]> = {};
  names.forEach((m) => (weights[m] = []));
  const mse: number[] = [];
  for (let u = 0; u < units; u++) {
    const columns = names.map((m) =>
      predictions[m]!.map((r) => r[u] as number),
    );
    const y = targets.map((r) => r[u] as number);
    // The weights do not change when every value is scaled by one factor;
    // scaling to unit size keeps the squared sums of huge or tiny values
    // in floating-point range.
    let scale = 0;
    for (const v of [...y, ...columns.flat()])
      scale = Math.max(scale, Math.abs(v));
    scale = scale > 0 ? scale : 1;
    const best = simplexLeastSquares(
      columns.map((c) => c.map((v) => v / scale)),
      y.map((v) => v / scale),
    );
    best.loss = best.loss * scale * scale; // left to right: 0 stays 0
    names.forEach((m, i) => weights[m]!.push(best.w[i] as number));
    mse.push(best.loss / n);
  }
  return { weights, mse };
}

/** Exact simplex-constrained least squares by support enumeration. */
function simplexLeastSquares(
  columns: number[][],
  y: number[],
): { w: number[]; loss: number } {
  const m = columns.length;
  // Gram matrix and cross products once; each support reuses them.
  const gram = columns.map((a) => columns.map((b) => dot(a, b)));
  const cross = columns.map((a) => dot(a, y));
  const yy = dot(y, y);

  let best = { w: columns.map(() => 0), loss: Infinity };
  for (let mask = 1; mask < 1 << m; mask++) {
    const support = [...Array(m).keys()].filter((i) => mask & (1 << i));
    const w = solveOnSupport(gram, cross, support, m);
    if (!w || w.some((v) => v < -1e-12)) continue;
    // Clip rounding below zero and renormalise, so weights sum to 1.
    const positive = w.map((v) => Math.max(0, v));
    const total = positive.reduce((a, v) => a + v, 0);
    const clipped = positive.map((v) => v / total);
    const loss = quadratic(gram, cross, yy, clipped);
    // Ties (within rounding) keep the earlier, smaller support.
    if (!Number.isFinite(best.loss) || loss < best.loss * (1 - 1e-12)) {
      best = { w: clipped, loss };
    }
  }
  return best;
}

/** Minimises the loss on one support with Σw = 1 (KKT system). */
function solveOnSupport(
  gram: number[][],
  cross: number[],
  support: number[],
  m: number,
): number[] | null {
  const s = support.length;
  const kkt = Matrix.zeros(s + 1, s + 1);
  const rhs = Matrix.zeros(s + 1, 1);
  support.forEach((i, a) => {
    support.forEach((j, b) => kkt.set(a, b, gram[i]![j]!));
    kkt.set(a, s, 1);
    kkt.set(s, a, 1);
    rhs.set(a, 0, cross[i]!);
  });
  rhs.set(s, 0, 1);
  const solution = solve(kkt, rhs, true);
  const w = Array<number>(m).fill(0);
  for (let a = 0; a < s; a++) {
    const v = solution.get(a, 0);
    if (!Number.isFinite(v)) return null;
    w[support[a]!] = v;
  }
  const sum = w.reduce((p, v) => p + v, 0);
  return Math.abs(sum - 1) > 1e-6 ? null : w;
}

function quadratic(gram: number[][], cross: number[], yy: number, w: number[]) {
  let q = yy;
  for (let i = 0; i < w.length; i++) {
    q -= 2 * w[i]! * cross[i]!;
    for (let j = 0; j < w.length; j++) q += w[i]! * w[j]! * gram[i]![j]!;
  }
  return Math.max(0, q);
}

function dot(a: number[], b: number[]): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

function checkRows(
  where: string,
  name: string,
  rows: Rows,
  n: number,
  units: number,
) {
  if (rows.length !== n) {
    throw new ShapeError(
      `${where}: expected ${n} rows for '${name}' (as many as the ` +
        `targets), received ${rows.length}`,
    );
  }
  rows.forEach((r, i) => {
    if (r.length !== units) {
      throw new ShapeError(
        `${where}: expected ${units} units in row ${i} of '${name}', ` +
          `received ${r.length}`,
      );
    }
    assertFiniteArray(where, `'${name}' row ${i}`, r);
  });
}
