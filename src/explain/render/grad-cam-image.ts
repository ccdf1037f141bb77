/**
 * Grad-CAM maps over their input image, as SVG and PNG.
 */
import {
  type Rgb,
  colorBar,
  colormaps,
  hex,
  r,
  svgDocument,
  text,
} from './svg';

/** An image for display: values in [0, 1], row-major, channels last. */
export interface DisplayImage {
  /** Pixel values in [0, 1], `height * width * channels`. */
  data: ArrayLike<number>;
  /** Height in pixels. */
  height: number;
  /** Width in pixels. */
  width: number;
  /** 1 (grey) or 3 (RGB). @defaultValue 1 */
  channels?: number;
}

/** Options of {@link renderGradCam} (and `renderGradCamPng`). */
export interface GradCamImageOptions {
  /** Title above the panels (SVG only). */
  title?: string;
  /** Screen pixels per image pixel. @defaultValue 4 */
  scale?: number;
  /** Opacity of the heat map over the image. @defaultValue 0.6 */
  opacity?: number;
  /**
   * The map is signed in [−1, 1] (blue–white–red) rather than in [0, 1]
   * (inferno). @defaultValue false
   */
  signed?: boolean;
  /** Caption of the left panel. @defaultValue 'input' */
  inputCaption?: string;
}

/**
 * The input image and the Grad-CAM map laid over it, side by side, with a
 * colour bar: a map from `explainGradCam` (`maps[i]`, already resized to
 * the image) over, for instance, a candlestick chart.
 *
 * @example
 * ```ts
 * const cam = await explainGradCam(model, inputs, { layer: 'chart_cnn' });
 * const svg = renderGradCam(
 *   { data: chartPixels, height: 64, width: 64 },
 *   cam.maps[0],
 * );
 * ```
 * @param image - See {@link DisplayImage}.
 * @param map - One value per pixel, `height * width`, row-major.
 * @param options - See {@link GradCamImageOptions}.
 * @returns An SVG document.
 * @throws RangeError when the map and the image differ in size.
 */
export function renderGradCam(
  image: DisplayImage,
  map: ArrayLike<number>,
  options: GradCamImageOptions = {},
): string {
  const { height: H, width: W } = checkImage('renderGradCam', image, map);
  const scale = options.scale ?? 4;
  const overlay = overlayColor(image, map, options);
  const plain = (i: number, j: number) => pixel(image, i, j);
  const top = options.title ? 50 : 30;
  const gap = 24;
  const panelW = W * scale;
  const panelH = H * scale;
  const body: string[] = [];
  if (options.title)
    body.push(
      text(12, 24, options.title, { 'font-size': 15, 'font-weight': 'bold' }),
    );
  const x0 = 12;
  const x1 = x0 + panelW + gap;
  body.push(
    text(x0, top - 6, options.inputCaption ?? 'input', {
      'font-size': 11,
      fill: '#555',
    }),
    text(x1, top - 6, 'Grad-CAM over the input', {
      'font-size': 11,
      fill: '#555',
    }),
    ...panel(x0, top, H, W, scale, plain),
    ...panel(x1, top, H, W, scale, overlay),
  );
  for (const x of [x0, x1]) {
    body.push(
      `<rect x="${x}" y="${top}" width="${panelW}" height="${panelH}" fill="none" stroke="#888" stroke-width="0.5"/>`,
    );
  }
  const signed = options.signed === true;
  const color = signed ? colormaps.diverging : colormaps.heat;
  body.push(
    ...colorBar({
      x: x1 + panelW + 20,
      y: top + 14,
      length: panelH - 14,
      vertical: true,
      range: signed ? [-1, 1] : [0, 1],
      color,
      label: signed ? 'signed map' : 'importance',
      id: 'gradcam-scale',
    }),
  );
  return svgDocument(x1 + panelW + 100, top + panelH + 14, body, options.title);
}

/** Checks that the map fits the image; returns the image size. */
export function checkImage(
  where: string,
  image: DisplayImage,
  map: ArrayLike<number>,
): { height: number; width: number } {
  const channels = image.channels ?? 1;
  const { height, width } = image;
  if (
    image.data.length !== height * width * channels ||
    map.length !== height * width
  ) {
    throw new RangeError(
      `${where}: expected an image of ${height} × ${width} × ${channels} ` +
        `values and a map of ${height * width}, received ${image.data.length} ` +
        `and ${map.length}`,
    );
  }
  return { height, width };
}

/** The display colour of one image pixel. */
export function pixel(image: DisplayImage, i: number, j: number): Rgb {
  const c = image.channels ?? 1;
  const at = (i * image.width + j) * c;
  const v = (k: number) =>
    255 * Math.max(0, Math.min(1, image.data[at + k] as number));
  return c >= 3 ? [v(0), v(1), v(2)] : [v(0), v(0), v(0)];
}

/** The colour of the map laid over the image, per pixel. */
export function overlayColor(
  image: DisplayImage,
  map: ArrayLike<number>,
  options: GradCamImageOptions,
): (i: number, j: number) => Rgb {
  const opacity = options.opacity ?? 0.6;
  const signed = options.signed === true;
  return (i, j) => {
    const m = map[i * image.width + j] as number;
    const base = pixel(image, i, j);
    const heat = signed ? colormaps.diverging(m) : colormaps.heat(m);
    // Weak evidence leaves the image readable; strong evidence covers it.
    const strength = signed ? Math.min(1, Math.abs(m) * 1.5) : m;
    const a = opacity * (0.35 + 0.65 * strength);
    return [0, 1, 2].map((k) => (1 - a) * base[k]! + a * heat[k]!) as Rgb;
  };
}

/** Pixels as rects, runs of one colour in a row merged into one rect. */
function panel(
  x: number,
  y: number,
  H: number,
  W: number,
  scale: number,
  color: (i: number, j: number) => Rgb,
): string[] {
  const out: string[] = [];
  for (let i = 0; i < H; i++) {
    let j = 0;
    while (j < W) {
      const c = hex(color(i, j));
      let k = j + 1;
      while (k < W && hex(color(i, k)) === c) k++;
      out.push(
        `<rect x="${r(x + j * scale)}" y="${r(y + i * scale)}" width="${(k - j) * scale}" height="${scale}" fill="${c}"/>`,
      );
      j = k;
    }
  }
  return out;
}
