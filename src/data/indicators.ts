/**
 * Technical indicators as the thesis specification (S2) defines them. Each
 * takes daily values oldest first and returns a `Float64Array` of the same
 * length, `NaN` before its first valid index and finite from there on; a
 * `NaN` prefix in the input (an indicator of an indicator) shifts the start.
 * Only data up to day `t` enters the value at `t`.
 *
 * Where each comes from (`trading-signals` 8.3 and `technicalindicators`
 * 3.1 were compared with the reference fixture's first post-warm-up rows,
 * which must agree to 1e-9 relative, and with the spec's edge cases):
 *
 * - SMA: `trading-signals` `SMA` (agrees to 2e-15; it recomputes each mean
 *   from the window, so no running-sum drift).
 * - Bollinger width: `trading-signals` `BollingerBandsWidth` over
 *   `BollingerBands(20, 2)`, whose standard deviation is the population one
 *   (ddof 0) the spec asks for (agrees to 3e-15).
 * - Wilder RSI: own code. `trading-signals`' RSI agrees on the fixture but
 *   returns 100 when average gain and loss are both 0, where the spec says
 *   50; `technicalindicators`' RSI rounds to two decimals (off by 1e-4).
 * - EMA and MACD: own code. `trading-signals`' EMA is seeded with the first
 *   input instead of the mean of the first n (its MACD is off by 6e-2);
 *   `technicalindicators`' MACD agrees on the fixture, but its EMA tests the
 *   seed for truthiness, so a signal line whose seed is exactly 0 (a flat
 *   price series) never starts.
 * - Fast stochastic: own %K, %D = `trading-signals` SMA of %K. Both
 *   libraries return %K = 0 when the highest high equals the lowest low,
 *   where the spec says 50.
 */
import { BollingerBands, BollingerBandsWidth, SMA } from 'trading-signals';

import {
  assertFiniteArray,
  assertInRange,
  assertInteger,
} from '../internal/assert';

/** MACD line and its signal line, both aligned with the input. */
export interface MacdResult {
  /** `EMA_fast(close) − EMA_slow(close)`, valid from index `slow − 1`. */
  macd: Float64Array;
  /** `EMA_signal(macd)`, valid from index `slow + signal − 2`. */
  signal: Float64Array;
}

/** Options of {@link macd}. */
export interface MacdOptions {
  /** @defaultValue 12 */
  fast?: number;
  /** @defaultValue 26 */
  slow?: number;
  /** @defaultValue 9 */
  signal?: number;
}

/** Fast stochastic %K and %D, both aligned with the input. */
export interface StochasticResult {
  /** %K, valid from index `period − 1`. */
  k: Float64Array;
  /** %D = SMA of %K, valid from index `period + smoothing − 2`. */
  d: Float64Array;
}

/** Options of {@link stochastic}. */
export interface StochasticOptions {
  /** Days of the highest-high / lowest-low window. @defaultValue 9 */
  period?: number;
  /** Days of the %D moving average. @defaultValue 3 */
  smoothing?: number;
}

/** Options of {@link bollingerWidth}. */
export interface BollingerOptions {
  /** Days of the moving window. @defaultValue 20 */
  period?: number;
  /** Standard deviations from the middle to each band. @defaultValue 2 */
  deviations?: number;
}

/**
 * Simple moving average: the mean of the last `period` values.
 *
 * @param values - Daily values, oldest first.
 * @param period - Window length in days.
 * @returns The averages, valid from index `start + period − 1`.
 * @throws RangeError for a period below 1 or a non-finite value after the
 *   first finite one.
 */
export function sma(values: ArrayLike<number>, period: number): Float64Array {
  assertInteger('sma', 'period', period, 1);
  const start = validStart('sma', values);
  const indicator = new SMA(period);
  return streamFrom(values, start, (x) => indicator.add(x));
}

/**
 * Exponential moving average with `alpha = 2 / (period + 1)`, seeded with
 * the mean of the first `period` valid inputs at the last of them.
 *
 * @param values - Daily values, oldest first.
 * @param period - Span in days.
 * @returns The averages, valid from index `start + period − 1`.
 * @throws RangeError for a period below 1 or a non-finite value after the
 *   first finite one.
 */
export function ema(values: ArrayLike<number>, period: number): Float64Array {
  assertInteger('ema', 'period', period, 1);
  const start = validStart('ema', values);
  const out = new Float64Array(values.length).fill(NaN);
  const seedAt = start + period - 1;
  if (seedAt >= values.length) return out;

  let e = 0;
  for (let i = start; i <= seedAt; i++) e += values[i] as number;
  e /= period;
  out[seedAt] = e;
  const alpha = 2 / (period + 1);
  for (let i = seedAt + 1; i < values.length; i++) {
    e = alpha * (values[i] as number) + (1 - alpha) * e;
    out[i] = e;
  }
  return out;
}

/**
 * Wilder's relative strength index. The first average gain (loss) is the
 * mean of the first `period` gains (losses); later ones are
 * `(previous * (period − 1) + current) / period`. RSI is 100 when the
 * average loss is 0, and 50 when gain and loss are both 0.
 *
 * @param close - Closing prices, oldest first.
 * @param period - Smoothing length. @defaultValue 14
 * @returns RSI in [0, 100], valid from index `start + period`.
 * @throws RangeError for a period below 1 or a non-finite value after the
 *   first finite one.
 */
export function rsi(close: ArrayLike<number>, period = 14): Float64Array {
  assertInteger('rsi', 'period', period, 1);
  const start = validStart('rsi', close);
  const out = new Float64Array(close.length).fill(NaN);
  const first = start + period;
  if (first >= close.length) return out;

  let gain = 0;
  let loss = 0;
  for (let i = start + 1; i <= first; i++) {
    const delta = (close[i] as number) - (close[i - 1] as number);
    gain += Math.max(delta, 0);
    loss += Math.max(-delta, 0);
  }
  gain /= period;
  loss /= period;
  out[first] = rsiOf(gain, loss);
  for (let i = first + 1; i < close.length; i++) {
    const delta = (close[i] as number) - (close[i - 1] as number);
    gain = (gain * (period - 1) + Math.max(delta, 0)) / period;
    loss = (loss * (period - 1) + Math.max(-delta, 0)) / period;
    out[i] = rsiOf(gain, loss);
  }
  return out;
}

/**
 * MACD: the difference of a fast and a slow {@link ema} of the close, and
 * its signal line, an {@link ema} of the MACD line.
 *
 * @param close - Closing prices, oldest first.
 * @param options - Spans; see {@link MacdOptions}.
 * @returns The MACD and signal lines.
 * @throws RangeError for spans below 1 or `fast >= slow`.
 */
export function macd(
  close: ArrayLike<number>,
  options: MacdOptions = {},
): MacdResult {
  const { fast = 12, slow = 26, signal = 9 } = options;
  assertInteger('macd', 'fast', fast, 1);
  assertInteger('macd', 'slow', slow, 1);
  assertInteger('macd', 'signal', signal, 1);
  if (fast >= slow) {
    throw new RangeError(
      `macd: expected fast < slow, received fast ${fast}, slow ${slow}`,
    );
  }
  const fastLine = ema(close, fast);
  const slowLine = ema(close, slow);
  const line = fastLine.map((f, i) => f - (slowLine[i] as number));
  return { macd: line, signal: ema(line, signal) };
}

/**
 * Fast (Western) stochastic oscillator:
 * `%K = 100 * (close − LL) / (HH − LL)` over the last `period` days
 * (50 when `HH == LL`), `%D` = SMA of `%K` over `smoothing` days.
 *
 * @param high - Daily highs, oldest first.
 * @param low - Daily lows.
 * @param close - Daily closes.
 * @param options - Window lengths; see {@link StochasticOptions}.
 * @returns %K and %D.
 * @throws RangeError for lengths that differ, windows below 1 or
 *   non-finite inputs.
 */
export function stochastic(
  high: ArrayLike<number>,
  low: ArrayLike<number>,
  close: ArrayLike<number>,
  options: StochasticOptions = {},
): StochasticResult {
  const { period = 9, smoothing = 3 } = options;
  assertInteger('stochastic', 'period', period, 1);
  assertInteger('stochastic', 'smoothing', smoothing, 1);
  const n = close.length;
  if (high.length !== n || low.length !== n) {
    throw new RangeError(
      `stochastic: expected high, low and close of one length, received ` +
        `${high.length}, ${low.length} and ${n}`,
    );
  }
  assertFiniteArray('stochastic', 'high', high);
  assertFiniteArray('stochastic', 'low', low);
  assertFiniteArray('stochastic', 'close', close);

  const k = new Float64Array(n).fill(NaN);
  for (let t = period - 1; t < n; t++) {
    let hh = -Infinity;
    let ll = Infinity;
    for (let j = t - period + 1; j <= t; j++) {
      hh = Math.max(hh, high[j] as number);
      ll = Math.min(ll, low[j] as number);
    }
    k[t] = hh === ll ? 50 : (100 * ((close[t] as number) - ll)) / (hh - ll);
  }
  return { k, d: sma(k, smoothing) };
}

/**
 * Bollinger band width `(upper − lower) / middle`, i.e.
 * `2 * deviations * std(close) / SMA(close)` over the last `period` days,
 * with the population standard deviation (ddof 0).
 *
 * @param close - Closing prices, oldest first; must be positive.
 * @param options - See {@link BollingerOptions}.
 * @returns The width, valid from index `start + period − 1`.
 * @throws RangeError for a period below 1, a negative or non-finite number
 *   of deviations, or a non-finite value after the first finite one.
 */
export function bollingerWidth(
  close: ArrayLike<number>,
  options: BollingerOptions = {},
): Float64Array {
  const { period = 20, deviations = 2 } = options;
  assertInteger('bollingerWidth', 'period', period, 1);
  assertInRange('bollingerWidth', 'deviations', deviations, 0, Infinity);
  const start = validStart('bollingerWidth', close);
  const width = new BollingerBandsWidth(new BollingerBands(period, deviations));
  return streamFrom(close, start, (x) => width.add(x));
}

function rsiOf(gain: number, loss: number): number {
  if (loss === 0) return gain === 0 ? 50 : 100;
  return 100 - 100 / (1 + gain / loss);
}

/**
 * Index of the first finite value (the length when there is none); throws
 * when a non-finite value follows it.
 */
function validStart(where: string, values: ArrayLike<number>): number {
  let start = 0;
  while (start < values.length && !Number.isFinite(values[start])) start++;
  for (let i = start + 1; i < values.length; i++) {
    if (!Number.isFinite(values[i])) {
      throw new RangeError(
        `${where}: expected finite values after the first finite one ` +
          `(index ${start}), received ${values[i]} at index ${i}`,
      );
    }
  }
  return start;
}

/** Feeds `values[start..]` to a streaming indicator; `null` becomes NaN. */
function streamFrom(
  values: ArrayLike<number>,
  start: number,
  add: (x: number) => number | null,
): Float64Array {
  const out = new Float64Array(values.length).fill(NaN);
  for (let i = start; i < values.length; i++) {
    out[i] = add(values[i] as number) ?? NaN;
  }
  return out;
}
