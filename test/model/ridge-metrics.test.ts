import { describe, expect, it } from 'vitest';

import { regressionMetrics } from '../../src/model/metrics';
import { RidgeRegression, selectRidge } from '../../src/model/ridge';
import { expectClose } from '../helpers';

describe('regressionMetrics', () => {
  it('computes MAE, RMSE and MAPE of a hand-worked series', () => {
    const m = regressionMetrics([100, 200, 400], [110, 190, 400]);
    expect(m.n).toBe(3);
    expect(m.mae).toBeCloseTo(20 / 3, 12);
    expect(m.rmse).toBeCloseTo(Math.sqrt(200 / 3), 12);
    expect(m.mape).toBeCloseTo((100 * (0.1 + 0.05 + 0)) / 3, 12);
  });

  it('refuses zero actual values, NaN and length mismatches', () => {
    expect(() => regressionMetrics([1, 0], [1, 1])).toThrow(
      /non-zero actual values, received 0 at index 1/,
    );
    expect(() => regressionMetrics([1, 2], [1, NaN])).toThrow(
      /predicted to be finite, received NaN at index 1/,
    );
    expect(() => regressionMetrics([1, 2], [1])).toThrow(/received 2 and 1/);
  });
});

describe('RidgeRegression', () => {
  const x = [
    [1, 0],
    [0, 1],
    [1, 1],
    [2, 1],
    [0, 3],
  ];
  const y = x.map(([a, b]) => [3 * a! - b! + 2, a! + 1]);

  it('recovers exact coefficients and intercepts with alpha 0', () => {
    const model = new RidgeRegression(0).fit(x, y);
    const json = model.toJSON();
    expectClose(
      json.coefficients,
      [
        [3, 1],
        [-1, 0],
      ],
      { atol: 1e-10 },
    );
    expectClose(json.intercept, [2, 1], { atol: 1e-10 });
  });

  it('matches the closed form on centred data for a positive alpha', () => {
    // One feature: w = Σ xc yc / (Σ xc² + α), b = ȳ − w x̄.
    const xs = [[1], [2], [4]];
    const ys = [[1], [3], [4]];
    const w =
      ((1 - 7 / 3) * (1 - 8 / 3) +
        (2 - 7 / 3) * (3 - 8 / 3) +
        (4 - 7 / 3) * (4 - 8 / 3)) /
      ((1 - 7 / 3) ** 2 + (2 - 7 / 3) ** 2 + (4 - 7 / 3) ** 2 + 2);
    const json = new RidgeRegression(2).fit(xs, ys).toJSON();
    expect(json.coefficients[0]![0]).toBeCloseTo(w, 12);
    expect(json.intercept[0]).toBeCloseTo(8 / 3 - w * (7 / 3), 12);
  });

  it('round-trips through JSON with identical predictions', () => {
    const model = new RidgeRegression(0.5).fit(x, y);
    const copy = RidgeRegression.fromJSON(
      JSON.parse(JSON.stringify(model.toJSON())),
    );
    expect(copy.predict(x)).toEqual(model.predict(x));
    expect(() => RidgeRegression.fromJSON({ kind: 'Scaler' } as never)).toThrow(
      /expected kind 'RidgeRegression', received "Scaler"/,
    );
  });

  it('selects alpha on validation data only', () => {
    const noisy = y.map(([a, b], i) => [a! + (i % 2 ? 5 : -5), b!]);
    const { model, scores } = selectRidge({ x, y: noisy }, { x, y }, [0, 1e6]);
    expect(scores.map((s) => s.alpha)).toEqual([0, 1e6]);
    const best = scores.reduce((a, b) => (b.mse < a.mse ? b : a));
    expect(model.alpha).toBe(best.alpha);
  });

  it('explains bad input', () => {
    expect(() => new RidgeRegression(-1)).toThrow(
      /alpha to be a finite number >= 0, received -1/,
    );
    expect(() => new RidgeRegression(1).fit(x, y.slice(1))).toThrow(
      /received 5 inputs and 4 targets/,
    );
    expect(() => new RidgeRegression(1).predict(x)).toThrow(/not fitted/);
  });
});

describe('RidgeRegression and selectRidge input checks', () => {
  const x = [
    [1, 0],
    [0, 1],
    [1, 1],
    [2, 1],
  ];
  const y = [[1], [2], [3], [4]];

  it('names a validation y of the wrong size or with NaN', () => {
    expect(() => selectRidge({ x, y }, { x, y: y.slice(1) })).toThrow(
      /validation.y of 4 rows \(one per validation input\) and 1 columns \(as train.y\), received 3 rows and 1 columns/,
    );
    expect(() =>
      selectRidge({ x, y }, { x, y: y.map((r) => [...r, 0]) }),
    ).toThrow(/received 4 rows and 2 columns/);
    expect(() =>
      selectRidge({ x, y }, { x, y: [[1], [NaN], [3], [4]] }),
    ).toThrow(/validation.y row 1 to be finite/);
  });

  it('rejects malformed JSON with a description of what it received', () => {
    expect(() =>
      RidgeRegression.fromJSON({
        kind: 'RidgeRegression',
        alpha: 1,
        coefficients: [[1, 2], [3]],
        intercept: [0, 0],
      }),
    ).toThrow(
      /coefficients \[features\]\[outputs\] and an intercept per output/,
    );
  });
});
