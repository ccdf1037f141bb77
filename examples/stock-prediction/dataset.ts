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
  type ChronologicalSplit,
  type FeatureTable,
  type OhlcvSeries,
  type WindowSamples,
} from '../../src/index';

/** Options of {@link prepareDataset}. */
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

/** One part of the split, ready to become tensors. */
export interface Part {
  /** Sample indices into {@link Dataset.samples}. */
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

/** Everything the models and baselines need. */
export interface Dataset {
  /** The parsed price series (after the optional cut). */
  series: OhlcvSeries;
  /** Features after the warm-up. */
  table: FeatureTable;
  /** Labelled windows. */
  samples: WindowSamples;
  /** The purged chronological split. */
  split: ChronologicalSplit;
  /** Scaler fitted on the training samples' input rows. */
  scaler: StandardScaler;
  /** Day rows the scaler saw: 0..lastTrainRow. */
  scalerRows: [number, number];
  /** All chart images as uint8, `[samples, height, width]`. */
  images: { pixels: Uint8Array; shape: [number, number, number] };
  /** Train, validation and test parts. */
  parts: { train: Part; val: Part; test: Part };
  /** Flow-only dates dropped by the join (TSMC has 3). */
  droppedFlowDates: string[];
}

/**
 * Runs spec S1-S6: parse, features, windows, split, scaling, charts.
 *
 * @param options - See {@link DatasetOptions}.
 * @returns The dataset.
 */
export function prepareDataset(options: DatasetOptions): Dataset {
  const { window, horizon } = options;
  let series = parseOhlcv(options.pricesText, { where: 'prices' });
  if (
    options.lastRows !== undefined &&
    series.dates.length > options.lastRows
  ) {
    series = sliceSeries(series, series.dates.length - options.lastRows);
  }
  // Warm-up, one window and horizon, two purges and one sample per part.
  const needed = THESIS_WARMUP + window + horizon + 2 * (horizon - 1) + 3;
  if (series.dates.length < needed) {
    throw new RangeError(
      `prices: ${series.dates.length} sessions are too few; the indicators ` +
        `need ${THESIS_WARMUP} sessions of warm-up, each sample ${window} + ` +
        `${horizon} sessions, and the split ${horizon - 1} purged samples ` +
        `per boundary: at least ${needed} sessions`,
    );
  }
  let droppedFlowDates: string[] = [];
  let table: FeatureTable;
  if (options.flowsText !== undefined) {
    const flows = joinByDate(
      series,
      parseInstitutionalFlows(options.flowsText),
    );
    droppedFlowDates = flows.droppedDates;
    table = thesisFeatures(series, { flows });
  } else {
    table = thesisFeatures(series);
  }

  const samples = slidingWindows(table.series, { window, horizon });
  const n = samples.t.length;
  const split = chronologicalSplit(n, { purge: horizon - 1 });
  if (split.train.length < 2 || split.val.length < 1 || split.test.length < 1) {
    throw new RangeError(
      `prices: ${series.dates.length} sessions give ${n} samples, too few ` +
        `for a train/validation/test split with window ${window} and ` +
        `horizon ${horizon}; use a longer file or a shorter window`,
    );
  }

  // S5: z-score fitted on the union of the training samples' input rows.
  const lastTrainRow = samples.t[
    split.train[split.train.length - 1] as number
  ] as number;
  const firstTrainRow = (samples.t[0] as number) - window + 1;
  const scaler = new StandardScaler().fit(
    table.rows.slice(firstTrainRow, lastTrainRow + 1),
  );
  const scaled = scaler.transform(table.rows);
  const features = table.names.length;

  // S6: one chart per sample; 3 columns per day plus margins.
  const width = Math.max(64, 3 * window + 4);
  const images = renderCandlesticks(table.series, samples.t, {
    days: window,
    width,
  });

  const part = (index: Int32Array): Part => {
    const t = Int32Array.from(index, (i) => samples.t[i] as number);
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
    const trailing = Array.from(t, (today) => {
      let hi = -Infinity;
      let lo = Infinity;
      for (let r = today - window + 1; r <= today; r++) {
        hi = Math.max(hi, high[r] as number);
        lo = Math.min(lo, low[r] as number);
      }
      return [hi, lo] as [number, number];
    });
    return {
      index,
      dates: Array.from(index, (i) => samples.dates[i] as string),
      windows: gatherWindows(scaled, features, t, window),
      charts,
      labels: Float32Array.from(y.flat()),
      y,
      closeT: Float64Array.from(index, (i) => samples.closeT[i] as number),
      trailing,
    };
  };

  return {
    series,
    table,
    samples,
    split,
    scaler,
    scalerRows: [firstTrainRow, lastTrainRow],
    images,
    parts: {
      train: part(split.train),
      val: part(split.val),
      test: part(split.test),
    },
    droppedFlowDates,
  };
}

/**
 * Reads the price (and optional flow) files and prepares the dataset.
 *
 * @param paths - File paths.
 * @param options - Window, horizon and the optional cut.
 * @returns The dataset.
 */
export async function loadDataset(
  paths: { prices: string; flows?: string },
  options: Omit<DatasetOptions, 'pricesText' | 'flowsText'>,
): Promise<Dataset> {
  const pricesText = await readText(paths.prices, 'prices');
  const flowsText =
    paths.flows === undefined
      ? undefined
      : await readText(paths.flows, 'flows');
  return prepareDataset({
    ...options,
    pricesText,
    ...(flowsText === undefined ? {} : { flowsText }),
  });
}

async function readText(path: string, what: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new Error(
      `${what}: cannot read '${path}'` +
        (code === 'ENOENT'
          ? ' (no such file)'
          : ` (${(error as Error).message})`),
    );
  }
}
