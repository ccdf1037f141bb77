/**
 * Thesis 2, spec S1-S3: the DJIA prices and the day's headlines, VADER
 * sentiment per headline and per day, and the 14 daily features. Plain
 * float64 arrays throughout, so every number can be checked against the
 * reference fixture.
 */
import { existsSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

import {
  THESIS_WARMUP,
  alignNewsToSessions,
  macd,
  parseCsv,
  parseOhlcv,
  requireColumn,
  rsi,
  sessionSentiment,
  sma,
  sliceSeries,
  unwrapBytesLiteral,
  vaderSentiment,
  type OhlcvSeries,
  type SessionSentiment,
} from '../../../src/index';

/** The 10 price features of spec S3, in column order. */
export const PRICE_FEATURES = [
  'open',
  'high',
  'low',
  'close',
  'volume',
  'sma5',
  'sma10',
  'rsi14',
  'macd',
  'macd_signal',
] as const;

/** The 4 news features of spec S2, in column order. */
export const NEWS_FEATURES = [
  'sent_mean',
  'sent_pos_share',
  'sent_neg_share',
  'n_headlines',
] as const;

/** Where the two DJIA files are. */
export interface DjiaPaths {
  /** `DJIA_table.csv`. */
  prices: string;
  /** `Combined_News_DJIA.csv`. */
  news: string;
}

/** The headlines of one trading day, unwrapped, with their scores. */
export interface DayHeadlines {
  /** The day. */
  date: string;
  /** Headlines in slot order (Top1 first). */
  texts: string[];
  /** VADER compound score of each headline. */
  compounds: number[];
}

/** Everything of S1-S3, before the warm-up rows are dropped. */
export interface DjiaDays {
  /** Prices, ascending, one row per trading day. */
  series: OhlcvSeries;
  /** The headlines of each day, same order as the series. */
  headlines: DayHeadlines[];
  /** Per-day sentiment (S2), same order. */
  sentiment: SessionSentiment;
}

/** The daily feature table after the warm-up (S3). */
export interface DailyFeatures {
  /** Column names: the price features, then the news features. */
  names: string[];
  /** Day dates, ascending. */
  dates: string[];
  /** Row views, `[rows][14]`, float64. */
  rows: Float64Array[];
  /** Prices cut to the same rows (labels, trailing baseline). */
  series: OhlcvSeries;
  /** Headlines cut to the same rows. */
  headlines: DayHeadlines[];
  /** Rows dropped at the start. */
  warmup: number;
}

/**
 * Resolves the two files from a folder, from the headline file (the
 * prices are then `DJIA_table.csv` beside it) or from explicit paths.
 *
 * @throws Error naming the missing file and what to pass instead.
 */
export function djiaPaths(data: string | DjiaPaths): DjiaPaths {
  const isFile =
    typeof data === 'string' && existsSync(data) && statSync(data).isFile();
  const paths =
    typeof data !== 'string'
      ? data
      : isFile
        ? { prices: join(dirname(data), 'DJIA_table.csv'), news: data }
        : {
            prices: join(data, 'DJIA_table.csv'),
            news: join(data, 'Combined_News_DJIA.csv'),
          };
  for (const file of [paths.prices, paths.news]) {
    if (!existsSync(file)) {
      throw new Error(
        `data not found: ${file} is missing (pass the folder with ` +
          `DJIA_table.csv and Combined_News_DJIA.csv)`,
      );
    }
  }
  return paths;
}

/**
 * Reads the headline file as the spec says: RFC 4180 CSV, missing trailing
 * cells of short rows are no headline, bytes literals unwrapped, no other
 * cleaning (no trimming: VADER is case- and punctuation-sensitive).
 *
 * @param text - `Combined_News_DJIA.csv`.
 * @returns Per day, the headlines in slot order.
 */
export function readHeadlines(
  text: string,
): { date: string; texts: string[] }[] {
  const where = 'Combined_News_DJIA.csv';
  const table = parseCsv(text, { where, shortRows: 'pad' });
  const dateColumn = requireColumn(table, ['date'], where);
  const slots = table.header.filter((h) => /^top\d+$/i.test(h));
  if (slots.length === 0) {
    throw new RangeError(
      `${where}: expected columns Top1..TopN, received header ` +
        `[${table.header.join(', ')}]`,
    );
  }
  return table.rows.map((row) => ({
    date: (row[dateColumn] ?? '').trim(),
    texts: slots
      .map((slot) => unwrapBytesLiteral(row[slot] ?? ''))
      .filter((h) => h !== ''),
  }));
}

/**
 * Spec S1-S2: prices sorted ascending, headlines unwrapped and scored, and
 * the per-day sentiment. The headline dates must equal the price dates.
 *
 * @param texts - Contents of the price and headline files.
 * @param lastDays - Keep only the last this many days (for quick tests).
 * @returns The days.
 * @throws RangeError when the two files' dates differ.
 */
export function prepareDays(
  texts: { prices: string; news: string },
  lastDays?: number,
): DjiaDays {
  let series = parseOhlcv(texts.prices, { where: 'DJIA_table.csv' });
  let days = readHeadlines(texts.news);
  const dates = days.map((d) => d.date);
  const same =
    dates.length === series.dates.length &&
    dates.every((d, i) => d === series.dates[i]);
  if (!same) {
    const i = dates.findIndex((d, k) => d !== series.dates[k]);
    throw new RangeError(
      `thesis 2: expected the headline dates to equal the price dates ` +
        `(${series.dates.length} days), received ${dates.length} days, ` +
        `first difference at row ${i}: ${dates[i]} vs ${series.dates[i]}`,
    );
  }
  if (lastDays !== undefined && lastDays < dates.length) {
    series = sliceSeries(series, dates.length - lastDays);
    days = days.slice(dates.length - lastDays);
  }

  // One VADER score per headline, then the day's summary (S2). Dated
  // headlines belong to their own day's session.
  const flat = days.flatMap((d) => d.texts);
  const compounds = vaderSentiment(flat).map((s) => s.compound);
  const owner = days.flatMap((d) => d.texts.map(() => d.date));
  const aligned = alignNewsToSessions(owner, series.dates);
  const sentiment = sessionSentiment(aligned, compounds);
  let k = 0;
  const headlines = days.map((d, i) => {
    const scores = compounds.slice(k, k + d.texts.length);
    k += d.texts.length;
    // The reference averages with numpy; its pairwise summation can differ
    // from a running sum in the last bit, which decides ties between days
    // in the rank correlations of S9. Sum the same way.
    if (scores.length > 0) sentiment.mean[i] = numpyMean(scores);
    return { date: d.date, texts: d.texts, compounds: scores };
  });
  return { series, headlines, sentiment };
}

/**
 * Spec S3: the 10 price features and the 4 news features per day, the
 * warm-up rows (where macd_signal is not defined) dropped.
 *
 * @param days - From {@link prepareDays}.
 * @returns The feature table.
 */
export function dailyFeatures(days: DjiaDays): DailyFeatures {
  const { series, sentiment } = days;
  const close = series.close;
  const lines = macd(close);
  const columns: ArrayLike<number>[] = [
    series.open,
    series.high,
    series.low,
    close,
    series.volume,
    sma(close, 5),
    sma(close, 10),
    rsi(close, 14),
    lines.macd,
    lines.signal,
    sentiment.mean,
    sentiment.positiveShare,
    sentiment.negativeShare,
    sentiment.count,
  ];
  const warmup = THESIS_WARMUP;
  const width = columns.length;
  const n = series.dates.length - warmup;
  const values = new Float64Array(n * width);
  for (let r = 0; r < n; r++) {
    for (let c = 0; c < width; c++) {
      const v = (columns[c] as ArrayLike<number>)[warmup + r] as number;
      if (!Number.isFinite(v)) {
        throw new Error(
          `thesis 2: feature ${c} is not finite at row ${warmup + r} ` +
            `after the warm-up (a bug in the indicators)`,
        );
      }
      values[r * width + c] = v;
    }
  }
  return {
    names: [...PRICE_FEATURES, ...NEWS_FEATURES],
    dates: series.dates.slice(warmup),
    rows: Array.from({ length: n }, (_, r) =>
      values.subarray(r * width, (r + 1) * width),
    ),
    series: sliceSeries(series, warmup),
    headlines: days.headlines.slice(warmup),
    warmup,
  };
}

/**
 * The mean as numpy computes it for a float64 vector: numpy's pairwise sum
 * (8 partial sums per block of up to 128 values, blocks halved
 * recursively), divided by n.
 */
export function numpyMean(values: readonly number[]): number {
  return pairwiseSum(values) / values.length;
}

function pairwiseSum(a: readonly number[]): number {
  const n = a.length;
  if (n < 8) {
    let s = 0;
    for (const v of a) s += v;
    return s;
  }
  if (n <= 128) {
    const r = a.slice(0, 8);
    let i = 8;
    for (; i < n - (n % 8); i += 8) {
      for (let j = 0; j < 8; j++)
        r[j] = (r[j] as number) + (a[i + j] as number);
    }
    const [r0, r1, r2, r3, r4, r5, r6, r7] = r as number[];
    let s = r0! + r1! + (r2! + r3!) + (r4! + r5! + (r6! + r7!));
    for (; i < n; i++) s += a[i] as number;
    return s;
  }
  let half = Math.floor(n / 2);
  half -= half % 8;
  return pairwiseSum(a.slice(0, half)) + pairwiseSum(a.slice(half));
}

/**
 * Reads both files and runs S1-S3.
 *
 * @param data - The folder, or both paths.
 * @param lastDays - Keep only the last this many days.
 * @returns The days and the feature table.
 */
export async function loadDjia(
  data: string | DjiaPaths,
  lastDays?: number,
): Promise<{ days: DjiaDays; features: DailyFeatures }> {
  const paths = djiaPaths(data);
  const days = prepareDays(
    {
      prices: await readFile(paths.prices, 'utf8'),
      news: await readFile(paths.news, 'utf8'),
    },
    lastDays,
  );
  return { days, features: dailyFeatures(days) };
}
