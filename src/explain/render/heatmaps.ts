/**
 * Matrix heat maps: time step × feature attributions of a window, and
 * attention maps.
 */
import type { AttentionMap } from '../attention';
import {
  type Rgb,
  clip,
  colorBar,
  colormaps,
  fmt,
  hex,
  r,
  svgDocument,
  text,
  textWidth,
} from './svg';

/** Options of {@link renderTimeFeatureHeatmap}. */
export interface TimeFeatureOptions {
  /** `[time, features]` when `values` is flat. */
  shape?: [number, number];
  /** Labels of the time steps (dates), oldest first. */
  timeLabels?: string[];
  /** Labels of the features. */
  featureLabels?: string[];
  /** Title above the map. */
  title?: string;
  /** Caption of the colour bar. @defaultValue 'attribution' */
  legendLabel?: string;
  /** Cell size in pixels. @defaultValue fitted to about 720 pixels */
  cell?: number;
}

/**
 * A time step × feature heat map of signed attributions of a window
 * (features as rows, time running left to right), on a blue–white–red
 * scale symmetric around zero, with a colour bar.
 *
 * @example
 * ```ts
 * const shap = await explainKernelShap(model, window, { background, seed: 0 });
 * const svg = renderTimeFeatureHeatmap(shap.values[0], {
 *   shape: [20, 13],
 *   featureLabels: names,
 * });
 * ```
 * @param values - `[time][features]`, or flat row-major with `shape`.
 * @param options - See {@link TimeFeatureOptions}.
 * @returns An SVG document.
 * @throws RangeError when the values do not fit the shape or labels.
 */
export function renderTimeFeatureHeatmap(
  values: number[][] | ArrayLike<number>,
  options: TimeFeatureOptions = {},
): string {
  const where = 'renderTimeFeatureHeatmap';
  const grid = toGrid(where, values, options.shape);
  const [T, F] = [grid.length, grid[0]!.length];
  const timeLabels = options.timeLabels ?? grid.map((_, t) => `t${t - T + 1}`);
  const featureLabels =
    options.featureLabels ?? grid[0]!.map((_, f) => `f${f}`);
  if (timeLabels.length !== T || featureLabels.length !== F) {
    throw new RangeError(
      `${where}: expected ${T} time labels and ${F} feature labels, received ` +
        `${timeLabels.length} and ${featureLabels.length}`,
    );
  }
  const vmax = Math.max(...grid.flat().map(Math.abs)) || 1;
  // Transpose: rows are features, columns time steps.
  const matrix = featureLabels.map((_, f) =>
    grid.map((row) => row[f] as number),
  );
  return matrixSvg({
    matrix,
    rowLabels: featureLabels,
    colLabels: timeLabels,
    color: (v) => colormaps.diverging(v / vmax),
    range: [-vmax, vmax],
    title: options.title,
    legend: options.legendLabel ?? 'attribution',
    cell: options.cell,
    xCaption: 'time step (oldest left)',
  });
}

/** Options of {@link renderAttentionHeatmap}. */
export interface AttentionHeatmapOptions {
  /** Title above the map. */
  title?: string;
  /** Colour-scale maximum. @defaultValue the largest weight */
  max?: number;
  /** Cell size in pixels. @defaultValue fitted to about 720 pixels */
  cell?: number;
}

/**
 * An attention map as a heat map (queries as rows, keys as columns) on the
 * viridis scale, with a colour bar. Attention weights describe where a
 * layer looked; they are not attributions.
 *
 * @param map - One example's map from `explainAttention` or
 *   `explainAttentionRollout`.
 * @param options - See {@link AttentionHeatmapOptions}.
 * @returns An SVG document.
 * @throws RangeError for an empty map.
 */
export function renderAttentionHeatmap(
  map: AttentionMap,
  options: AttentionHeatmapOptions = {},
): string {
  if (map.values.length === 0 || map.values[0]!.length === 0) {
    throw new RangeError('renderAttentionHeatmap: expected a non-empty map');
  }
  const max = options.max ?? (Math.max(...map.values.flat()) || 1);
  return matrixSvg({
    matrix: map.values,
    rowLabels: map.queryLabels,
    colLabels: map.keyLabels,
    color: (v) => colormaps.sequential(v / max),
    range: [0, max],
    title: options.title,
    legend: 'attention weight',
    cell: options.cell,
    xCaption: 'key',
    yCaption: 'query',
    printValues: map.values.length * map.values[0]!.length <= 144,
  });
}

interface MatrixSpec {
  matrix: number[][];
  rowLabels: string[];
  colLabels: string[];
  color: (v: number) => Rgb;
  range: [number, number];
  title: string | undefined;
  legend: string;
  cell: number | undefined;
  xCaption: string;
  yCaption?: string;
  printValues?: boolean;
}

function matrixSvg(spec: MatrixSpec): string {
  const rows = spec.matrix.length;
  const cols = spec.matrix[0]!.length;
  const labelW = Math.min(
    200,
    Math.max(...spec.rowLabels.map((l) => textWidth(l, 11))) + 12,
  );
  const cell =
    spec.cell ??
    Math.max(10, Math.min(40, Math.floor(560 / Math.max(cols, rows * 0.6))));
  const colLabelMax = Math.min(
    140,
    Math.max(...spec.colLabels.map((l) => textWidth(l, 10))),
  );
  const rotate =
    textWidth(
      spec.colLabels.reduce((a, b) => (a.length > b.length ? a : b), ''),
      10,
    ) >
    cell - 2;
  const every = rotate ? Math.max(1, Math.ceil(13 / cell)) : 1;
  const top = (spec.title ? 40 : 16) + (spec.yCaption ? 14 : 0);
  const left = labelW + (spec.yCaption ? 18 : 0);
  const gridW = cols * cell;
  const gridH = rows * cell;
  const body: string[] = [];
  if (spec.title)
    body.push(
      text(12, 24, spec.title, { 'font-size': 15, 'font-weight': 'bold' }),
    );

  spec.matrix.forEach((row, i) => {
    body.push(
      text(
        left - 6,
        top + i * cell + cell / 2 + 4,
        clip(spec.rowLabels[i] as string, labelW - 8, 11),
        {
          'font-size': 11,
          'text-anchor': 'end',
        },
      ),
    );
    row.forEach((v, j) => {
      const c = spec.color(v);
      body.push(
        `<rect x="${r(left + j * cell)}" y="${r(top + i * cell)}" width="${cell}" height="${cell}" fill="${hex(c)}"><title>${spec.rowLabels[i]} · ${spec.colLabels[j]}: ${fmt(v)}</title></rect>`,
      );
      if (spec.printValues && cell >= 28) {
        const light = 0.299 * c[0] + 0.587 * c[1] + 0.114 * c[2] > 140;
        body.push(
          text(
            left + j * cell + cell / 2,
            top + i * cell + cell / 2 + 4,
            fmt(v),
            {
              'font-size': 9,
              'text-anchor': 'middle',
              fill: light ? '#222' : '#fff',
            },
          ),
        );
      }
    });
  });
  body.push(
    `<rect x="${left}" y="${top}" width="${gridW}" height="${gridH}" fill="none" stroke="#888" stroke-width="0.5"/>`,
  );
  spec.colLabels.forEach((label, j) => {
    if (j % every !== 0 && j !== cols - 1) return;
    const x = left + j * cell + cell / 2;
    const y = top + gridH + 12;
    body.push(
      rotate
        ? text(x + 3, y - 4, clip(label, colLabelMax, 10), {
            'font-size': 10,
            'text-anchor': 'end',
            transform: `rotate(-55 ${r(x + 3)} ${r(y - 4)})`,
          })
        : text(x, y, label, { 'font-size': 10, 'text-anchor': 'middle' }),
    );
  });
  const labelsH = rotate ? colLabelMax * 0.82 + 8 : 16;
  body.push(
    text(left + gridW / 2, top + gridH + labelsH + 16, spec.xCaption, {
      'font-size': 11,
      'text-anchor': 'middle',
      fill: '#555',
    }),
  );
  if (spec.yCaption) {
    body.push(
      text(12, top + gridH / 2, spec.yCaption, {
        'font-size': 11,
        'text-anchor': 'middle',
        fill: '#555',
        transform: `rotate(-90 12 ${r(top + gridH / 2)})`,
      }),
    );
  }
  const barX = left + gridW + 24;
  body.push(
    ...colorBar({
      x: barX,
      y: top + 14,
      length: Math.max(80, gridH - 14),
      vertical: true,
      range: spec.range,
      color: spec.color,
      label: spec.legend,
      id: `scale${Math.abs(hashOf(spec.legend + rows + cols))}`,
    }),
  );
  const width = Math.max(
    barX + Math.max(70, textWidth(spec.legend, 11) + 8),
    textWidth(spec.title ?? '', 16.5) + 24,
  );
  return svgDocument(width, top + gridH + labelsH + 28, body, spec.title);
}

function toGrid(
  where: string,
  values: number[][] | ArrayLike<number>,
  shape: [number, number] | undefined,
): number[][] {
  if (Array.isArray(values) && Array.isArray(values[0])) {
    const grid = values as number[][];
    if (grid.some((row) => row.length !== grid[0]!.length)) {
      throw new RangeError(`${where}: expected rows of one length`);
    }
    return grid;
  }
  const flat = values as ArrayLike<number>;
  if (!shape || shape[0] * shape[1] !== flat.length || flat.length === 0) {
    throw new RangeError(
      `${where}: expected shape [time, features] with time × features = ` +
        `${flat.length} for flat values, received ${JSON.stringify(shape)}`,
    );
  }
  return Array.from({ length: shape[0] }, (_, t) =>
    Array.from(
      { length: shape[1] },
      (_, f) => flat[t * shape[1] + f] as number,
    ),
  );
}

function hashOf(s: string): number {
  let h = 0;
  for (const ch of s) h = (Math.imul(h, 31) + ch.charCodeAt(0)) | 0;
  return h;
}
