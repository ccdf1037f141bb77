/**
 * Expanding-window walk-forward folds with purges and embargoes.
 */
import { assertInRange, assertInteger } from '../internal/assert';

/** Options of {@link walkForwardFolds}. */
export interface WalkForwardOptions {
  /** Number of folds K (test blocks), >= 1. */
  folds: number;
  /**
   * Samples dropped before each boundary (between training and validation,
   * and between validation and test). With labels that look H steps ahead,
   * H − 1 makes the parts' label windows disjoint.
   */
  purge: number;
  /**
   * Samples after each test block that no fold tests: they separate
   * consecutive test blocks so that their label windows do not overlap
   * (later folds still train on them). @defaultValue purge
   */
  embargo?: number;
  /**
   * Share of the samples before the first test block (the smallest
   * training-plus-validation window). @defaultValue 0.5
   */
  initialFraction?: number;
  /**
   * Share of each fold's pre-test samples held out, from their end, for
   * validation (early stopping and every choice). @defaultValue 0.15
   */
  valFraction?: number;
}

/** One fold of {@link walkForwardFolds}. */
export interface WalkForwardFold {
  /** Fold number, from 0. */
  fold: number;
  /** Training sample indices, oldest first. */
  train: Int32Array;
  /** Validation sample indices, after the training ones. */
  val: Int32Array;
  /** Test sample indices, after the validation ones. */
  test: Int32Array;
}

/**
 * Splits `n` time-ordered samples into K expanding-window folds. The
 * samples after the first `initialFraction` form K test blocks separated by
 * `embargo` samples; fold k tests block k and learns from everything
 * before it: validation is the last `valFraction` of that span, training
 * the rest, with `purge` samples dropped before each boundary.
 *
 * ```
 * fold 0: [train ......][p][val][p][test 0][e]
 * fold 1: [train ..................][p][val][p][test 1][e]
 * ```
 *
 * Fit every scaler and make every choice per fold on its training and
 * validation samples only; pool the test blocks for overall metrics.
 *
 * @see López de Prado (2018), Advances in Financial Machine Learning,
 * ch. 7 (purging and embargoes).
 *
 * @param n - Number of samples, in time order.
 * @param options - See {@link WalkForwardOptions}.
 * @returns The folds, in time order.
 * @throws RangeError when the samples are too few for the folds, naming
 *   how many each part would get.
 */
export function walkForwardFolds(
  n: number,
  options: WalkForwardOptions,
): WalkForwardFold[] {
  const where = 'walkForwardFolds';
  assertInteger(where, 'n', n, 1);
  assertInteger(where, 'folds', options.folds, 1);
  assertInteger(where, 'purge', options.purge, 0);
  const folds = options.folds;
  const purge = options.purge;
  const embargo = options.embargo ?? purge;
  assertInteger(where, 'embargo', embargo, 0);
  const initialFraction = options.initialFraction ?? 0.5;
  const valFraction = options.valFraction ?? 0.15;
  assertInRange(where, 'initialFraction', initialFraction, 0, 1, {
    openHigh: true,
  });
  assertInRange(where, 'valFraction', valFraction, 0, 1, { openHigh: true });

  const start = Math.floor(initialFraction * n);
  const testTotal = n - start - (folds - 1) * embargo;
  const block = Math.floor(testTotal / folds);
  const valLength = Math.floor(valFraction * Math.max(0, start - purge));
  const trainLength = start - purge - valLength - purge;
  if (block < 1 || valLength < 1 || trainLength < 1) {
    throw new RangeError(
      `${where}: ${n} samples are too few for ${folds} folds with purge ` +
        `${purge} and embargo ${embargo}: the first fold would get ` +
        `${Math.max(0, trainLength)} training, ${valLength} validation ` +
        `and ${Math.max(0, block)} test samples per block`,
    );
  }

  const range = (from: number, to: number) =>
    Int32Array.from({ length: Math.max(0, to - from) }, (_, i) => from + i);
  const result: WalkForwardFold[] = [];
  for (let k = 0; k < folds; k++) {
    const testStart = start + k * (block + embargo);
    const testEnd = k === folds - 1 ? n : testStart + block;
    const preTest = testStart - purge; // samples usable before the test
    const val = Math.floor(valFraction * preTest);
    const valStart = preTest - val;
    result.push({
      fold: k,
      train: range(0, valStart - purge),
      val: range(valStart, preTest),
      test: range(testStart, testEnd),
    });
  }
  return result;
}
