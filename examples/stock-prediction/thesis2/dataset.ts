/**
 * Thesis 2, spec S4-S6: 10-day windows labelled with the next 10 days'
 * highest high and lowest low, the purged 70/15/15 split, the scaler fitted
 * on the training rows, and the model inputs of every part. Also the
 * placebo: the same table with the news rows shuffled across days.
 */
import {
  Random,
  StandardScaler,
  chronologicalSplit,
  gatherWindows,
  slidingWindows,
  type ChronologicalSplit,
  type WindowSamples,
} from '../../../src/index';
import { trailingRange, type Part } from '../dataset';
import { NEWS_FEATURES, PRICE_FEATURES, type DailyFeatures } from './data';

/** The model inputs of thesis 2, by input name. */
export type InputName = 'price' | 'features' | 'news' | 'headlines';

/** One part of the split: labels and every input, row-major float32. */
export interface Thesis2Part extends Part {
  /** Inputs by name: price `[n, W, 10]`, features `[n, W, 14]`, news
   * `[n, W, 4]` and, when embeddings are given, headlines `[n, W, E]`. */
  inputs: Partial<Record<InputName, Float32Array>>;
}

/** Options of {@link makeDataset}. */
export interface DatasetOptions {
  /** Input window in days (spec 10). */
  window: number;
  /** Label horizon in days (spec 10). */
  horizon: number;
  /** Day-level headline embeddings `[days, E]` aligned with the rows. */
  embeddings?: { values: Float32Array; width: number };
  /**
   * Shuffle the news rows (VADER features and embeddings together) across
   * days with this seed: the placebo.
   */
  placeboSeed?: number;
}

/** Samples, split, scaler and parts. */
export interface Thesis2Dataset {
  /** The feature table the samples come from (shuffled for a placebo). */
  table: DailyFeatures;
  /** Labelled windows. */
  samples: WindowSamples;
  /** Sample indices of each part. */
  split: ChronologicalSplit;
  /** Scaler of the 14 features, fitted on the training rows. */
  scaler: StandardScaler;
  /** Day rows the scaler saw: first and last. */
  scalerRows: [number, number];
  /** The three parts. */
  parts: { train: Thesis2Part; val: Thesis2Part; test: Thesis2Part };
  /** Widths of the inputs: `[window, features]` each. */
  shapes: Partial<Record<InputName, [number, number]>>;
  /** Day permutation of the placebo (day r took the news of day perm[r]). */
  permutation: Int32Array | null;
}

/**
 * Spec S4-S6 on a feature table.
 *
 * @param table - From `dailyFeatures`.
 * @param options - See {@link DatasetOptions}.
 * @returns The dataset.
 */
export function makeDataset(
  table: DailyFeatures,
  options: DatasetOptions,
): Thesis2Dataset {
  const { window, horizon } = options;
  let rows = table.rows;
  let embeddings = options.embeddings?.values ?? null;
  const width = options.embeddings?.width ?? 0;
  let permutation: Int32Array | null = null;
  if (options.placeboSeed !== undefined) {
    const shuffled = shuffleNews(table, embeddings, width, options.placeboSeed);
    rows = shuffled.rows;
    embeddings = shuffled.embeddings;
    permutation = shuffled.permutation;
  }
  const used: DailyFeatures = { ...table, rows };

  // S4: one sample per day t with a full window and horizon.
  const samples = slidingWindows(table.series, { window, horizon });
  // S5: 70/15/15 by sample date, H - 1 samples purged before each boundary.
  const split = chronologicalSplit(samples.t.length, { purge: horizon - 1 });

  // S6: z-scores from the training samples' input rows only.
  const lastTrainRow = samples.t[split.train.at(-1) as number] as number;
  const firstTrainRow =
    (samples.t[split.train[0] as number] as number) - window + 1;
  const scaler = new StandardScaler().fit(
    rows.slice(firstTrainRow, lastTrainRow + 1),
  );
  const scaled = scaler.transform(rows);
  const nf = table.names.length;
  const columns = {
    price: PRICE_FEATURES.map((_, i) => i),
    features: table.names.map((_, i) => i),
    news: NEWS_FEATURES.map((_, i) => PRICE_FEATURES.length + i),
  };
  const views: Partial<
    Record<InputName, { values: Float32Array; width: number }>
  > = {};
  for (const [name, cols] of Object.entries(columns)) {
    views[name as InputName] = {
      values: pickColumns(scaled, nf, cols),
      width: cols.length,
    };
  }
  if (embeddings) {
    views.headlines = {
      values: standardize(embeddings, width, firstTrainRow, lastTrainRow),
      width,
    };
  }

  const part = (index: Int32Array): Thesis2Part =>
    buildPart(used, samples, index, window, views);
  const shapes = Object.fromEntries(
    Object.entries(views).map(([n, v]) => [n, [window, v.width]]),
  ) as Thesis2Dataset['shapes'];
  return {
    table: used,
    samples,
    split,
    scaler,
    scalerRows: [firstTrainRow, lastTrainRow],
    parts: {
      train: part(split.train),
      val: part(split.val),
      test: part(split.test),
    },
    shapes,
    permutation,
  };
}

/** The rows with the news columns of day r taken from day perm[r]. */
function shuffleNews(
  table: DailyFeatures,
  embeddings: Float32Array | null,
  width: number,
  seed: number,
): {
  rows: Float64Array[];
  embeddings: Float32Array | null;
  permutation: Int32Array;
} {
  const n = table.rows.length;
  const permutation = Int32Array.from(new Random(seed).permutation(n));
  const first = PRICE_FEATURES.length;
  const rows = table.rows.map((row, r) => {
    const out = Float64Array.from(row);
    const source = table.rows[permutation[r] as number] as Float64Array;
    for (let c = first; c < row.length; c++) out[c] = source[c] as number;
    return out;
  });
  let shuffled: Float32Array | null = null;
  if (embeddings) {
    shuffled = new Float32Array(embeddings.length);
    for (let r = 0; r < n; r++) {
      const from = (permutation[r] as number) * width;
      shuffled.set(embeddings.subarray(from, from + width), r * width);
    }
  }
  return { rows, embeddings: shuffled, permutation };
}

function pickColumns(
  values: Float32Array,
  width: number,
  columns: number[],
): Float32Array {
  const rows = values.length / width;
  const out = new Float32Array(rows * columns.length);
  for (let r = 0; r < rows; r++) {
    columns.forEach((c, k) => {
      out[r * columns.length + k] = values[r * width + c] as number;
    });
  }
  return out;
}

/** z-scores of each column with the mean and std of rows first..last. */
function standardize(
  values: Float32Array,
  width: number,
  first: number,
  last: number,
): Float32Array {
  const rows: Float64Array[] = [];
  for (let r = first; r <= last; r++) {
    rows.push(Float64Array.from(values.subarray(r * width, (r + 1) * width)));
  }
  const scaler = new StandardScaler().fit(rows);
  const all = Array.from({ length: values.length / width }, (_, r) =>
    values.subarray(r * width, (r + 1) * width),
  );
  return scaler.transform(all);
}

function buildPart(
  table: DailyFeatures,
  samples: WindowSamples,
  index: Int32Array,
  window: number,
  views: Partial<Record<InputName, { values: Float32Array; width: number }>>,
): Thesis2Part {
  const t = Int32Array.from(index, (i) => samples.t[i] as number);
  const inputs: Thesis2Part['inputs'] = {};
  for (const [name, view] of Object.entries(views)) {
    inputs[name as InputName] = gatherWindows(
      view.values,
      view.width,
      t,
      window,
    );
  }
  const y = Array.from(
    index,
    (i) => [samples.yMax[i], samples.yMin[i]] as [number, number],
  );
  const { high, low } = table.series;
  const trailing = trailingRange(high, low, t, window);
  return {
    index,
    dates: Array.from(index, (i) => samples.dates[i] as string),
    windows: inputs.features ?? new Float32Array(0),
    charts: new Float32Array(0),
    labels: Float32Array.from(y.flat()),
    y,
    closeT: Float64Array.from(index, (i) => samples.closeT[i] as number),
    trailing,
    inputs,
  };
}
