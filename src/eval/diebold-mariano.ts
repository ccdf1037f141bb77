/**
 * The Diebold-Mariano test of equal predictive accuracy, for forecasts
 * whose horizons overlap.
 */
import normalCdf from '@stdlib/stats-base-dists-normal-cdf';
import studentCdf from '@stdlib/stats-base-dists-t-cdf';

import {
  assertFiniteArray,
  assertInteger,
  assertOneOf,
} from '../internal/assert';
import { ShapeError } from '../internal/errors';

/** Which loss turns forecast errors into the loss differential. */
export type DmLoss = 'absolute' | 'squared';

/** Options of {@link dieboldMariano}. */
export interface DieboldMarianoOptions {
  /**
   * Forecast horizon h in steps. With h-step forecasts made every step,
   * the loss differential is autocorrelated up to lag h − 1, which the
   * long-run variance accounts for. @defaultValue 1
   */
  horizon?: number;
  /** Loss applied to each error. @defaultValue 'absolute' */
  loss?: DmLoss;
}

/** One variant of the test. */
export interface DmVariant {
  /** The test statistic; negative when forecast A has the smaller loss. */
  statistic: number;
  /** Two-sided p-value. */
  pValue: number;
  /** The long-run variance of the loss differential used. */
  longRunVariance: number;
}

/** Result of {@link dieboldMariano}. */
export interface DieboldMarianoResult {
  /** Number of paired forecasts. */
  n: number;
  /** Horizon h used for the long-run variance. */
  horizon: number;
  /** Loss applied to the errors. */
  loss: DmLoss;
  /** Mean loss differential d̄ = mean(L(e_A) − L(e_B)). */
  meanDifference: number;
  /**
   * Newey-West: Bartlett weights 1 − k/h for lags 1..h−1, statistic
   * compared with N(0, 1). Always defined.
   */
  neweyWest: DmVariant;
  /**
   * Diebold-Mariano (1995) rectangular kernel for lags 1..h−1 with the
   * Harvey-Leybourne-Newbold (1997) small-sample correction, compared with
   * Student's t with n − 1 degrees of freedom; null when that variance
   * estimate is not positive (the rectangular kernel does not guarantee
   * it).
   */
  hln: DmVariant | null;
}

/**
 * Tests whether two forecasts of the same series are equally accurate
 * (Diebold and Mariano 1995), on the loss differential
 * `d_t = L(e_A,t) − L(e_B,t)`:
 *
 * - autocovariances `γ_k = (1/n) Σ_{t>k} (d_t − d̄)(d_{t−k} − d̄)`;
 * - Newey-West (1987): `V = γ_0 + 2 Σ_{k=1}^{h−1} (1 − k/h) γ_k`,
 *   `DM = d̄ / sqrt(V / n)`, p from N(0, 1);
 * - HLN (1997): `V = γ_0 + 2 Σ_{k=1}^{h−1} γ_k`, `DM` as above times
 *   `sqrt((n + 1 − 2h + h(h − 1)/n) / n)`, p from t(n − 1).
 *
 * A negative statistic means forecast A has the smaller loss.
 *
 * @see Diebold and Mariano (1995), Comparing predictive accuracy.
 * @see Harvey, Leybourne and Newbold (1997), Testing the equality of
 * prediction mean squared errors.
 * @see Newey and West (1987), A simple, positive semi-definite,
 * heteroskedasticity and autocorrelation consistent covariance matrix.
 *
 * @param errorsA - Errors of forecast A (forecast − actual, or any signed
 *   error; only the loss of each is used).
 * @param errorsB - Errors of forecast B, paired with A's.
 * @param options - See {@link DieboldMarianoOptions}.
 * @returns Both variants of the test.
 * @throws ShapeError when the series differ in length; RangeError when
 *   they are too short for the horizon, hold non-finite values, or the
 *   loss differential is identically zero.
 */
export function dieboldMariano(
  errorsA: ArrayLike<number>,
  errorsB: ArrayLike<number>,
  options: DieboldMarianoOptions = {},
): DieboldMarianoResult {
  const where = 'dieboldMariano';
  const horizon = options.horizon ?? 1;
  const loss = options.loss ?? 'absolute';
  assertInteger(where, 'horizon', horizon, 1);
  assertOneOf(where, 'loss', loss, ['absolute', 'squared']);
  if (errorsA.length !== errorsB.length) {
    throw new ShapeError(
      `${where}: expected two error series of one length, received ` +
        `${errorsA.length} and ${errorsB.length}`,
    );
  }
  const n = errorsA.length;
  if (n < horizon + 2) {
    throw new RangeError(
      `${where}: expected at least horizon + 2 = ${horizon + 2} paired ` +
        `errors, received ${n}`,
    );
  }
  assertFiniteArray(where, 'errorsA', errorsA);
  assertFiniteArray(where, 'errorsB', errorsB);

  const lossOf = loss === 'absolute' ? Math.abs : (e: number) => e * e;
  const d = Float64Array.from(
    { length: n },
    (_, t) => lossOf(errorsA[t] as number) - lossOf(errorsB[t] as number),
  );
  const mean = d.reduce((s, v) => s + v, 0) / n;
  const gamma = autocovariances(d, mean, horizon - 1);
  if (!((gamma[0] as number) > 0)) {
    throw new RangeError(
      `${where}: the loss differential is constant (variance 0); the two ` +
        `forecasts cannot be told apart by this test`,
    );
  }

  let nw = gamma[0] as number;
  let rect = gamma[0] as number;
  for (let k = 1; k < horizon; k++) {
    nw += 2 * (1 - k / horizon) * (gamma[k] as number);
    rect += 2 * (gamma[k] as number);
  }
  const nwStat = mean / Math.sqrt(nw / n);
  const neweyWest: DmVariant = {
    statistic: nwStat,
    pValue: 2 * normalCdf(-Math.abs(nwStat), 0, 1),
    longRunVariance: nw,
  };

  let hln: DmVariant | null = null;
  if (rect > 0) {
    const h = horizon;
    const correction = Math.sqrt((n + 1 - 2 * h + (h * (h - 1)) / n) / n);
    const stat = (mean / Math.sqrt(rect / n)) * correction;
    hln = {
      statistic: stat,
      pValue: 2 * studentCdf(-Math.abs(stat), n - 1),
      longRunVariance: rect,
    };
  }
  return { n, horizon, loss, meanDifference: mean, neweyWest, hln };
}

/** γ_0..γ_maxLag with the 1/n normalisation. */
function autocovariances(
  d: Float64Array,
  mean: number,
  maxLag: number,
): Float64Array {
  const n = d.length;
  const gamma = new Float64Array(maxLag + 1);
  for (let k = 0; k <= maxLag; k++) {
    let s = 0;
    for (let t = k; t < n; t++) {
      s += ((d[t] as number) - mean) * ((d[t - k] as number) - mean);
    }
    gamma[k] = s / n;
  }
  return gamma;
}
