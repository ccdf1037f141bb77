/**
 * The SHAP waterfall chart: from the base value to the prediction, one
 * feature at a time.
 */
import { axis, type BarOptions, type ContributionData } from './bars';
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
} from './svg';

/**
 * A waterfall chart: the base value E[f(X)] at the bottom, each feature's
 * contribution as a bar starting where the previous one ended (largest
 * magnitude at the top, the remaining features summed into one bar), and
 * the prediction f(x) at the top.
 *
 * @example
 * ```ts
 * const svg = renderShapWaterfall(shapleyContributions(shap, 0));
 * ```
 * @param data - Contributions with `baseValue` and `prediction`.
 * @param options - See {@link BarOptions}.
 * @returns An SVG document.
 * @throws RangeError when values and labels differ in length or the base
 *   value or prediction is missing.
 */
export function renderShapWaterfall(
  data: ContributionData,
  options: BarOptions = {},
): string {
  const where = 'renderShapWaterfall';
  checkSeries(where, data.values, data.labels);
  if (data.baseValue === undefined || data.prediction === undefined) {
    throw new RangeError(
      `${where}: expected baseValue and prediction (see ` +
        `shapleyContributions), received ${data.baseValue} and ${data.prediction}`,
    );
  }
  const maxDisplay = options.maxDisplay ?? 10;
  const order = Array.from(data.values, (v, i) => ({
    v,
    label: data.labels[i] as string,
  })).sort((a, b) => Math.abs(b.v) - Math.abs(a.v));
  const shown =
    order.length <= maxDisplay ? order : order.slice(0, maxDisplay - 1);
  const rest = order.slice(shown.length);
  // Bottom to top: the rest first, then the smallest shown ... largest.
  const steps = [
    ...(rest.length > 0
      ? [
          {
            v: rest.reduce((s, x) => s + x.v, 0),
            label: `${rest.length} other features`,
            other: true,
          },
        ]
      : []),
    ...shown.reverse().map((x) => ({ ...x, other: false })),
  ];
  const starts: number[] = [];
  let acc = data.baseValue;
  for (const s of steps) {
    starts.push(acc);
    acc += s.v;
  }
  const width = options.width ?? 640;
  const labelWidth = Math.min(
    width * 0.4,
    Math.max(...steps.map((s) => textWidth(s.label))) + 16,
  );
  const top = options.title ? 60 : 36;
  const rowH = 26;
  // Room for values printed beside short bars, on both sides.
  const valueRoom =
    Math.max(...steps.map((st) => textWidth(fmt(st.v, true), 11))) + 8;
  const plotW = width - labelWidth - 24 - 2 * valueRoom;
  const ends = [
    data.baseValue,
    data.prediction,
    ...starts,
    ...starts.map((s, i) => s + steps[i]!.v),
  ];
  const lo = Math.min(...ends);
  const hi = Math.max(...ends);
  const pad = (hi - lo || 1) * 0.12;
  const scale = (v: number) =>
    labelWidth +
    12 +
    valueRoom +
    ((v - (lo - pad)) / (hi - lo + 2 * pad)) * plotW;
  const body: string[] = [];
  if (options.title)
    body.push(
      text(12, 24, options.title, { 'font-size': 15, 'font-weight': 'bold' }),
    );

  const n = steps.length;
  const bottom = top + n * rowH;
  const fx = scale(data.prediction);
  const base = scale(data.baseValue);
  body.push(
    `<line x1="${r(fx)}" x2="${r(fx)}" y1="${r(top - 12)}" y2="${r(bottom)}" stroke="#999" stroke-dasharray="2,3"/>`,
    text(fx, top - 16, `f(x) = ${fmt(data.prediction)}`, {
      'text-anchor': 'middle',
      'font-weight': 'bold',
    }),
    `<line x1="${r(base)}" x2="${r(base)}" y1="${r(top)}" y2="${r(bottom + 10)}" stroke="#999" stroke-dasharray="2,3"/>`,
  );
  steps.forEach((s, k) => {
    // Row 0 is the top of the chart: the last step.
    const i = n - 1 - k;
    const y = top + i * rowH;
    const a = scale(starts[k] as number);
    const b = scale((starts[k] as number) + s.v);
    const color = s.v >= 0 ? POSITIVE : NEGATIVE;
    const w = Math.max(1, Math.abs(b - a));
    const x = Math.min(a, b);
    const tip = Math.min(6, w / 2);
    const h = rowH - 8;
    // An arrow-shaped bar pointing in the direction of the contribution.
    const path =
      s.v >= 0
        ? `M${r(x)},${r(y + 4)} h${r(w - tip)} l${r(tip)},${r(h / 2)} l${r(-tip)},${r(h / 2)} h${r(-(w - tip))} z`
        : `M${r(x + w)},${r(y + 4)} h${r(-(w - tip))} l${r(-tip)},${r(h / 2)} l${r(tip)},${r(h / 2)} h${r(w - tip)} z`;
    body.push(
      text(labelWidth, y + 17, clip(s.label, labelWidth - 8), {
        'text-anchor': 'end',
        fill: s.other ? '#777' : '#222',
      }),
      `<path d="${path}" fill="${color}" opacity="${s.other ? 0.45 : 0.9}"><title>${fmt(s.v, true)}</title></path>`,
    );
    const inside = w > textWidth(fmt(s.v, true), 11) + 10;
    body.push(
      text(
        inside ? x + w / 2 : s.v >= 0 ? x + w + 4 : x - 4,
        y + 17,
        fmt(s.v, true),
        {
          'font-size': 11,
          'text-anchor': inside ? 'middle' : s.v >= 0 ? 'start' : 'end',
          fill: inside ? '#fff' : color,
        },
      ),
    );
    if (k > 0) {
      const prevY = top + (i + 1) * rowH + 4;
      body.push(
        `<line x1="${r(a)}" x2="${r(a)}" y1="${r(y + rowH - 4)}" y2="${r(prevY)}" stroke="#bbb"/>`,
      );
    }
  });
  body.push(
    ...axis(
      scale,
      lo - pad,
      hi + pad,
      top,
      bottom + 8,
      options.axisLabel ?? 'model output',
    ),
    text(base, bottom + 58, `E[f(X)] = ${fmt(data.baseValue)}`, {
      'text-anchor': 'middle',
      'font-weight': 'bold',
    }),
  );
  return svgDocument(width, bottom + 70, body, options.title);
}
