/**
 * Small SVG building blocks shared by the renderers: text, number
 * formatting, axis ticks, colour maps and colour-bar legends.
 */

/** An RGB colour, channels 0..255. */
export type Rgb = [number, number, number];

/** Font of every picture. */
export const FONT = 'DejaVu Sans, Helvetica, Arial, sans-serif';

/** Colours of positive and negative contributions (shap's red and blue). */
export const POSITIVE = '#e8305b';
/** See {@link POSITIVE}. */
export const NEGATIVE = '#1e88e5';

/** Escapes text for SVG. */
export function esc(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

/** Approximate width of a text in pixels at a font size. */
export function textWidth(text: string, size = 12): number {
  let units = 0;
  for (const ch of text) {
    units += /[il.,:;'|!]/.test(ch) ? 0.3 : /[A-Z@%mw]/.test(ch) ? 0.78 : 0.58;
  }
  return units * size;
}

/** Shortens a label to at most `max` pixels, with an ellipsis. */
export function clip(text: string, max: number, size = 12): string {
  if (textWidth(text, size) <= max) return text;
  let t = text;
  while (t.length > 1 && textWidth(`${t}…`, size) > max) t = t.slice(0, -1);
  return `${t}…`;
}

/**
 * A number in at most 3 significant digits with a typographic minus, and a
 * plus sign on request.
 */
export function fmt(v: number, signed = false): string {
  if (!Number.isFinite(v)) return String(v);
  const sign = signed && v > 0 ? '+' : '';
  const a = Math.abs(v);
  const body =
    a !== 0 && (a >= 1e5 || a < 1e-4)
      ? v.toExponential(2)
      : String(Number(v.toPrecision(3)));
  return sign + body.replace(/^-/, '−').replace('e-', 'e−');
}

/** Tick values for an axis from `lo` to `hi` (1-2-5 steps). */
export function ticks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step =
    [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) {
    out.push(Math.abs(v) < step * 1e-9 ? 0 : v);
  }
  return out;
}

/** `<text>` element. */
export function text(
  x: number,
  y: number,
  content: string,
  attrs: Record<string, string | number> = {},
): string {
  const a = Object.entries({ 'font-size': 12, fill: '#222', ...attrs })
    .map(([k, v]) => `${k}="${esc(String(v))}"`)
    .join(' ');
  return `<text x="${r(x)}" y="${r(y)}" ${a}>${esc(content)}</text>`;
}

/** Rounds a coordinate for compact output. */
export function r(v: number): string {
  return String(Math.round(v * 100) / 100);
}

/** Wraps SVG content in a document with a white background. */
export function svgDocument(
  width: number,
  height: number,
  body: string[],
  title?: string,
): string {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${r(width)}" ` +
      `height="${r(height)}" viewBox="0 0 ${r(width)} ${r(height)}" ` +
      `font-family="${FONT}">`,
    title ? `<title>${esc(title)}</title>` : '',
    `<rect width="100%" height="100%" fill="#fff"/>`,
    ...body,
    '</svg>',
  ]
    .filter((l) => l !== '')
    .join('\n')
    .concat('\n');
}

/** Hex form of a colour. */
export function hex([red, green, blue]: Rgb): string {
  const h = (v: number) =>
    Math.max(0, Math.min(255, Math.round(v)))
      .toString(16)
      .padStart(2, '0');
  return `#${h(red)}${h(green)}${h(blue)}`;
}

/** Linear interpolation in a list of colour stops spread evenly on [0, 1]. */
function interpolate(stops: Rgb[], t: number): Rgb {
  const x = Math.max(0, Math.min(1, Number.isFinite(t) ? t : 0));
  const pos = x * (stops.length - 1);
  const i = Math.min(stops.length - 2, Math.floor(pos));
  const f = pos - i;
  const a = stops[i] as Rgb;
  const b = stops[i + 1] as Rgb;
  return [
    a[0] + (b[0] - a[0]) * f,
    a[1] + (b[1] - a[1]) * f,
    a[2] + (b[2] - a[2]) * f,
  ];
}

// ColorBrewer RdBu, blue for negative, white at zero, red for positive.
const DIVERGING: Rgb[] = [
  [5, 48, 97],
  [33, 102, 172],
  [67, 147, 195],
  [146, 197, 222],
  [209, 229, 240],
  [247, 247, 247],
  [253, 219, 199],
  [244, 165, 130],
  [214, 96, 77],
  [178, 24, 43],
  [103, 0, 31],
];

// Viridis at eight stops.
const SEQUENTIAL: Rgb[] = [
  [68, 1, 84],
  [70, 50, 127],
  [54, 92, 141],
  [39, 127, 142],
  [31, 161, 135],
  [74, 194, 109],
  [159, 218, 58],
  [253, 231, 37],
];

// Inferno-like ramp from transparent-looking dark to bright yellow.
const HEAT: Rgb[] = [
  [0, 0, 4],
  [40, 11, 84],
  [101, 21, 110],
  [159, 42, 99],
  [212, 72, 66],
  [245, 125, 21],
  [250, 193, 39],
  [252, 255, 164],
];

/** The colour maps of the renderers. */
export const colormaps = {
  /** Signed values in [−1, 1]: blue, white, red. */
  diverging: (t: number): Rgb => interpolate(DIVERGING, (t + 1) / 2),
  /** Values in [0, 1]: viridis. */
  sequential: (t: number): Rgb => interpolate(SEQUENTIAL, t),
  /** Values in [0, 1]: inferno, for heat maps over images. */
  heat: (t: number): Rgb => interpolate(HEAT, t),
};

/** Options of {@link colorBar}. */
export interface ColorBarOptions {
  /** Left edge. */
  x: number;
  /** Top edge. */
  y: number;
  /** Length along the bar. */
  length: number;
  /** Thickness. @defaultValue 12 */
  thickness?: number;
  /** Vertical (low value at the bottom) or horizontal. */
  vertical: boolean;
  /** Value at each end. */
  range: [number, number];
  /** Maps a value in `range` to a colour. */
  color: (v: number) => Rgb;
  /** Caption. */
  label?: string;
  /** Unique id for the gradient. */
  id: string;
}

/** A colour bar with ticks, as SVG elements. */
export function colorBar(o: ColorBarOptions): string[] {
  const t = o.thickness ?? 12;
  const [lo, hi] = o.range;
  const stops = Array.from({ length: 11 }, (_, i) => {
    const v = lo + ((hi - lo) * i) / 10;
    const offset = o.vertical ? 100 - i * 10 : i * 10;
    return `<stop offset="${offset}%" stop-color="${hex(o.color(v))}"/>`;
  });
  if (o.vertical) stops.reverse();
  const [x2, y2] = o.vertical ? [0, 1] : [1, 0];
  const out = [
    `<defs><linearGradient id="${o.id}" x1="0" y1="0" x2="${x2}" y2="${y2}">` +
      `${stops.join('')}</linearGradient></defs>`,
    o.vertical
      ? `<rect x="${r(o.x)}" y="${r(o.y)}" width="${t}" height="${r(o.length)}" fill="url(#${o.id})" stroke="#999" stroke-width="0.5"/>`
      : `<rect x="${r(o.x)}" y="${r(o.y)}" width="${r(o.length)}" height="${t}" fill="url(#${o.id})" stroke="#999" stroke-width="0.5"/>`,
  ];
  const tickValues = hi > lo ? ticks(lo, hi, 4) : [lo];
  for (const v of tickValues) {
    const f = hi > lo ? (v - lo) / (hi - lo) : 0.5;
    if (o.vertical) {
      const y = o.y + o.length * (1 - f);
      out.push(
        `<line x1="${r(o.x + t)}" x2="${r(o.x + t + 4)}" y1="${r(y)}" y2="${r(y)}" stroke="#666"/>`,
        text(o.x + t + 6, y + 4, fmt(v), { 'font-size': 11 }),
      );
    } else {
      const x = o.x + o.length * f;
      out.push(
        `<line x1="${r(x)}" x2="${r(x)}" y1="${r(o.y + t)}" y2="${r(o.y + t + 4)}" stroke="#666"/>`,
        text(x, o.y + t + 16, fmt(v), {
          'font-size': 11,
          'text-anchor': 'middle',
        }),
      );
    }
  }
  if (o.label) {
    out.push(
      o.vertical
        ? text(o.x - 2, o.y - 8, o.label, { 'font-size': 11 })
        : text(o.x + o.length / 2, o.y - 6, o.label, {
            'font-size': 11,
            'text-anchor': 'middle',
          }),
    );
  }
  return out;
}

/** Checks that a renderer got values and labels of one length. */
export function checkSeries(
  where: string,
  values: ArrayLike<number>,
  labels: readonly string[],
): void {
  if (values.length !== labels.length || values.length === 0) {
    throw new RangeError(
      `${where}: expected as many labels as values (at least one), ` +
        `received ${values.length} values and ${labels.length} labels`,
    );
  }
}
