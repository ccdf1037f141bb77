/**
 * Ridge regression: a strong linear baseline for any fused model.
 */
import { Matrix, solve } from 'ml-matrix';

import { assertFiniteArray } from '../internal/assert';
import { ShapeError } from '../internal/errors';
import type { Rows } from '../fusion/fit-late-weights';

/** Serialized form of a fitted {@link RidgeRegression}. */
export interface RidgeRegressionJSON {
  /** Discriminant checked by `fromJSON`. */
  kind: 'RidgeRegression';
  /** Penalty on the squared coefficients. */
  alpha: number;
  /** Coefficients `[features][outputs]`. */
  coefficients: number[][];
  /** Unpenalised intercept per output. */
  intercept: number[];
}

/**
 * Multi-output ridge regression with an unpenalised intercept:
 * `min ||Y - X W - 1 b||^2 + alpha ||W||^2`, solved in closed form on
 * centred data with ml-matrix.
 *
 * @see Hoerl and Kennard (1970), Ridge regression: biased estimation for
 * nonorthogonal problems.
 */
export class RidgeRegression {
  /** Penalty on the squared coefficients. */
  readonly alpha: number;
  private coefficients: Matrix | null = null;
  private intercept: number[] = [];

  /** @param alpha - Penalty, >= 0. */
  constructor(alpha: number) {
    if (typeof alpha !== 'number' || !(alpha >= 0) || !Number.isFinite(alpha)) {
      throw new RangeError(
        `RidgeRegression: expected alpha to be a finite number >= 0, ` +
          `received ${String(alpha)}`,
      );
    }
    this.alpha = alpha;
  }

  /**
   * Fits the coefficients.
   *
   * @param x - Inputs `[samples][features]`.
   * @param y - Targets `[samples][outputs]`.
   * @returns This model.
   */
  fit(x: Rows, y: Rows): this {
    const where = 'RidgeRegression.fit';
    const xm = toMatrix(where, 'x', x);
    const ym = toMatrix(where, 'y', y);
    if (xm.rows !== ym.rows) {
      throw new ShapeError(
        `${where}: expected as many target rows as input rows, received ` +
          `${xm.rows} inputs and ${ym.rows} targets`,
      );
    }
    const xMean = xm.mean('column');
    const yMean = ym.mean('column');
    const xc = xm.clone().subRowVector(xMean);
    const yc = ym.clone().subRowVector(yMean);

    const gram = xc.transpose().mmul(xc);
    for (let i = 0; i < gram.rows; i++)
      gram.set(i, i, gram.get(i, i) + this.alpha);
    const w = solve(gram, xc.transpose().mmul(yc), this.alpha === 0);
    this.coefficients = w;
    this.intercept = yMean.map(
      (m, j) => m - xMean.reduce((s, xv, i) => s + xv * w.get(i, j), 0),
    );
    return this;
  }

  /**
   * Predicts targets for new inputs.
   *
   * @param x - Inputs `[samples][features]`.
   * @returns Predictions `[samples][outputs]`.
   */
  predict(x: Rows): number[][] {
    const where = 'RidgeRegression.predict';
    if (!this.coefficients) {
      throw new Error(`${where}: the model is not fitted; call fit() first`);
    }
    const xm = toMatrix(where, 'x', x);
    if (xm.columns !== this.coefficients.rows) {
      throw new ShapeError(
        `${where}: expected ${this.coefficients.rows} features, received ` +
          xm.columns,
      );
    }
    return xm.mmul(this.coefficients).addRowVector(this.intercept).to2DArray();
  }

  /** Serializes the fitted model. */
  toJSON(): RidgeRegressionJSON {
    if (!this.coefficients) {
      throw new Error('RidgeRegression.toJSON: the model is not fitted');
    }
    return {
      kind: 'RidgeRegression',
      alpha: this.alpha,
      coefficients: this.coefficients.to2DArray(),
      intercept: [...this.intercept],
    };
  }

  /** Restores a model saved with {@link RidgeRegression.toJSON}. */
  static fromJSON(json: RidgeRegressionJSON): RidgeRegression {
    if (json?.kind !== 'RidgeRegression') {
      throw new TypeError(
        `RidgeRegression.fromJSON: expected kind 'RidgeRegression', ` +
          `received ${JSON.stringify(json?.kind)}`,
      );
    }
    const where = 'RidgeRegression.fromJSON';
    const rows = json.coefficients;
    const outputs = Array.isArray(json.intercept) ? json.intercept.length : -1;
    const valid =
      Array.isArray(rows) &&
      rows.length > 0 &&
      outputs > 0 &&
      rows.every(
        (r) =>
          Array.isArray(r) &&
          r.length === outputs &&
          r.every((v) => Number.isFinite(v)),
      ) &&
      json.intercept.every((v) => Number.isFinite(v));
    if (!valid) {
      throw new TypeError(
        `${where}: expected coefficients [features][outputs] and an ` +
          `intercept per output, all finite numbers, received coefficients ` +
          `of ${Array.isArray(rows) ? rows.length : typeof rows} rows and ` +
          `an intercept of ${outputs < 0 ? typeof json.intercept : outputs} values`,
      );
    }
    const model = new RidgeRegression(json.alpha);
    model.coefficients = new Matrix(rows);
    model.intercept = [...json.intercept];
    return model;
  }
}

/** The result of {@link selectRidge}. */
export interface RidgeSelection {
  /** The model with the lowest validation MSE. */
  model: RidgeRegression;
  /** Validation MSE of every candidate, in the order tried. */
  scores: {
    /** The penalty. */
    alpha: number;
    /** Mean squared error on the validation data. */
    mse: number;
  }[];
}

/**
 * Fits ridge models for each penalty and keeps the one with the lowest
 * mean squared error on the validation data (never the test data).
 *
 * @param train - Training inputs and targets.
 * @param validation - Validation inputs and targets.
 * @param alphas - Candidate penalties. @defaultValue 1e-2, 1e-1, ..., 1e6
 * @returns The best model and the validation MSE of every candidate.
 */
export function selectRidge(
  train: { x: Rows; y: Rows },
  validation: { x: Rows; y: Rows },
  alphas: readonly number[] = [1e-2, 1e-1, 1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6],
): RidgeSelection {
  if (alphas.length === 0) {
    throw new RangeError(
      'selectRidge: expected at least one alpha, received none',
    );
  }
  const width = toMatrix('selectRidge', 'train.y', train.y).columns;
  const valY = toMatrix('selectRidge', 'validation.y', validation.y);
  if (valY.rows !== validation.x.length || valY.columns !== width) {
    throw new ShapeError(
      `selectRidge: expected validation.y of ${validation.x.length} rows ` +
        `(one per validation input) and ${width} columns (as train.y), ` +
        `received ${valY.rows} rows and ${valY.columns} columns`,
    );
  }
  const scores: RidgeSelection['scores'] = [];
  let best: RidgeRegression | null = null;
  let bestMse = Infinity;
  for (const alpha of alphas) {
    const model = new RidgeRegression(alpha).fit(train.x, train.y);
    const predicted = model.predict(validation.x);
    let sq = 0;
    let count = 0;
    predicted.forEach((row, i) =>
      row.forEach((v, j) => {
        const e = v - (validation.y[i]![j] as number);
        sq += e * e;
        count++;
      }),
    );
    const mse = sq / count;
    scores.push({ alpha, mse });
    if (mse < bestMse) {
      bestMse = mse;
      best = model;
    }
  }
  return { model: best as RidgeRegression, scores };
}

function toMatrix(where: string, name: string, rows: Rows): Matrix {
  if (rows.length === 0) {
    throw new ShapeError(
      `${where}: expected at least one row of ${name}, received 0`,
    );
  }
  const width = rows[0]!.length;
  rows.forEach((r, i) => {
    if (r.length !== width) {
      throw new ShapeError(
        `${where}: expected every row of ${name} to have ${width} values, ` +
          `received ${r.length} in row ${i}`,
      );
    }
    assertFiniteArray(where, `${name} row ${i}`, r);
  });
  return new Matrix(rows.map((r) => Array.from(r)));
}
