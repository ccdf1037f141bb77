/**
 * The weights and arithmetic of {@link CrossAttentionFusion}: its
 * projections, the effective key mask, the split into heads, the masked
 * softmax and the output projection.
 *
 * @internal
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';

import type { InitializerName } from '../internal/init';
import { addSeededWeight } from '../internal/layer-utils';
import type { Random } from '../internal/random';
import { dense } from './projections';

/**
 * A kernel and optional bias.
 *
 * @internal
 */
export interface Projection {
  /** Kernel `[d, E]`. */
  kernel: tfl.LayerVariable;
  /** Bias `[E]`, or null without biases. */
  bias: tfl.LayerVariable | null;
}

/**
 * The projections of a cross-attention layer.
 *
 * @internal
 */
export interface AttentionWeights {
  /** Query projection `[d_q, E]`. */
  query: Projection;
  /** Key projection `[d_m, E]` per key modality, in key order. */
  keys: Projection[];
  /** Value projection `[d_m, E]` per key modality, in key order. */
  values: Projection[];
  /** Output projection `[E, E]`. */
  output: Projection;
}

/**
 * Where queries, keys and values come from, and their sizes.
 *
 * @internal
 */
export interface AttentionLayout {
  /** The modalities, sorted. */
  modalities: readonly string[];
  /** Index of the query modality. */
  queryIndex: number;
  /** Modality indices of the keys, in key order. */
  keySources: readonly number[];
  /** Number of heads H. */
  heads: number;
  /** Width E of queries, keys, values and output. */
  width: number;
}

/**
 * Adds the projections to `layer` in a fixed order (query, then key and
 * value per key modality, then output), each kernel before its bias, so
 * a seed always gives the same weights.
 *
 * @param layer - The layer that owns the weights, in its `build()`.
 * @param layout - Query and key modalities and the width E.
 * @param dims - Feature size of each modality, in modality order.
 * @param options - Whether there are biases, the kernels' initialiser and
 *   the seeded generator.
 * @returns The projections.
 *
 * @internal
 */
export function addAttentionWeights(
  layer: tfl.layers.Layer,
  layout: AttentionLayout,
  dims: readonly number[],
  options: {
    useBias: boolean;
    kernelInitializer: InitializerName;
    rng: Random;
  },
): AttentionWeights {
  const e = layout.width;
  const { useBias, kernelInitializer, rng } = options;
  const projection = (name: string, d: number): Projection => ({
    kernel: addSeededWeight(
      layer,
      `${name}_kernel`,
      [d, e],
      kernelInitializer,
      rng,
    ),
    bias: useBias
      ? addSeededWeight(layer, `${name}_bias`, [e], 'zeros', rng)
      : null,
  });

  const query = projection('query', dims[layout.queryIndex] as number);
  const keys: Projection[] = [];
  const values: Projection[] = [];
  for (const i of layout.keySources) {
    const m = layout.modalities[i] as string;
    keys.push(projection(`key_${m}`, dims[i] as number));
    values.push(projection(`value_${m}`, dims[i] as number));
  }
  const output = projection('output', e);
  return { query, keys, values, output };
}

/**
 * The forward pass: projections, masked multi-head attention over the
 * joined keys, and the output projection.
 *
 * @param seqs - Every modality as a sequence `[batch, L, d]`, an absent
 *   query already replaced.
 * @param masks - The key padding mask `[batch, Lk]` and the presence
 *   mask's `[batch, 1]` columns in modality order, each or null.
 * @param w - The projections.
 * @param layout - Query and key modalities, heads and width.
 * @returns The output `[batch·Lq, E]` and the weights
 *   `[batch, H, Lq, Lk]`.
 *
 * @internal
 */
export function crossAttend(
  seqs: readonly tf.Tensor[],
  masks: { keyMask: tf.Tensor | null; columns: tf.Tensor[] | null },
  w: AttentionWeights,
  layout: AttentionLayout,
): { output: tf.Tensor2D; weights: tf.Tensor } {
  const { keySources, heads, width: e } = layout;
  const batch = seqs[0]!.shape[0] as number;

  // Projections [batch, L, E]; the key modalities joined along the steps.
  const xq = seqs[layout.queryIndex]!;
  const q = tf.mul(
    projectSteps(xq, w.query, batch, e),
    1 / Math.sqrt(e / heads),
  );
  const keys = joinSteps(
    keySources.map((i, j) => projectSteps(seqs[i]!, w.keys[j]!, batch, e)),
  );
  const values = joinSteps(
    keySources.map((i, j) => projectSteps(seqs[i]!, w.values[j]!, batch, e)),
  );

  // The effective mask [batch, Lk]: key padding times presence. The
  // context [batch * Lq, E] is then projected; weights [batch, H, Lq, Lk].
  const mask = effectiveKeyMask(masks.keyMask, masks.columns, keySources, seqs);
  const { context, weights } = multiHeadAttention(q, keys, values, mask, heads);
  const output = dense(
    context,
    w.output.kernel.read() as tf.Tensor2D,
    w.output.bias?.read() ?? null,
    'linear',
  );
  return { output, weights };
}

/**
 * Projects a sequence `[batch, L, d]` to `[batch, L, E]` with one fused
 * dense kernel over `[batch·L, d]`.
 */
function projectSteps(
  x: tf.Tensor,
  p: Projection,
  batch: number,
  width: number,
): tf.Tensor3D {
  const [, len, d] = x.shape as [number, number, number];
  const y = dense(
    tf.reshape(x, [batch * len, d]),
    p.kernel.read() as tf.Tensor2D,
    p.bias?.read() ?? null,
    'linear',
  );
  return tf.reshape(y, [batch, len, width]);
}

/**
 * Joins sequences `[batch, L_i, E]` along the steps, in the order given.
 */
function joinSteps(parts: tf.Tensor3D[]): tf.Tensor3D {
  return parts.length === 1 ? parts[0]! : tf.concat(parts, 1);
}

/**
 * The effective key mask `[batch, Lk]`: the key padding mask times the
 * presence of each key's modality, or null when there is neither.
 *
 * @param keyMask - The key padding mask `[batch, Lk]`, or null.
 * @param columns - The presence mask split into `[batch, 1]` columns in
 *   modality order, or null.
 * @param keySources - Modality indices of the keys, in key order.
 * @param seqs - Every modality as a sequence `[batch, L, d]`.
 */
function effectiveKeyMask(
  keyMask: tf.Tensor | null,
  columns: tf.Tensor[] | null,
  keySources: readonly number[],
  seqs: readonly tf.Tensor[],
): tf.Tensor | null {
  let mask = keyMask ? tf.cast(keyMask, 'float32') : null;
  if (columns) {
    const parts = keySources.map((i) => {
      const len = seqs[i]!.shape[1] as number;
      const c = columns[i]!;
      return len === 1 ? c : tf.mul(c, tf.ones([1, len]));
    });
    const present = parts.length === 1 ? parts[0]! : tf.concat(parts, 1);
    mask = mask ? tf.mul(mask, present) : present;
  }
  return mask;
}

/**
 * Scaled-dot-product attention over H heads, from scaled queries
 * `[batch, Lq, E]`, keys and values `[batch, Lk, E]` and an optional mask
 * `[batch, Lk]` (1 attend, 0 masked).
 *
 * Masked keys get weight exactly 0; a row whose keys are all masked gets
 * all-zero weights and a zero context, without NaN in values or
 * gradients.
 *
 * @param q - Queries, already scaled by `1 / √d`.
 * @param keys - Keys, the key modalities' steps joined.
 * @param values - Values, in the order of the keys.
 * @param mask - The effective key mask, or null to attend to every key.
 * @param heads - Number of heads H; must divide E.
 * @returns The heads' contexts joined, `[batch·Lq, E]`, and the weights
 *   `[batch, H, Lq, Lk]`.
 */
function multiHeadAttention(
  q: tf.Tensor,
  keys: tf.Tensor,
  values: tf.Tensor,
  mask: tf.Tensor | null,
  heads: number,
): { context: tf.Tensor2D; weights: tf.Tensor } {
  const [batch, lq] = q.shape as [number, number, number];
  const lk = keys.shape[1] as number;

  // Scores [batch * H, Lq, Lk], softmax over keys.
  const scores = tf.matMul(
    toHeads(q, heads),
    toHeads(keys, heads),
    false,
    true,
  );
  let weights: tf.Tensor; // [batch, H, Lq, Lk]
  if (mask) {
    const m = tf.reshape(mask, [batch, 1, 1, lk]);
    // Finite logits: masked keys sit 1e9 below, so exp() gives exactly
    // 0 for them unless every key is masked; multiplying by the mask
    // then zeroes those rows too, without NaN in values or gradients.
    const logits = tf.add(
      tf.reshape(scores, [batch, heads, lq, lk]),
      tf.mul(tf.sub(m, 1), 1e9),
    );
    weights = tf.mul(tf.softmax(logits), m);
  } else {
    weights = tf.reshape(tf.softmax(scores), [batch, heads, lq, lk]);
  }

  const context = tf.matMul(
    tf.reshape(weights, [batch * heads, lq, lk]),
    toHeads(values, heads),
  ); // [batch * H, Lq, d]
  return { context: fromHeads(context, batch, heads), weights };
}

/** `[batch, L, H·d]` to `[batch·H, L, d]`, head h from columns h·d.. */
function toHeads(x: tf.Tensor, heads: number): tf.Tensor3D {
  const [batch, len, e] = x.shape as [number, number, number];
  if (heads === 1) return x as tf.Tensor3D;
  const d = e / heads;
  const split = tf.transpose(
    tf.reshape(x, [batch, len, heads, d]),
    [0, 2, 1, 3],
  );
  return tf.reshape(split, [batch * heads, len, d]);
}

/** `[batch·H, L, d]` to `[batch·L, H·d]`, heads joined in order. */
function fromHeads(x: tf.Tensor, batch: number, heads: number): tf.Tensor2D {
  const [, len, d] = x.shape as [number, number, number];
  if (heads === 1) return tf.reshape(x, [batch * len, d]);
  const joined = tf.transpose(
    tf.reshape(x, [batch, heads, len, d]),
    [0, 2, 1, 3],
  );
  return tf.reshape(joined, [batch * len, heads * d]);
}
