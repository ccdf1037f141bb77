/**
 * Thesis 2, spec S7 baselines: last close, trailing 10-day max/min, drift
 * and ridge on the flattened price (or price and news) window. Ratio
 * predictions `[n][2]` relative to close_t.
 */
import { selectRidge } from '../../../src/index';
import type { BaselinePredictions } from '../baselines';
import type { Thesis2Dataset, Thesis2Part } from './dataset';

/** Row names of the baselines, in table order. */
export const BASELINES = {
  lastClose: 'Last close',
  trailing: 'Trailing 10d max/min',
  drift: 'Drift (train mean)',
  ridgePrice: 'Ridge (price)',
  ridgePriceNews: 'Ridge (price+news)',
} as const;

type Ratios = [number, number][];

/**
 * Every baseline of the spec, predicting the validation and test parts.
 *
 * @param data - The dataset.
 * @returns One entry per baseline, with the chosen ridge alpha in `note`.
 */
export function thesis2Baselines(data: Thesis2Dataset): BaselinePredictions[] {
  const { train, val, test } = data.parts;
  const lastClose = (p: Thesis2Part): Ratios => p.y.map(() => [0, 0]);
  const trailing = (p: Thesis2Part): Ratios =>
    p.trailing.map(([hi, lo], i) => {
      const c = p.closeT[i] as number;
      return [hi / c - 1, lo / c - 1];
    });
  const mean = [0, 1].map(
    (k) => train.y.reduce((s, r) => s + r[k]!, 0) / train.y.length,
  ) as [number, number];
  const drift = (p: Thesis2Part): Ratios => p.y.map(() => [...mean]);

  const ridge = (input: 'price' | 'features', name: string) => {
    const flat = (p: Thesis2Part) => rowsOf(p.inputs[input]!, p.y.length);
    const { model, scores } = selectRidge(
      { x: flat(train), y: train.y },
      { x: flat(val), y: val.y },
    );
    const predict = (p: Thesis2Part): Ratios =>
      model.predict(flat(p)).map((r) => [r[0]!, r[1]!]);
    const best = scores.reduce((a, b) => (b.mse < a.mse ? b : a));
    return {
      name,
      val: predict(val),
      test: predict(test),
      note: `alpha ${best.alpha} chosen on validation MSE`,
      alpha: best.alpha,
    };
  };

  return [
    { name: BASELINES.lastClose, val: lastClose(val), test: lastClose(test) },
    { name: BASELINES.trailing, val: trailing(val), test: trailing(test) },
    {
      name: BASELINES.drift,
      val: drift(val),
      test: drift(test),
      note: `mean training ratios ${mean.map((m) => m.toFixed(5)).join(', ')}`,
    },
    ridge('price', BASELINES.ridgePrice),
    ridge('features', BASELINES.ridgePriceNews),
  ];
}

/** Splits a flat float32 array into `n` rows (no copy). */
function rowsOf(values: Float32Array, n: number): Float32Array[] {
  const width = values.length / n;
  return Array.from({ length: n }, (_, i) =>
    values.subarray(i * width, (i + 1) * width),
  );
}
