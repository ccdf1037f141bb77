/**
 * The deterministic part of the thesis-1 pipeline (spec S1-S6): prices and
 * flows, features, labelled windows, the purged split, the scaler and the
 * candlestick charts. Everything here is plain arrays, so it can be checked
 * number for number against the reference fixture.
 */
import { readFile } from 'node:fs/promises';

import {
  StandardScaler,
  THESIS_WARMUP,
  chronologicalSplit,
  gatherWindows,
  joinByDate,
  parseInstitutionalFlows,
  parseOhlcv,
  renderCandlesticks,
  sliceSeries,
  slidingWindows,
  thesisFeatures,
  type FeatureTable,
  type OhlcvSeries,
  type WindowSamples,
} from '../../src/index';

/**
 * How the price window is presented to the models: `'raw'` is the spec's
 * z-scored levels; `'relative'` (a documented departure from the thesis)
 * divides every price-level feature of a window by that window's last
 * close, so that trending prices do not push test inputs outside the
 * training range.
 */
export type FeatureMode = 'raw' | 'relative';

/** Options of {@link prepareSamples}. */
export interface DatasetOptions {
  /** CSV text of daily OHLCV prices. */
  pricesText: string;
  /** CSV text of institutional buy/sell per investor type (TWSE format). */
  flowsText?: string;
  /** Input window in sessions (spec: 20). */
  window: number;
  /** Label horizon in sessions (spec: 20). */
  horizon: number;
  /** Keep only the last `lastRows` price rows (used by --quick). */
  lastRows?: number;
}

/** Everything before a split: features, samples and charts. */
export interface Samples {
  /** The parsed price series (after the optional cut). */
  series: OhlcvSeries;
  /** Features after the warm-up. */
  table: FeatureTable;
  /** Labelled windows. */
  samples: WindowSamples;
  /** All chart images as uint8, `[samples, height, width]`. */
  images: { pixels: Uint8Array; shape: [number, number, number] };
  /** Flow-only dates dropped by the join (TSMC has 3). */
  droppedFlowDates: string[];
  /** Things the user should know (partial flows, dropped samples). */
  warnings: string[];
  /** Input window in sessions. */
  window: number;
  /** Label horizon in sessions. */
  horizon: number;
}

/** One part of a split, ready to become tensors. */
export interface Part {
  /** Sample indices into {@link Samples.samples}. */
  index: Int32Array;
  /** Sample dates. */
  dates: string[];
  /** Scaled windows, `[n, window, features]`, float32. */
  windows: Float32Array;
  /** Chart pixels / 255, `[n, height, width, 1]`, float32. */
  charts: Float32Array;
  /** Ratio labels `[n, 2]`: (y_max, y_min). */
  labels: Float32Array;
  /** Labels in float64, `[n][2]`. */
  y: [number, number][];
  /** close_t per sample. */
  closeT: Float64Array;
  /** Highest high and lowest low of each input window (a baseline). */
  trailing: [number, number][];
}

/** A split with its scaler and parts. */
export interface SplitData {
  /** Feature presentation. */
  features: FeatureMode;
  /** Scaler fitted on training inputs only. */
  scaler: StandardScaler;
  /** Day rows the scaler saw (raw mode): first..last training input row. */
  scalerRows: [number, number];
  /** Train, validation and test parts. */
  parts: { train: Part; val: Part; test: Part };
}

/** The spec's single split: {@link Samples} plus {@link SplitData}. */
export type Dataset = Samples &
  SplitData & { split: ReturnType<typeof chronologicalSplit> };

/** A calendar gap longer than this between sessions is missing data. */
export const MAX_GAP_DAYS = 14;

/** Features that are price levels (divided by close_t in relative mode). */
const PRICE_LEVELS = ['open', 'high', 'low', 'close', 'sma5', 'sma20'];
/** Features that are price differences (divided by close_t, no − 1). */
const PRICE_DIFFERENCES = ['macd', 'macd_signal'];

/**
 * Runs spec S1-S3 and S6: parse, features, windows and charts.
 *
 * @param options - See {@link DatasetOptions}.
 * @returns Everything that does not depend on the split.
 */
export function prepareSamples(options: DatasetOptions): Samples {
  const { window, horizon } = options;
  let series = parseOhlcv(options.pricesText, { where: 'prices' });
  if (
    options.lastRows !== undefined &&
    series.dates.length > options.lastRows
  ) {
    series = sliceSeries(series, series.dates.length - options.lastRows);
  }
  const needed = minimumSessions(window, horizon);
  if (series.dates.length < needed) {
    throw new RangeError(
      `prices: ${series.dates.length} sessions are too few; the indicators ` +
        `need ${THESIS_WARMUP} sessions of warm-up, each sample ${window} + ` +
        `${horizon} sessions, and the 70/15/15 split ${horizon - 1} purged ` +
        `samples per boundary and at least one validation and one test ` +
        `sample: at least ${needed} sessions`,
    );
  }
  let droppedFlowDates: string[] = [];
  const warnings: string[] = [];
  let table: FeatureTable;
  if (options.flowsText !== undefined) {
    const parsed = parseInstitutionalFlows(options.flowsText);
    const flowDates = new Set(parsed.dates);
    const shared = series.dates.filter((d) => flowDates.has(d)).length;
    const flows = joinByDate(series, parsed);
    droppedFlowDates = flows.droppedDates;
    if (shared === 0) {
      throw new RangeError(
        `flows: no date in common with the prices ` +
          `(${series.dates[0]}..${series.dates.at(-1)}); are they the same ` +
          `instrument and period?`,
      );
    }
    if (shared < 0.9 * series.dates.length) {
      warnings.push(
        `flows cover ${shared} of ${series.dates.length} price sessions; ` +
          `the others get 0 net buying`,
      );
    }
    table = thesisFeatures(series, { flows });
  } else {
    table = thesisFeatures(series);
  }

  // Windows run over sessions; a calendar gap of more than two weeks is
  // missing data, and no window may stretch across it.
  const samples = slidingWindows(table.series, {
    window,
    horizon,
    maxGapDays: MAX_GAP_DAYS,
  });
  if (samples.droppedForGaps > 0) {
    warnings.push(
      `${samples.droppedForGaps} samples dropped: their sessions span a ` +
        `gap of more than ${MAX_GAP_DAYS} calendar days`,
    );
  }
  // S6: one chart per sample; 3 columns per day plus margins.
  const width = Math.max(64, 3 * window + 4);
  const images = renderCandlesticks(table.series, samples.t, {
    days: window,
    width,
  });
  return {
    series,
    table,
    samples,
    images,
    droppedFlowDates,
    warnings,
    window,
    horizon,
  };
}

/**
 * The fewest sessions for which the 70/15/15 split leaves at least two
 * training samples and one validation and one test sample after purging.
 */
export function minimumSessions(window: number, horizon: number): number {
  const purge = horizon - 1;
  let n = 1;
  for (; n < 1e6; n++) {
    const train = Math.floor(0.7 * n);
    const val = Math.floor(0.15 * n);
    if (train - purge >= 2 && val - purge >= 1 && n - train - val >= 1) break;
  }
  return n + THESIS_WARMUP + window - 1 + horizon;
}

/**
 * Runs spec S5 for one split and builds its parts: the scaler is fitted on
 * the training samples' inputs only.
 *
 * Raw mode fits on the union of the training samples' input rows (each
 * session once, as the spec says); relative mode fits on the training
 * windows after the per-window division, since a session's relative values
 * differ from window to window.
 *
 * @param data - Samples from {@link prepareSamples}.
 * @param split - Sample indices of each part, in time order.
 * @param features - Feature presentation.
 * @returns The scaler and the parts.
 */
export function makeSplit(
  data: Samples,
  split: { train: Int32Array; val: Int32Array; test: Int32Array },
  features: FeatureMode = 'raw',
): SplitData {
  const { table, samples, window } = data;
  const width = table.names.length;
  const tOf = (index: Int32Array) =>
    Int32Array.from(index, (i) => samples.t[i] as number);
  const lastTrainRow = samples.t[split.train.at(-1) as number] as number;
  const firstTrainRow =
    (samples.t[split.train[0] as number] as number) - window + 1;

  let scaler: StandardScaler;
  let windowsOf: (index: Int32Array) => Float32Array;
  if (features === 'raw') {
    scaler = new StandardScaler().fit(
      table.rows.slice(firstTrainRow, lastTrainRow + 1),
    );
    const scaled = scaler.transform(table.rows);
    windowsOf = (index) => gatherWindows(scaled, width, tOf(index), window);
  } else {
    const relative = (index: Int32Array) =>
      relativeWindows(table, tOf(index), window);
    const trainRows = relative(split.train);
    scaler = new StandardScaler().fit(trainRows);
    windowsOf = (index) => scaler.transform(relative(index));
  }

  const part = (index: Int32Array): Part =>
    buildPart(data, index, windowsOf(index));
  return {
    features,
    scaler,
    scalerRows: [firstTrainRow, lastTrainRow],
    parts: {
      train: part(split.train),
      val: part(split.val),
      test: part(split.test),
    },
  };
}

/**
 * The spec's pipeline end to end on one 70/15/15 purged split.
 *
 * @param options - See {@link DatasetOptions}.
 * @param features - Feature presentation. @defaultValue 'raw'
 * @returns The dataset.
 */
export function prepareDataset(
  options: DatasetOptions,
  features: FeatureMode = 'raw',
): Dataset {
  const data = prepareSamples(options);
  const n = data.samples.t.length;
  const split = chronologicalSplit(n, { purge: options.horizon - 1 });
  if (split.train.length < 2 || split.val.length < 1 || split.test.length < 1) {
    throw new RangeError(
      `prices: ${data.series.dates.length} sessions give ${n} samples, too ` +
        `few for a train/validation/test split with window ` +
        `${options.window} and horizon ${options.horizon}`,
    );
  }
  return { ...data, ...makeSplit(data, split, features), split };
}

/**
 * Reads the price (and optional flow) files.
 *
 * @param paths - File paths.
 * @param options - Window, horizon and the optional cut.
 * @returns The samples.
 */
export async function loadSamples(
  paths: { prices: string; flows?: string },
  options: Omit<DatasetOptions, 'pricesText' | 'flowsText'>,
): Promise<Samples> {
  const pricesText = await readText(paths.prices, 'prices');
  const flowsText =
    paths.flows === undefined
      ? undefined
      : await readText(paths.flows, 'flows');
  return prepareSamples({
    ...options,
    pricesText,
    ...(flowsText === undefined ? {} : { flowsText }),
  });
}

function buildPart(data: Samples, index: Int32Array, windows: Float32Array) {
  const { samples, images, table, window } = data;
  const size = images.shape[1] * images.shape[2];
  const charts = new Float32Array(index.length * size);
  index.forEach((i, k) => {
    for (let p = 0; p < size; p++) {
      charts[k * size + p] = (images.pixels[i * size + p] as number) / 255;
    }
  });
  const y = Array.from(
    index,
    (i) => [samples.yMax[i], samples.yMin[i]] as [number, number],
  );
  const { high, low } = table.series;
  const trailing = trailingRange(
    high,
    low,
    Array.from(index, (i) => samples.t[i] as number),
    window,
  );
  return {
    index,
    dates: Array.from(index, (i) => samples.dates[i] as string),
    windows,
    charts,
    labels: Float32Array.from(y.flat()),
    y,
    closeT: Float64Array.from(index, (i) => samples.closeT[i] as number),
    trailing,
  };
}

/**
 * Window rows with price levels as `x / close_t − 1` and price differences
 * as `x / close_t`, where close_t is the window's last close; other
 * features unchanged. Returns `[n * window]` rows of `features` values.
 */
function relativeWindows(
  table: FeatureTable,
  t: Int32Array,
  window: number,
): Float64Array[] {
  const width = table.names.length;
  const levels = PRICE_LEVELS.map((n) => table.names.indexOf(n));
  const diffs = PRICE_DIFFERENCES.map((n) => table.names.indexOf(n));
  const close = table.names.indexOf('close');
  const rows: Float64Array[] = [];
  for (const today of t) {
    const base = table.values[today * width + close] as number;
    for (let r = today - window + 1; r <= today; r++) {
      const row = table.values.slice(r * width, (r + 1) * width);
      for (const j of levels) row[j] = (row[j] as number) / base - 1;
      for (const j of diffs) row[j] = (row[j] as number) / base;
      rows.push(row);
    }
  }
  return rows;
}

async function readText(path: string, what: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason =
      code === 'ENOENT'
        ? ' (no such file)'
        : code === 'EISDIR'
          ? ' (a directory, not a file)'
          : ` (${(error as Error).message})`;
    throw new Error(`${what}: cannot read '${path}'${reason}`);
  }
}

/**
 * The highest high and lowest low of the `window` sessions ending at each
 * of `todays` (the trailing-range baseline).
 */
export function trailingRange(
  high: ArrayLike<number>,
  low: ArrayLike<number>,
  todays: ArrayLike<number>,
  window: number,
): [number, number][] {
  return Array.from(todays, (today) => {
    let hi = -Infinity;
    let lo = Infinity;
    for (let r = today - window + 1; r <= today; r++) {
      hi = Math.max(hi, high[r] as number);
      lo = Math.min(lo, low[r] as number);
    }
    return [hi, lo] as [number, number];
  });
}
