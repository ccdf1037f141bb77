/**
 * The chronological train / validation / test split of the thesis pipeline
 * (spec S4), with the samples just before each boundary purged so that no
 * training label overlaps the label days of the next part.
 */
import { assertInRange, assertInteger } from '../internal/assert';

/** Options of {@link chronologicalSplit}. */
export interface ChronologicalSplitOptions {
  /** Share of samples before the validation boundary. @defaultValue 0.7 */
  trainFraction?: number;
  /** Share of samples between the two boundaries. @defaultValue 0.15 */
  valFraction?: number;
  /**
   * Samples dropped before each boundary. With labels that look `H`
   * sessions ahead, the last `H − 1` samples of a part share label days
   * with the first sample of the next; the thesis uses `H = 20`.
   * @defaultValue 19
   */
  purge?: number;
}

/** Sample indices of each part, in date order. */
export interface ChronologicalSplit {
  /** Indices `[0, nTrain − purge)`. */
  train: Int32Array;
  /** Indices `[nTrain, nTrain + nVal − purge)`. */
  val: Int32Array;
  /** Indices `[nTrain + nVal, n)`. */
  test: Int32Array;
  /** Samples before the first boundary: `floor(trainFraction * n)`. */
  nTrain: number;
  /** Samples between the boundaries: `floor(valFraction * n)`. */
  nVal: number;
  /** Samples after the second boundary: `n − nTrain − nVal`. */
  nTest: number;
  /** Samples purged from the end of each part that precedes another. */
  purged: {
    /** Purged from the end of the training part. */
    train: number;
    /** Purged from the end of the validation part. */
    val: number;
  };
}

/**
 * Splits `n` samples in date order into train, validation and test parts:
 * `nTrain = floor(0.70 n)`, `nVal = floor(0.15 n)`, test the rest, and
 * purges the last `purge` samples of train and of validation.
 *
 * @example
 * ```ts
 * const split = chronologicalSplit(5033);
 * split.train.length; // 3504 (3523 minus 19 purged)
 * ```
 *
 * @param n - Number of samples, in date order.
 * @param options - See {@link ChronologicalSplitOptions}.
 * @returns The indices of each part and the counts.
 * @throws RangeError for fractions outside (0, 1) that leave no test share,
 *   or when a part would be empty after the purge.
 */
export function chronologicalSplit(
  n: number,
  options: ChronologicalSplitOptions = {},
): ChronologicalSplit {
  const where = 'chronologicalSplit';
  const { trainFraction = 0.7, valFraction = 0.15, purge = 19 } = options;
  assertInteger(where, 'n', n, 1);
  assertInteger(where, 'purge', purge, 0);
  assertInRange(where, 'trainFraction', trainFraction, 0, 1);
  assertInRange(where, 'valFraction', valFraction, 0, 1);
  if (!(trainFraction + valFraction < 1)) {
    throw new RangeError(
      `${where}: expected trainFraction + valFraction < 1, received ` +
        `${trainFraction} + ${valFraction}`,
    );
  }

  const nTrain = Math.floor(trainFraction * n);
  const nVal = Math.floor(valFraction * n);
  const nTest = n - nTrain - nVal;
  const parts = {
    train: range(0, nTrain - purge),
    val: range(nTrain, nTrain + nVal - purge),
    test: range(nTrain + nVal, n),
  };
  for (const [name, indices] of Object.entries(parts)) {
    if (indices.length === 0) {
      throw new RangeError(
        `${where}: expected a non-empty ${name} part, received none ` +
          `(n ${n}, nTrain ${nTrain}, nVal ${nVal}, nTest ${nTest}, ` +
          `purge ${purge})`,
      );
    }
  }
  return {
    ...parts,
    nTrain,
    nVal,
    nTest,
    purged: { train: purge, val: purge },
  };
}

function range(start: number, end: number): Int32Array {
  const out = new Int32Array(Math.max(0, end - start));
  for (let i = 0; i < out.length; i++) out[i] = start + i;
  return out;
}
