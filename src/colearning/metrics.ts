/**
 * Accuracy and balanced accuracy of class predictions, on plain arrays.
 */
import { assertInteger } from '../internal/assert';
import { ShapeError } from '../internal/errors';

/** Scores of class predictions against true classes. */
export interface ClassificationScores {
  /** Number of samples. */
  n: number;
  /** Share of samples whose predicted class is the true class. */
  accuracy: number;
  /**
   * Mean over the classes present in the truth of the share of that
   * class's samples predicted correctly (the mean recall); 0.5 for any
   * constant prediction on two classes, whatever their balance.
   */
  balancedAccuracy: number;
  /** Recall of each class, `NaN` for a class absent from the truth. */
  recall: number[];
}

/**
 * Accuracy and balanced accuracy (mean per-class recall, Brodersen et al.
 * 2010) of predicted classes.
 *
 * @param actual - True classes, integers in `[0, classes)`.
 * @param predicted - Predicted classes, one per true class.
 * @param classes - Number of classes. @defaultValue 1 + the largest class
 *   seen
 * @returns The scores.
 * @throws ShapeError when the lengths differ or are zero; RangeError for a
 *   class that is not an integer in `[0, classes)`.
 * @see Brodersen, Ong, Stephan and Buhmann (2010), The balanced accuracy
 * and its posterior distribution, ICPR.
 */
export function classificationScores(
  actual: ArrayLike<number>,
  predicted: ArrayLike<number>,
  classes?: number,
): ClassificationScores {
  const where = 'classificationScores';
  if (actual.length !== predicted.length || actual.length === 0) {
    throw new ShapeError(
      `${where}: expected actual and predicted of one non-zero length, ` +
        `received ${actual.length} and ${predicted.length}`,
    );
  }
  let k = classes ?? 0;
  if (classes === undefined) {
    for (let i = 0; i < actual.length; i++) {
      k = Math.max(k, (actual[i] as number) + 1, (predicted[i] as number) + 1);
    }
  }
  assertInteger(where, 'classes', k, 1);

  const total = new Array<number>(k).fill(0);
  const hits = new Array<number>(k).fill(0);
  let correct = 0;
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i] as number;
    const p = predicted[i] as number;
    checkClass(where, 'actual', a, i, k);
    checkClass(where, 'predicted', p, i, k);
    total[a]!++;
    if (a === p) {
      hits[a]!++;
      correct++;
    }
  }
  const recall = total.map((t, c) => (t > 0 ? hits[c]! / t : NaN));
  const present = recall.filter((r) => !Number.isNaN(r));
  return {
    n: actual.length,
    accuracy: correct / actual.length,
    balancedAccuracy: present.reduce((s, r) => s + r, 0) / present.length,
    recall,
  };
}

function checkClass(
  where: string,
  name: string,
  value: number,
  index: number,
  classes: number,
): void {
  if (!Number.isInteger(value) || value < 0 || value >= classes) {
    throw new RangeError(
      `${where}: expected ${name} classes to be integers in ` +
        `[0, ${classes}), received ${value} at index ${index}`,
    );
  }
}
