/**
 * A float64 Deep CCA reference on ml-matrix (eigendecomposition and SVD),
 * with the closed-form gradient of Andrew et al. (2013), to check the
 * tfjs-only objective on shapes the fixture does not cover.
 */
import {
  EigenvalueDecomposition,
  Matrix,
  SingularValueDecomposition,
} from 'ml-matrix';

import { Random } from '../../src/internal/random';

function inverseSqrt(s: Matrix): Matrix {
  const eig = new EigenvalueDecomposition(s, { assumeSymmetric: true });
  const q = eig.eigenvectorMatrix;
  const d = Matrix.diag(eig.realEigenvalues.map((v) => 1 / Math.sqrt(v)));
  return q.mmul(d).mmul(q.transpose());
}

/** Value and gradients of the (top-k) Deep CCA objective in float64. */
export function deepCcaReference(
  h1: number[][],
  h2: number[][],
  r1: number,
  r2: number,
  k?: number,
): {
  corr: number;
  singularValues: number[];
  dH1: number[][];
  dH2: number[][];
} {
  const m = h1.length;
  const x1 = new Matrix(h1);
  const x2 = new Matrix(h2);
  const c1 = x1.clone().subRowVector(x1.mean('column'));
  const c2 = x2.clone().subRowVector(x2.mean('column'));
  const s11 = c1
    .transpose()
    .mmul(c1)
    .div(m - 1)
    .add(Matrix.eye(x1.columns).mul(r1));
  const s22 = c2
    .transpose()
    .mmul(c2)
    .div(m - 1)
    .add(Matrix.eye(x2.columns).mul(r2));
  const s12 = c1
    .transpose()
    .mmul(c2)
    .div(m - 1);
  const a = inverseSqrt(s11);
  const b = inverseSqrt(s22);
  const t = a.mmul(s12).mmul(b);
  const svd = new SingularValueDecomposition(t, { autoTranspose: true });
  const order = svd.diagonal
    .map((s, i) => ({ s, i }))
    .sort((p, q) => q.s - p.s);
  const keep = order.slice(0, k ?? order.length).map((e) => e.i);
  const u = svd.leftSingularVectors.subMatrixColumn(keep);
  const v = svd.rightSingularVectors.subMatrixColumn(keep);
  const s = Matrix.diag(keep.map((i) => svd.diagonal[i]!));
  const d12 = a.mmul(u).mmul(v.transpose()).mmul(b);
  const d11 = a.mmul(u).mmul(s).mmul(u.transpose()).mmul(a).mul(-0.5);
  const d22 = b.mmul(v).mmul(s).mmul(v.transpose()).mmul(b).mul(-0.5);
  const dH1 = c1
    .mmul(d11)
    .mul(2)
    .add(c2.mmul(d12.transpose()))
    .div(m - 1);
  const dH2 = c2
    .mmul(d22)
    .mul(2)
    .add(c1.mmul(d12))
    .div(m - 1);
  return {
    corr: keep.reduce((sum, i) => sum + svd.diagonal[i]!, 0),
    singularValues: order.map((e) => e.s),
    dH1: dH1.to2DArray(),
    dH2: dH2.to2DArray(),
  };
}

/**
 * Two correlated views: a shared latent `[m, latent]` mixed into each
 * view with its own noise, rounded to float32.
 */
export function correlatedViews(
  m: number,
  o1: number,
  o2: number,
  seed: number,
  noise = 0.5,
): { h1: number[][]; h2: number[][] } {
  const rng = new Random(seed);
  const latent = 3;
  const z = Array.from({ length: m }, () =>
    Array.from({ length: latent }, () => rng.normal()),
  );
  const mix = (o: number) =>
    Array.from({ length: latent }, () =>
      Array.from({ length: o }, () => rng.normal()),
    );
  const view = (w: number[][], o: number) =>
    z.map((row) =>
      Array.from({ length: o }, (_, j) => {
        const signal = row.reduce((s, zi, l) => s + zi * w[l]![j]!, 0);
        return Math.fround(signal + noise * rng.normal());
      }),
    );
  return { h1: view(mix(o1), o1), h2: view(mix(o2), o2) };
}
