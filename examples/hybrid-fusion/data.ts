/**
 * Three modalities from one daily price file, for the hybrid example:
 * a price window and an indicator window (fused early) and a table of
 * trend statistics, labelled with the range of the next sessions.
 */
import * as tf from '@tensorflow/tfjs-core';

import {
  StandardScaler,
  chronologicalSplit,
  parseOhlcv,
  slidingWindows,
  thesisFeatures,
} from '../../src/index';

/** Modality names and their per-sample shapes. */
export interface HybridShapes {
  /** `[window, 5]`: open, high, low, close relative to today's close, log volume. */
  price: [number, number];
  /** `[window, 6]`: RSI, MACD and signal over close, stochastic K and D, Bollinger width. */
  indicators: [number, number];
  /** `[6]`: returns over 1, 5, 10 and window − 1 sessions, volatility, range position. */
  trend: [number];
}

/** One part of the chronological split. */
export interface HybridPart {
  /** Number of samples. */
  n: number;
  /** Sample dates. */
  dates: string[];
  /** Standardized inputs per modality, row-major. */
  inputs: {
    price: Float32Array;
    indicators: Float32Array;
    trend: Float32Array;
  };
  /** Labels `[n, 2]`: next-horizon max high and min low over close − 1. */
  labels: Float32Array;
  /** Trailing baseline `[n, 2]`: the same ratios over the input window. */
  trailing: Float32Array;
}

/** Everything {@link prepareHybridData} produces. */
export interface HybridData {
  /** Shapes of one sample of each modality. */
  shapes: HybridShapes;
  /** Train, validation and test parts. */
  parts: { train: HybridPart; val: HybridPart; test: HybridPart };
}

/**
 * Builds the three modalities and labels from a daily OHLCV CSV, split
 * chronologically with purged boundaries; every scaler is fitted on the
 * training part only.
 *
 * @param csvText - Daily OHLCV CSV text.
 * @param options - Window and horizon in sessions, and an optional cut to
 *   the last rows.
 * @returns The data.
 */
export function prepareHybridData(
  csvText: string,
  options: { window?: number; horizon?: number; lastRows?: number } = {},
): HybridData {
  const window = options.window ?? 20;
  const horizon = options.horizon ?? 20;
  let series = parseOhlcv(csvText, { where: 'prices' });
  const table = thesisFeatures(series);
  series = table.series;
  const samples = slidingWindows(series, { window, horizon });
  let first = 0;
  if (options.lastRows !== undefined) {
    const cut = series.dates.length - options.lastRows;
    first = samples.t.findIndex((t) => t - window + 1 >= cut);
    if (first < 0) {
      throw new RangeError(
        `prices: the last ${options.lastRows} sessions hold no sample of ` +
          `window ${window} and horizon ${horizon}`,
      );
    }
  }
  const ids = Array.from(
    { length: samples.t.length - first },
    (_, i) => i + first,
  );
  const split = chronologicalSplit(ids.length, { purge: horizon - 1 });
  const col = (name: string) => table.names.indexOf(name);
  const { open, high, low, close, volume } = series;

  // Raw per-sample features, before scaling.
  const price: number[][][] = [];
  const indicators: number[][][] = [];
  const trend: number[][] = [];
  const trailing: number[][] = [];
  for (const s of ids) {
    const t = samples.t[s] as number;
    const c = close[t] as number;
    const p: number[][] = [];
    const ind: number[][] = [];
    let hi = -Infinity;
    let lo = Infinity;
    const logReturns: number[] = [];
    for (let r = t - window + 1; r <= t; r++) {
      p.push([
        (open[r] as number) / c - 1,
        (high[r] as number) / c - 1,
        (low[r] as number) / c - 1,
        (close[r] as number) / c - 1,
        Math.log1p(volume[r] as number),
      ]);
      const row = table.rows[r] as Float64Array;
      const cr = close[r] as number;
      ind.push([
        (row[col('rsi14')] as number) / 100,
        (row[col('macd')] as number) / cr,
        (row[col('macd_signal')] as number) / cr,
        (row[col('stoch_k')] as number) / 100,
        (row[col('stoch_d')] as number) / 100,
        row[col('bb_width')] as number,
      ]);
      hi = Math.max(hi, high[r] as number);
      lo = Math.min(lo, low[r] as number);
      if (r > t - window + 1) {
        logReturns.push(Math.log(cr / (close[r - 1] as number)));
      }
    }
    const back = (k: number) => c / (close[t - k] as number) - 1;
    const mean = logReturns.reduce((a, b) => a + b, 0) / logReturns.length;
    const vol = Math.sqrt(
      logReturns.reduce((a, b) => a + (b - mean) ** 2, 0) / logReturns.length,
    );
    price.push(p);
    indicators.push(ind);
    trend.push([
      back(1),
      back(5),
      back(10),
      back(window - 1),
      vol,
      (c - lo) / Math.max(hi - lo, 1e-9),
    ]);
    trailing.push([hi / c - 1, lo / c - 1]);
  }

  // Scalers fitted on the training samples only.
  const train = Array.from(split.train);
  const fit = (rows: number[][]) => new StandardScaler().fit(rows);
  const priceScaler = fit(train.flatMap((i) => price[i]!));
  const indicatorScaler = fit(train.flatMap((i) => indicators[i]!));
  const trendScaler = fit(train.map((i) => trend[i]!));

  const part = (index: Int32Array): HybridPart => {
    const list = Array.from(index);
    const rows = (x: number[][][], scaler: StandardScaler) =>
      scaler.transform(list.flatMap((i) => x[i]!));
    return {
      n: list.length,
      dates: list.map((i) => samples.dates[ids[i]!] as string),
      inputs: {
        price: rows(price, priceScaler),
        indicators: rows(indicators, indicatorScaler),
        trend: trendScaler.transform(list.map((i) => trend[i]!)),
      },
      labels: Float32Array.from(
        list.flatMap((i) => [
          samples.yMax[ids[i]!] as number,
          samples.yMin[ids[i]!] as number,
        ]),
      ),
      trailing: Float32Array.from(list.flatMap((i) => trailing[i]!)),
    };
  };
  return {
    shapes: { price: [window, 5], indicators: [window, 6], trend: [6] },
    parts: {
      train: part(split.train),
      val: part(split.val),
      test: part(split.test),
    },
  };
}

/**
 * The model inputs of a part, all modalities present.
 *
 * @param part - A part of {@link HybridData}.
 * @param shapes - The sample shapes.
 * @returns Tensors keyed by model input name, `presence` all ones.
 */
export function partInputs(
  part: HybridPart,
  shapes: HybridShapes,
): Record<string, tf.Tensor> {
  return {
    price: tf.tensor(part.inputs.price, [part.n, ...shapes.price]),
    indicators: tf.tensor(part.inputs.indicators, [
      part.n,
      ...shapes.indicators,
    ]),
    trend: tf.tensor(part.inputs.trend, [part.n, ...shapes.trend]),
    presence: tf.ones([part.n, 3]),
  };
}
