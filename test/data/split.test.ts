import { describe, expect, it } from 'vitest';

import { chronologicalSplit } from '../../src/data';
import { sp500Pipeline } from './sp500';

describe('chronologicalSplit', () => {
  it('purges the samples before each boundary on a small N', () => {
    // n 20: nTrain floor(14) = 14, nVal floor(3) = 3, nTest 3; purge 2.
    const split = chronologicalSplit(20, { purge: 2 });
    expect(Array.from(split.train)).toEqual([
      0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11,
    ]);
    expect(Array.from(split.val)).toEqual([14]);
    expect(Array.from(split.test)).toEqual([17, 18, 19]);
    expect([split.nTrain, split.nVal, split.nTest]).toEqual([14, 3, 3]);
    expect(split.purged).toEqual({ train: 2, val: 2 });
  });

  it('keeps every sample with purge 0', () => {
    const split = chronologicalSplit(10, {
      purge: 0,
      trainFraction: 0.6,
      valFraction: 0.2,
    });
    expect(Array.from(split.train)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(Array.from(split.val)).toEqual([6, 7]);
    expect(Array.from(split.test)).toEqual([8, 9]);
  });

  it('gives the fixture sizes 3,504 / 735 / 756 and dates', async () => {
    const { samples, split, fixture } = await sp500Pipeline();
    const { meta } = fixture;
    expect(split.train.length).toBe(meta.n_train);
    expect(split.val.length).toBe(meta.n_val);
    expect(split.test.length).toBe(meta.n_test);
    expect(split.nTrain - split.train.length).toBe(19);
    expect(split.nVal - split.val.length).toBe(19);
    const span = (part: Int32Array) => [
      samples.dates[part[0] as number],
      samples.dates[part[part.length - 1] as number],
    ];
    expect(span(split.train)).toEqual(meta.train_dates);
    expect(span(split.val)).toEqual(meta.val_dates);
    expect(span(split.test)).toEqual(meta.test_dates);
  });

  it('no training label day reaches the first validation sample', async () => {
    const { samples, split } = await sp500Pipeline();
    const lastTrain = samples.t[split.train[split.train.length - 1] as number];
    const firstVal = samples.t[split.val[0] as number];
    // Labels of the last training sample end at t + 20; the first
    // validation sample's label days start at its t + 1.
    expect((lastTrain as number) + 20).toBeLessThan((firstVal as number) + 1);
  });

  it('says which part would be empty', () => {
    expect(() => chronologicalSplit(10)).toThrow(
      'chronologicalSplit: expected a non-empty train part, received none ' +
        '(n 10, nTrain 7, nVal 1, nTest 2, purge 19)',
    );
    expect(() => chronologicalSplit(40, { purge: 6 })).toThrow(
      /expected a non-empty val part, received none \(n 40, nTrain 28, nVal 6/,
    );
  });

  it('rejects fractions that leave no test share', () => {
    expect(() =>
      chronologicalSplit(100, { trainFraction: 0.8, valFraction: 0.2 }),
    ).toThrow(
      'chronologicalSplit: expected trainFraction + valFraction < 1, ' +
        'received 0.8 + 0.2',
    );
    expect(() => chronologicalSplit(100, { trainFraction: 1.5 })).toThrow(
      'chronologicalSplit: expected trainFraction in [0, 1], received 1.5',
    );
  });
});
