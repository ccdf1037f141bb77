/**
 * Float64 helpers of {@link LinearCca} on ml-matrix: reading and checking
 * rows, covariances, symmetric inverse square roots and signs.
 *
 * @internal
 */
import * as tf from '@tensorflow/tfjs-core';
import { EigenvalueDecomposition, Matrix } from 'ml-matrix';

import { ShapeError, describe } from '../internal/errors';

/** Rows of a view: one array per sample, or a `[n, features]` tensor. */
export type ViewRows = readonly ArrayLike<number>[] | tf.Tensor2D;

/** `aᵀb / (n − 1) + r I`. */
export function covariance(a: Matrix, b: Matrix, n: number, r: number): Matrix {
  // Outer products over flat row-major copies: much faster than mmul.
  const p = a.columns;
  const q = b.columns;
  const same = a === b;
  const fa = Float64Array.from(a.to1DArray());
  const fb = same ? fa : Float64Array.from(b.to1DArray());
  const out = new Float64Array(p * q);
  for (let i = 0; i < a.rows; i++) {
    const ra = i * p;
    const rb = i * q;
    for (let j = 0; j < p; j++) {
      const v = fa[ra + j] as number;
      if (v === 0) continue;
      const base = j * q;
      // For a symmetric product, only k >= j; mirrored below.
      for (let k = same ? j : 0; k < q; k++) {
        out[base + k] += v * (fb[rb + k] as number);
      }
    }
  }
  const s = new Matrix(p, q);
  for (let j = 0; j < p; j++) {
    for (let k = same ? j : 0; k < q; k++) {
      const v = (out[j * q + k] as number) / (n - 1);
      s.set(j, k, v);
      if (same) s.set(k, j, v);
    }
  }
  for (let i = 0; i < Math.min(p, q) && r > 0; i++) {
    s.set(i, i, s.get(i, i) + r);
  }
  return s;
}

/** Symmetric inverse square root; throws for a singular matrix. */
export function inverseSqrtF64(
  where: string,
  view: string,
  s: Matrix,
  centred: Matrix,
  ridge: number,
): Matrix {
  const eig = new EigenvalueDecomposition(s, { assumeSymmetric: true });
  const values = eig.realEigenvalues;
  const largest = Math.max(...values.map(Math.abs));
  const smallest = Math.min(...values);
  if (!(smallest > largest * 1e-13)) {
    const variances = centred.transpose().mmul(centred).diag();
    const constant = variances.findIndex((v) => v === 0);
    const cause =
      constant >= 0
        ? `column ${constant} of ${view} is constant (variance 0)`
        : `the columns of ${view} are collinear (smallest eigenvalue ` +
          `${smallest}, largest ${largest})`;
    const v = view.toLowerCase();
    throw new RangeError(
      `${where}: expected a positive definite covariance S${v}${v}, ` +
        `received a singular one: ${cause}; pass a ridge r${v} > 0 ` +
        `(received r${v} = ${ridge})`,
    );
  }
  // Q diag(λ^{-1/2}) Qᵀ over flat arrays, symmetric by construction.
  const size = values.length;
  const q = Float64Array.from(eig.eigenvectorMatrix.to1DArray());
  const scale = values.map((v) => 1 / Math.sqrt(v));
  const root = new Matrix(size, size);
  const row = new Float64Array(size);
  for (let j = 0; j < size; j++) {
    for (let l = 0; l < size; l++) {
      row[l] = (q[j * size + l] as number) * (scale[l] as number);
    }
    for (let k = j; k < size; k++) {
      let sum = 0;
      for (let l = 0; l < size; l++) {
        sum += (row[l] as number) * (q[k * size + l] as number);
      }
      root.set(j, k, sum);
      root.set(k, j, sum);
    }
  }
  return root;
}

/** Flips column pairs so each wx column's largest-magnitude entry is > 0. */
export function fixSigns(wx: Matrix, wy: Matrix): void {
  for (let j = 0; j < wx.columns; j++) {
    let best = 0;
    for (let i = 0; i < wx.rows; i++) {
      if (Math.abs(wx.get(i, j)) > Math.abs(best)) best = wx.get(i, j);
    }
    if (best < 0) {
      for (let i = 0; i < wx.rows; i++) wx.set(i, j, -wx.get(i, j));
      for (let i = 0; i < wy.rows; i++) wy.set(i, j, -wy.get(i, j));
    }
  }
}

export function project(
  where: string,
  view: string,
  rows: ViewRows,
  mean: number[],
  weights: Matrix,
): number[][] {
  const m = toMatrix(where, view, rows);
  if (m.columns !== mean.length) {
    throw new RangeError(
      `${where}: expected rows of ${mean.length} values (as fitted), ` +
        `received ${m.columns}`,
    );
  }
  return m.subRowVector(mean).mmul(weights).to2DArray();
}

/** Reads rows or a rank-2 tensor into a float64 matrix, checking values. */
export function toMatrix(where: string, view: string, rows: ViewRows): Matrix {
  if (rows instanceof tf.Tensor) {
    if (rows.rank !== 2) {
      throw new ShapeError(
        `${where}: expected ${view} as a rank-2 tensor [n, features], ` +
          `received rank ${rows.rank}`,
      );
    }
    return toMatrix(where, view, rows.arraySync());
  }
  if (!Array.isArray(rows) || rows.length === 0) {
    throw new RangeError(
      `${where}: expected at least 2 rows (samples) of ${view}, received ` +
        (Array.isArray(rows) ? '0' : describe(rows)),
    );
  }
  const width = (rows[0] as ArrayLike<number>).length;
  const m = new Matrix(rows.length, width);
  rows.forEach((row, i) => {
    if (row.length !== width || width === 0) {
      throw new RangeError(
        `${where}: expected every row of ${view} to have ${width} values, ` +
          `received ${row.length} in row ${i}`,
      );
    }
    for (let j = 0; j < width; j++) {
      const v = row[j] as number;
      if (!Number.isFinite(v)) {
        throw new RangeError(
          `${where}: expected finite values in ${view}, received ${v} at ` +
            `row ${i}, column ${j}`,
        );
      }
      m.set(i, j, v);
    }
  });
  return m;
}

export function isNumbers(v: unknown): v is number[] {
  return Array.isArray(v) && v.every((x) => typeof x === 'number');
}

export function isRows(v: unknown): v is number[][] {
  return Array.isArray(v) && v.length > 0 && v.every(isNumbers);
}

/** Pearson correlation; 0 when either series is constant. */
export function pearson(a: readonly number[], b: readonly number[]): number {
  const n = a.length;
  const ma = a.reduce((s, v) => s + v, 0) / n;
  const mb = b.reduce((s, v) => s + v, 0) / n;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i++) {
    const da = (a[i] as number) - ma;
    const db = (b[i] as number) - mb;
    sab += da * db;
    saa += da * da;
    sbb += db * db;
  }
  return saa > 0 && sbb > 0 ? sab / Math.sqrt(saa * sbb) : 0;
}
