import { describe, expect, it } from 'vitest';

import { dieboldMariano } from '../../src/eval/diebold-mariano';

// Errors of two forecasts of the same eight points.
const eA = [1, -2, 3, -1, 2, 0.5, -1.5, 2.5];
const eB = [0.5, 1, -2, 2, -1, 1, 1, -2];

describe('dieboldMariano', () => {
  it('matches the hand computation for absolute errors and horizon 2', () => {
    // d = |eA| - |eB| = [0.5, 1, 1, -1, 1, -0.5, 0.5, 0.5], mean 0.375.
    // Deviations: [0.125, 0.625, 0.625, -1.375, 0.625, -0.875, 0.125, 0.125].
    // γ0 = Σ dev² / 8 = 3.875 / 8 = 0.484375.
    // γ1 = Σ dev_t dev_{t-1} / 8 = -1.890625 / 8 = -0.236328125.
    // Newey-West V = γ0 + 2 (1 - 1/2) γ1 = 0.248046875.
    // DM = 0.375 / sqrt(V / 8) = 2.12965562259867; p = 2 Φ(-|DM|).
    const r = dieboldMariano(eA, eB, { horizon: 2 });
    expect(r.n).toBe(8);
    expect(r.meanDifference).toBeCloseTo(0.375, 15);
    expect(r.neweyWest.longRunVariance).toBeCloseTo(0.248046875, 15);
    expect(r.neweyWest.statistic).toBeCloseTo(2.129655622598673, 12);
    expect(r.neweyWest.pValue).toBeCloseTo(0.03320005527161288, 12);
    // Rectangular V = γ0 + 2 γ1 = 0.01171875; HLN factor
    // sqrt((8 + 1 - 4 + 2/8) / 8) = sqrt(0.65625); p from t(7).
    expect(r.hln!.longRunVariance).toBeCloseTo(0.01171875, 15);
    expect(r.hln!.statistic).toBeCloseTo(7.937253933193773, 10);
    expect(r.hln!.pValue).toBeCloseTo(9.584590571929161e-5, 12);
  });

  it('matches the hand computation for squared errors and horizon 3', () => {
    // d = eA² - eB² = [0.75, 3, 5, -3, 3, -0.75, 1.25, 2.25], mean 1.4375;
    // γ0 = 5.40234375, γ1 = -2.67626953125, γ2 = 0.4775390625.
    const r = dieboldMariano(eA, eB, { horizon: 3, loss: 'squared' });
    expect(r.neweyWest.longRunVariance).toBeCloseTo(
      5.40234375 + 2 * (2 / 3) * -2.67626953125 + 2 * (1 / 3) * 0.4775390625,
      12,
    );
    expect(r.neweyWest.statistic).toBeCloseTo(2.771386072392379, 10);
    expect(r.neweyWest.pValue).toBeCloseTo(0.005581820146949107, 12);
    expect(r.hln!.statistic).toBeCloseTo(2.7769354083936975, 10);
    expect(r.hln!.pValue).toBeCloseTo(0.02741892814236668, 10);
  });

  it('reduces to the plain t-ratio at horizon 1', () => {
    const r = dieboldMariano(eA, eB);
    // V = γ0 = 0.484375; DM = 0.375 / sqrt(0.484375 / 8).
    expect(r.neweyWest.statistic).toBeCloseTo(
      0.375 / Math.sqrt(0.484375 / 8),
      14,
    );
    expect(r.hln!.longRunVariance).toBe(r.neweyWest.longRunVariance);
    expect(r.hln!.pValue).toBeCloseTo(0.1970220721577505, 12);
  });

  it('is antisymmetric: swapping the forecasts flips the sign', () => {
    const ab = dieboldMariano(eA, eB, { horizon: 2 });
    const ba = dieboldMariano(eB, eA, { horizon: 2 });
    expect(ba.neweyWest.statistic).toBeCloseTo(-ab.neweyWest.statistic, 14);
    expect(ba.neweyWest.pValue).toBeCloseTo(ab.neweyWest.pValue, 14);
  });

  it('reports null for HLN when the rectangular variance is not positive', () => {
    // d alternates 2, 0: γ0 = 1, γ1 = -7/8, so γ0 + 2 γ1 < 0.
    const r = dieboldMariano([2, 0, 2, 0, 2, 0, 2, 0], Array(8).fill(0), {
      horizon: 2,
    });
    expect(r.hln).toBeNull();
    expect(r.neweyWest.longRunVariance).toBeCloseTo(1 - 0.875, 15);
  });

  it('explains bad input', () => {
    expect(() => dieboldMariano([1, 2], [1])).toThrow(
      /one length, received 2 and 1/,
    );
    expect(() => dieboldMariano([1, 2, 3], [1, 2, 4], { horizon: 2 })).toThrow(
      /at least horizon \+ 2 = 4 paired errors, received 3/,
    );
    expect(() => dieboldMariano([1, NaN, 3, 4], [1, 2, 3, 4])).toThrow(
      /errorsA to be finite, received NaN at index 1/,
    );
    expect(() => dieboldMariano([1, 2, 3], [1, 2, 3])).toThrow(
      /loss differential is constant/,
    );
    expect(() =>
      dieboldMariano(eA, eB, { loss: 'huber' as 'absolute' }),
    ).toThrow(/loss to be one of 'absolute', 'squared', received "huber"/);
  });
});
