/**
 * The baselines of spec S7: last close, trailing window, ridge and drift.
 * Each returns ratio predictions `[n][2]` (y_max, y_min) relative to close_t,
 * except the trailing window, which is a price and is converted here.
 */
import { selectRidge } from '../../src/index';
import type { Part, SplitData } from './dataset';

/** Ratio predictions of one baseline per part. */
export interface BaselinePredictions {
  /** Name shown in the table. */
  name: string;
  /** Validation predictions, ratios `[n][2]`. */
  val: [number, number][];
  /** Test predictions, ratios `[n][2]`. */
  test: [number, number][];
  /** What was chosen on validation, if anything. */
  note?: string;
}

/** All baselines of the spec, in table order. */
export function baselines(data: SplitData): BaselinePredictions[] {
  const { train, val, test } = data.parts;

  const lastClose = (p: Part) => p.y.map(() => [0, 0] as [number, number]);
  const trailing = (p: Part) =>
    p.trailing.map(
      ([hi, lo], i) =>
        [
          hi / (p.closeT[i] as number) - 1,
          lo / (p.closeT[i] as number) - 1,
        ] as [number, number],
    );

  // (c) ridge on the flattened scaled window, alpha chosen on validation.
  const flat = (p: Part) => rows(p.windows, p.y.length);
  const { model, scores } = selectRidge(
    { x: flat(train), y: train.y },
    { x: flat(val), y: val.y },
  );
  const ridge = (p: Part) =>
    model.predict(flat(p)).map((r) => [r[0], r[1]] as [number, number]);

  // (d) the unconditional drift: the mean training label.
  const mean = [0, 1].map(
    (k) => train.y.reduce((s, r) => s + r[k]!, 0) / train.y.length,
  );
  const drift = (p: Part) =>
    p.y.map(() => [mean[0], mean[1]] as [number, number]);

  const best = scores.reduce((a, b) => (b.mse < a.mse ? b : a));
  return [
    { name: 'Last close', val: lastClose(val), test: lastClose(test) },
    { name: 'Trailing max/min', val: trailing(val), test: trailing(test) },
    {
      name: 'Ridge (window)',
      val: ridge(val),
      test: ridge(test),
      note: `alpha ${best.alpha} chosen on validation MSE`,
    },
    { name: 'Drift (train mean)', val: drift(val), test: drift(test) },
  ];
}

/** Splits a flat float32 array into `n` rows. */
function rows(values: Float32Array, n: number): Float32Array[] {
  const width = values.length / n;
  return Array.from({ length: n }, (_, i) =>
    values.subarray(i * width, (i + 1) * width),
  );
}
