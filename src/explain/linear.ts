/**
 * The small linear solves of the explainers, in float64 on the host:
 * KernelSHAP's constrained weighted least squares and LIME's weighted
 * ridge surrogate.
 */
import { CholeskyDecomposition, Matrix, pseudoInverse } from 'ml-matrix';

/**
 * Solves min Σ_c w_c (y_c − m_c · φ)² subject to Σ φ = total, exactly,
 * by eliminating the last coefficient (as shap does): with
 * e_c = m_c[:-1] − m_c[last], solve the weighted normal equations of
 * y_c − m_c[last] total ≈ e_c · β, then φ_last = total − Σ β.
 *
 * @param masks - `[rows, M]` 0/1, row-major.
 * @param rows - Number of rows.
 * @param M - Number of coefficients (>= 1).
 * @param weights - Row weights.
 * @param y - Targets, one per row.
 * @param total - The required sum of the coefficients.
 * @returns The coefficients and whether the normal matrix was singular
 *   (then the minimum-norm solution is returned).
 */
export function constrainedLeastSquares(
  masks: Uint8Array,
  rows: number,
  M: number,
  weights: Float64Array,
  y: Float64Array,
  total: number,
): { phi: Float64Array; singular: boolean } {
  const phi = new Float64Array(M);
  if (M === 1) {
    phi[0] = total;
    return { phi, singular: false };
  }
  const n = M - 1;
  const a = new Float64Array(n * n);
  const b = new Float64Array(n);
  const e = new Float64Array(n);
  for (let r = 0; r < rows; r++) {
    const w = weights[r] as number;
    if (w === 0) continue;
    const last = masks[r * M + n] as number;
    for (let i = 0; i < n; i++) e[i] = (masks[r * M + i] as number) - last;
    const t = w * ((y[r] as number) - last * total);
    for (let i = 0; i < n; i++) {
      const ei = e[i] as number;
      if (ei === 0) continue;
      b[i] = (b[i] as number) + ei * t;
      const wi = w * ei;
      const row = i * n;
      for (let j = 0; j <= i; j++) {
        const ej = e[j] as number;
        if (ej !== 0) a[row + j] = (a[row + j] as number) + wi * ej;
      }
    }
  }
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) a[i * n + j] = a[j * n + i] as number;
  }
  const { x, singular } = solveSymmetric(a, b, n);
  let sum = 0;
  for (let i = 0; i < n; i++) {
    phi[i] = x[i] as number;
    sum += x[i] as number;
  }
  phi[n] = total - sum;
  return { phi, singular };
}

/** Solves A x = b for a symmetric positive semi-definite A. */
function solveSymmetric(
  a: Float64Array,
  b: Float64Array,
  n: number,
): { x: Float64Array; singular: boolean } {
  const A = new Matrix(n, n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) A.set(i, j, a[i * n + j] as number);
  }
  const B = Matrix.columnVector(Array.from(b));
  const chol = new CholeskyDecomposition(A);
  if (chol.isPositiveDefinite()) {
    const x = chol.solve(B);
    const ok = x.to1DArray().every(Number.isFinite);
    if (ok) return { x: Float64Array.from(x.to1DArray()), singular: false };
  }
  const x = pseudoInverse(A).mmul(B);
  return { x: Float64Array.from(x.to1DArray()), singular: true };
}

/** A fitted weighted ridge regression and its fit statistics. */
export interface RidgeFit {
  /** Coefficients. */
  coefficients: Float64Array;
  /** Intercept (not penalized). */
  intercept: number;
  /** Weighted R² on the fitted rows. */
  score: number;
}

/**
 * Weighted ridge regression with an unpenalized intercept, as
 * scikit-learn's `Ridge(alpha).fit(X, y, sample_weight)`: centre X and y
 * on their weighted means, solve (Xcᵀ W Xc + αI) β = Xcᵀ W yc.
 *
 * @param X - `[rows, d]` row-major.
 * @param rows - Number of rows.
 * @param d - Number of features.
 * @param y - Targets.
 * @param w - Row weights.
 * @param alpha - Ridge penalty (>= 0).
 * @returns The fit and its weighted R².
 */
export function weightedRidge(
  X: Float64Array,
  rows: number,
  d: number,
  y: Float64Array,
  w: Float64Array,
  alpha: number,
): RidgeFit {
  let sw = 0;
  let ym = 0;
  const xm = new Float64Array(d);
  for (let r = 0; r < rows; r++) {
    const wr = w[r] as number;
    sw += wr;
    ym += wr * (y[r] as number);
    for (let j = 0; j < d; j++)
      xm[j] = (xm[j] as number) + wr * (X[r * d + j] as number);
  }
  ym /= sw;
  for (let j = 0; j < d; j++) xm[j] = (xm[j] as number) / sw;

  const a = new Float64Array(d * d);
  const b = new Float64Array(d);
  const xc = new Float64Array(d);
  for (let r = 0; r < rows; r++) {
    const wr = w[r] as number;
    if (wr === 0) continue;
    for (let j = 0; j < d; j++)
      xc[j] = (X[r * d + j] as number) - (xm[j] as number);
    const yc = (y[r] as number) - ym;
    for (let i = 0; i < d; i++) {
      const wi = wr * (xc[i] as number);
      if (wi === 0) continue;
      b[i] = (b[i] as number) + wi * yc;
      for (let j = 0; j <= i; j++) {
        a[i * d + j] = (a[i * d + j] as number) + wi * (xc[j] as number);
      }
    }
  }
  for (let i = 0; i < d; i++) {
    a[i * d + i] = (a[i * d + i] as number) + alpha;
    for (let j = i + 1; j < d; j++) a[i * d + j] = a[j * d + i] as number;
  }
  const { x: beta } = solveSymmetric(a, b, d);
  let intercept = ym;
  for (let j = 0; j < d; j++)
    intercept -= (beta[j] as number) * (xm[j] as number);

  // Weighted R²: 1 − Σw(y − ŷ)² / Σw(y − ȳ)².
  let ssRes = 0;
  let ssTot = 0;
  for (let r = 0; r < rows; r++) {
    let pred = intercept;
    for (let j = 0; j < d; j++)
      pred += (beta[j] as number) * (X[r * d + j] as number);
    const wr = w[r] as number;
    ssRes += wr * ((y[r] as number) - pred) ** 2;
    ssTot += wr * ((y[r] as number) - ym) ** 2;
  }
  const score = ssTot > 0 ? 1 - ssRes / ssTot : ssRes === 0 ? 1 : 0;
  return { coefficients: beta, intercept, score };
}
