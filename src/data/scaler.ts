/**
 * Per-feature z-scoring (spec S5), fitted on the training rows only.
 */
import { describe } from '../internal/errors';

/** The plain-data form of a fitted {@link StandardScaler}. */
export interface StandardScalerJSON {
  /** Discriminant checked by {@link StandardScaler.fromJSON}. */
  kind: 'StandardScaler';
  /** Mean of each feature over the fitted rows. */
  mean: number[];
  /** Population standard deviation of each feature (0 stored as 1). */
  std: number[];
}

/**
 * Standardizes each feature to `(x − mean) / std`, with the mean and the
 * population standard deviation (ddof 0) of the rows it was fitted on; a
 * feature with zero spread gets std 1. Values are not clipped, so rows
 * outside the fitted range map beyond the fitted z-scores.
 *
 * In the thesis pipeline it is fitted on day rows `0..t` of the last
 * training sample (the union of the training input windows) and then
 * applied to every row.
 *
 * @example
 * ```ts
 * const lastTrain = samples.t[split.train[split.train.length - 1]];
 * const scaler = new StandardScaler().fit(table.rows.slice(0, lastTrain + 1));
 * const scaled = scaler.transform(table.rows); // Float32Array [rows, F]
 * ```
 */
export class StandardScaler {
  private meanValues: Float64Array | undefined;
  private stdValues: Float64Array | undefined;

  /** Whether {@link StandardScaler.fit} (or `fromJSON`) has set the stats. */
  get fitted(): boolean {
    return this.meanValues !== undefined;
  }

  /** Number of features, or 0 before fitting. */
  get numFeatures(): number {
    return this.meanValues?.length ?? 0;
  }

  /**
   * Fitted means (a copy).
   * @throws Error before fitting.
   */
  get mean(): Float64Array {
    return this.stats('mean').mean.slice();
  }

  /**
   * Fitted standard deviations, zero spreads stored as 1 (a copy).
   * @throws Error before fitting.
   */
  get std(): Float64Array {
    return this.stats('std').std.slice();
  }

  /**
   * Computes each feature's mean and population standard deviation.
   *
   * @param rows - The rows to fit on, each with one value per feature.
   * @returns This scaler, fitted.
   * @throws RangeError when there are no rows, rows differ in length or a
   *   value is not finite.
   */
  fit(rows: readonly ArrayLike<number>[]): this {
    const f = checkRows('StandardScaler.fit', rows, undefined);
    const mean = new Float64Array(f);
    for (const row of rows) {
      for (let j = 0; j < f; j++) mean[j] += row[j] as number;
    }
    for (let j = 0; j < f; j++) mean[j] = (mean[j] as number) / rows.length;

    const std = new Float64Array(f);
    for (const row of rows) {
      for (let j = 0; j < f; j++) {
        const d = (row[j] as number) - (mean[j] as number);
        std[j] += d * d;
      }
    }
    for (let j = 0; j < f; j++) {
      const s = Math.sqrt((std[j] as number) / rows.length);
      std[j] = s === 0 ? 1 : s;
    }
    this.meanValues = mean;
    this.stdValues = std;
    return this;
  }

  /**
   * Standardizes rows, computing in float64 and storing float32, ready for
   * a tensor.
   *
   * @param rows - Rows with the fitted number of features.
   * @returns Row-major values, shape `[rows.length, numFeatures]`.
   * @throws Error before fitting; RangeError for a row of another length
   *   or a non-finite value.
   */
  transform(rows: readonly ArrayLike<number>[]): Float32Array {
    return this.transformInto(rows, Float32Array, 'transform');
  }

  /**
   * Like {@link StandardScaler.transform}, but keeps float64.
   *
   * @param rows - Rows with the fitted number of features.
   * @returns Row-major values, shape `[rows.length, numFeatures]`.
   * @throws Error before fitting; RangeError for a row of another length
   *   or a non-finite value.
   */
  transform64(rows: readonly ArrayLike<number>[]): Float64Array {
    return this.transformInto(rows, Float64Array, 'transform64');
  }

  /**
   * Returns the fitted statistics as plain data.
   *
   * @returns `{ kind: 'StandardScaler', mean, std }`.
   * @throws Error before fitting.
   */
  toJSON(): StandardScalerJSON {
    const { mean, std } = this.stats('toJSON');
    return { kind: 'StandardScaler', mean: [...mean], std: [...std] };
  }

  /**
   * Rebuilds a scaler from {@link StandardScaler.toJSON}'s output.
   *
   * @param json - The plain data, e.g. after `JSON.parse`.
   * @returns A fitted scaler.
   * @throws TypeError when `kind` is not `'StandardScaler'` or the fields
   *   are not number arrays; RangeError when their lengths differ, a mean
   *   is not finite or a std is not positive.
   */
  static fromJSON(json: unknown): StandardScaler {
    const where = 'StandardScaler.fromJSON';
    const data = (json ?? {}) as Partial<Record<string, unknown>>;
    if (data.kind !== 'StandardScaler') {
      throw new TypeError(
        `${where}: expected kind 'StandardScaler', ` +
          `received ${describe(data.kind)}`,
      );
    }
    const { mean, std } = data;
    if (!isNumberArray(mean) || !isNumberArray(std)) {
      throw new TypeError(
        `${where}: expected mean and std to be number arrays, ` +
          `received ${describe(mean)} and ${describe(std)}`,
      );
    }
    if (mean.length !== std.length || mean.length === 0) {
      throw new RangeError(
        `${where}: expected mean and std of one non-zero length, ` +
          `received ${mean.length} and ${std.length}`,
      );
    }
    const bad = mean.findIndex(
      (m, j) => !Number.isFinite(m) || !((std[j] as number) > 0),
    );
    if (bad >= 0) {
      throw new RangeError(
        `${where}: expected finite means and positive finite stds, ` +
          `received mean ${mean[bad]}, std ${std[bad]} for feature ${bad}`,
      );
    }
    const scaler = new StandardScaler();
    scaler.meanValues = Float64Array.from(mean);
    scaler.stdValues = Float64Array.from(std);
    return scaler;
  }

  private transformInto<T extends Float32Array | Float64Array>(
    rows: readonly ArrayLike<number>[],
    Out: new (length: number) => T,
    method: string,
  ): T {
    const { mean, std } = this.stats(method);
    const f = mean.length;
    checkRows(`StandardScaler.${method}`, rows, f);
    const out = new Out(rows.length * f);
    rows.forEach((row, r) => {
      for (let j = 0; j < f; j++) {
        const z =
          ((row[j] as number) - (mean[j] as number)) / (std[j] as number);
        out[r * f + j] = z;
      }
    });
    return out;
  }

  private stats(method: string): { mean: Float64Array; std: Float64Array } {
    if (!this.meanValues || !this.stdValues) {
      throw new Error(
        `StandardScaler.${method}: expected a fitted scaler, received ` +
          `one that was never fitted (call fit or fromJSON first)`,
      );
    }
    return { mean: this.meanValues, std: this.stdValues };
  }
}

/** Checks rows of one length (`features` when given) with finite values. */
function checkRows(
  where: string,
  rows: readonly ArrayLike<number>[],
  features: number | undefined,
): number {
  if (!Array.isArray(rows) || rows.length === 0) {
    throw new RangeError(
      `${where}: expected a non-empty array of rows, ` +
        `received ${describe(rows)}`,
    );
  }
  const f = features ?? (rows[0] as ArrayLike<number>).length;
  if (f === 0) {
    throw new RangeError(
      `${where}: expected rows with features, received empty rows`,
    );
  }
  rows.forEach((row, r) => {
    if (row.length !== f) {
      throw new RangeError(
        `${where}: expected ${f} features per row, received ${row.length} ` +
          `in row ${r}`,
      );
    }
    for (let j = 0; j < f; j++) {
      if (!Number.isFinite(row[j])) {
        throw new RangeError(
          `${where}: expected finite values, received ${row[j]} in row ${r}, ` +
            `feature ${j}`,
        );
      }
    }
  });
  return f;
}

function isNumberArray(value: unknown): value is number[] {
  return Array.isArray(value) && value.every((v) => typeof v === 'number');
}
