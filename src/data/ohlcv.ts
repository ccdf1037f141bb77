/**
 * Daily OHLCV price series: reading them from CSV text or a file, in time
 * order, with every row checked.
 */
import { assertOneOf } from '../internal/assert';
import { describe } from '../internal/errors';
import { parseCsv, requireColumn, type CsvTable } from './csv';
import { parseDate } from './dates';

/**
 * A daily price series, one entry per trading session, oldest first. All
 * arrays have the same length; `dates[i]` is the session of row `i`.
 */
export interface OhlcvSeries {
  /** Session dates as `YYYY-MM-DD`, strictly increasing. */
  dates: string[];
  /** Opening price per session. */
  open: Float64Array;
  /** Highest price per session. */
  high: Float64Array;
  /** Lowest price per session. */
  low: Float64Array;
  /** Closing price per session. */
  close: Float64Array;
  /** Traded volume per session (shares or contracts, as in the file). */
  volume: Float64Array;
}

/** The fields of an {@link OhlcvSeries}. */
export type OhlcvField = keyof OhlcvSeries;

/**
 * Header names accepted for each field, matched case-insensitively after
 * trimming; the first one found wins.
 *
 * - date: `date`, `datetime`, `timestamp`, `time`, `day`
 * - open: `open`
 * - high: `high`, `max` (the TWSE/FinMind name)
 * - low: `low`, `min` (the TWSE/FinMind name)
 * - close: `close`, `last`
 * - volume: `volume`, `vol`, `trading_volume`, `trading volume`
 *
 * An adjusted close (`adjclose`, `Adj Close`) is never taken for `close`.
 */
export const OHLCV_COLUMN_ALIASES: Readonly<
  Record<OhlcvField, readonly string[]>
> = {
  dates: ['date', 'datetime', 'timestamp', 'time', 'day'],
  open: ['open'],
  high: ['high', 'max'],
  low: ['low', 'min'],
  close: ['close', 'last'],
  volume: ['volume', 'vol', 'trading_volume', 'trading volume'],
};

/** The fewest rows {@link parseOhlcv} accepts unless told otherwise. */
export const DEFAULT_MIN_ROWS = 2;

/** Options of {@link parseOhlcv} and {@link loadOhlcv}. */
export interface ParseOhlcvOptions {
  /**
   * The fewest data rows accepted.
   * @defaultValue {@link DEFAULT_MIN_ROWS}
   */
  minRows?: number;
  /**
   * Header names to use instead of {@link OHLCV_COLUMN_ALIASES} for some
   * fields, e.g. `{ close: ['adjclose'] }`.
   * @defaultValue `{}`
   */
  columns?: Partial<Record<OhlcvField, readonly string[]>>;
  /**
   * Whether to reject a row whose open or close lies outside its low..high
   * range (`'error'`), or to accept it (`'ignore'`).
   * @defaultValue `'error'`
   */
  consistency?: 'error' | 'ignore';
  /**
   * Name used at the start of error messages.
   * @defaultValue `'parseOhlcv'`
   */
  where?: string;
}

const PRICE_FIELDS = ['open', 'high', 'low', 'close'] as const;

/**
 * Parses daily OHLCV rows from CSV text into a series sorted by date.
 *
 * The rows may come in ascending or descending order (or any order); the
 * result is ascending. Dates may be `YYYY-MM-DD`, `YYYY/MM/DD` or ISO
 * timestamps (the date part is kept). Other columns are ignored.
 *
 * @example
 * ```ts
 * const series = parseOhlcv(await readFile('sp500-2000.csv', 'utf8'));
 * series.dates[0]; // '2000-01-03'
 * ```
 *
 * @param text - CSV text with a header row.
 * @param options - See {@link ParseOhlcvOptions}.
 * @returns The series, oldest session first.
 * @throws RangeError naming the column, line and value when a column is
 *   missing, a date or number cannot be read, a price is not positive, a
 *   volume is negative, a date repeats, open or close lies outside
 *   low..high, or there are fewer than `minRows` rows.
 */
export function parseOhlcv(
  text: string,
  options: ParseOhlcvOptions = {},
): OhlcvSeries {
  if (options.consistency !== undefined) {
    assertOneOf(
      options.where ?? 'parseOhlcv',
      'consistency',
      options.consistency,
      ['error', 'ignore'],
    );
  }
  const where = options.where ?? 'parseOhlcv';
  const minRows = options.minRows ?? DEFAULT_MIN_ROWS;
  if (!Number.isInteger(minRows) || minRows < 1) {
    throw new RangeError(
      `${where}: expected minRows to be an integer >= 1, ` +
        `received ${describe(minRows)}`,
    );
  }
  const table = parseCsv(text, { where });
  const names = findColumns(table, options.columns ?? {}, where);
  const n = table.rows.length;
  if (n < minRows) {
    throw new RangeError(
      `${where}: expected at least ${minRows} data rows, received ${n}`,
    );
  }

  // Read every row in file order, then sort by date.
  const dates = table.rows.map((row, r) =>
    readDate(where, names.dates, row, table.lines[r] as number),
  );
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) =>
    compareStrings(dates[a] as string, dates[b] as string),
  );
  rejectDuplicates(where, dates, order, table.lines);

  const series: OhlcvSeries = {
    dates: order.map((r) => dates[r] as string),
    open: new Float64Array(n),
    high: new Float64Array(n),
    low: new Float64Array(n),
    close: new Float64Array(n),
    volume: new Float64Array(n),
  };
  order.forEach((r, i) => {
    const row = table.rows[r] as Record<string, string>;
    const line = table.lines[r] as number;
    for (const field of PRICE_FIELDS) {
      series[field][i] = readNumber(where, names[field], row, line, 'price');
    }
    series.volume[i] = readNumber(where, names.volume, row, line, 'volume');
    if (options.consistency !== 'ignore') checkBar(where, series, i, line);
  });
  return series;
}

/**
 * Reads an OHLCV CSV file (Node only) and parses it with
 * {@link parseOhlcv}. `node:fs` is imported on call, so importing this
 * module stays safe in a browser.
 *
 * @param path - File path or `file:` URL.
 * @param options - See {@link ParseOhlcvOptions}.
 * @returns The series, oldest session first.
 * @throws RangeError as {@link parseOhlcv}; the file system's error when the
 *   file cannot be read.
 */
export async function loadOhlcv(
  path: string | URL,
  options: ParseOhlcvOptions = {},
): Promise<OhlcvSeries> {
  const { readFile } = await import('node:fs/promises');
  const text = await readFile(path, 'utf8');
  return parseOhlcv(text, { where: `loadOhlcv(${String(path)})`, ...options });
}

/**
 * Copies rows `start` (inclusive) to `end` (exclusive) of a series.
 *
 * @param series - The series to cut.
 * @param start - First row kept.
 * @param end - One past the last row kept.
 * @returns A new series with its own arrays.
 * @throws RangeError when the range is empty or outside the series.
 */
export function sliceSeries(
  series: OhlcvSeries,
  start: number,
  end = series.dates.length,
): OhlcvSeries {
  const n = series.dates.length;
  if (!Number.isInteger(start) || !Number.isInteger(end)) {
    throw new RangeError(
      `sliceSeries: expected integer bounds, received [${start}, ${end})`,
    );
  }
  if (start < 0 || end > n || start >= end) {
    throw new RangeError(
      `sliceSeries: expected 0 <= start < end <= ${n}, ` +
        `received [${start}, ${end})`,
    );
  }
  return {
    dates: series.dates.slice(start, end),
    open: series.open.slice(start, end),
    high: series.high.slice(start, end),
    low: series.low.slice(start, end),
    close: series.close.slice(start, end),
    volume: series.volume.slice(start, end),
  };
}

function findColumns(
  table: CsvTable,
  overrides: Partial<Record<OhlcvField, readonly string[]>>,
  where: string,
): Record<OhlcvField, string> {
  const pick = (field: OhlcvField) =>
    requireColumn(
      table,
      overrides[field] ?? OHLCV_COLUMN_ALIASES[field],
      where,
    );
  return {
    dates: pick('dates'),
    open: pick('open'),
    high: pick('high'),
    low: pick('low'),
    close: pick('close'),
    volume: pick('volume'),
  };
}

function readDate(
  where: string,
  column: string,
  row: Record<string, string>,
  line: number,
): string {
  const raw = row[column] ?? '';
  const date = parseDate(raw);
  if (date === undefined) {
    throw new RangeError(
      `${where}: expected a date (YYYY-MM-DD, YYYY/MM/DD or ISO timestamp) ` +
        `in column "${column}" at line ${line}, received "${raw}"`,
    );
  }
  return date;
}

function readNumber(
  where: string,
  column: string,
  row: Record<string, string>,
  line: number,
  kind: 'price' | 'volume',
): number {
  const raw = row[column] ?? '';
  const value = raw.trim() === '' ? NaN : Number(raw);
  const ok = kind === 'price' ? value > 0 : value >= 0;
  if (!ok || !Number.isFinite(value)) {
    const expected = kind === 'price' ? 'a positive' : 'a non-negative';
    throw new RangeError(
      `${where}: expected ${expected} number in column "${column}" ` +
        `at line ${line}, received "${raw}"`,
    );
  }
  return value;
}

function rejectDuplicates(
  where: string,
  dates: string[],
  order: number[],
  lines: number[],
): void {
  for (let i = 1; i < order.length; i++) {
    const a = order[i - 1] as number;
    const b = order[i] as number;
    if (dates[a] === dates[b]) {
      const la = lines[a] as number;
      const lb = lines[b] as number;
      throw new RangeError(
        `${where}: expected one row per date, received ${dates[a]} ` +
          `twice (lines ${Math.min(la, lb)} and ${Math.max(la, lb)})`,
      );
    }
  }
}

function checkBar(
  where: string,
  s: OhlcvSeries,
  i: number,
  line: number,
): void {
  const lo = s.low[i] as number;
  const hi = s.high[i] as number;
  const o = s.open[i] as number;
  const c = s.close[i] as number;
  if (lo <= Math.min(o, c) && hi >= Math.max(o, c)) return;
  throw new RangeError(
    `${where}: expected low <= open, close <= high at line ${line} ` +
      `(${s.dates[i]}), received open ${o}, high ${hi}, low ${lo}, ` +
      `close ${c}; pass consistency: 'ignore' to accept such rows`,
  );
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
