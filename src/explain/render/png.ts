/**
 * PNG output through pngjs, for the pictures that are images: Grad-CAM
 * overlays and heat maps. pngjs needs Node's zlib, so this module is not
 * part of the browser-safe `explain` barrel: import it in Node (it is
 * re-exported by `modalfuse/node`).
 */
import { PNG } from 'pngjs';

import {
  type DisplayImage,
  type GradCamImageOptions,
  checkImage,
  overlayColor,
  pixel,
} from './grad-cam-image';
import { colormaps, type Rgb } from './svg';

/** An RGBA raster. */
export interface Raster {
  /** Width in pixels. */
  width: number;
  /** Height in pixels. */
  height: number;
  /** Row-major RGBA bytes, `width * height * 4`. */
  data: Uint8Array;
}

/**
 * Encodes an RGBA raster as PNG.
 *
 * @param raster - See {@link Raster}.
 * @returns The PNG file's bytes.
 * @throws RangeError when the data length is not width × height × 4.
 */
export function encodePng(raster: Raster): Uint8Array {
  const { width, height, data } = raster;
  if (
    !Number.isInteger(width) ||
    !Number.isInteger(height) ||
    width < 1 ||
    height < 1 ||
    data.length !== width * height * 4
  ) {
    throw new RangeError(
      `encodePng: expected ${width} × ${height} × 4 = ` +
        `${width * height * 4} bytes, received ${data.length}`,
    );
  }
  const png = new PNG({ width, height });
  png.data.set(data);
  return new Uint8Array(PNG.sync.write(png));
}

/** Fills a raster from a colour per (row, column) of a grid, scaled up. */
export function rasterize(
  rows: number,
  cols: number,
  scale: number,
  color: (i: number, j: number) => Rgb,
): Raster {
  const width = cols * scale;
  const height = rows * scale;
  const data = new Uint8Array(width * height * 4);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      const c = color(i, j);
      for (let dy = 0; dy < scale; dy++) {
        for (let dx = 0; dx < scale; dx++) {
          const p = ((i * scale + dy) * width + j * scale + dx) * 4;
          data[p] = Math.round(c[0]);
          data[p + 1] = Math.round(c[1]);
          data[p + 2] = Math.round(c[2]);
          data[p + 3] = 255;
        }
      }
    }
  }
  return { width, height, data };
}

/** Options of {@link renderHeatmapPng}. */
export interface HeatmapPngOptions {
  /** Pixels per cell. @defaultValue 8 */
  scale?: number;
  /**
   * Signed values on the blue–white–red scale (symmetric around zero), or
   * non-negative values on viridis. @defaultValue true when any value is
   * negative
   */
  signed?: boolean;
}

/**
 * A matrix as a PNG heat map (no text: use the SVG renderers for labelled
 * charts).
 *
 * @param values - `[rows][columns]`.
 * @param options - See {@link HeatmapPngOptions}.
 * @returns The PNG file's bytes.
 * @throws RangeError for an empty or ragged matrix.
 */
export function renderHeatmapPng(
  values: number[][],
  options: HeatmapPngOptions = {},
): Uint8Array {
  const rows = values.length;
  const cols = values[0]?.length ?? 0;
  if (rows === 0 || cols === 0 || values.some((row) => row.length !== cols)) {
    throw new RangeError(
      'renderHeatmapPng: expected a non-empty matrix with rows of one length',
    );
  }
  const flat = values.flat();
  const signed = options.signed ?? flat.some((v) => v < 0);
  const vmax = Math.max(...flat.map(Math.abs)) || 1;
  const scale = options.scale ?? 8;
  return encodePng(
    rasterize(rows, cols, scale, (i, j) => {
      const v = values[i]![j]!;
      return signed
        ? colormaps.diverging(v / vmax)
        : colormaps.sequential(v / vmax);
    }),
  );
}

/**
 * The input image and its Grad-CAM overlay side by side as a PNG (no
 * text).
 *
 * @param image - See {@link DisplayImage}.
 * @param map - One value per pixel, row-major.
 * @param options - See {@link GradCamImageOptions}.
 * @returns The PNG file's bytes.
 * @throws RangeError when the map and the image differ in size.
 */
export function renderGradCamPng(
  image: DisplayImage,
  map: ArrayLike<number>,
  options: GradCamImageOptions = {},
): Uint8Array {
  const { height: H, width: W } = checkImage('renderGradCamPng', image, map);
  const overlay = overlayColor(image, map, options);
  const gap = 2;
  const white: Rgb = [255, 255, 255];
  return encodePng(
    rasterize(H, 2 * W + gap, options.scale ?? 4, (i, j) =>
      j < W
        ? pixel(image, i, j)
        : j < W + gap
          ? white
          : overlay(i, j - W - gap),
    ),
  );
}
