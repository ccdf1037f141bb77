/**
 * Values of coalitions: the model's output averaged over background rows,
 * with the players of a coalition taken from the explained sample. The
 * synthetic rows are streamed in chunks of at most `batchSize` rows, so
 * memory stays bounded whatever the numbers of coalitions and background
 * rows, and each chunk is one prediction call.
 */
import * as tf from '@tensorflow/tfjs-core';

import type { HostBackground } from './background';
import type { InputLayout, ModelRunner } from './model-adapter';
import type { ResolvedPlayers } from './players';

/** What every coalition evaluation of one explanation shares. */
export interface CoalitionContext {
  /** Runs the model. */
  runner: ModelRunner;
  /** The inputs. */
  layout: InputLayout;
  /** The players. */
  players: ResolvedPlayers;
  /** The background. */
  background: HostBackground;
  /** Rows per prediction call. */
  batchSize: number;
  /** Called after each chunk with the coalitions done so far. */
  onProgress?: (done: number, total: number) => void;
}

/**
 * Evaluates coalitions for one sample.
 *
 * @param ctx - See {@link CoalitionContext}.
 * @param x - The sample's data per input.
 * @param masks - `[coalitions, players]` row-major, 1 = from the sample.
 * @param count - Number of coalitions.
 * @returns `[coalitions, outputs]` row-major: the weighted mean output.
 */
export async function coalitionValues(
  ctx: CoalitionContext,
  x: Record<string, Float32Array | Int32Array>,
  masks: Uint8Array,
  count: number,
): Promise<{ values: Float64Array; outputs: number }> {
  const { layout, players, background, batchSize } = ctx;
  const B = background.rows;
  const bChunk = Math.min(B, batchSize);
  const cChunk = Math.max(1, Math.floor(batchSize / bChunk));
  let values: Float64Array | null = null;
  let outputs = 0;
  let done = 0;
  const total = count * Math.ceil(B / bChunk);

  // Fixed inputs are one row shared by every synthetic row.
  const fixed: Record<string, tf.Tensor> = {};
  for (const s of layout.inputs) {
    if (players.assignment[s.name] != null) continue;
    fixed[s.name] = tf.tensor(x[s.name]!, [1, ...s.shape], s.dtype);
  }
  try {
    for (let b0 = 0; b0 < B; b0 += bChunk) {
      const b = Math.min(bChunk, B - b0);
      for (let c0 = 0; c0 < count; c0 += cChunk) {
        const c = Math.min(cChunk, count - c0);
        const out = await runChunk(ctx, x, fixed, masks, c0, c, b0, b);
        const width = out.length / (c * b);
        if (values === null) {
          outputs = width;
          values = new Float64Array(count * width);
        }
        // Weighted mean over the background rows of this chunk.
        for (let ci = 0; ci < c; ci++) {
          const row = (c0 + ci) * width;
          for (let bi = 0; bi < b; bi++) {
            const w = background.weights[b0 + bi] as number;
            const at = (ci * b + bi) * width;
            for (let o = 0; o < width; o++) {
              values[row + o] =
                (values[row + o] as number) + w * (out[at + o] as number);
            }
          }
        }
        done += c;
        ctx.onProgress?.(done, total);
      }
    }
  } finally {
    tf.dispose(Object.values(fixed));
  }
  return { values: values ?? new Float64Array(0), outputs };
}

/**
 * Builds the synthetic rows of `c` coalitions × `b` background rows on the
 * host (a copy per element, no per-element tensor ops) and predicts them.
 */
async function runChunk(
  ctx: CoalitionContext,
  x: Record<string, Float32Array | Int32Array>,
  fixed: Record<string, tf.Tensor>,
  masks: Uint8Array,
  c0: number,
  c: number,
  b0: number,
  b: number,
): Promise<Float32Array> {
  const { layout, players, background } = ctx;
  const P = players.count;
  const rows: Record<string, tf.Tensor> = {};
  try {
    for (const s of layout.inputs) {
      const a = players.assignment[s.name];
      if (a == null) {
        rows[s.name] = fixed[s.name] as tf.Tensor;
        continue;
      }
      const size = s.size;
      const xs = x[s.name] as Float32Array | Int32Array;
      const bg = background.data[s.name] as Float32Array | Int32Array;
      const data =
        xs instanceof Int32Array
          ? new Int32Array(c * b * size)
          : new Float32Array(c * b * size);
      const take: number[] = [];
      for (let ci = 0; ci < c; ci++) {
        // Elements this coalition takes from the sample.
        const base = (c0 + ci) * P;
        take.length = 0;
        for (let e = 0; e < size; e++) {
          const p = a[e] as number;
          if (p < 0 || masks[base + p] === 1) take.push(e);
        }
        for (let bi = 0; bi < b; bi++) {
          const at = (ci * b + bi) * size;
          const from = (b0 + bi) * size;
          data.set(bg.subarray(from, from + size), at);
          for (const e of take) data[at + e] = xs[e] as number;
        }
      }
      rows[s.name] = tf.tensor(data, [c * b, ...s.shape], s.dtype);
    }
    return await ctx.runner.run(rows);
  } finally {
    for (const s of layout.inputs) {
      if (rows[s.name] !== fixed[s.name]) rows[s.name]?.dispose();
    }
  }
}
