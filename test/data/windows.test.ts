import { describe, expect, it } from 'vitest';

import { gatherWindows, ratiosToPrices, slidingWindows } from '../../src/data';
import { expectClose } from '../helpers';
import { sp500Pipeline } from './sp500';

/** Eight sessions, Mon 2020-01-06 .. Wed 2020-01-15. */
const DATES = [
  '2020-01-06',
  '2020-01-07',
  '2020-01-08',
  '2020-01-09',
  '2020-01-10',
  '2020-01-13',
  '2020-01-14',
  '2020-01-15',
];
const SMALL = {
  dates: DATES,
  // Row 2 has the highest high and lowest low of all: it is "today" for
  // the first sample and must not enter that sample's labels.
  high: Float64Array.from([11, 12, 50, 13, 14, 12, 15, 11]),
  low: Float64Array.from([9, 10, 1, 11, 12, 8, 13, 9]),
  close: Float64Array.from([10, 11, 10, 12, 13, 10, 14, 10]),
};

describe('slidingWindows', () => {
  it('labels each day with the next H sessions, today excluded', () => {
    const s = slidingWindows(SMALL, { window: 3, horizon: 2 });
    // t = 2..5 (n = 8, W = 3, H = 2); the last H rows give no sample.
    expect(Array.from(s.t)).toEqual([2, 3, 4, 5]);
    expect(s.dates).toEqual(DATES.slice(2, 6));
    expect(Array.from(s.closeT)).toEqual([10, 12, 13, 10]);
    // t=2: max(high 13, 14) / 10 - 1, min(low 11, 12) / 10 - 1.
    // t=3: max(14, 12) / 12, min(12, 8) / 12.
    // t=4: max(12, 15) / 13, min(8, 13) / 13.
    // t=5: max(15, 11) / 10, min(13, 9) / 10.
    expectClose(s.yMax, [0.4, 14 / 12 - 1, 15 / 13 - 1, 0.5], { atol: 1e-15 });
    expectClose(s.yMin, [0.1, 8 / 12 - 1, 8 / 13 - 1, -0.1], { atol: 1e-15 });
    expect(s.droppedForGaps).toBe(0);
  });

  it('needs at least window + horizon rows', () => {
    expect(() => slidingWindows(SMALL, { window: 5, horizon: 4 })).toThrow(
      'slidingWindows: expected at least window + horizon = 9 rows, ' +
        'received 8',
    );
    expect(slidingWindows(SMALL, { window: 5, horizon: 3 }).t.length).toBe(1);
  });

  it('rejects dates that do not increase', () => {
    const dates = [...DATES];
    dates[4] = '2020-01-09';
    expect(() =>
      slidingWindows({ ...SMALL, dates }, { window: 3, horizon: 2 }),
    ).toThrow(
      'slidingWindows: expected strictly increasing dates, received ' +
        '2020-01-09 then 2020-01-09 at rows 3 and 4',
    );
  });

  it('matches sample 0 of the fixture and gives 5,033 samples', async () => {
    const { samples, fixture } = await sp500Pipeline();
    expect(samples.t.length).toBe(fixture.meta.n_samples);
    expect(samples.t[0]).toBe(fixture.sample0.t);
    expect(samples.dates[0]).toBe(fixture.sample0.date);
    expectClose(
      [samples.yMax[0] as number, samples.yMin[0] as number],
      fixture.sample0.y,
      { atol: 0, rtol: 1e-12 },
    );
    expect(samples.t[samples.t.length - 1]).toBe(5072 - 1 - 20);
  });
});

describe('slidingWindows with maxGapDays', () => {
  // A 10-day hole between rows 3 and 4 (2020-01-09 -> 2020-01-19).
  const dates = [
    '2020-01-06',
    '2020-01-07',
    '2020-01-08',
    '2020-01-09',
    '2020-01-19',
    '2020-01-20',
    '2020-01-21',
    '2020-01-22',
  ];
  const gappy = { ...SMALL, dates };

  it('ignores calendar gaps when unset: windows count sessions', () => {
    const s = slidingWindows(gappy, { window: 3, horizon: 2 });
    expect(Array.from(s.t)).toEqual([2, 3, 4, 5]);
  });

  it('admits weekends under a limit of 4 days', () => {
    const s = slidingWindows(SMALL, { window: 3, horizon: 2, maxGapDays: 4 });
    expect(Array.from(s.t)).toEqual([2, 3, 4, 5]);
  });

  it('splits at a larger gap, dropping samples whose span crosses it', () => {
    // Spans t-2..t+2: t=2 (0..4), t=3 (1..5), t=4 (2..6), t=5 (3..7) all
    // contain the pair (3, 4); with W=2, H=1, spans t-1..t+1 are 0..2,
    // 1..3, 2..4 (crosses), 3..5 (crosses), 4..6 and 5..7.
    const all = slidingWindows(gappy, { window: 3, horizon: 2, maxGapDays: 5 });
    expect(all.t.length).toBe(0);
    expect(all.droppedForGaps).toBe(4);
    const s = slidingWindows(gappy, { window: 2, horizon: 1, maxGapDays: 5 });
    expect(Array.from(s.t)).toEqual([1, 2, 5, 6]);
    expect(s.droppedForGaps).toBe(2);
  });

  it("throws naming the gap with onGap: 'error'", () => {
    expect(() =>
      slidingWindows(gappy, {
        window: 2,
        horizon: 1,
        maxGapDays: 5,
        onGap: 'error',
      }),
    ).toThrow(
      'slidingWindows: expected at most 5 calendar days between sessions, ' +
        'received 10 from 2020-01-09 to 2020-01-19 inside the sample ' +
        'spanning 2020-01-08..2020-01-19',
    );
  });

  it('finds no gap over 7 days in the S&P 500 sessions', async () => {
    const { table } = await sp500Pipeline();
    const s = slidingWindows(table.series, { maxGapDays: 7, onGap: 'error' });
    expect(s.t.length).toBe(5033);
    // 2001-09-10 -> 2001-09-17 is the longest closure, 7 days; 39 samples
    // have that pair inside their 40-session span (t - 19 .. t + 20).
    const tight = slidingWindows(table.series, { maxGapDays: 6 });
    expect(tight.droppedForGaps).toBe(39);
    const gap = table.dates.indexOf('2001-09-10');
    expect(tight.dates).not.toContain(table.dates[gap - 19]);
    expect(tight.dates).not.toContain(table.dates[gap + 19]);
    expect(tight.dates).toContain(table.dates[gap - 20]);
    expect(tight.dates).toContain(table.dates[gap + 20]);
  });
});

describe('ratiosToPrices', () => {
  it('turns ratios into prices as close_t * (1 + y)', () => {
    expectClose(ratiosToPrices([100, 200], [0.05, -0.1]), [105, 180], {
      atol: 1e-12,
    });
    expect(() => ratiosToPrices([1], [1, 2])).toThrow(
      'ratiosToPrices: expected as many ratios as closes (1), received 2',
    );
  });
});

describe('gatherWindows', () => {
  it('copies the rows t-W+1..t of each sample, day-major', () => {
    // 4 rows x 2 features.
    const values = [0, 1, 10, 11, 20, 21, 30, 31];
    const out = gatherWindows(values, 2, [1, 3], 2);
    expect(Array.from(out)).toEqual([0, 1, 10, 11, 20, 21, 30, 31]);
    expect(Array.from(gatherWindows(values, 2, [2], 2))).toEqual([
      10, 11, 20, 21,
    ]);
  });

  it('rejects a window that starts before row 0', () => {
    expect(() => gatherWindows([1, 2, 3], 1, [0], 2)).toThrow(
      'gatherWindows: expected every window inside rows 0..2, received ' +
        't = 0 for sample 0 (window 2)',
    );
  });
});
