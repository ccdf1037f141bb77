/**
 * The alignment example's data: per trading day, a window of price
 * features ending that day and that day's headlines, hashed.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

import { chronologicalSplit } from '../../src/data';
import { HashingVectorizer } from '../../src/data/hashed-ngrams';
import { loadDjiaNews } from '../../src/data/news';
import { parseOhlcv } from '../../src/data/ohlcv';
import { StandardScaler } from '../../src/data/scaler';
import type { AlignmentOptions } from './options';

/** Names of the per-session price features. */
export const PRICE_FEATURES = [
  'log return',
  'log high/low',
  'log close/open',
  'log open/prev close',
  'log volume change',
] as const;

/** Samples of one part (train, validation or test), in date order. */
export interface Part {
  /** Sample dates. */
  dates: string[];
  /** Price windows, row-major `[n, window, features]`, scaled. */
  prices: Float32Array;
  /** Hashed headlines, row-major `[n, textDim]`. */
  news: Float32Array;
}

/** The three parts and what they came from. */
export interface AlignmentData {
  train: Part;
  val: Part;
  test: Part;
  /** Sessions with both prices and headlines. */
  sessions: number;
  /** Samples purged before each boundary (the window overlap). */
  purge: number;
}

/**
 * Loads DJIA prices (descending dates in the file) and the day's headlines,
 * joins them on date, builds the windows and splits chronologically.
 *
 * @throws Error with one line when the folder or a file is missing.
 */
export async function loadAlignmentData(
  options: AlignmentOptions,
): Promise<AlignmentData> {
  const pricesFile = join(options.data, 'DJIA_table.csv');
  const newsFile = join(options.data, 'Combined_News_DJIA.csv');
  for (const file of [pricesFile, newsFile]) {
    if (!existsSync(file)) {
      throw new Error(
        `data not found: ${file} is missing (pass --data DIR with ` +
          `DJIA_table.csv and Combined_News_DJIA.csv)`,
      );
    }
  }
  const series = parseOhlcv(await readFile(pricesFile, 'utf8'), {
    where: 'DJIA_table.csv',
  });
  const news = new Map(
    (await loadDjiaNews(newsFile)).map((d) => [d.date, d.headlines]),
  );

  // Per-session features; row 0 has no previous session.
  const n = series.dates.length;
  const f = PRICE_FEATURES.length;
  const rows: number[][] = [];
  for (let t = 1; t < n; t++) {
    const c = series.close[t]!;
    const p = series.close[t - 1]!;
    rows.push([
      Math.log(c / p),
      Math.log(series.high[t]! / series.low[t]!),
      Math.log(c / series.open[t]!),
      Math.log(series.open[t]! / p),
      Math.log(series.volume[t]! / series.volume[t - 1]!),
    ]);
  }
  // Samples: rows whose window is complete and whose day has headlines.
  let days: number[] = [];
  for (let r = options.window - 1; r < rows.length; r++) {
    if ((news.get(series.dates[r + 1]!) ?? []).length > 0) days.push(r);
  }
  if (options.lastDays !== undefined) days = days.slice(-options.lastDays);

  const purge = options.window - 1;
  const split = chronologicalSplit(days.length, {
    trainFraction: 0.7,
    valFraction: 0.1,
    purge,
  });
  // Scale with statistics of the training windows' rows only.
  const lastTrain = days[split.train[split.train.length - 1]!]!;
  const scaler = new StandardScaler().fit(rows.slice(0, lastTrain + 1));
  const scaled = scaler.transform(rows);
  const vectorizer = new HashingVectorizer({
    dimension: options.textDim,
    ngramRange: [1, 2],
  });

  const part = (indices: Int32Array): Part => {
    const chosen = Array.from(indices, (i) => days[i]!);
    const prices = new Float32Array(chosen.length * options.window * f);
    chosen.forEach((r, s) => {
      const start = (r - options.window + 1) * f;
      prices.set(
        scaled.subarray(start, start + options.window * f),
        s * options.window * f,
      );
    });
    const dates = chosen.map((r) => series.dates[r + 1]!);
    return {
      dates,
      prices,
      news: vectorizer.transform(dates.map((d) => news.get(d) ?? [])),
    };
  };
  return {
    train: part(split.train),
    val: part(split.val),
    test: part(split.test),
    sessions: days.length,
    purge,
  };
}
