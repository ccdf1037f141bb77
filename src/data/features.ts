/**
 * The daily feature table of the thesis pipeline (spec S2): raw OHLCV, the
 * technical indicators and, optionally, institutional net-buy columns, with
 * the indicator warm-up rows dropped.
 */
import { describe } from '../internal/errors';
import { bollingerWidth, macd, rsi, sma, stochastic } from './indicators';
import type { InstitutionalFlows } from './institutional';
import { sliceSeries, type OhlcvSeries } from './ohlcv';

/** The feature names of the thesis, in column order (without flows). */
export const THESIS_FEATURE_NAMES: readonly string[] = [
  'open',
  'high',
  'low',
  'close',
  'volume',
  'sma5',
  'sma20',
  'rsi14',
  'macd',
  'macd_signal',
  'stoch_k',
  'stoch_d',
  'bb_width',
];

/**
 * Rows dropped at the start of the thesis features: `macd_signal` is the
 * last indicator to become valid, at day index 33.
 */
export const THESIS_WARMUP = 33;

/** Options of {@link thesisFeatures}. */
export interface ThesisFeaturesOptions {
  /**
   * Institutional flows already aligned with the series (same dates, e.g.
   * from `joinByDate`); their columns are appended after `bb_width`.
   */
  flows?: InstitutionalFlows;
}

/** A feature table: one row per session after the warm-up. */
export interface FeatureTable {
  /** Column names, in column order. */
  names: string[];
  /** Session date of each row, `YYYY-MM-DD`, ascending. */
  dates: string[];
  /** Row-major values, shape `[rows, names.length]`. */
  values: Float64Array;
  /** Views into `values`, one per row. */
  rows: Float64Array[];
  /** The price series cut to the same rows, for labels and charts. */
  series: OhlcvSeries;
  /** How many leading rows of the input series were dropped. */
  warmup: number;
}

/**
 * Computes the thesis features for every session and drops the warm-up,
 * the leading rows where some feature is not yet defined (33 rows for the
 * default set). Arithmetic is float64 throughout.
 *
 * @example
 * ```ts
 * const table = thesisFeatures(parseOhlcv(csvText));
 * table.names; // ['open', 'high', ..., 'bb_width']
 * ```
 *
 * @param series - Daily prices, oldest first.
 * @param options - See {@link ThesisFeaturesOptions}.
 * @returns The feature table after the warm-up.
 * @throws RangeError when the series has no row past the warm-up, or when
 *   `flows` does not have the series' dates.
 */
export function thesisFeatures(
  series: OhlcvSeries,
  options: ThesisFeaturesOptions = {},
): FeatureTable {
  const n = series.dates.length;
  if (n <= THESIS_WARMUP) {
    throw new RangeError(
      `thesisFeatures: expected more than ${THESIS_WARMUP} rows (the ` +
        `indicator warm-up), received ${n}`,
    );
  }
  const flows = options.flows;
  if (flows) checkFlows(series, flows);

  const { close, high, low } = series;
  const macdLines = macd(close);
  const stoch = stochastic(high, low, close);
  const columns: Float64Array[] = [
    series.open,
    high,
    low,
    close,
    series.volume,
    sma(close, 5),
    sma(close, 20),
    rsi(close, 14),
    macdLines.macd,
    macdLines.signal,
    stoch.k,
    stoch.d,
    bollingerWidth(close),
    ...(flows?.columns ?? []),
  ];
  const names = [...THESIS_FEATURE_NAMES, ...(flows?.names ?? [])];

  const warmup = firstCompleteRow(columns);
  if (warmup !== THESIS_WARMUP) {
    throw new Error(
      `thesisFeatures: expected the warm-up to end at row ` +
        `${THESIS_WARMUP}, received ${warmup} (a bug in the indicators)`,
    );
  }
  const cols = columns.length;
  const rowsKept = n - warmup;
  const values = new Float64Array(rowsKept * cols);
  for (let c = 0; c < cols; c++) {
    const column = columns[c] as Float64Array;
    for (let r = 0; r < rowsKept; r++) {
      values[r * cols + c] = column[warmup + r] as number;
    }
  }
  const rows = Array.from({ length: rowsKept }, (_, r) =>
    values.subarray(r * cols, (r + 1) * cols),
  );
  return {
    names,
    dates: series.dates.slice(warmup),
    values,
    rows,
    series: sliceSeries(series, warmup),
    warmup,
  };
}

/**
 * The first row from which every column is finite to the end; throws when
 * a column has a gap after that point.
 */
function firstCompleteRow(columns: Float64Array[]): number {
  let start = 0;
  for (const column of columns) {
    while (start < column.length && !Number.isFinite(column[start])) start++;
  }
  columns.forEach((column, c) => {
    for (let r = start; r < column.length; r++) {
      if (!Number.isFinite(column[r])) {
        throw new RangeError(
          `thesisFeatures: expected finite features after the warm-up, ` +
            `received ${column[r]} in column ${c} at row ${r}`,
        );
      }
    }
  });
  return start;
}

function checkFlows(series: OhlcvSeries, flows: InstitutionalFlows): void {
  const { dates } = series;
  const same =
    Array.isArray(flows.dates) &&
    flows.dates.length === dates.length &&
    flows.dates.every((d, i) => d === dates[i]);
  if (!same) {
    throw new RangeError(
      `thesisFeatures: expected flows on the series' ${dates.length} ` +
        `dates (use joinByDate), received ${describe(flows.dates)}`,
    );
  }
  if (flows.columns.length !== flows.names.length) {
    throw new RangeError(
      `thesisFeatures: expected one flow column per name ` +
        `(${flows.names.length}), received ${flows.columns.length}`,
    );
  }
}
