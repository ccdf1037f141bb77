/**
 * Matrix functions for the Deep CCA objective, built from tfjs matmuls and
 * elementwise ops only, so they run on every backend: tfjs has no
 * eigendecomposition, SVD, inverse or Cholesky.
 *
 * - {@link inverseSqrt}: the symmetric inverse square root of symmetric
 *   positive definite matrices by the coupled Newton–Schulz iteration.
 * - {@link polarFactor}: the orthogonal polar factor `U Vᵀ` of a matrix
 *   `U diag(s) Vᵀ` by the Newton–Schulz polar iteration.
 * - {@link topSubspace}: an orthonormal basis of the dominant `k`-dimensional
 *   eigenspace of a symmetric positive semidefinite matrix by orthogonal
 *   (subspace) iteration with re-orthogonalised Gram–Schmidt.
 *
 * None of them is differentiated by tfjs: the Deep CCA objective supplies
 * the closed-form gradient of Andrew et al. (2013) through `tf.customGrad`.
 *
 * @see Higham (2008), Functions of Matrices: Theory and Computation, SIAM,
 * sections 6.3 (Newton–Schulz for the square root) and 8.3 (for the polar
 * decomposition).
 * @internal
 */
import * as tf from '@tensorflow/tfjs-core';

import { Random } from '../internal/random';

/**
 * Symmetric inverse square roots `S^{-1/2}` of a batch of symmetric
 * positive definite matrices.
 *
 * Coupled Newton–Schulz iteration on `Y₀ = S / c`, `Z₀ = I` with
 * `c = ‖S‖_F` (so every eigenvalue of `Y₀` lies in (0, 1]):
 * `M = (3I − Zₖ Yₖ) / 2`, `Yₖ₊₁ = Yₖ M`, `Zₖ₊₁ = M Zₖ`; `Zₖ → (S/c)^{-1/2}`.
 * An eigenvalue ratio `μ = λ / c` grows by about 2.25 per step until it
 * nears 1, then converges quadratically, so `log(1/μ) / log(2.25) + 5`
 * steps suffice: 22 for a condition number of 1e6.
 *
 * @param s - `[batch, n, n]`, symmetric positive definite.
 * @param iterations - Number of Newton–Schulz steps.
 * @returns `[batch, n, n]`, symmetrised.
 */
export function inverseSqrt(s: tf.Tensor3D, iterations: number): tf.Tensor3D {
  return tf.tidy(() => {
    const [batch, n] = s.shape;
    const eye = tf.broadcastTo<tf.Rank.R3>(tf.eye(n), [batch, n, n]);
    const three = tf.mul(eye, 3);
    // [batch, 1, 1]
    const c = tf.sqrt(tf.sum(tf.square(s), [1, 2], true));
    let y = tf.div<tf.Tensor3D>(s, c);
    let z: tf.Tensor3D = eye;
    for (let i = 0; i < iterations; i++) {
      const m = tf.mul(tf.sub(three, tf.matMul(z, y)), 0.5) as tf.Tensor3D;
      const nextY = tf.matMul(y, m) as tf.Tensor3D;
      const nextZ = tf.matMul(m, z) as tf.Tensor3D;
      tf.dispose([m, y, z === eye ? [] : z]);
      y = nextY;
      z = nextZ;
    }
    const root = tf.div(z, tf.sqrt(c));
    return tf.mul(tf.add(root, tf.transpose(root, [0, 2, 1])), 0.5);
  });
}

/**
 * The orthogonal polar factor `P = U Vᵀ` of `T = U diag(s) Vᵀ`, `[p, q]`.
 *
 * Newton–Schulz polar iteration `Xₖ₊₁ = (3 Xₖ − Xₖ Xₖᵀ Xₖ) / 2` from
 * `X₀ = T`, which converges when every singular value lies in (0, √3);
 * singular values of a canonical-correlation matrix lie in [0, 1]. A
 * singular value `σ` is multiplied by about 1.5 per step until it nears 1,
 * then converges quadratically; `σ = 0` stays 0, so a rank-deficient `T`
 * gives a finite factor that is zero on the null space.
 *
 * @param t - `[p, q]` with singular values in [0, 1].
 * @param iterations - Number of steps.
 * @returns `[p, q]`.
 */
export function polarFactor(t: tf.Tensor2D, iterations: number): tf.Tensor2D {
  return tf.tidy(() => {
    const [p, q] = t.shape;
    let x = t;
    for (let i = 0; i < iterations; i++) {
      // The Gram matrix on the smaller side: X (XᵀX) or (XXᵀ) X.
      const cubic =
        q <= p
          ? tf.matMul(x, tf.matMul(x, x, true, false))
          : tf.matMul(tf.matMul(x, x, false, true), x);
      const next = tf.sub(tf.mul(x, 1.5), tf.mul(cubic, 0.5)) as tf.Tensor2D;
      if (x !== t) x.dispose();
      cubic.dispose();
      x = next;
    }
    return x === t ? tf.clone(t) : x;
  });
}

/** Seed of the fixed starting block of {@link topSubspace}. */
const SUBSPACE_SEED = 20130617;

/**
 * An orthonormal basis `Q` `[n, k]` of the span of the eigenvectors of the
 * `k` largest eigenvalues of a symmetric positive semidefinite `N`.
 *
 * Orthogonal iteration `Q ← orth(N² Q)` from `orth(N² G)` with a fixed
 * Gaussian block `G` (seeded, so results are deterministic). The angle to
 * the dominant subspace shrinks by `(λₖ₊₁ / λₖ)²` per step; iterating on
 * `N²` rather than `N` halves the steps for one extra product, at the cost
 * of a float32 floor of about `1e-7 (λ₁ / λₖ)²` on the angle. `orth` is
 * classical Gram–Schmidt applied twice per column ("twice is enough"),
 * which keeps `Q` orthonormal to float32 precision.
 *
 * @param n - `[n, n]`, symmetric positive semidefinite.
 * @param k - Dimension of the subspace, `1 <= k < n`.
 * @param iterations - Number of orthogonal-iteration steps.
 * @returns `[n, k]` with orthonormal columns.
 */
export function topSubspace(
  n: tf.Tensor2D,
  k: number,
  iterations: number,
): tf.Tensor2D {
  return tf.tidy(() => {
    const size = n.shape[0];
    const rng = new Random(SUBSPACE_SEED);
    const start = Float32Array.from({ length: size * k }, () => rng.normal());
    const square = tf.matMul(n, n);
    let q = orthonormalize(tf.matMul(square, tf.tensor2d(start, [size, k])));
    for (let i = 0; i < iterations; i++) {
      const next = orthonormalize(tf.matMul(square, q));
      q.dispose();
      q = next;
    }
    return q;
  });
}

/**
 * Orthonormal columns spanning the columns of `y` `[n, k]`: classical
 * Gram–Schmidt with one re-orthogonalisation pass per column. A column
 * that vanishes against the earlier ones becomes zero instead of NaN.
 */
function orthonormalize(y: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => {
    const k = y.shape[1];
    const columns = tf.split(y, k, 1) as tf.Tensor2D[];
    const done: tf.Tensor2D[] = [];
    for (const column of columns) {
      let v = column;
      if (done.length > 0) {
        const basis = tf.concat(done, 1);
        for (let pass = 0; pass < 2; pass++) {
          const coefficients = tf.matMul(basis, v, true, false);
          v = tf.sub(v, tf.matMul(basis, coefficients));
        }
      }
      const norm = tf.sqrt(tf.sum(tf.square(v)));
      done.push(tf.div(v, tf.maximum(norm, 1e-30)));
    }
    return tf.concat(done, 1);
  });
}
