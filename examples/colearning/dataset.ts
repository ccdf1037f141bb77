/**
 * The co-learning example's data: the alignment example's per-day views
 * (a scaled 20-session price window and the day's hashed headlines), each
 * labelled with the direction of the next session's close, and a small
 * labelled subset of the training days.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

import { parseOhlcv } from '../../src/data/ohlcv';
import { Random } from '../../src/internal/random';
import {
  type Part,
  PRICE_FEATURES,
  loadAlignmentData,
} from '../alignment/dataset';
import type { CoLearningOptions } from './options';

export { PRICE_FEATURES };

/** A part with labels: 1 when the next session closes higher. */
export interface LabelledPart extends Part {
  /** Direction of the next session's close against this session's. */
  labels: number[];
}

/** The parts of the experiment. */
export interface CoLearningData {
  /** Training days, all labelled; runs keep a few of the labels. */
  train: LabelledPart;
  /** Validation days, scored after each round (never trained on). */
  val: LabelledPart;
  /** Test days, scored once at the end. */
  test: LabelledPart;
  /** First and last test dates. */
  testDates: [string, string];
  /** Samples purged before each boundary. */
  purge: number;
}

/** The training days split into the labelled few and the rest. */
export interface LabelSplit {
  /** Training days whose labels are kept. */
  labelled: LabelledPart;
  /** The other training days; their labels only score pseudo-labels. */
  unlabelled: LabelledPart;
}

/**
 * Loads the views through the alignment example's loader (same features,
 * scaling on training rows only, 70/10/20 chronological split with the 19
 * days before each boundary purged), labels each day with the next
 * session's direction and drops a day without a next session.
 *
 * @throws Error with one line when the folder or a file is missing.
 */
export async function loadCoLearningData(
  options: CoLearningOptions,
): Promise<CoLearningData> {
  const pricesFile = join(options.data, 'DJIA_table.csv');
  const data = await loadAlignmentData({
    data: options.data,
    epochs: 1,
    window: options.window,
    embeddingDim: 1,
    textDim: options.textDim,
    topK: 1,
    backend: options.backend,
    seed: options.seed,
    quick: options.quick,
    ...(options.lastDays === undefined ? {} : { lastDays: options.lastDays }),
  });
  const series = parseOhlcv(await readFile(pricesFile, 'utf8'), {
    where: 'DJIA_table.csv',
  });
  const index = new Map(series.dates.map((d, i) => [d, i]));
  const direction = (date: string): number | null => {
    const t = index.get(date)!;
    if (t + 1 >= series.close.length) return null;
    return series.close[t + 1]! > series.close[t]! ? 1 : 0;
  };

  const label = (part: Part): LabelledPart => {
    const keep = part.dates
      .map((d, i) => ({ i, y: direction(d) }))
      .filter((k): k is { i: number; y: number } => k.y !== null);
    return {
      ...select(
        part,
        options,
        keep.map((k) => k.i),
      ),
      labels: keep.map((k) => k.y),
    };
  };
  const test = label(data.test);
  return {
    train: label(data.train),
    val: label(data.val),
    test,
    testDates: [test.dates[0]!, test.dates.at(-1)!],
    purge: data.purge,
  };
}

/**
 * Keeps the labels of a seeded random `labelFraction` of the training days
 * (at least 2), in date order.
 */
export function splitLabels(
  train: LabelledPart,
  options: CoLearningOptions,
  seed: number,
): LabelSplit {
  const n = train.dates.length;
  const count = Math.max(2, Math.round(options.labelFraction * n));
  const chosen = new Random(seed)
    .permutation(n)
    .slice(0, count)
    .sort((a, b) => a - b);
  const isChosen = new Set(chosen);
  const rest = [...Array(n).keys()].filter((i) => !isChosen.has(i));
  const subset = (rows: number[]): LabelledPart => ({
    ...select(train, options, rows),
    labels: rows.map((i) => train.labels[i]!),
  });
  return { labelled: subset(chosen), unlabelled: subset(rest) };
}

/** The rows `rows` of a part. */
function select(part: Part, options: CoLearningOptions, rows: number[]): Part {
  const p = options.window * PRICE_FEATURES.length;
  const t = options.textDim;
  const prices = new Float32Array(rows.length * p);
  const news = new Float32Array(rows.length * t);
  rows.forEach((r, s) => {
    prices.set(part.prices.subarray(r * p, (r + 1) * p), s * p);
    news.set(part.news.subarray(r * t, (r + 1) * t), s * t);
  });
  return { dates: rows.map((r) => part.dates[r]!), prices, news };
}
