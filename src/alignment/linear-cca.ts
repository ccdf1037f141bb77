/**
 * Linear canonical correlation analysis with ridge terms, in float64 on
 * ml-matrix (tfjs has no eigendecomposition or SVD).
 */
import { Matrix, SingularValueDecomposition } from 'ml-matrix';

import { assertInRange, assertInteger } from '../internal/assert';
import { ShapeError, describe } from '../internal/errors';
import {
  type ViewRows,
  covariance,
  fixSigns,
  inverseSqrtF64,
  isNumbers,
  isRows,
  pearson,
  project,
  toMatrix,
} from './cca-math';

export type { ViewRows } from './cca-math';

/** Options of {@link LinearCca}. */
export interface LinearCcaOptions {
  /** Ridge added to the diagonal of Sxx. @defaultValue 0 */
  rx?: number;
  /** Ridge added to the diagonal of Syy. @defaultValue 0 */
  ry?: number;
  /** Number of canonical pairs kept. @defaultValue min(p, q) */
  nComponents?: number;
}

/** The plain-data form of a fitted {@link LinearCca}. */
export interface LinearCcaJSON {
  /** Discriminant checked by {@link LinearCca.fromJSON}. */
  kind: 'LinearCca';
  /** Ridge of Sxx. */
  rx: number;
  /** Ridge of Syy. */
  ry: number;
  /** Column means of X, `[p]`. */
  meanX: number[];
  /** Column means of Y, `[q]`. */
  meanY: number[];
  /** Canonical correlations, descending, `[k]`. */
  correlations: number[];
  /** Directions of X, `[p][k]`. */
  xWeights: number[][];
  /** Directions of Y, `[q][k]`. */
  yWeights: number[][];
}

interface Fitted {
  meanX: number[];
  meanY: number[];
  correlations: number[];
  xWeights: Matrix;
  yWeights: Matrix;
}

/**
 * Linear CCA (Hotelling 1936) with ridge terms: finds directions `wx`, `wy`
 * that maximise the correlation of `X wx` and `Y wy`, then further pairs
 * uncorrelated with the earlier ones.
 *
 * With column means removed, `Sxx = XᵀX/(n−1) + rx I`,
 * `Syy = YᵀY/(n−1) + ry I`, `Sxy = XᵀY/(n−1)`,
 * `T = Sxx^{-1/2} Sxy Syy^{-1/2} = U diag(ρ) Vᵀ` (symmetric inverse square
 * roots from eigendecompositions, then a thin SVD, all in float64 on
 * ml-matrix): the canonical correlations are `ρ` (descending) and the
 * directions `Wx = Sxx^{-1/2} U`, `Wy = Syy^{-1/2} V`, so that
 * `Wxᵀ Sxx Wx = I`, `Wyᵀ Syy Wy = I` and `Wxᵀ Sxy Wy = diag(ρ)`. Signs are
 * fixed so that the largest-magnitude entry of each column of `Wx` is
 * positive (each `Wy` column flips with its `Wx` column).
 *
 * @example
 * ```ts
 * const cca = new LinearCca({ rx: 1e-4, ry: 1e-4 }).fit(xRows, yRows);
 * cca.correlations; // [0.79, 0.57, ...]
 * const { x, y } = cca.transform(xTest, yTest); // canonical variates
 * ```
 * @see Hotelling (1936), Relations between two sets of variates,
 * Biometrika 28(3/4), 321-377.
 * @see Vinod (1976), Canonical ridge and econometrics of joint production
 * (the ridge terms).
 */
export class LinearCca {
  /** Ridge of Sxx. */
  readonly rx: number;
  /** Ridge of Syy. */
  readonly ry: number;
  /** Requested number of components, or undefined for min(p, q). */
  readonly nComponents: number | undefined;

  private state: Fitted | undefined;

  /**
   * @param options - See {@link LinearCcaOptions}.
   * @throws RangeError for a negative or non-finite ridge or a
   *   non-positive `nComponents`.
   */
  constructor(options: LinearCcaOptions = {}) {
    const where = 'LinearCca';
    this.rx = options.rx ?? 0;
    this.ry = options.ry ?? 0;
    assertInRange(where, 'rx', this.rx, 0, Number.MAX_VALUE);
    assertInRange(where, 'ry', this.ry, 0, Number.MAX_VALUE);
    if (options.nComponents !== undefined) {
      assertInteger(where, 'nComponents', options.nComponents, 1);
    }
    this.nComponents = options.nComponents;
  }

  /** Whether {@link LinearCca.fit} (or `fromJSON`) has run. */
  get fitted(): boolean {
    return this.state !== undefined;
  }

  /**
   * Canonical correlations, descending (a copy).
   * @throws Error before fitting.
   */
  get correlations(): number[] {
    return [...this.fittedState('correlations').correlations];
  }

  /** Directions of X, `[p][k]` (a copy). @throws Error before fitting. */
  get xWeights(): number[][] {
    return this.fittedState('xWeights').xWeights.to2DArray();
  }

  /** Directions of Y, `[q][k]` (a copy). @throws Error before fitting. */
  get yWeights(): number[][] {
    return this.fittedState('yWeights').yWeights.to2DArray();
  }

  /** Column means of X (a copy). @throws Error before fitting. */
  get meanX(): number[] {
    return [...this.fittedState('meanX').meanX];
  }

  /** Column means of Y (a copy). @throws Error before fitting. */
  get meanY(): number[] {
    return [...this.fittedState('meanY').meanY];
  }

  /**
   * Fits the directions on paired rows of two views.
   *
   * @param x - First view, `n` rows of `p` values.
   * @param y - Second view, `n` rows of `q` values, row `i` paired with
   *   row `i` of `x`.
   * @returns This object, fitted.
   * @throws ShapeError when the row counts differ; RangeError for fewer than
   *   2 rows, ragged rows, non-finite values, `nComponents` above
   *   min(p, q), or a singular covariance (a constant or collinear column)
   *   without a ridge term.
   */
  fit(x: ViewRows, y: ViewRows): this {
    const where = 'LinearCca.fit';
    const xm = toMatrix(where, 'X', x);
    const ym = toMatrix(where, 'Y', y);
    if (xm.rows !== ym.rows) {
      throw new ShapeError(
        `${where}: expected X and Y with the same number of rows, ` +
          `received ${xm.rows} and ${ym.rows}`,
      );
    }
    const n = xm.rows;
    if (n <= 1) {
      throw new RangeError(
        `${where}: expected at least 2 rows (samples), received ${n}`,
      );
    }
    const limit = Math.min(xm.columns, ym.columns);
    const k = this.nComponents ?? limit;
    if (k > limit) {
      throw new RangeError(
        `${where}: expected nComponents <= min(p, q) = ${limit}, ` +
          `received ${k}`,
      );
    }

    const meanX = xm.mean('column');
    const meanY = ym.mean('column');
    const xc = xm.clone().subRowVector(meanX);
    const yc = ym.clone().subRowVector(meanY);
    const sxx = covariance(xc, xc, n, this.rx);
    const syy = covariance(yc, yc, n, this.ry);
    const sxy = covariance(xc, yc, n, 0);
    const a = inverseSqrtF64(where, 'X', sxx, xc, this.rx);
    const b = inverseSqrtF64(where, 'Y', syy, yc, this.ry);

    // T = A Sxy B [p, q], then its thin SVD.
    const t = a.mmul(sxy).mmul(b);
    const svd = new SingularValueDecomposition(t, { autoTranspose: true });
    const order = svd.diagonal
      .map((s, i) => ({ s, i }))
      .sort((u, v) => v.s - u.s)
      .slice(0, k)
      .map((e) => e.i);
    const wx = a.mmul(svd.leftSingularVectors.subMatrixColumn(order));
    const wy = b.mmul(svd.rightSingularVectors.subMatrixColumn(order));
    fixSigns(wx, wy);

    this.state = {
      meanX,
      meanY,
      correlations: order.map((i) => svd.diagonal[i] as number),
      xWeights: wx,
      yWeights: wy,
    };
    return this;
  }

  /**
   * Canonical variates of X: `(X − meanX) Wx`, centred with the training
   * means.
   *
   * @param x - Rows with `p` values each.
   * @returns `[n][k]`.
   * @throws Error before fitting; RangeError for ragged rows, non-finite
   *   values or rows of another width.
   */
  transformX(x: ViewRows): number[][] {
    const s = this.fittedState('transformX');
    return project('LinearCca.transformX', 'X', x, s.meanX, s.xWeights);
  }

  /**
   * Canonical variates of Y: `(Y − meanY) Wy`.
   *
   * @param y - Rows with `q` values each.
   * @returns `[n][k]`.
   * @throws As {@link LinearCca.transformX}.
   */
  transformY(y: ViewRows): number[][] {
    const s = this.fittedState('transformY');
    return project('LinearCca.transformY', 'Y', y, s.meanY, s.yWeights);
  }

  /**
   * Canonical variates of both views.
   *
   * @param x - Rows of the first view.
   * @param y - Rows of the second view.
   * @returns `{ x: [n][k], y: [n][k] }`.
   * @throws As {@link LinearCca.transformX}.
   */
  transform(
    x: ViewRows,
    y: ViewRows,
  ): {
    /** Canonical variates of the first view, `[n][k]`. */
    x: number[][];
    /** Canonical variates of the second view, `[n][k]`. */
    y: number[][];
  } {
    return { x: this.transformX(x), y: this.transformY(y) };
  }

  /**
   * Correlations of the canonical variates on paired data, usually held
   * out: the Pearson correlation of column `j` of `transformX(x)` with
   * column `j` of `transformY(y)`, for each component. On the training data
   * without ridges they equal {@link LinearCca.correlations}; on new data
   * they show how much of the fitted correlation generalises.
   *
   * @param x - Rows of the first view.
   * @param y - Rows of the second view, paired with `x`.
   * @returns One correlation per component (0 where a variate is constant).
   * @throws As {@link LinearCca.transformX}; ShapeError when the row counts
   *   differ or are below 2.
   */
  correlate(x: ViewRows, y: ViewRows): number[] {
    const { x: u, y: v } = this.transform(x, y);
    if (u.length !== v.length || u.length < 2) {
      throw new ShapeError(
        `LinearCca.correlate: expected x and y with the same number of ` +
          `rows, at least 2, received ${u.length} and ${v.length}`,
      );
    }
    return (u[0] as number[]).map((_, j) =>
      pearson(
        u.map((r) => r[j] as number),
        v.map((r) => r[j] as number),
      ),
    );
  }

  /**
   * Returns the fitted state as plain data.
   *
   * @returns See {@link LinearCcaJSON}.
   * @throws Error before fitting.
   */
  toJSON(): LinearCcaJSON {
    const s = this.fittedState('toJSON');
    return {
      kind: 'LinearCca',
      rx: this.rx,
      ry: this.ry,
      meanX: [...s.meanX],
      meanY: [...s.meanY],
      correlations: [...s.correlations],
      xWeights: s.xWeights.to2DArray(),
      yWeights: s.yWeights.to2DArray(),
    };
  }

  /**
   * Rebuilds a fitted CCA from {@link LinearCca.toJSON}'s output.
   *
   * @param json - The plain data, e.g. after `JSON.parse`.
   * @returns A fitted object.
   * @throws TypeError when `kind` is not `'LinearCca'` or a field is not
   *   numbers; RangeError when the sizes disagree or a value is not finite.
   */
  static fromJSON(json: unknown): LinearCca {
    const where = 'LinearCca.fromJSON';
    const data = (json ?? {}) as Partial<Record<keyof LinearCcaJSON, unknown>>;
    if (data.kind !== 'LinearCca') {
      throw new TypeError(
        `${where}: expected kind 'LinearCca', received ${describe(data.kind)}`,
      );
    }
    const { meanX, meanY, correlations, xWeights, yWeights } = data;
    if (
      !isNumbers(meanX) ||
      !isNumbers(meanY) ||
      !isNumbers(correlations) ||
      !isRows(xWeights) ||
      !isRows(yWeights)
    ) {
      throw new TypeError(
        `${where}: expected number arrays meanX, meanY, correlations and ` +
          `number matrices xWeights, yWeights, received ${describe(meanX)}, ` +
          `${describe(meanY)}, ${describe(correlations)}, ` +
          `${describe(xWeights)}, ${describe(yWeights)}`,
      );
    }
    const k = correlations.length;
    const sizesOk =
      k > 0 &&
      xWeights.length === meanX.length &&
      yWeights.length === meanY.length &&
      [...xWeights, ...yWeights].every((row) => row.length === k);
    if (!sizesOk) {
      throw new RangeError(
        `${where}: expected xWeights [${meanX.length}][${k}] and yWeights ` +
          `[${meanY.length}][${k}], received [${xWeights.length}][` +
          `${xWeights[0]?.length ?? 0}] and [${yWeights.length}][` +
          `${yWeights[0]?.length ?? 0}]`,
      );
    }
    const all = [meanX, meanY, correlations, ...xWeights, ...yWeights].flat();
    if (!all.every(Number.isFinite)) {
      throw new RangeError(
        `${where}: expected finite values, received ` +
          `${all.find((v) => !Number.isFinite(v))}`,
      );
    }
    const cca = new LinearCca({
      rx: typeof data.rx === 'number' ? data.rx : 0,
      ry: typeof data.ry === 'number' ? data.ry : 0,
      nComponents: k,
    });
    cca.state = {
      meanX: [...meanX],
      meanY: [...meanY],
      correlations: [...correlations],
      xWeights: new Matrix(xWeights),
      yWeights: new Matrix(yWeights),
    };
    return cca;
  }

  private fittedState(method: string): Fitted {
    if (!this.state) {
      throw new Error(
        `LinearCca.${method}: expected a fitted object, received one that ` +
          `was never fitted (call fit or fromJSON first)`,
      );
    }
    return this.state;
  }
}
