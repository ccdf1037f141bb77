/**
 * Error metrics for forecasts, on plain arrays.
 */
import { assertFiniteArray } from '../internal/assert';
import { ShapeError } from '../internal/errors';

/** Error metrics of one forecast series. */
export interface RegressionMetrics {
  /** Number of points. */
  n: number;
  /** Mean absolute error. */
  mae: number;
  /** Root mean squared error. */
  rmse: number;
  /** Mean absolute percentage error, in percent: 100·mean(|e| / |actual|). */
  mape: number;
}

/**
 * MAE, RMSE and MAPE of a forecast against the actual values.
 *
 * @param actual - True values; MAPE needs every one to be non-zero.
 * @param predicted - Forecasts, one per actual value.
 * @returns The metrics.
 * @throws ShapeError when lengths differ or are zero; RangeError on a
 *   non-finite value or a zero actual value.
 */
export function regressionMetrics(
  actual: ArrayLike<number>,
  predicted: ArrayLike<number>,
): RegressionMetrics {
  const where = 'regressionMetrics';
  if (actual.length !== predicted.length || actual.length === 0) {
    throw new ShapeError(
      `${where}: expected actual and predicted of one non-zero length, ` +
        `received ${actual.length} and ${predicted.length}`,
    );
  }
  assertFiniteArray(where, 'actual', actual);
  assertFiniteArray(where, 'predicted', predicted);

  const n = actual.length;
  let abs = 0;
  let sq = 0;
  let pct = 0;
  for (let i = 0; i < n; i++) {
    const a = actual[i] as number;
    const e = (predicted[i] as number) - a;
    if (a === 0) {
      throw new RangeError(
        `${where}: MAPE needs non-zero actual values, received 0 at index ${i}`,
      );
    }
    abs += Math.abs(e);
    sq += e * e;
    pct += Math.abs(e) / Math.abs(a);
  }
  return { n, mae: abs / n, rmse: Math.sqrt(sq / n), mape: (100 * pct) / n };
}
