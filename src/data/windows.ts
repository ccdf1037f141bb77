/**
 * Samples of the thesis pipeline (spec S3): sliding input windows over the
 * sessions of a series, each labelled with the highest high and lowest low
 * of the next sessions relative to today's close.
 *
 * Windows count rows, and each row of an `OhlcvSeries` is a trading
 * session, so a window of 20 is 20 sessions whatever the calendar says: a
 * weekend or holiday is not a row and never stretches a window. A session
 * missing from the data (an exchange closure, a hole in the file) would
 * make one window span more calendar time than the others; `maxGapDays`
 * finds such spans and either drops the samples that cross them or
 * throws.
 */
import { assertInteger, assertOneOf } from '../internal/assert';
import { ShapeError } from '../internal/errors';
import { calendarDaysBetween } from './dates';

/**
 * What {@link slidingWindows} reads: session dates, highs, lows and closes,
 * oldest first; an `OhlcvSeries` is one.
 */
export interface LabelSource {
  /** Session dates, `YYYY-MM-DD`, strictly increasing. */
  dates: readonly string[];
  /** Highest price per session. */
  high: ArrayLike<number>;
  /** Lowest price per session. */
  low: ArrayLike<number>;
  /** Closing price per session. */
  close: ArrayLike<number>;
}

/** Options of {@link slidingWindows}. */
export interface SlidingWindowOptions {
  /** Sessions in each input window, ending today. @defaultValue 20 */
  window?: number;
  /** Sessions after today that the labels look at. @defaultValue 20 */
  horizon?: number;
  /**
   * The most calendar days allowed between two consecutive sessions inside
   * a sample's span (its input window and its horizon). Unset means no
   * check. With US or Taiwan data, 4 admits every weekend and one-day
   * holiday; 7 also admits the 2001-09-11 closure; Lunar New Year in
   * Taiwan needs about 10.
   */
  maxGapDays?: number;
  /**
   * What to do with a sample whose span crosses a larger gap: `'split'`
   * drops it, so windows form separately on each side of the gap;
   * `'error'` throws, naming the gap.
   * @defaultValue `'split'`
   */
  onGap?: 'split' | 'error';
}

/** Labelled samples, one per eligible day `t`, in date order. */
export interface WindowSamples {
  /** Row of "today" for each sample: input rows are `t − window + 1..t`. */
  t: Int32Array;
  /** Date of row `t`, the sample date. */
  dates: string[];
  /** `close_t`, the base of both ratio labels. */
  closeT: Float64Array;
  /** `max(high_{t+1..t+horizon}) / close_t − 1`. */
  yMax: Float64Array;
  /** `min(low_{t+1..t+horizon}) / close_t − 1`. */
  yMin: Float64Array;
  /** Input window length in sessions. */
  window: number;
  /** Label horizon in sessions. */
  horizon: number;
  /** Samples dropped because their span crossed a gap (`onGap: 'split'`). */
  droppedForGaps: number;
}

/**
 * Builds every sample `t` with `window − 1 <= t <= n − 1 − horizon`. The
 * labels use only the sessions after `t` (today is excluded); the last
 * `horizon` rows have no complete horizon and give no sample.
 *
 * @example
 * ```ts
 * const table = thesisFeatures(series);
 * const samples = slidingWindows(table.series); // W = H = 20
 * samples.t[0]; // 19
 * ```
 *
 * @param series - Sessions with dates, highs, lows and closes.
 * @param options - See {@link SlidingWindowOptions}.
 * @returns The samples in date order.
 * @throws RangeError when the series is too short for one sample, its dates
 *   do not increase, or (with `onGap: 'error'`) a sample crosses a gap.
 * @throws ShapeError when the arrays differ in length.
 */
export function slidingWindows(
  series: LabelSource,
  options: SlidingWindowOptions = {},
): WindowSamples {
  const { window = 20, horizon = 20, onGap = 'split' } = options;
  assertInteger('slidingWindows', 'window', window, 1);
  assertInteger('slidingWindows', 'horizon', horizon, 1);
  assertOneOf('slidingWindows', 'onGap', onGap, ['split', 'error']);
  const { dates, high, low, close } = series;
  const n = dates.length;
  if (high.length !== n || low.length !== n || close.length !== n) {
    throw new ShapeError(
      `slidingWindows: expected dates, high, low and close of one length, ` +
        `received ${n}, ${high.length}, ${low.length} and ${close.length}`,
    );
  }
  if (n < window + horizon) {
    throw new RangeError(
      `slidingWindows: expected at least window + horizon = ` +
        `${window + horizon} rows, received ${n}`,
    );
  }
  // Labels divide by close_t and take extremes of highs and lows: each must
  // be a positive, finite price, or the labels would be NaN or infinite.
  for (const [name, values] of [
    ['high', high],
    ['low', low],
    ['close', close],
  ] as const) {
    for (let i = 0; i < n; i++) {
      const v = values[i] as number;
      if (!(v > 0) || !Number.isFinite(v)) {
        throw new RangeError(
          `slidingWindows: expected positive, finite ${name} prices, ` +
            `received ${v} on ${dates[i]} (row ${i})`,
        );
      }
    }
  }
  const gapsBefore = gapPrefix(dates, options.maxGapDays);

  const t: number[] = [];
  let dropped = 0;
  for (let today = window - 1; today <= n - 1 - horizon; today++) {
    const first = today - window + 1;
    const last = today + horizon;
    if (gapsBefore[last] !== gapsBefore[first]) {
      if (onGap === 'error') throwGap(dates, first, last, options.maxGapDays);
      dropped++;
      continue;
    }
    t.push(today);
  }

  const count = t.length;
  const yMax = new Float64Array(count);
  const yMin = new Float64Array(count);
  const closeT = new Float64Array(count);
  t.forEach((today, s) => {
    let hi = -Infinity;
    let lo = Infinity;
    for (let j = today + 1; j <= today + horizon; j++) {
      hi = Math.max(hi, high[j] as number);
      lo = Math.min(lo, low[j] as number);
    }
    const c = close[today] as number;
    closeT[s] = c;
    yMax[s] = hi / c - 1;
    yMin[s] = lo / c - 1;
  });
  return {
    t: Int32Array.from(t),
    dates: t.map((today) => dates[today] as string),
    closeT,
    yMax,
    yMin,
    window,
    horizon,
    droppedForGaps: dropped,
  };
}

/**
 * Turns ratio labels or predictions into prices: `close_t * (1 + y)`.
 *
 * @param closeT - Today's close per sample (`WindowSamples.closeT`).
 * @param ratios - Ratios per sample, e.g. predicted `yMax`.
 * @returns Prices per sample.
 * @throws ShapeError when the lengths differ.
 */
export function ratiosToPrices(
  closeT: ArrayLike<number>,
  ratios: ArrayLike<number>,
): Float64Array {
  if (closeT.length !== ratios.length) {
    throw new ShapeError(
      `ratiosToPrices: expected as many ratios as closes ` +
        `(${closeT.length}), received ${ratios.length}`,
    );
  }
  return Float64Array.from(ratios, (y, i) => (closeT[i] as number) * (1 + y));
}

/**
 * Gathers the input window of each sample from a row-major feature matrix
 * into one float32 array, day-major within a sample.
 *
 * @param values - Feature matrix `[rows, features]`, e.g. scaled features.
 * @param features - Number of columns of `values`.
 * @param t - Row of "today" per sample.
 * @param window - Rows per window, ending at `t`.
 * @returns Shape `[t.length, window, features]`, row-major.
 * @throws RangeError when a window starts before row 0 or ends past the
 *   last row.
 */
export function gatherWindows(
  values: ArrayLike<number>,
  features: number,
  t: ArrayLike<number>,
  window: number,
): Float32Array {
  assertInteger('gatherWindows', 'features', features, 1);
  assertInteger('gatherWindows', 'window', window, 1);
  if (values.length % features !== 0) {
    throw new RangeError(
      `gatherWindows: expected a values length that is a multiple of ` +
        `${features} features, received ${values.length}`,
    );
  }
  const rows = values.length / features;
  const size = window * features;
  const out = new Float32Array(t.length * size);
  for (let s = 0; s < t.length; s++) {
    const today = t[s] as number;
    const first = today - window + 1;
    if (!Number.isInteger(today) || first < 0 || today >= rows) {
      throw new RangeError(
        `gatherWindows: expected every window inside rows 0..${rows - 1}, ` +
          `received t = ${today} for sample ${s} (window ${window})`,
      );
    }
    for (let k = 0; k < size; k++) {
      out[s * size + k] = values[first * features + k] as number;
    }
  }
  return out;
}

/**
 * `prefix[i]` counts the session pairs `(j, j + 1)` with `j < i` whose
 * calendar gap exceeds `maxGapDays`, so a span `first..last` crosses a gap
 * when `prefix[last] !== prefix[first]`. Also checks that dates increase.
 */
function gapPrefix(
  dates: readonly string[],
  maxGapDays: number | undefined,
): Int32Array {
  if (maxGapDays !== undefined) {
    assertInteger('slidingWindows', 'maxGapDays', maxGapDays, 1);
  }
  const prefix = new Int32Array(dates.length);
  for (let i = 1; i < dates.length; i++) {
    const before = dates[i - 1] as string;
    const after = dates[i] as string;
    if (!(before < after)) {
      throw new RangeError(
        `slidingWindows: expected strictly increasing dates, received ` +
          `${before} then ${after} at rows ${i - 1} and ${i}`,
      );
    }
    const wide =
      maxGapDays !== undefined &&
      calendarDaysBetween(before, after) > maxGapDays;
    prefix[i] = (prefix[i - 1] as number) + (wide ? 1 : 0);
  }
  return prefix;
}

function throwGap(
  dates: readonly string[],
  first: number,
  last: number,
  maxGapDays: number | undefined,
): never {
  let j = first;
  while (
    j < last &&
    calendarDaysBetween(dates[j] as string, dates[j + 1] as string) <=
      (maxGapDays as number)
  ) {
    j++;
  }
  const from = dates[j] as string;
  const to = dates[j + 1] as string;
  throw new RangeError(
    `slidingWindows: expected at most ${maxGapDays} calendar days between ` +
      `sessions, received ${calendarDaysBetween(from, to)} from ${from} ` +
      `to ${to} inside the sample spanning ${dates[first]}..${dates[last]}`,
  );
}
