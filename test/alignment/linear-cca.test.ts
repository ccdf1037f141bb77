import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';

import { LinearCca } from '../../src/alignment';
import { expectClose, readFixture } from '../helpers';
import { correlatedViews } from './reference';

interface CcaFixture {
  inputs: { X: number[][]; Y: number[][]; rx: number; ry: number };
  expected: {
    meanX: number[];
    meanY: number[];
    correlations: number[];
    Wx: number[][];
    Wy: number[][];
    xScores: number[][];
    yScores: number[][];
  };
}

const TIGHT = { atol: 1e-5, rtol: 1e-5 };
const LOOSE = { atol: 1e-5, rtol: 1e-4 };

/** Flips each column of `actual` to the sign of the matching expected one. */
function alignSigns(actual: number[][], expected: number[][]): number[][] {
  const k = expected[0]!.length;
  const signs = Array.from({ length: k }, (_, j) => {
    const dot = actual.reduce((s, row, i) => s + row[j]! * expected[i]![j]!, 0);
    return dot < 0 ? -1 : 1;
  });
  return actual.map((row) => row.map((v, j) => v * signs[j]!));
}

async function fixture() {
  const f = await readFixture<CcaFixture>('cca.json');
  const cca = new LinearCca({ rx: f.inputs.rx, ry: f.inputs.ry }).fit(
    f.inputs.X,
    f.inputs.Y,
  );
  return { f, cca };
}

describe('LinearCca', () => {
  it('matches cca.json: means, correlations, directions and scores (up to sign)', async () => {
    const { f, cca } = await fixture();
    const e = f.expected;
    expectClose(cca.meanX, e.meanX, TIGHT);
    expectClose(cca.meanY, e.meanY, TIGHT);
    expectClose(cca.correlations, e.correlations, TIGHT);
    expectClose(alignSigns(cca.xWeights, e.Wx), e.Wx, LOOSE);
    expectClose(alignSigns(cca.yWeights, e.Wy), e.Wy, LOOSE);
    const { x, y } = cca.transform(
      f.inputs.X.slice(0, 5),
      f.inputs.Y.slice(0, 5),
    );
    expectClose(alignSigns(x, e.xScores), e.xScores, LOOSE);
    expectClose(alignSigns(y, e.yScores), e.yScores, LOOSE);
  });

  it('flips each Wy column together with its Wx column (positive correlations)', async () => {
    const { f, cca } = await fixture();
    const { x, y } = cca.transform(f.inputs.X, f.inputs.Y);
    cca.correlations.forEach((_, j) => {
      const dot = x.reduce((s, row, i) => s + row[j]! * y[i]![j]!, 0);
      expect(dot).toBeGreaterThan(0);
    });
  });

  it('whitens: Wxᵀ Sxx Wx = I and the variates reproduce the correlations', () => {
    const { h1, h2 } = correlatedViews(300, 5, 3, 4);
    const cca = new LinearCca().fit(h1, h2);
    const x = cca.transformX(h1);
    const n = x.length;
    for (let a = 0; a < 3; a++) {
      for (let b = 0; b < 3; b++) {
        const cov = x.reduce((s, row) => s + row[a]! * row[b]!, 0) / (n - 1);
        expectClose(cov, a === b ? 1 : 0, { atol: 1e-9 });
      }
    }
    expectClose(cca.correlate(h1, h2), cca.correlations, { atol: 1e-9 });
  });

  it('accepts tensors and keeps nComponents pairs', () => {
    const { h1, h2 } = correlatedViews(100, 4, 4, 8);
    const [tx, ty] = [tf.tensor2d(h1), tf.tensor2d(h2)];
    const cca = new LinearCca({ nComponents: 2 }).fit(tx, ty);
    expect(cca.correlations).toHaveLength(2);
    expect(cca.transformX(tx)[0]).toHaveLength(2);
    expectClose(
      cca.correlations,
      new LinearCca().fit(h1, h2).correlations.slice(0, 2),
      { atol: 1e-5 },
    );
    tf.dispose([tx, ty]);
  });

  it('round-trips through toJSON and fromJSON', async () => {
    const { f, cca } = await fixture();
    const copy = LinearCca.fromJSON(JSON.parse(JSON.stringify(cca.toJSON())));
    expect(copy.toJSON()).toEqual(cca.toJSON());
    expect(copy.transformY(f.inputs.Y.slice(0, 3))).toEqual(
      cca.transformY(f.inputs.Y.slice(0, 3)),
    );
  });

  it('fromJSON rejects another kind and inconsistent sizes', async () => {
    const { cca } = await fixture();
    expect(() => LinearCca.fromJSON({ kind: 'StandardScaler' })).toThrow(
      /LinearCca.fromJSON: expected kind 'LinearCca', received "StandardScaler"/,
    );
    const json = cca.toJSON();
    expect(() =>
      LinearCca.fromJSON({ ...json, xWeights: json.xWeights.slice(1) }),
    ).toThrow(
      /expected xWeights \[5\]\[4\] and yWeights \[4\]\[4\], received \[4\]\[4\]/,
    );
  });

  it('rejects fewer than 2 rows, mismatched rows and non-finite values', () => {
    expect(() => new LinearCca().fit([[1, 2]], [[3]])).toThrow(
      /LinearCca.fit: expected at least 2 rows \(samples\), received 1/,
    );
    expect(() => new LinearCca().fit([[1], [2], [3]], [[1], [2]])).toThrow(
      /LinearCca.fit: expected X and Y with the same number of rows, received 3 and 2/,
    );
    expect(() =>
      new LinearCca().fit([[1], [NaN], [3]], [[1], [2], [4]]),
    ).toThrow(/expected finite values in X, received NaN at row 1, column 0/);
    expect(() => new LinearCca().fit([[1, 2], [3]], [[1], [2]])).toThrow(
      /expected every row of X to have 2 values, received 1 in row 1/,
    );
    expect(() =>
      new LinearCca({ nComponents: 3 }).fit(
        [
          [1, 2],
          [3, 1],
          [0, 0],
        ],
        [
          [1, 0],
          [2, 2],
          [4, 1],
        ],
      ),
    ).toThrow(/expected nComponents <= min\(p, q\) = 2, received 3/);
    expect(() => new LinearCca({ rx: -1 })).toThrow(
      /expected rx in \[0, .*\], received -1/,
    );
  });

  it('names a constant column without a ridge, and stays finite with one', () => {
    const { h1, h2 } = correlatedViews(80, 4, 3, 2);
    const constant = h1.map((row) => [row[0]!, 0.5, row[2]!, row[3]!]);
    expect(() => new LinearCca().fit(constant, h2)).toThrow(
      /expected a positive definite covariance Sxx, received a singular one: column 1 of X is constant \(variance 0\); pass a ridge rx > 0 \(received rx = 0\)/,
    );
    expect(() => new LinearCca().fit(h2, constant)).toThrow(
      /column 1 of Y is constant.*ry > 0/,
    );
    const cca = new LinearCca({ rx: 1e-3 }).fit(constant, h2);
    expect(cca.correlations.every(Number.isFinite)).toBe(true);
    expect(cca.xWeights.flat().every(Number.isFinite)).toBe(true);
    // The constant column carries no correlation: its weight is 0.
    expect(Math.max(...cca.xWeights[1]!.map(Math.abs))).toBeLessThan(1e-9);
  });

  it('reports collinear columns without a ridge', () => {
    const { h1, h2 } = correlatedViews(80, 3, 3, 6);
    const collinear = h1.map((row) => [...row, row[0]! - 2 * row[1]!]);
    expect(() => new LinearCca().fit(collinear, h2)).toThrow(
      /the columns of X are collinear \(smallest eigenvalue .*\); pass a ridge rx > 0/,
    );
  });

  it('throws before fitting', () => {
    expect(() => new LinearCca().correlations).toThrow(
      /LinearCca.correlations: expected a fitted object, received one that was never fitted/,
    );
  });
});
