/**
 * The candlestick chart rasterizer of the thesis pipeline (spec S6): each
 * sample's window drawn as a small grayscale image for a CNN.
 *
 * With the defaults, a 20-day window becomes a 64×64 uint8 image on a black
 * background: prices in rows 0..51 (row 0 at the top), volume bars in rows
 * 52..63; day `i` owns columns `2 + 3i .. 4 + 3i`, so columns 0, 1, 62 and
 * 63 stay black. Up days (close >= open) are drawn in 255, down days in 128.
 * Price `p` maps to `y = floor((p − pmin) / (pmax − pmin) * 51 + 0.5)`
 * (25 when pmax == pmin) and row `51 − y`, with pmin / pmax the lowest low
 * and highest high of the window. The wick spans high..low in the middle
 * column, the body open..close across the day's three columns, and the
 * volume bar `floor(v / vmax * 12 + 0.5)` rows up from the bottom in the
 * middle column (none when the window's volume is all 0).
 */
import { assertInteger } from '../internal/assert';
import { ShapeError } from '../internal/errors';

/**
 * Daily bars, oldest first, all arrays of one length; an
 * `OhlcvSeries` is one.
 */
export interface CandleWindow {
  /** Opening prices. */
  open: ArrayLike<number>;
  /** Highest prices. */
  high: ArrayLike<number>;
  /** Lowest prices. */
  low: ArrayLike<number>;
  /** Closing prices. */
  close: ArrayLike<number>;
  /** Volumes. */
  volume: ArrayLike<number>;
}

/** Layout and shades of the chart; the defaults are the spec's. */
export interface CandlestickOptions {
  /** Image height in pixels. @defaultValue 64 */
  height?: number;
  /** Image width in pixels. @defaultValue 64 */
  width?: number;
  /**
   * Rows of the price area at the top; the rest below is the volume strip
   * (0 rows of volume when equal to `height`).
   * @defaultValue 52
   */
  priceRows?: number;
  /** Columns per day; the wick uses the middle one. @defaultValue 3 */
  barWidth?: number;
  /** Black columns left of the first day. @defaultValue 2 */
  leftMargin?: number;
  /** Shade of days with close >= open. @defaultValue 255 */
  upShade?: number;
  /** Shade of days with close < open. @defaultValue 128 */
  downShade?: number;
  /** Shade of everything else. @defaultValue 0 */
  background?: number;
}

/** Options of {@link renderCandlesticks}. */
export interface CandlestickBatchOptions extends CandlestickOptions {
  /** Days per image, ending at each sample's `t`. @defaultValue 20 */
  days?: number;
}

/** Images of many windows in one buffer. */
export interface CandlestickImages {
  /** Row-major uint8 pixels of all images, sample after sample. */
  pixels: Uint8Array;
  /** `[images, height, width]`. */
  shape: [number, number, number];
}

/** Images as a channels-last float32 tensor payload. */
export interface CandlestickTensorData {
  /** Pixels divided by 255. */
  data: Float32Array;
  /** `[images, height, width, 1]`, ready for `tf.tensor4d`. */
  shape: [number, number, number, 1];
}

type Layout = Required<CandlestickOptions>;

/**
 * Draws one window of daily bars as a grayscale image.
 *
 * @example
 * ```ts
 * const image = renderCandlestick(sliceSeries(series, t - 19, t + 1));
 * image.length; // 4096 = 64 * 64
 * ```
 *
 * @param window - The bars, oldest first; its length is the number of days.
 * @param options - See {@link CandlestickOptions}.
 * @returns `height * width` pixels, row-major.
 * @throws RangeError when the days do not fit the width or the layout is
 *   invalid; ShapeError when the arrays differ in length.
 */
export function renderCandlestick(
  window: CandleWindow,
  options: CandlestickOptions = {},
): Uint8Array {
  const days = window.close.length;
  const layout = resolveLayout('renderCandlestick', options, days);
  const { open, high, low, volume } = window;
  if ([open, high, low, volume].some((a) => a.length !== days)) {
    throw new ShapeError(
      `renderCandlestick: expected open, high, low, close and volume of ` +
        `one length, received ${open.length}, ${high.length}, ` +
        `${low.length}, ${days} and ${volume.length}`,
    );
  }
  const out = new Uint8Array(layout.height * layout.width);
  draw(out, 0, window, 0, days, layout);
  return out;
}

/**
 * Draws the window of `days` sessions ending at each `t` into one buffer.
 *
 * @param series - The full series (e.g. `FeatureTable.series`).
 * @param t - Row of the last day of each image (e.g. `WindowSamples.t`).
 * @param options - See {@link CandlestickBatchOptions}.
 * @returns All images, in the order of `t`.
 * @throws RangeError when a window leaves the series, the days do not fit
 *   the width or the layout is invalid.
 */
export function renderCandlesticks(
  series: CandleWindow,
  t: ArrayLike<number>,
  options: CandlestickBatchOptions = {},
): CandlestickImages {
  const { days = 20, ...rest } = options;
  assertInteger('renderCandlesticks', 'days', days, 1);
  const layout = resolveLayout('renderCandlesticks', rest, days);
  const n = series.close.length;
  const size = layout.height * layout.width;
  const pixels = new Uint8Array(t.length * size);
  for (let s = 0; s < t.length; s++) {
    const last = t[s] as number;
    const first = last - days + 1;
    if (!Number.isInteger(last) || first < 0 || last >= n) {
      throw new RangeError(
        `renderCandlesticks: expected every window inside rows 0..${n - 1}, ` +
          `received t = ${last} for image ${s} (days ${days})`,
      );
    }
    draw(pixels, s * size, series, first, days, layout);
  }
  return { pixels, shape: [t.length, layout.height, layout.width] };
}

/**
 * Scales images to [0, 1] float32 with a trailing channel axis, the input
 * layout of tfjs convolutions.
 *
 * @param images - Output of {@link renderCandlesticks}.
 * @returns Pixels / 255 with shape `[images, height, width, 1]`.
 */
export function candlesticksToTensorData(
  images: CandlestickImages,
): CandlestickTensorData {
  const data = new Float32Array(images.pixels.length);
  for (let i = 0; i < data.length; i++) {
    data[i] = (images.pixels[i] as number) / 255;
  }
  const [n, h, w] = images.shape;
  return { data, shape: [n, h, w, 1] };
}

function resolveLayout(
  where: string,
  options: CandlestickOptions,
  days: number,
): Layout {
  const layout: Layout = {
    height: options.height ?? 64,
    width: options.width ?? 64,
    priceRows: options.priceRows ?? 52,
    barWidth: options.barWidth ?? 3,
    leftMargin: options.leftMargin ?? 2,
    upShade: options.upShade ?? 255,
    downShade: options.downShade ?? 128,
    background: options.background ?? 0,
  };
  assertInteger(where, 'height', layout.height, 1);
  assertInteger(where, 'width', layout.width, 1);
  assertInteger(where, 'priceRows', layout.priceRows, 1);
  assertInteger(where, 'barWidth', layout.barWidth, 1);
  assertInteger(where, 'leftMargin', layout.leftMargin, 0);
  for (const key of ['upShade', 'downShade', 'background'] as const) {
    assertInteger(where, key, layout[key], 0);
    if (layout[key] > 255) {
      throw new RangeError(
        `${where}: expected ${key} in [0, 255], received ${layout[key]}`,
      );
    }
  }
  if (layout.priceRows > layout.height) {
    throw new RangeError(
      `${where}: expected priceRows <= height (${layout.height}), ` +
        `received ${layout.priceRows}`,
    );
  }
  const needed = layout.leftMargin + layout.barWidth * days;
  if (days < 1 || needed > layout.width) {
    throw new RangeError(
      `${where}: expected ${days} days of ${layout.barWidth} columns after ` +
        `a margin of ${layout.leftMargin} to fit in width ${layout.width}, ` +
        `received a need for ${needed} columns`,
    );
  }
  return layout;
}

/** Draws bars `first..first + days − 1` of `s` into `out` at `offset`. */
function draw(
  out: Uint8Array,
  offset: number,
  s: CandleWindow,
  first: number,
  days: number,
  layout: Layout,
): void {
  const { width, height, priceRows, barWidth, leftMargin } = layout;
  if (layout.background !== 0) {
    out.fill(layout.background, offset, offset + width * height);
  }
  let pmin = Infinity;
  let pmax = -Infinity;
  let vmax = 0;
  for (let i = first; i < first + days; i++) {
    checkBar(s, i);
    pmin = Math.min(pmin, s.low[i] as number);
    pmax = Math.max(pmax, s.high[i] as number);
    vmax = Math.max(vmax, s.volume[i] as number);
  }
  const top = priceRows - 1;
  const flat = Math.floor(top / 2);
  const span = pmax - pmin;
  // Deviation: the spec does not define bars whose open or close lies
  // outside low..high; rows are clamped to the price area so such a bar
  // never writes outside it. Consistent bars are unaffected.
  const rowOf = (p: number): number => {
    const y = span === 0 ? flat : Math.floor(((p - pmin) / span) * top + 0.5);
    return Math.min(top, Math.max(0, top - y));
  };
  const volumeRows = height - priceRows;
  const mid = Math.floor(barWidth / 2);

  for (let d = 0; d < days; d++) {
    const i = first + d;
    const o = s.open[i] as number;
    const c = s.close[i] as number;
    const shade = c >= o ? layout.upShade : layout.downShade;
    const x0 = leftMargin + barWidth * d;
    const xc = x0 + mid;

    // Wick: middle column from the high's row down to the low's row.
    const rh = rowOf(s.high[i] as number);
    const rl = rowOf(s.low[i] as number);
    for (let r = Math.min(rh, rl); r <= Math.max(rh, rl); r++) {
      out[offset + r * width + xc] = shade;
    }
    // Body: every column of the day, between the open's and close's rows.
    const ro = rowOf(o);
    const rc = rowOf(c);
    for (let r = Math.min(ro, rc); r <= Math.max(ro, rc); r++) {
      out.fill(
        shade,
        offset + r * width + x0,
        offset + r * width + x0 + barWidth,
      );
    }
    // Volume: a bar rising from the bottom row in the middle column.
    const v = s.volume[i] as number;
    const hv = vmax === 0 ? 0 : Math.floor((v / vmax) * volumeRows + 0.5);
    for (let r = height - hv; r < height; r++) {
      out[offset + r * width + xc] = shade;
    }
  }
}

/** A bar must have finite prices and a finite, non-negative volume. */
function checkBar(s: CandleWindow, i: number): void {
  for (const field of ['open', 'high', 'low', 'close', 'volume'] as const) {
    const v = s[field][i] as number;
    if (!Number.isFinite(v) || (field === 'volume' && v < 0)) {
      throw new RangeError(
        `renderCandlestick: expected a finite ${field}` +
          `${field === 'volume' ? ' >= 0' : ''} for every bar, received ` +
          `${v} at row ${i}`,
      );
    }
  }
}
