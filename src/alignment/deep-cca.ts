/**
 * The Deep CCA objective: the total (or top-k) canonical correlation
 * between two batches of network outputs, differentiable with tfjs ops
 * only.
 */
import * as tf from '@tensorflow/tfjs-core';

import { assertInRange, assertInteger } from '../internal/assert';
import { ShapeError, formatShapes } from '../internal/errors';
import { inverseSqrt, polarFactor, topSubspace } from './matrix-functions';

/** Options of {@link deepCcaCorrelation} and {@link deepCcaLoss}. */
export interface DeepCcaOptions {
  /** Ridge added to the diagonal of Σ₁₁. @defaultValue 1e-3 */
  r1?: number;
  /** Ridge added to the diagonal of Σ₂₂. @defaultValue 1e-3 */
  r2?: number;
  /**
   * Sum only the `k` largest canonical correlations (the top-k objective);
   * omit for all of them (the total correlation).
   * @defaultValue min(o₁, o₂)
   */
  k?: number;
  /**
   * Newton–Schulz steps for each inverse square root and for the polar
   * factor. 30 steps resolve covariance condition numbers up to about 1e9
   * and canonical correlations down to about 1e-5.
   * @defaultValue 30
   */
  iterations?: number;
  /**
   * Orthogonal-iteration steps that find the top-k singular subspace (only
   * with `k` below min(o₁, o₂)); its angle error shrinks by
   * `(sₖ₊₁ / sₖ)⁴` per step, so 50 steps resolve `sₖ₊₁ / sₖ` up to about
   * 0.92 to 1e-7. Closer singular values leave the subspace mixed, which
   * changes the value only to second order (the top-k sum is not
   * differentiable where `sₖ = sₖ₊₁`).
   * @defaultValue 50
   */
  subspaceIterations?: number;
}

/**
 * The Deep CCA objective (Andrew et al. 2013): the sum of the canonical
 * correlations between two views' batch outputs `H₁` `[m, o₁]` and `H₂`
 * `[m, o₂]` (rows are samples).
 *
 * With centred `H̄ᵢ`, `Σ₁₁ = H̄₁ᵀH̄₁/(m−1) + r₁I`, `Σ₂₂ = H̄₂ᵀH̄₂/(m−1) + r₂I`,
 * `Σ₁₂ = H̄₁ᵀH̄₂/(m−1)` and `T = Σ₁₁^{-1/2} Σ₁₂ Σ₂₂^{-1/2} = U diag(s) Vᵀ`,
 * the value is `corr = Σᵢ sᵢ` (the nuclear norm of `T`), or the sum of the
 * `k` largest `sᵢ` with `k` set.
 *
 * Method (no SVD or eigendecomposition; tfjs has neither): the inverse
 * square roots come from the coupled Newton–Schulz iteration, and the
 * correlation is `corr = trace(Tᵀ P)` with `P = U Vᵀ` the polar factor of
 * `T`, also from a Newton–Schulz iteration. For top-k, `P` is restricted to
 * the dominant right singular subspace `Q` (orthogonal iteration on `TᵀT`):
 * `Pₖ = P Q Qᵀ = Uₖ Vₖᵀ`. The gradient is the closed form of the paper,
 * supplied through `tf.customGrad` rather than by differentiating the
 * iterations: with `A = Σ₁₁^{-1/2}`, `B = Σ₂₂^{-1/2}`,
 * `∇₁₂ = A Pₖ B`, `∇₁₁ = −½ A (T Pₖᵀ) A` (`T Pₖᵀ = Uₖ diag(sₖ) Uₖᵀ`) and
 * `∇₂₂ = −½ B (Pₖᵀ T) B`,
 * `∂corr/∂H₁ = (2 H̄₁ ∇₁₁ + H̄₂ ∇₁₂ᵀ)/(m−1)` and
 * `∂corr/∂H₂ = (2 H̄₂ ∇₂₂ + H̄₁ ∇₁₂)/(m−1)`.
 *
 * Accuracy (float32, against the float64 reference of the 32 x 4 case in
 * dcca.json): total and top-2 values within 1.1e-7 on cpu and 6e-7 on
 * wasm, gradients within 4e-8 on both; see docs/guides/alignment.md.
 * Where a canonical correlation is exactly 0 (a constant column with a
 * ridge) the nuclear norm is not differentiable; the gradient returned there
 * is finite (that component contributes zero), never NaN. Canonical
 * correlations below about 1e-5 receive a damped gradient, since the polar
 * iteration has not lifted them to 1 within the step budget.
 *
 * @example
 * ```ts
 * const corr = deepCcaCorrelation(h1, h2, { r1: 1e-3, r2: 1e-3 });
 * const { value, grads } = tf.variableGrads(() => deepCcaLoss(f(x1), g(x2)));
 * ```
 * @see Andrew, Arora, Bilmes and Livescu (2013), Deep Canonical Correlation
 * Analysis, ICML.
 * @see Hotelling (1936), Relations between two sets of variates,
 * Biometrika 28.
 * @param h1 - First view's outputs, `[m, o₁]`.
 * @param h2 - Second view's outputs, `[m, o₂]`.
 * @param options - See {@link DeepCcaOptions}.
 * @returns The correlation, a scalar (to maximise).
 * @throws ShapeError when an input is not rank 2, the batch sizes differ or
 *   the batch is not larger than o₁ and o₂; RangeError for a negative or
 *   non-finite ridge, or `k` outside [1, min(o₁, o₂)].
 */
export function deepCcaCorrelation(
  h1: tf.Tensor,
  h2: tf.Tensor,
  options: DeepCcaOptions = {},
): tf.Scalar {
  const config = checkArgs('deepCcaCorrelation', h1, h2, options);
  return correlationOp(config)(h1, h2) as tf.Scalar;
}

/**
 * The Deep CCA loss to minimise: `−corr` of {@link deepCcaCorrelation}.
 *
 * @param h1 - First view's outputs, `[m, o₁]`.
 * @param h2 - Second view's outputs, `[m, o₂]`.
 * @param options - See {@link DeepCcaOptions}.
 * @returns The negative correlation, a scalar.
 * @throws As {@link deepCcaCorrelation}.
 */
export function deepCcaLoss(
  h1: tf.Tensor,
  h2: tf.Tensor,
  options: DeepCcaOptions = {},
): tf.Scalar {
  const config = checkArgs('deepCcaLoss', h1, h2, options);
  return tf.tidy(() => tf.neg(correlationOp(config)(h1, h2) as tf.Scalar));
}

interface Config {
  r1: number;
  r2: number;
  k: number | null;
  iterations: number;
  subspaceIterations: number;
}

function correlationOp(config: Config) {
  return tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [h1, h2, save] = args as [tf.Tensor2D, tf.Tensor2D, tf.GradSaveFunc];
    const m = h1.shape[0];
    const o1 = h1.shape[1];
    const o2 = h2.shape[1];

    // Centre, then covariances with ridges. [m, o]
    const h1c = tf.sub(h1, tf.mean(h1, 0, true)) as tf.Tensor2D;
    const h2c = tf.sub(h2, tf.mean(h2, 0, true)) as tf.Tensor2D;
    const scale = 1 / (m - 1);
    const cov = (x: tf.Tensor2D, r: number, o: number) =>
      tf.add(tf.mul(tf.matMul(x, x, true, false), scale), tf.mul(tf.eye(o), r));
    const s11 = cov(h1c, config.r1, o1);
    const s22 = cov(h2c, config.r2, o2);
    const s12 = tf.mul(tf.matMul(h1c, h2c, true, false), scale) as tf.Tensor2D;

    // Both inverse square roots in one batched iteration when o₁ = o₂.
    let a: tf.Tensor2D;
    let b: tf.Tensor2D;
    if (o1 === o2) {
      const both = inverseSqrt(
        tf.stack([s11, s22]) as tf.Tensor3D,
        config.iterations,
      );
      [a, b] = tf.unstack(both) as [tf.Tensor2D, tf.Tensor2D];
    } else {
      const one = (s: tf.Tensor) =>
        tf.squeeze<tf.Tensor2D>(
          inverseSqrt(tf.expandDims(s, 0) as tf.Tensor3D, config.iterations),
          [0],
        );
      a = one(s11);
      b = one(s22);
    }

    // T = A Σ₁₂ B [o₁, o₂]; G = ∂corr/∂T = Uₖ Vₖᵀ.
    const t = tf.matMul(tf.matMul(a, s12), b) as tf.Tensor2D;
    let g: tf.Tensor2D = polarFactor(t, config.iterations);
    if (config.k !== null) {
      const q = topSubspace(
        tf.matMul(t, t, true, false),
        config.k,
        config.subspaceIterations,
      );
      g = tf.matMul(g, tf.matMul(q, q, false, true)) as tf.Tensor2D;
    }
    const value = tf.sum(tf.mul(t, g)) as tf.Scalar;
    save([h1c, h2c, a, b, t, g]);

    const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [sh1c, sh2c, sa, sb, st, sg] = saved as tf.Tensor2D[];
      const sym = (x: tf.Tensor2D) => tf.mul(tf.add(x, tf.transpose(x)), 0.5);
      // ∇₁₂ [o₁, o₂], ∇₁₁ [o₁, o₁], ∇₂₂ [o₂, o₂]
      const d12 = tf.matMul(tf.matMul(sa!, sg!), sb!);
      const d11 = tf.mul(
        tf.matMul(tf.matMul(sa!, sym(tf.matMul(st!, sg!, false, true))), sa!),
        -0.5,
      );
      const d22 = tf.mul(
        tf.matMul(tf.matMul(sb!, sym(tf.matMul(sg!, st!, true, false))), sb!),
        -0.5,
      );
      const factor = tf.mul(dy, scale);
      const g1 = tf.add(
        tf.mul(tf.matMul(sh1c!, d11 as tf.Tensor2D), 2),
        tf.matMul(sh2c!, d12, false, true),
      );
      const g2 = tf.add(
        tf.mul(tf.matMul(sh2c!, d22 as tf.Tensor2D), 2),
        tf.matMul(sh1c!, d12),
      );
      return [tf.mul(g1, factor), tf.mul(g2, factor)];
    };
    return { value, gradFunc };
  });
}

function checkArgs(
  where: string,
  h1: tf.Tensor,
  h2: tf.Tensor,
  options: DeepCcaOptions,
): Config {
  if (!(h1 instanceof tf.Tensor) || !(h2 instanceof tf.Tensor)) {
    throw new TypeError(
      `${where}: expected h1 and h2 to be tensors, received ` +
        `${typeof h1} and ${typeof h2}`,
    );
  }
  if (h1.rank !== 2 || h2.rank !== 2 || h1.shape[0] !== h2.shape[0]) {
    throw new ShapeError(
      `${where}: expected h1 [m, o1] and h2 [m, o2] with the same batch ` +
        `size m, received shapes ${formatShapes([h1.shape, h2.shape])}`,
    );
  }
  const m = h1.shape[0] as number;
  const o = Math.max(h1.shape[1] as number, h2.shape[1] as number);
  if (m <= o) {
    throw new ShapeError(
      `${where}: expected a batch larger than the output size ${o} ` +
        `(the covariances are ${o} x ${o}), received a batch of ${m}`,
    );
  }
  const r1 = options.r1 ?? 1e-3;
  const r2 = options.r2 ?? 1e-3;
  assertInRange(where, 'r1', r1, 0, Number.MAX_VALUE);
  assertInRange(where, 'r2', r2, 0, Number.MAX_VALUE);
  const smaller = Math.min(h1.shape[1] as number, h2.shape[1] as number);
  let k: number | null = null;
  if (options.k !== undefined) {
    assertInteger(where, 'k', options.k, 1);
    if (options.k > smaller) {
      throw new RangeError(
        `${where}: expected k in [1, ${smaller}] (min(o1, o2)), ` +
          `received ${options.k}`,
      );
    }
    k = options.k < smaller ? options.k : null;
  }
  const iterations = options.iterations ?? 30;
  const subspaceIterations = options.subspaceIterations ?? 50;
  assertInteger(where, 'iterations', iterations, 1);
  assertInteger(where, 'subspaceIterations', subspaceIterations, 0);
  return { r1, r2, k, iterations, subspaceIterations };
}
