import { describe, expect, it } from 'vitest';

import { directionHitRate, skillScore } from '../../src/eval/forecast-metrics';
import { repeatOverSeeds, summarizeSeeds } from '../../src/eval/seeds';
import { walkForwardFolds } from '../../src/eval/walk-forward';

describe('directionHitRate', () => {
  it('counts matching signs of change from a per-sample reference', () => {
    // Changes from [10, 10, 10, 10]: actual +1, -1, 0, +2; predicted +3, +1, 0, -1.
    expect(
      directionHitRate([11, 9, 10, 12], [13, 11, 10, 9], [10, 10, 10, 10]),
    ).toBe(0.5);
    expect(directionHitRate([0.1, -0.2], [0.05, -0.01])).toBe(1);
  });

  it('rejects length mismatches and NaN', () => {
    expect(() => directionHitRate([1], [1, 2])).toThrow(/received 1, 2/);
    expect(() => directionHitRate([1], [NaN])).toThrow(
      /predicted to be finite/,
    );
  });
});

describe('skillScore', () => {
  it('is 1 - error / reference error', () => {
    expect(skillScore(8, 10)).toBeCloseTo(0.2, 15);
    expect(skillScore(12, 10)).toBeCloseTo(-0.2, 15);
    expect(() => skillScore(1, 0)).toThrow(
      /positive, finite reference error, received 0/,
    );
  });
});

describe('repeatOverSeeds', () => {
  it('summarises each metric with sample std and the seeds of the extremes', async () => {
    const runs = await repeatOverSeeds([3, 5, 7], (seed) => ({
      mae: seed,
      rmse: 10 - seed,
    }));
    expect(runs.runs.map((r) => r.seed)).toEqual([3, 5, 7]);
    expect(runs.summary.mae).toEqual({
      mean: 5,
      std: 2,
      min: 3,
      max: 7,
      minSeed: 3,
      maxSeed: 7,
      n: 3,
    });
    expect(runs.summary.rmse.minSeed).toBe(7);
  });

  it('gives std 0 for one seed and rejects inconsistent runs', () => {
    expect(summarizeSeeds([{ seed: 1, values: { a: 2 } }]).a.std).toBe(0);
    expect(() =>
      summarizeSeeds([
        { seed: 1, values: { a: 1 } },
        { seed: 2, values: { b: 1 } as never },
      ]),
    ).toThrow(/expected every run to report \[a\], seed 2 reported \[b\]/);
    expect(() => summarizeSeeds([{ seed: 1, values: { a: NaN } }])).toThrow(
      /finite values of 'a', received NaN for seed 1/,
    );
  });
});

describe('walkForwardFolds', () => {
  it('lays out expanding folds with purges before each boundary and embargoes between test blocks', () => {
    const folds = walkForwardFolds(100, {
      folds: 3,
      purge: 2,
      embargo: 4,
      initialFraction: 0.4,
      valFraction: 0.25,
    });
    // start 40; test total 100 - 40 - 2*4 = 52, blocks of 17 (last takes the rest).
    expect(folds.map((f) => [f.test[0], f.test.at(-1)])).toEqual([
      [40, 56],
      [61, 77],
      [82, 99],
    ]);
    // Fold 0: pre-test 0..37 (38 samples), validation floor(0.25*38) = 9: 29..37;
    // training 0..26 (2 purged before validation).
    expect([folds[0]!.val[0], folds[0]!.val.at(-1)]).toEqual([29, 37]);
    expect([folds[0]!.train[0], folds[0]!.train.at(-1)]).toEqual([0, 26]);
    for (const f of folds) {
      expect(f.val[0]! - f.train.at(-1)!).toBe(3);
      expect(f.test[0]! - f.val.at(-1)!).toBe(3);
    }
    // Embargo: 4 samples between consecutive test blocks; later folds learn
    // from them (here fold 1 validates on them).
    expect(folds[1]!.test[0]! - folds[0]!.test.at(-1)!).toBe(5);
    expect(folds[1]!.val.at(-1)!).toBeGreaterThan(folds[0]!.test.at(-1)!);
  });

  it('never puts a sample in two parts of one fold', () => {
    for (const f of walkForwardFolds(500, { folds: 4, purge: 19 })) {
      const all = [...f.train, ...f.val, ...f.test];
      expect(new Set(all).size).toBe(all.length);
    }
  });

  it('says how many samples each part would get when there are too few', () => {
    expect(() => walkForwardFolds(60, { folds: 5, purge: 19 })).toThrow(
      /60 samples are too few for 5 folds with purge 19 and embargo 19: the first fold would get 0 training, 1 validation and 0 test samples per block/,
    );
  });
});
