/**
 * Superpixels for LIME on images: a SLIC-style segmenter and the
 * relabelling of segmentations to 0..K−1.
 */
import * as tf from '@tensorflow/tfjs-core';

import { assertInRange, assertInteger } from '../internal/assert';
import { ShapeError, formatShape } from '../internal/errors';

/** A segmentation of an image into superpixels. */
export interface Segmentation {
  /** Segment id of each pixel, row-major, ids 0..count−1. */
  labels: Int32Array;
  /** Number of segments. */
  count: number;
  /** Image height. */
  height: number;
  /** Image width. */
  width: number;
}

/** Options of {@link segmentSlic}. */
export interface SlicOptions {
  /** Approximate number of segments. @defaultValue 50 */
  segments?: number;
  /**
   * Weight of spatial against colour distance (colours are scaled to
   * 0..100 over the image's range, as Lab lightness). @defaultValue 10
   */
  compactness?: number;
  /** Assignment–update rounds. @defaultValue 10 */
  iterations?: number;
}

/**
 * Segments an image into superpixels in the manner of SLIC (Achanta et
 * al. 2012): centres on a grid of step S = √(pixels / segments), moved to
 * the lowest gradient in their 3 × 3 neighbourhood, then rounds of
 * assigning each pixel within 2S of a centre to the nearest one by
 * √(d_colour² + (d_space / S)² m²) and moving centres to their pixels'
 * means; finally segments smaller than a quarter of the mean size are
 * merged into a neighbour, so every segment is connected, and ids are
 * relabelled 0..K−1 in raster order. Deterministic (no random draws).
 *
 * @param image - `[height, width, channels]` (or `[height, width]`).
 * @param options - See {@link SlicOptions}.
 * @returns The segmentation.
 * @throws ShapeError for an image that is not rank 2 or 3; RangeError for
 *   invalid options.
 * @see Achanta et al. (2012), SLIC superpixels compared to state-of-the-art
 *   superpixel methods, IEEE TPAMI.
 */
export async function segmentSlic(
  image: tf.Tensor,
  options: SlicOptions = {},
): Promise<Segmentation> {
  const where = 'segmentSlic';
  if (image.rank !== 2 && image.rank !== 3) {
    throw new ShapeError(
      `${where}: expected an image [height, width, channels], received ` +
        formatShape(image.shape),
    );
  }
  const [H, W] = image.shape as [number, number];
  const C = image.rank === 3 ? (image.shape[2] as number) : 1;
  const K = options.segments ?? 50;
  assertInteger(where, 'segments', K, 1);
  const m = options.compactness ?? 10;
  assertInRange(where, 'compactness', m, 0, Infinity);
  const iterations = options.iterations ?? 10;
  assertInteger(where, 'iterations', iterations, 1);
  const raw = await image.data();

  // Colours scaled to 0..100 over the image's range.
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of raw) {
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  const span = hi > lo ? hi - lo : 1;
  const px = Float64Array.from(raw, (v) => ((v - lo) / span) * 100);
  const N = H * W;
  const S = Math.max(1, Math.sqrt(N / K));

  // Centres [colour..., y, x] on the grid, moved down the gradient.
  const centres: number[][] = [];
  for (let y = S / 2; y < H; y += S) {
    for (let x = S / 2; x < W; x += S) {
      const [cy, cx] = lowestGradient(
        px,
        H,
        W,
        C,
        Math.floor(y),
        Math.floor(x),
      );
      centres.push([...colour(px, C, cy * W + cx), cy, cx]);
    }
  }
  const labels = new Int32Array(N).fill(-1);
  const best = new Float64Array(N);
  const reach = Math.ceil(2 * S);
  const ratio = (m / S) ** 2;
  for (let it = 0; it < iterations; it++) {
    best.fill(Infinity);
    centres.forEach((c, k) => {
      const cy = c[C] as number;
      const cx = c[C + 1] as number;
      const y0 = Math.max(0, Math.floor(cy - reach));
      const y1 = Math.min(H - 1, Math.ceil(cy + reach));
      const x0 = Math.max(0, Math.floor(cx - reach));
      const x1 = Math.min(W - 1, Math.ceil(cx + reach));
      for (let y = y0; y <= y1; y++) {
        for (let x = x0; x <= x1; x++) {
          const p = y * W + x;
          let dc = 0;
          for (let ch = 0; ch < C; ch++) {
            const d = (px[p * C + ch] as number) - (c[ch] as number);
            dc += d * d;
          }
          const ds = (y - cy) ** 2 + (x - cx) ** 2;
          const D = dc + ds * ratio;
          if (D < (best[p] as number)) {
            best[p] = D;
            labels[p] = k;
          }
        }
      }
    });
    const sums = centres.map(() => new Float64Array(C + 3));
    for (let p = 0; p < N; p++) {
      const s = sums[labels[p] as number] as Float64Array;
      for (let ch = 0; ch < C; ch++)
        s[ch] = (s[ch] as number) + (px[p * C + ch] as number);
      s[C] = (s[C] as number) + Math.floor(p / W);
      s[C + 1] = (s[C + 1] as number) + (p % W);
      s[C + 2] = (s[C + 2] as number) + 1;
    }
    sums.forEach((s, k) => {
      const n = s[C + 2] as number;
      if (n > 0) centres[k] = Array.from(s.subarray(0, C + 2), (v) => v / n);
    });
  }
  return connect(labels, H, W, Math.max(1, Math.floor(N / centres.length / 4)));
}

function colour(px: Float64Array, C: number, p: number): number[] {
  return Array.from(px.subarray(p * C, (p + 1) * C));
}

function lowestGradient(
  px: Float64Array,
  H: number,
  W: number,
  C: number,
  y: number,
  x: number,
): [number, number] {
  let best: [number, number] = [y, x];
  let bestG = Infinity;
  for (let dy = -1; dy <= 1; dy++) {
    for (let dx = -1; dx <= 1; dx++) {
      const yy = y + dy;
      const xx = x + dx;
      if (yy < 1 || xx < 1 || yy >= H - 1 || xx >= W - 1) continue;
      let g = 0;
      for (let ch = 0; ch < C; ch++) {
        const at = (r: number, c: number) => px[(r * W + c) * C + ch] as number;
        g += (at(yy + 1, xx) - at(yy - 1, xx)) ** 2;
        g += (at(yy, xx + 1) - at(yy, xx - 1)) ** 2;
      }
      if (g < bestG) {
        bestG = g;
        best = [yy, xx];
      }
    }
  }
  return best;
}

/**
 * Splits labels into 4-connected components, merges components smaller
 * than `minSize` into the component left of or above their first pixel,
 * and numbers them 0..K−1 in raster order.
 */
function connect(
  labels: Int32Array,
  H: number,
  W: number,
  minSize: number,
): Segmentation {
  const N = H * W;
  const out = new Int32Array(N).fill(-1);
  let next = 0;
  const stack: number[] = [];
  const members: number[] = [];
  for (let start = 0; start < N; start++) {
    if (out[start] !== -1) continue;
    // Flood-fill the component of `start`.
    const own = labels[start];
    members.length = 0;
    stack.push(start);
    out[start] = next;
    while (stack.length > 0) {
      const p = stack.pop() as number;
      members.push(p);
      const y = Math.floor(p / W);
      const x = p % W;
      for (const q of [
        y > 0 ? p - W : -1,
        y < H - 1 ? p + W : -1,
        x > 0 ? p - 1 : -1,
        x < W - 1 ? p + 1 : -1,
      ]) {
        if (q >= 0 && out[q] === -1 && labels[q] === own) {
          out[q] = next;
          stack.push(q);
        }
      }
    }
    // Too small: join the neighbour before the first pixel, if any.
    const before = start % W > 0 ? start - 1 : start >= W ? start - W : -1;
    if (members.length < minSize && before >= 0) {
      const target = out[before] as number;
      for (const p of members) out[p] = target;
    } else {
      next += 1;
    }
  }
  return { labels: out, count: next, height: H, width: W };
}

/**
 * Relabels a segmentation with any integer ids to 0..K−1 (ids in
 * ascending order).
 *
 * @param segments - Segment id per pixel, `[height][width]` or row-major.
 * @param height - Image height.
 * @param width - Image width.
 * @returns The segmentation.
 * @throws ShapeError when the number of ids is not height × width;
 *   RangeError for a non-integer id.
 */
export function relabelSegments(
  segments: ArrayLike<number> | number[][],
  height: number,
  width: number,
): Segmentation {
  const flat: ArrayLike<number> = Array.isArray(segments[0])
    ? (segments as number[][]).flat()
    : (segments as ArrayLike<number>);
  if (flat.length !== height * width) {
    throw new ShapeError(
      `relabelSegments: expected ${height * width} segment ids for a ` +
        `${height} × ${width} image, received ${flat.length}`,
    );
  }
  const ids = new Set<number>();
  for (let i = 0; i < flat.length; i++) {
    const v = flat[i] as number;
    if (!Number.isInteger(v)) {
      throw new RangeError(
        `relabelSegments: expected integer segment ids, received ${v} at ` +
          `pixel ${i}`,
      );
    }
    ids.add(v);
  }
  const order = new Map([...ids].sort((a, b) => a - b).map((v, i) => [v, i]));
  const labels = Int32Array.from(flat, (v) => order.get(v) as number);
  return { labels, count: order.size, height, width };
}
