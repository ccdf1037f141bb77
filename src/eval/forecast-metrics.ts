/**
 * Metrics that compare forecasts with a reference: direction hit rate and
 * skill against a baseline.
 */
import { assertFiniteArray } from '../internal/assert';
import { ShapeError } from '../internal/errors';

/**
 * The share of samples whose predicted change has the sign of the actual
 * change, both measured from the same reference (for price labels, the
 * last close): `mean(sign(predicted − reference) == sign(actual −
 * reference))`, where a zero change only matches a zero change.
 *
 * @param actual - Actual values.
 * @param predicted - Forecasts, one per actual value.
 * @param reference - The value changes are measured from (a number for all
 *   samples, or one per sample). @defaultValue 0 (values are changes)
 * @returns The hit rate in [0, 1].
 * @throws ShapeError when lengths differ or are zero; RangeError on a
 *   non-finite value.
 */
export function directionHitRate(
  actual: ArrayLike<number>,
  predicted: ArrayLike<number>,
  reference: number | ArrayLike<number> = 0,
): number {
  const where = 'directionHitRate';
  const n = actual.length;
  const perSample = typeof reference !== 'number';
  if (
    n === 0 ||
    predicted.length !== n ||
    (perSample && reference.length !== n)
  ) {
    throw new ShapeError(
      `${where}: expected actual, predicted (and per-sample reference) of ` +
        `one non-zero length, received ${n}, ${predicted.length}` +
        (perSample ? ` and ${reference.length}` : ''),
    );
  }
  assertFiniteArray(where, 'actual', actual);
  assertFiniteArray(where, 'predicted', predicted);
  if (perSample) assertFiniteArray(where, 'reference', reference);

  let hits = 0;
  for (let i = 0; i < n; i++) {
    const r = perSample ? (reference[i] as number) : reference;
    const a = Math.sign((actual[i] as number) - r);
    const p = Math.sign((predicted[i] as number) - r);
    if (a === p) hits++;
  }
  return hits / n;
}

/**
 * Skill of a forecast against a reference forecast: `1 − error / reference
 * error` (for example with MAE and the drift baseline). Positive means
 * better than the reference, 0 equal, negative worse.
 *
 * @param error - The forecast's error (MAE, RMSE, ...).
 * @param referenceError - The reference forecast's error, > 0.
 * @returns The skill score.
 * @throws RangeError when the reference error is not positive and finite.
 */
export function skillScore(error: number, referenceError: number): number {
  if (!(referenceError > 0) || !Number.isFinite(referenceError)) {
    throw new RangeError(
      `skillScore: expected a positive, finite reference error, received ` +
        `${referenceError}`,
    );
  }
  if (!Number.isFinite(error)) {
    throw new RangeError(
      `skillScore: expected a finite error, received ${error}`,
    );
  }
  return 1 - error / referenceError;
}
