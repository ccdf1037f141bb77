/**
 * The thesis pipeline on the S&P 500 file that the npm package
 * vega-datasets ships, and the reference fixture it must reproduce.
 */
import { readFile } from 'node:fs/promises';

import {
  chronologicalSplit,
  parseOhlcv,
  slidingWindows,
  thesisFeatures,
  type ChronologicalSplit,
  type FeatureTable,
  type OhlcvSeries,
  type WindowSamples,
} from '../../src/data';
import { readFixture } from '../helpers';

/** The parts of fixture_sp500.json that the data tests read. */
export interface Sp500Fixture {
  features: string[];
  first_rows: { date: string; raw_features: number[] }[];
  sample0: {
    date: string;
    t: number;
    y: [number, number];
    scaled_window_row0: number[];
    image_rows_hex: string[];
  };
  meta: {
    rows_total: number;
    warmup_rows_dropped: number;
    rows_after_warmup: number;
    n_samples: number;
    n_train: number;
    n_val: number;
    n_test: number;
    train_dates: [string, string];
    val_dates: [string, string];
    test_dates: [string, string];
    scaler_rows: [string, string];
    scaler_mean: number[];
    scaler_std: number[];
    images_sha256: string;
    test_close_range: [number, number];
    train_close_range: [number, number];
  };
}

/** Everything the deterministic part of the pipeline produces. */
export interface Sp500Pipeline {
  fixture: Sp500Fixture;
  series: OhlcvSeries;
  table: FeatureTable;
  samples: WindowSamples;
  split: ChronologicalSplit;
}

/** Path of sp500-2000.csv inside node_modules. */
export const SP500_CSV = new URL(
  '../../node_modules/vega-datasets/data/sp500-2000.csv',
  import.meta.url,
);

let cached: Promise<Sp500Pipeline> | undefined;

/** Loads the file and runs parse, features, windows and split, once. */
export function sp500Pipeline(): Promise<Sp500Pipeline> {
  cached ??= (async () => {
    const fixture = await readFixture<Sp500Fixture>('fixture_sp500.json');
    const series = parseOhlcv(await readFile(SP500_CSV, 'utf8'));
    const table = thesisFeatures(series);
    const samples = slidingWindows(table.series);
    const split = chronologicalSplit(samples.t.length);
    return { fixture, series, table, samples, split };
  })();
  return cached;
}
