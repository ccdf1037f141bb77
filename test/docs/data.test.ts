import { describe, expect, it } from 'vitest';

import {
  THESIS_FEATURE_NAMES,
  type CandlestickImages,
  type ChronologicalSplit,
  type FeatureTable,
  type OhlcvSeries,
  type StandardScaler,
  type WindowSamples,
} from '../../src/index';
import { expectClose } from '../helpers';
import { runGuideExample } from './snippets';

interface DataExample {
  series: OhlcvSeries;
  table: FeatureTable;
  samples: WindowSamples;
  split: ChronologicalSplit;
  scaler: StandardScaler;
  scaled: Float32Array;
  lastTrainRow: number;
  trainWindows: Float32Array;
  trainLabels: number[][];
  charts: CandlestickImages;
}

const NAMES = [
  'series',
  'table',
  'samples',
  'split',
  'scaler',
  'scaled',
  'lastTrainRow',
  'trainWindows',
  'trainLabels',
  'charts',
];

describe('docs/guides/data.md', () => {
  it('runs its example as written, with the counts the guide states', async () => {
    const x = (await runGuideExample('data', NAMES)) as unknown as DataExample;

    expect(x.series.dates).toHaveLength(160);
    expect(x.series.dates[0]).toBe('2024-01-01');
    expect(x.table.names).toEqual(THESIS_FEATURE_NAMES);
    expect(x.table.warmup).toBe(33);
    expect(x.table.rows).toHaveLength(127);

    expect(x.samples.t).toHaveLength(113);
    expect(x.samples.t[0]).toBe(9);
    expect(x.samples.t.at(-1)).toBe(121);

    expect(x.split.train).toHaveLength(75);
    expect(x.split.val).toHaveLength(12);
    expect(x.split.test).toHaveLength(18);
    expect(x.split.purged).toEqual({ train: 4, val: 4 });

    expect(x.trainWindows).toHaveLength(75 * 10 * 13);
    expect(x.trainLabels).toHaveLength(75);
    expect(x.charts.shape).toEqual([113, 64, 64]);
  });

  it('labels each sample from the sessions after it only', async () => {
    const x = (await runGuideExample('data', NAMES)) as unknown as DataExample;
    const { high, low, close } = x.table.series;
    for (const s of [0, 50, 112]) {
      const t = x.samples.t[s]!;
      const ahead = [1, 2, 3, 4, 5].map((k) => t + k);
      const max = Math.max(...ahead.map((j) => high[j]!));
      const min = Math.min(...ahead.map((j) => low[j]!));
      expect(x.samples.yMax[s]).toBeCloseTo(max / close[t]! - 1, 12);
      expect(x.samples.yMin[s]).toBeCloseTo(min / close[t]! - 1, 12);
    }
  });

  it('purges so that no training label shares a day with a validation label', async () => {
    const x = (await runGuideExample('data', NAMES)) as unknown as DataExample;
    const lastTrain = x.samples.t[x.split.train.at(-1)!]!;
    const firstVal = x.samples.t[x.split.val[0]!]!;
    const lastVal = x.samples.t[x.split.val.at(-1)!]!;
    const firstTest = x.samples.t[x.split.test[0]!]!;
    // Label days are t+1..t+5.
    expect(lastTrain + 5).toBeLessThan(firstVal + 1);
    expect(lastVal + 5).toBeLessThan(firstTest + 1);
  });

  it('fits the scaler on the training rows only and windows the scaled rows', async () => {
    const x = (await runGuideExample('data', NAMES)) as unknown as DataExample;
    const f = 13;
    const rows = x.lastTrainRow + 1;
    expect(rows).toBe(84);

    // Each column of the training rows has mean 0 and population std 1.
    for (let c = 0; c < f; c++) {
      let sum = 0;
      let sq = 0;
      for (let r = 0; r < rows; r++) sum += x.scaled[r * f + c]!;
      const mean = sum / rows;
      for (let r = 0; r < rows; r++) sq += (x.scaled[r * f + c]! - mean) ** 2;
      expect(Math.abs(mean)).toBeLessThan(1e-5);
      expect(Math.sqrt(sq / rows)).toBeCloseTo(1, 5);
    }
    // The scaler never saw the later rows, which are not clipped.
    expectClose(x.scaler.transform([x.table.rows[126]!]), [
      ...x.scaled.subarray(126 * f),
    ]);

    // The first training window is scaled rows 0..9.
    expectClose(x.trainWindows.subarray(0, 10 * f), [
      ...x.scaled.subarray(0, 10 * f),
    ]);
    expect(x.trainLabels[0]).toEqual([x.samples.yMax[0], x.samples.yMin[0]]);
  });
});
