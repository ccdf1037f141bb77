/**
 * The CLIP symmetric InfoNCE loss between two batches of paired embeddings.
 */
import * as tf from '@tensorflow/tfjs-core';

import { assertInRange } from '../internal/assert';
import {
  ShapeError,
  describe,
  formatShape,
  formatShapes,
} from '../internal/errors';

/** The scale CLIP starts from: `1 / 0.07`, a temperature of 0.07. */
export const CLIP_INITIAL_SCALE = 1 / 0.07;

/** The largest logit scale CLIP uses: 100. */
export const CLIP_MAX_SCALE = 100;

/** Options of {@link clipLoss} and {@link clipLossTerms}. */
export interface ClipLossOptions {
  /**
   * The natural log of the logit scale (the learnable parameter, e.g.
   * {@link LogitScale.logScale}); the scale used is
   * `min(exp(logScale), maxScale)`.
   * @defaultValue ln(1 / 0.07)
   */
  logScale?: tf.Scalar | number;
  /** Upper bound of the scale, applied before use. @defaultValue 100 */
  maxScale?: number;
  /**
   * `[batch, batch]`, 1 where rows `i` and `j` hold the same item (the
   * diagonal may be 0 or 1). Such pairs are left out of each other's
   * denominators instead of counted as negatives; the numerator is always
   * the row's own pair. Build one from item ids with
   * {@link positiveMaskFromIds}.
   */
  positiveMask?: tf.Tensor2D;
}

/** The parts of the loss that {@link clipLossTerms} returns. */
export interface ClipLossTerms {
  /** The symmetric loss, a scalar. */
  loss: tf.Scalar;
  /** `[batch, batch]`, `scale · âᵢ · b̂ⱼ`. */
  logits: tf.Tensor2D;
  /** `[batch]`, the cross-entropy of each row of a against all of b. */
  rowLossesAtoB: tf.Tensor1D;
  /** `[batch]`, the cross-entropy of each row of b against all of a. */
  rowLossesBtoA: tf.Tensor1D;
  /** The scale used, after the clamp, a scalar. */
  scale: tf.Scalar;
}

/**
 * The CLIP loss (symmetric InfoNCE) of paired embeddings: row `i` of `a`
 * goes with row `i` of `b`, every other row of the batch is a negative.
 *
 * `âᵢ = aᵢ / ‖aᵢ‖`, `b̂ⱼ = bⱼ / ‖bⱼ‖`,
 * `s = min(exp(logScale), maxScale)`, `Lᵢⱼ = s âᵢ·b̂ⱼ`,
 * `ℓᵢ(a→b) = log Σⱼ exp Lᵢⱼ − Lᵢᵢ`, `ℓᵢ(b→a) = log Σⱼ exp Lⱼᵢ − Lᵢᵢ`,
 * `loss = (meanᵢ ℓᵢ(a→b) + meanᵢ ℓᵢ(b→a)) / 2`. With a positive mask `P`,
 * the sums run over `j = i` and the `j` with `Pᵢⱼ = 0`.
 *
 * Numerics: each log-sum-exp subtracts its row maximum, so large scales
 * never overflow; the clamp happens on `logScale` before `exp`, so the
 * gradient with respect to a clamped `logScale` is 0, never NaN; rows are
 * normalised as `a / max(‖a‖, 1e-12)`, so an all-zero row gives finite
 * values and gradients.
 *
 * @example
 * ```ts
 * const scale = logitScale();
 * const loss = clipLoss(imageEmbeddings, textEmbeddings, {
 *   logScale: scale.logScale(),
 * });
 * ```
 * @see Radford et al. (2021), Learning Transferable Visual Models From
 * Natural Language Supervision, ICML (CLIP).
 * @see van den Oord, Li and Vinyals (2018), Representation Learning with
 * Contrastive Predictive Coding (InfoNCE).
 * @param a - First modality's embeddings, `[batch, dim]`.
 * @param b - Second modality's embeddings, `[batch, dim]`.
 * @param options - See {@link ClipLossOptions}.
 * @returns The loss, a scalar.
 * @throws ShapeError when `a` and `b` are not `[batch, dim]` of one shape
 *   with batch >= 1, or the mask is not `[batch, batch]`; RangeError for a
 *   non-finite `logScale` number or a `maxScale` that is not positive and
 *   finite.
 */
export function clipLoss(
  a: tf.Tensor,
  b: tf.Tensor,
  options: ClipLossOptions = {},
): tf.Scalar {
  return tf.tidy(() => {
    const { logits, diagonal, keep } = prepare('clipLoss', a, b, options);
    // Both directions' log-sum-exp with a closed-form softmax gradient.
    const lse = symmetricLogSumExp(keep)(logits) as tf.Scalar;
    return tf.sub(lse, tf.mean(diagonal)) as tf.Scalar;
  });
}

/**
 * Like {@link clipLoss}, but returns the loss with its parts: the logits,
 * each row's loss in both directions and the clamped scale. The caller
 * disposes the returned tensors.
 *
 * @param a - First modality's embeddings, `[batch, dim]`.
 * @param b - Second modality's embeddings, `[batch, dim]`.
 * @param options - See {@link ClipLossOptions}.
 * @returns See {@link ClipLossTerms}.
 * @throws As {@link clipLoss}.
 */
export function clipLossTerms(
  a: tf.Tensor,
  b: tf.Tensor,
  options: ClipLossOptions = {},
): ClipLossTerms {
  const terms = tf.tidy(() => {
    const t = prepare('clipLossTerms', a, b, options);
    const atoB = tf.sub(maskedLogSumExp(t.logits, t.keep, 1), t.diagonal);
    const btoA = tf.sub(maskedLogSumExp(t.logits, t.keep, 0), t.diagonal);
    const loss = tf.mul(tf.add(tf.mean(atoB), tf.mean(btoA)), 0.5);
    return [loss, t.logits, atoB, btoA, t.scale];
  });
  const [loss, logits, rowLossesAtoB, rowLossesBtoA, scale] = terms;
  return {
    loss: loss as tf.Scalar,
    logits: logits as tf.Tensor2D,
    rowLossesAtoB: rowLossesAtoB as tf.Tensor1D,
    rowLossesBtoA: rowLossesBtoA as tf.Tensor1D,
    scale: scale as tf.Scalar,
  };
}

/**
 * The positive mask of a batch from the item id of each row: `P[i][j] = 1`
 * when rows `i` and `j` hold the same item (so `P[i][i] = 1`).
 *
 * @param ids - One id per row; equal ids mean the same item.
 * @returns `[batch, batch]` float32 mask.
 * @throws RangeError for an empty list.
 */
export function positiveMaskFromIds(
  ids: readonly (string | number)[],
): tf.Tensor2D {
  if (!Array.isArray(ids) || ids.length === 0) {
    throw new RangeError(
      `positiveMaskFromIds: expected a non-empty array of ids, received ` +
        describe(ids),
    );
  }
  const n = ids.length;
  const values = new Float32Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) values[i * n + j] = ids[i] === ids[j] ? 1 : 0;
  }
  return tf.tensor2d(values, [n, n]);
}

/**
 * L2-normalises the rows of a matrix, `x / max(‖x‖, 1e-12)` row-wise, so
 * zero rows stay zero and their gradient stays finite.
 *
 * @param x - `[batch, dim]`.
 * @returns `[batch, dim]` with unit (or zero) rows.
 */
export function normalizeRows(x: tf.Tensor): tf.Tensor2D {
  return tf.tidy(() => {
    const squares = tf.sum(tf.square(x), 1, true);
    return tf.mul(x, tf.rsqrt(tf.maximum(squares, 1e-24))) as tf.Tensor2D;
  });
}

/** Stand-in logit of a left-out pair: its exp vanishes next to a logit. */
const NEGATIVE_FILL = -1e30;

interface Prepared {
  /** `[batch, batch]`, `s âᵢ·b̂ⱼ`. */
  logits: tf.Tensor2D;
  /** `[batch]`, `Lᵢᵢ`. */
  diagonal: tf.Tensor1D;
  /** `[batch, batch]` pairs kept in the denominators, or null for all. */
  keep: tf.Tensor2D | null;
  /** The clamped scale. */
  scale: tf.Scalar;
}

function prepare(
  where: string,
  a: tf.Tensor,
  b: tf.Tensor,
  options: ClipLossOptions,
): Prepared {
  checkEmbeddings(where, a, b);
  const n = a.shape[0] as number;
  const maxScale = options.maxScale ?? CLIP_MAX_SCALE;
  assertInRange(
    where,
    'maxScale',
    maxScale,
    Number.MIN_VALUE,
    Number.MAX_VALUE,
  );
  const logScale = options.logScale ?? Math.log(CLIP_INITIAL_SCALE);
  if (typeof logScale === 'number') {
    assertInRange(
      where,
      'logScale',
      logScale,
      -Number.MAX_VALUE,
      Number.MAX_VALUE,
    );
  } else if (!(logScale instanceof tf.Tensor) || logScale.size !== 1) {
    const received =
      logScale instanceof tf.Tensor
        ? `a tensor of shape ${formatShape(logScale.shape)}`
        : describe(logScale);
    throw new TypeError(
      `${where}: expected logScale to be a number or a scalar tensor, ` +
        `received ${received}`,
    );
  }
  const mask = options.positiveMask;
  if (
    mask !== undefined &&
    (mask.rank !== 2 || mask.shape[0] !== n || mask.shape[1] !== n)
  ) {
    throw new ShapeError(
      `${where}: expected positiveMask of shape [${n},${n}], received ` +
        formatShape(mask.shape),
    );
  }

  // Clamp before exp, so a clamped logScale gets gradient 0, not NaN.
  const scale = tf.exp(
    tf.minimum(tf.reshape(logScale, []), Math.log(maxScale)),
  ) as tf.Scalar;
  const an = normalizeRows(a);
  const bn = normalizeRows(b);
  // [batch, batch] and its diagonal as row-wise dot products, [batch].
  const logits = tf.mul(tf.matMul(an, bn, false, true), scale) as tf.Tensor2D;
  const diagonal = tf.mul(tf.sum(tf.mul(an, bn), 1), scale) as tf.Tensor1D;
  // Pairs kept in each denominator: the diagonal and the non-positives.
  const keep =
    mask === undefined
      ? null
      : (tf.logicalOr(
          tf.equal(mask, 0),
          tf.cast(tf.eye(n), 'bool'),
        ) as tf.Tensor2D);
  return { logits, diagonal, keep, scale };
}

/**
 * `(Σᵢ lseᵢ(rows) + Σⱼ lseⱼ(columns)) / (2n)` of the logits, with the
 * gradient in closed form, `(softmax over rows + softmax over columns) /
 * (2n)`, rather than through the max shifts.
 */
function symmetricLogSumExp(keep: tf.Tensor2D | null) {
  return tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [logits, save] = args as [tf.Tensor2D, tf.GradSaveFunc];
    const n = logits.shape[0];
    const x = masked(logits, keep);
    const rows = maskedLogSumExp(x, null, 1);
    const columns = maskedLogSumExp(x, null, 0);
    const value = tf.div(tf.add(tf.sum(rows), tf.sum(columns)), 2 * n);
    save([x, rows, columns]);
    const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [sx, sr, sc] = saved as [tf.Tensor2D, tf.Tensor1D, tf.Tensor1D];
      const pRows = tf.exp(tf.sub(sx, tf.reshape(sr, [-1, 1])));
      const pColumns = tf.exp(tf.sub(sx, tf.reshape(sc, [1, -1])));
      return tf.mul(tf.add(pRows, pColumns), tf.div(dy, 2 * n));
    };
    return { value: value as tf.Scalar, gradFunc };
  });
}

/** The logits with left-out pairs set far below any logit. */
function masked(logits: tf.Tensor2D, keep: tf.Tensor2D | null): tf.Tensor2D {
  if (keep === null) return logits;
  return tf.where(keep, logits, tf.fill(logits.shape, NEGATIVE_FILL));
}

/** log Σ exp along `axis` over the kept entries, shifted by the maximum. */
function maskedLogSumExp(
  logits: tf.Tensor2D,
  keep: tf.Tensor2D | null,
  axis: 0 | 1,
): tf.Tensor1D {
  const x = masked(logits, keep);
  const max = tf.max(x, axis, true);
  const sum = tf.sum(tf.exp(tf.sub(x, max)), axis);
  return tf.add(tf.log(sum), tf.reshape(max, [-1])) as tf.Tensor1D;
}

function checkEmbeddings(where: string, a: tf.Tensor, b: tf.Tensor): void {
  if (!(a instanceof tf.Tensor) || !(b instanceof tf.Tensor)) {
    throw new TypeError(
      `${where}: expected a and b to be tensors, received ` +
        `${describe(a)} and ${describe(b)}`,
    );
  }
  const ok =
    a.rank === 2 &&
    b.rank === 2 &&
    a.shape[0] === b.shape[0] &&
    a.shape[1] === b.shape[1] &&
    (a.shape[0] as number) >= 1;
  if (!ok) {
    throw new ShapeError(
      `${where}: expected a and b of one shape [batch, dim], received ` +
        `shapes ${formatShapes([a.shape, b.shape])}`,
    );
  }
}
