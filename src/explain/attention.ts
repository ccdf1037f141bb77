/**
 * Attention maps and attention rollout. These describe where a model's
 * attention layers looked; they are not attributions (weights can be high
 * on inputs that do not change the output, and the other way round).
 */
import * as tf from '@tensorflow/tfjs-core';

import { ShapeError, describe, formatShape } from '../internal/errors';

/**
 * Attention weights as a fusion or transformer layer returns them:
 * `[batch, heads, queries, keys]` (or `[batch, queries, keys]`), as a
 * tensor or nested arrays.
 */
export type AttentionWeights = tf.Tensor | number[][][][] | number[][][];

/** A per-example mask: `[batch, length]`, 1 = real position, 0 = padding. */
export type PositionMask = tf.Tensor | number[][];

/** Options of {@link explainAttention}. */
export interface AttentionOptions {
  /** Which keys are real, per example. @defaultValue all */
  keyMask?: PositionMask;
  /** Which queries are real, per example. @defaultValue all */
  queryMask?: PositionMask;
  /**
   * How heads are combined: their `'mean'`, their `'max'`, or one head by
   * index. @defaultValue 'mean'
   */
  heads?: 'mean' | 'max' | number;
  /** Labels of the query positions (before padding is removed). */
  queryLabels?: string[];
  /** Labels of the key positions (before padding is removed). */
  keyLabels?: string[];
}

/** One example's attention map, padding removed. */
export interface AttentionMap {
  /** Weights `[queries][keys]` over the real positions. */
  values: number[][];
  /** Original positions of the rows. */
  queryIndex: number[];
  /** Original positions of the columns. */
  keyIndex: number[];
  /** Row labels. */
  queryLabels: string[];
  /** Column labels. */
  keyLabels: string[];
}

/**
 * Per-example attention maps with padded queries and keys removed, heads
 * combined. The maps are descriptive: they show where attention went, not
 * how much each input changed the output (use the Shapley explainers or
 * Integrated Gradients for that).
 *
 * @example
 * ```ts
 * // weights [batch, heads, queries, keys] from a cross-attention layer
 * const maps = await explainAttention(weights, { keyMask: newsMask });
 * const svg = renderAttentionHeatmap(maps[0]);
 * ```
 * @param weights - See {@link AttentionWeights}.
 * @param options - See {@link AttentionOptions}.
 * @returns One map per example.
 * @throws ShapeError when the weights are not rank 3 or 4 or a mask does
 *   not fit them; RangeError for a head index out of range.
 */
export async function explainAttention(
  weights: AttentionWeights,
  options: AttentionOptions = {},
): Promise<AttentionMap[]> {
  const where = 'explainAttention';
  const w = await headsCombined(where, weights, options.heads ?? 'mean');
  const [batch, queries, keys] = w.shape;
  const qMask = await maskRows(
    where,
    'queryMask',
    options.queryMask,
    batch,
    queries,
  );
  const kMask = await maskRows(where, 'keyMask', options.keyMask, batch, keys);
  const qLabels = labels(
    where,
    'queryLabels',
    options.queryLabels,
    queries,
    'q',
  );
  const kLabels = labels(where, 'keyLabels', options.keyLabels, keys, 'k');
  return w.values.map((m, b) => {
    const qi = realPositions(qMask[b]!);
    const ki = realPositions(kMask[b]!);
    return {
      values: qi.map((q) => ki.map((k) => m[q]![k]!)),
      queryIndex: qi,
      keyIndex: ki,
      queryLabels: qi.map((q) => qLabels[q]!),
      keyLabels: ki.map((k) => kLabels[k]!),
    };
  });
}

/** Options of {@link explainAttentionRollout}. */
export interface RolloutOptions {
  /** Which positions are real, per example. @defaultValue all */
  mask?: PositionMask;
  /** How heads are combined per layer. @defaultValue 'mean' */
  heads?: 'mean' | 'max' | number;
  /** Labels of the positions (before padding is removed). */
  labels?: string[];
}

/**
 * Attention rollout (Abnar and Zuidema 2020) through a stack of
 * self-attention layers: per layer, heads combined, padded positions
 * removed and rows renormalised, the residual connection added as the
 * identity, Â = (A + I) / 2; the rollout is Â_L ⋯ Â_1, row i giving how
 * much position i at the top draws on each input position. Descriptive,
 * like the maps it is built from.
 *
 * @param layers - Self-attention weights of each layer, first layer first,
 *   each `[batch, heads, length, length]` or `[batch, length, length]`.
 * @param options - See {@link RolloutOptions}.
 * @returns One `[length][length]` map per example, padding removed.
 * @throws ShapeError when the layers differ in shape or are not square.
 * @see Abnar and Zuidema (2020), Quantifying attention flow in
 *   transformers, ACL.
 */
export async function explainAttentionRollout(
  layers: AttentionWeights[],
  options: RolloutOptions = {},
): Promise<AttentionMap[]> {
  const where = 'explainAttentionRollout';
  if (!Array.isArray(layers) || layers.length === 0) {
    throw new TypeError(
      `${where}: expected a non-empty list of layers' weights, received ` +
        describe(layers),
    );
  }
  const combined: Combined[] = [];
  for (const layer of layers) {
    combined.push(await headsCombined(where, layer, options.heads ?? 'mean'));
  }
  const [batch, length, keys] = combined[0]!.shape;
  combined.forEach((c, i) => {
    if (c.shape.join() !== [batch, length, length].join() || keys !== length) {
      throw new ShapeError(
        `${where}: expected every layer's weights to be square and of one ` +
          `shape [${batch}, heads, ${length}, ${length}], received ` +
          `${formatShape(c.shape)} at layer ${i}`,
      );
    }
  });
  const mask = await maskRows(where, 'mask', options.mask, batch, length);
  const names = labels(where, 'labels', options.labels, length, 'p');
  return Array.from({ length: batch }, (_, b) => {
    const idx = realPositions(mask[b]!);
    const n = idx.length;
    let rollout = identity(n);
    for (const c of combined) {
      const a = idx.map((q) => idx.map((k) => c.values[b]![q]![k]!));
      const step = a.map((row, i) => {
        const s = row.reduce((x, y) => x + y, 0);
        return row.map((v, j) => ((s > 0 ? v / s : 0) + (i === j ? 1 : 0)) / 2);
      });
      rollout = multiply(step, rollout);
    }
    return {
      values: rollout,
      queryIndex: idx,
      keyIndex: idx,
      queryLabels: idx.map((i) => names[i]!),
      keyLabels: idx.map((i) => names[i]!),
    };
  });
}

interface Combined {
  shape: [number, number, number];
  values: number[][][];
}

async function headsCombined(
  where: string,
  weights: AttentionWeights,
  heads: 'mean' | 'max' | number,
): Promise<Combined> {
  const t = weights instanceof tf.Tensor ? weights : tf.tensor(weights);
  try {
    if (t.rank !== 3 && t.rank !== 4) {
      throw new ShapeError(
        `${where}: expected weights [batch, heads, queries, keys] or ` +
          `[batch, queries, keys], received ${formatShape(t.shape)}`,
      );
    }
    const h = t.rank === 4 ? (t.shape[1] as number) : 1;
    if (
      typeof heads === 'number' &&
      (!Number.isInteger(heads) || heads < 0 || heads >= h)
    ) {
      throw new RangeError(
        `${where}: expected heads in [0, ${h - 1}], 'mean' or 'max', ` +
          `received ${describe(heads)}`,
      );
    }
    const c = tf.tidy(() => {
      if (t.rank === 3) return tf.cast(t, 'float32');
      if (heads === 'mean') return tf.mean(t, 1);
      if (heads === 'max') return tf.max(t, 1);
      const [b, , q, k] = t.shape as number[];
      return tf.reshape(tf.slice(t, [0, heads, 0, 0], [b!, 1, q!, k!]), [
        b!,
        q!,
        k!,
      ]);
    });
    const values = (await c.array()) as number[][][];
    const shape = c.shape as [number, number, number];
    c.dispose();
    return { shape, values };
  } finally {
    if (t !== weights) t.dispose();
  }
}

async function maskRows(
  where: string,
  name: string,
  mask: PositionMask | undefined,
  batch: number,
  length: number,
): Promise<number[][]> {
  if (mask === undefined) {
    return Array.from({ length: batch }, () =>
      new Array<number>(length).fill(1),
    );
  }
  const rows =
    mask instanceof tf.Tensor ? ((await mask.array()) as number[][]) : mask;
  const ok =
    Array.isArray(rows) &&
    rows.length === batch &&
    rows.every((r) => Array.isArray(r) && r.length === length);
  if (!ok) {
    throw new ShapeError(
      `${where}: expected ${name} of shape [${batch},${length}], received ` +
        (mask instanceof tf.Tensor ? formatShape(mask.shape) : describe(mask)),
    );
  }
  return rows;
}

function labels(
  where: string,
  name: string,
  given: string[] | undefined,
  n: number,
  prefix: string,
): string[] {
  if (given === undefined)
    return Array.from({ length: n }, (_, i) => `${prefix}${i}`);
  if (given.length !== n) {
    throw new RangeError(
      `${where}: expected ${n} ${name}, received ${given.length}`,
    );
  }
  return given;
}

function realPositions(mask: number[]): number[] {
  return mask.flatMap((v, i) => (v !== 0 ? [i] : []));
}

function identity(n: number): number[][] {
  return Array.from({ length: n }, (_, i) =>
    Array.from({ length: n }, (_, j) => (i === j ? 1 : 0)),
  );
}

function multiply(a: number[][], b: number[][]): number[][] {
  const n = b[0]?.length ?? 0;
  return a.map((row) =>
    Array.from({ length: n }, (_, j) =>
      row.reduce((s, v, k) => s + v * b[k]![j]!, 0),
    ),
  );
}
