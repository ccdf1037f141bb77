/**
 * Bar charts of attributions: SHAP bars (also for LIME coefficients and
 * permutation importances) and the modality-contribution bar.
 */
import type { ShapleyExplanation } from '../shapley-common';
import {
  NEGATIVE,
  POSITIVE,
  checkSeries,
  clip,
  fmt,
  r,
  svgDocument,
  text,
  textWidth,
  ticks,
} from './svg';

/** Attributions of one example (or global importances) to draw. */
export interface ContributionData {
  /** One value per feature. */
  values: ArrayLike<number>;
  /** One label per feature. */
  labels: string[];
  /** The model output with no feature known (E[f(X)]). */
  baseValue?: number;
  /** The model output for the example, f(x). */
  prediction?: number;
  /** Error bars (e.g. a standard deviation), one per feature. */
  errors?: ArrayLike<number>;
}

/**
 * One example of a Shapley explanation as {@link ContributionData}.
 *
 * @param explanation - A Shapley explanation.
 * @param example - Example index. @defaultValue 0
 * @returns Values, labels, base value and prediction of that example.
 * @throws RangeError for an example index out of range.
 */
export function shapleyContributions(
  explanation: ShapleyExplanation,
  example = 0,
): ContributionData {
  const values = explanation.values[example];
  if (!values) {
    throw new RangeError(
      `shapleyContributions: expected example in [0, ` +
        `${explanation.values.length - 1}], received ${example}`,
    );
  }
  return {
    values,
    labels: explanation.labels,
    baseValue: explanation.baseValues[example] as number,
    prediction: explanation.fx[example] as number,
  };
}

/** Options of the bar renderers. */
export interface BarOptions {
  /** Title above the chart. */
  title?: string;
  /** Caption under the axis. @defaultValue 'contribution to the output' */
  axisLabel?: string;
  /** Features shown; the rest are summed into one bar. @defaultValue 12 */
  maxDisplay?: number;
  /**
   * Sort by magnitude, largest first; `false` keeps the given order (time
   * steps in time order). @defaultValue true
   */
  sort?: boolean;
  /** Width in pixels. @defaultValue 640 */
  width?: number;
}

/**
 * A horizontal bar chart of signed contributions, largest magnitude on top
 * (red pushes the output up, blue down), the remaining features summed
 * into one bar, values printed at the bar ends. Works for SHAP values,
 * LIME coefficients and permutation importances (with error bars).
 *
 * @example
 * ```ts
 * const svg = renderShapBar(shapleyContributions(shap, 0), {
 *   title: 'Price window, 2019-03-04',
 * });
 * ```
 * @param data - See {@link ContributionData}.
 * @param options - See {@link BarOptions}.
 * @returns An SVG document.
 * @throws RangeError when values and labels differ in length.
 */
export function renderShapBar(
  data: ContributionData,
  options: BarOptions = {},
): string {
  checkSeries('renderShapBar', data.values, data.labels);
  const rows = topRows(data, options.maxDisplay ?? 12, options.sort ?? true);
  const width = options.width ?? 640;
  const labelWidth = Math.min(
    width * 0.4,
    Math.max(...rows.map((row) => textWidth(row.label))) + 16,
  );
  const top = options.title ? 40 : 16;
  const rowH = 24;
  // Room for the printed values on both sides of the bars.
  const valueRoom =
    Math.max(...rows.map((row) => textWidth(fmt(row.value, true), 11))) + 8;
  const lo = Math.min(0, ...rows.map((row) => row.value - row.error));
  const hi = Math.max(0, ...rows.map((row) => row.value + row.error));
  const left = labelWidth + 12 + (lo < 0 ? valueRoom : 0);
  const plotW = width - left - (hi > 0 ? valueRoom : 0) - 12;
  const pad = (hi - lo || 1) * 0.04;
  const scale = (v: number) =>
    left + ((v - (lo - pad)) / (hi - lo + 2 * pad)) * plotW;
  const body: string[] = [];
  if (options.title)
    body.push(
      text(12, 24, options.title, { 'font-size': 15, 'font-weight': 'bold' }),
    );

  rows.forEach((row, i) => {
    const y = top + i * rowH;
    const x0 = scale(0);
    const x1 = scale(row.value);
    const color = row.value >= 0 ? POSITIVE : NEGATIVE;
    body.push(
      text(labelWidth, y + 16, clip(row.label, labelWidth - 8), {
        'text-anchor': 'end',
        fill: row.other ? '#777' : '#222',
      }),
      `<rect x="${r(Math.min(x0, x1))}" y="${r(y + 4)}" width="${r(Math.max(1, Math.abs(x1 - x0)))}" height="${rowH - 8}" fill="${color}" opacity="${row.other ? 0.45 : 0.9}"><title>${fmt(row.value, true)}</title></rect>`,
    );
    if (row.error > 0) {
      const [e0, e1] = [
        scale(row.value - row.error),
        scale(row.value + row.error),
      ];
      body.push(
        `<line x1="${r(e0)}" x2="${r(e1)}" y1="${r(y + rowH / 2)}" y2="${r(y + rowH / 2)}" stroke="#333"/>`,
      );
    }
    const after =
      row.value >= 0
        ? Math.max(x1, scale(row.value + row.error)) + 4
        : Math.min(x1, scale(row.value - row.error)) - 4;
    body.push(
      text(after, y + 16, fmt(row.value, true), {
        'font-size': 11,
        'text-anchor': row.value >= 0 ? 'start' : 'end',
        fill: color,
      }),
    );
  });
  const bottom = top + rows.length * rowH;
  body.push(
    ...axis(
      scale,
      lo - pad,
      hi + pad,
      top,
      bottom,
      options.axisLabel ?? 'contribution to the output',
    ),
  );
  if (data.baseValue !== undefined && data.prediction !== undefined) {
    body.push(
      text(
        left,
        bottom + 50,
        `base E[f(X)] = ${fmt(data.baseValue)}, prediction f(x) = ${fmt(data.prediction)}`,
        { 'font-size': 11, fill: '#555' },
      ),
    );
  }
  return svgDocument(
    width,
    bottom + (data.baseValue !== undefined ? 62 : 46),
    body,
    options.title,
  );
}

const SHARE_COLORS = ['#4e79a7', '#f28e2b', '#59a14f', '#b07aa1', '#76b7b2'];

interface Row {
  label: string;
  value: number;
  error: number;
  other: boolean;
}

function topRows(
  data: ContributionData,
  maxDisplay: number,
  sort: boolean,
): Row[] {
  const all = Array.from(data.values, (value, i) => ({
    label: data.labels[i] as string,
    value,
    error: data.errors ? Math.abs(data.errors[i] as number) : 0,
    other: false,
  }));
  const ranked = [...all].sort((a, b) => Math.abs(b.value) - Math.abs(a.value));
  if (all.length <= maxDisplay) return sort ? ranked : all;
  const kept = new Set(ranked.slice(0, maxDisplay - 1));
  const shown = (sort ? ranked : all).filter((row) => kept.has(row));
  const rest = all.filter((row) => !kept.has(row));
  shown.push({
    label: `${rest.length} other features`,
    value: rest.reduce((s, row) => s + row.value, 0),
    error: 0,
    other: true,
  });
  return shown;
}

/** A bottom axis with ticks, a zero line and a caption. */
export function axis(
  scale: (v: number) => number,
  lo: number,
  hi: number,
  top: number,
  bottom: number,
  label: string,
): string[] {
  const out = [
    `<line x1="${r(scale(lo))}" x2="${r(scale(hi))}" y1="${r(bottom + 2)}" y2="${r(bottom + 2)}" stroke="#888"/>`,
  ];
  if (lo <= 0 && hi >= 0) {
    out.push(
      `<line x1="${r(scale(0))}" x2="${r(scale(0))}" y1="${r(top)}" y2="${r(bottom + 2)}" stroke="#aaa" stroke-dasharray="3,3"/>`,
    );
  }
  for (const v of ticks(lo, hi, 5)) {
    const x = scale(v);
    out.push(
      `<line x1="${r(x)}" x2="${r(x)}" y1="${r(bottom + 2)}" y2="${r(bottom + 6)}" stroke="#888"/>`,
      text(x, bottom + 18, fmt(v), {
        'font-size': 11,
        'text-anchor': 'middle',
        fill: '#555',
      }),
    );
  }
  out.push(
    text((scale(lo) + scale(hi)) / 2, bottom + 34, label, {
      'font-size': 11,
      'text-anchor': 'middle',
      fill: '#555',
    }),
  );
  return out;
}

/**
 * The modality-contribution bar: one bar per modality with its signed
 * contribution and share of the total magnitude, and a stacked bar that
 * walks from the base value to the prediction.
 *
 * @example
 * ```ts
 * const parts = await explainModalities(model, inputs, { background });
 * const svg = renderModalityBar(shapleyContributions(parts, 0));
 * ```
 * @param data - Modality contributions with `baseValue` and `prediction`.
 * @param options - See {@link BarOptions}.
 * @returns An SVG document.
 * @throws RangeError when values and labels differ in length or the base
 *   value or prediction is missing.
 */
export function renderModalityBar(
  data: ContributionData,
  options: BarOptions = {},
): string {
  const where = 'renderModalityBar';
  checkSeries(where, data.values, data.labels);
  if (data.baseValue === undefined || data.prediction === undefined) {
    throw new RangeError(
      `${where}: expected baseValue and prediction (see ` +
        `shapleyContributions), received ${data.baseValue} and ${data.prediction}`,
    );
  }
  const width = options.width ?? 640;
  const values = Array.from(data.values);
  const total = values.reduce((s, v) => s + Math.abs(v), 0) || 1;
  const labelWidth =
    Math.max(
      textWidth('share of |φ|', 11),
      ...data.labels.map((l) => textWidth(l)),
    ) + 24;
  const top = options.title ? 44 : 18;
  const body: string[] = [];
  if (options.title)
    body.push(
      text(12, 26, options.title, { 'font-size': 15, 'font-weight': 'bold' }),
    );

  // The sum, in words, then the share of each modality in a 100% bar.
  const plotW = width - labelWidth - 60;
  const equation =
    `f(x) = ${fmt(data.prediction)} = base ${fmt(data.baseValue)}` +
    values
      .map(
        (v, i) =>
          ` ${v >= 0 ? '+' : '−'} ${data.labels[i]} ${fmt(Math.abs(v))}`,
      )
      .join('');
  body.push(text(12, top + 8, equation, { 'font-size': 12, fill: '#333' }));
  const walkY = top + 24;
  body.push(
    text(labelWidth, walkY + 15, 'share of |φ|', {
      'text-anchor': 'end',
      fill: '#555',
      'font-size': 11,
    }),
  );
  let at = labelWidth + 10;
  values.forEach((v, i) => {
    const w = (Math.abs(v) / total) * plotW;
    const fill = SHARE_COLORS[i % SHARE_COLORS.length] as string;
    body.push(
      `<rect x="${r(at)}" y="${r(walkY)}" width="${r(Math.max(1, w))}" height="22" fill="${fill}"><title>${data.labels[i]}: ${Math.round((100 * Math.abs(v)) / total)}%</title></rect>`,
    );
    const caption = `${data.labels[i]} ${Math.round((100 * Math.abs(v)) / total)}%`;
    if (w > textWidth(caption, 11) + 6) {
      body.push(
        text(at + w / 2, walkY + 15, caption, {
          'font-size': 11,
          'text-anchor': 'middle',
          fill: '#fff',
        }),
      );
    }
    at += w;
  });

  // One bar per modality with its share.
  const barsTop = walkY + 40;
  const vmax = Math.max(...values.map(Math.abs)) || 1;
  const half = plotW / 2;
  const zero = labelWidth + 10 + half;
  const shareRoom =
    Math.max(...values.map((v) => textWidth(`${fmt(v, true)} (100%)`, 11))) +
    10;
  values.forEach((v, i) => {
    const y = barsTop + i * 28;
    const w = (Math.abs(v) / vmax) * (half - shareRoom);
    const share = `${fmt(v, true)} (${Math.round((100 * Math.abs(v)) / total)}%)`;
    body.push(
      text(labelWidth, y + 16, data.labels[i] as string, {
        'text-anchor': 'end',
      }),
      `<rect x="${r(v >= 0 ? zero : zero - w)}" y="${r(y + 3)}" width="${r(Math.max(1, w))}" height="18" fill="${v >= 0 ? POSITIVE : NEGATIVE}" opacity="0.9"/>`,
      text(v >= 0 ? zero + w + 4 : zero - w - 4, y + 16, share, {
        'font-size': 11,
        'text-anchor': v >= 0 ? 'start' : 'end',
        fill: v >= 0 ? POSITIVE : NEGATIVE,
      }),
    );
  });
  const bottom = barsTop + values.length * 28;
  body.push(
    `<line x1="${r(zero)}" x2="${r(zero)}" y1="${r(barsTop)}" y2="${r(bottom)}" stroke="#aaa" stroke-dasharray="3,3"/>`,
    text(
      zero,
      bottom + 14,
      options.axisLabel ?? 'Shapley value of each modality',
      {
        'font-size': 11,
        'text-anchor': 'middle',
        fill: '#555',
      },
    ),
  );
  return svgDocument(width, bottom + 26, body, options.title);
}
