/**
 * Which unlabelled samples a view's model labels in a round of
 * co-training: the most confident ones, per class, above a threshold.
 */
import { assertInteger } from '../internal/assert';

/** The samples one view labels for the other in one round. */
export interface Selection {
  /** Indices into the unlabelled set, by class, most confident first. */
  indices: number[];
  /** Pseudo-label of each selected sample. */
  labels: number[];
  /** Confidence of each selected sample. */
  confidences: number[];
}

/**
 * Splits a per-round budget over classes in proportion to the class counts
 * of the labelled set, by largest remainders (Hamilton's method), so the
 * quotas add up to `perRound` exactly.
 *
 * Class `c` first gets `floor(perRound · n_c / N)`; the samples left over
 * go one each to the classes with the largest fractional parts, ties to the
 * lower class index. Blum and Mitchell (1998) chose 1 positive and 3
 * negatives per round to match their 1:3 labelled ratio; here
 * `classQuotas([3, 1], 4)` gives `[3, 1]`.
 *
 * @example
 * ```ts
 * classQuotas([70, 30], 10); // [7, 3]
 * classQuotas([1, 1, 1], 10); // [4, 3, 3]
 * ```
 * @param counts - Labelled samples of each class.
 * @param perRound - Samples to add per round, over all classes.
 * @returns The quota of each class.
 * @throws RangeError for a negative or fractional count or budget, or when
 *   every count is zero.
 * @see Blum and Mitchell (1998), Combining labeled and unlabeled data with
 * co-training, COLT.
 */
export function classQuotas(
  counts: readonly number[],
  perRound: number,
): number[] {
  const where = 'classQuotas';
  assertInteger(where, 'perRound', perRound, 0);
  counts.forEach((c, i) => assertInteger(where, `counts[${i}]`, c, 0));
  const total = counts.reduce((s, c) => s + c, 0);
  if (total === 0) {
    throw new RangeError(
      `${where}: expected at least one labelled sample, received counts ` +
        `[${counts.join(', ')}]`,
    );
  }

  const exact = counts.map((c) => (perRound * c) / total);
  const quotas = exact.map(Math.floor);
  const order = exact
    .map((x, c) => ({ c, frac: x - Math.floor(x) }))
    .sort((a, b) => b.frac - a.frac || a.c - b.c);
  let left = perRound - quotas.reduce((s, q) => s + q, 0);
  for (const { c } of order) {
    if (left === 0) break;
    quotas[c]!++;
    left--;
  }
  return quotas;
}

/**
 * The most confident candidates of each class whose confidence (the
 * largest class probability) is at least `threshold`, at most `quotas[c]`
 * of class `c`; ties in confidence go to the lower index.
 *
 * @internal
 */
export function selectByClass(
  candidates: readonly number[],
  probabilities: readonly (readonly number[])[],
  quotas: readonly number[],
  threshold: number,
): Selection {
  const byClass: { index: number; confidence: number }[][] = quotas.map(
    () => [],
  );
  candidates.forEach((index, row) => {
    const p = probabilities[row] as readonly number[];
    let label = 0;
    for (let c = 1; c < p.length; c++) if (p[c]! > p[label]!) label = c;
    const confidence = p[label] as number;
    if (confidence >= threshold) byClass[label]!.push({ index, confidence });
  });

  const out: Selection = { indices: [], labels: [], confidences: [] };
  byClass.forEach((list, label) => {
    list.sort((a, b) => b.confidence - a.confidence || a.index - b.index);
    for (const { index, confidence } of list.slice(0, quotas[label])) {
      out.indices.push(index);
      out.labels.push(label);
      out.confidences.push(confidence);
    }
  });
  return out;
}

/**
 * The `count` candidates of largest confidence above `threshold`
 * (strictly), with their pseudo-labels; ties go to the lower index.
 *
 * @internal
 */
export function selectTop(
  candidates: readonly number[],
  values: readonly number[],
  confidences: readonly number[],
  count: number,
  threshold: number,
): Selection {
  const passed = candidates
    .map((index, row) => ({
      index,
      value: values[row] as number,
      confidence: confidences[row] as number,
    }))
    .filter((c) => c.confidence > threshold)
    .sort((a, b) => b.confidence - a.confidence || a.index - b.index)
    .slice(0, count);
  return {
    indices: passed.map((c) => c.index),
    labels: passed.map((c) => c.value),
    confidences: passed.map((c) => c.confidence),
  };
}
