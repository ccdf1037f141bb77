import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';

import {
  deepCcaCorrelation,
  deepCcaLoss,
  LinearCca,
} from '../../src/alignment';
import { expectClose, expectNoLeak } from '../helpers';
import { checkDeepCcaFixture } from './fixture-checks';
import { correlatedViews, deepCcaReference } from './reference';

function valueAndGrads(h1: number[][], h2: number[][], options = {}) {
  return tf.tidy(() => {
    const { value, grads } = tf.valueAndGrads((a: tf.Tensor, b: tf.Tensor) =>
      deepCcaCorrelation(a, b, options),
    )([tf.tensor2d(h1), tf.tensor2d(h2)]);
    return {
      value: value.dataSync()[0]!,
      g1: Array.from(grads[0]!.dataSync()),
      g2: Array.from(grads[1]!.dataSync()),
    };
  });
}

describe('deepCcaCorrelation', () => {
  it('matches dcca.json: total and top-2 correlation with gradients, and the degenerate case', async () => {
    const errors = await checkDeepCcaFixture();
    for (const e of Object.values(errors)) expect(e).toBeLessThan(1e-5);
  });

  it.each([
    { o1: 8, o2: 8, k: undefined, r: 1e-3 },
    { o1: 6, o2: 3, k: undefined, r: 1e-4 },
    { o1: 3, o2: 7, k: 2, r: 1e-3 },
    { o1: 10, o2: 10, k: 4, r: 1e-2 },
  ])(
    'matches a float64 SVD reference for o1 $o1, o2 $o2, k $k, r $r',
    ({ o1, o2, k, r }) => {
      const { h1, h2 } = correlatedViews(64, o1, o2, 7 * o1 + o2);
      const ref = deepCcaReference(h1, h2, r, r, k);
      const got = valueAndGrads(h1, h2, { r1: r, r2: r, ...(k ? { k } : {}) });
      expectClose(got.value, ref.corr, { atol: 1e-5, rtol: 1e-5 });
      expectClose(got.g1, ref.dH1, { atol: 1e-5, rtol: 1e-4 });
      expectClose(got.g2, ref.dH2, { atol: 1e-5, rtol: 1e-4 });
    },
  );

  it('equals the sum of linear CCA correlations on the same batch', () => {
    const { h1, h2 } = correlatedViews(50, 5, 4, 3);
    const cca = new LinearCca({ rx: 1e-3, ry: 1e-3 }).fit(h1, h2);
    const total = cca.correlations.reduce((s, c) => s + c, 0);
    const top2 = cca.correlations[0]! + cca.correlations[1]!;
    expectClose(valueAndGrads(h1, h2).value, total, { atol: 1e-5 });
    expectClose(valueAndGrads(h1, h2, { k: 2 }).value, top2, { atol: 1e-5 });
  });

  it('is invariant to shifting and to rescaling a view without ridge', () => {
    const { h1, h2 } = correlatedViews(40, 3, 3, 11, 1);
    const shifted = h1.map((row) => row.map((v, j) => 3 * v + j));
    const base = valueAndGrads(h1, h2, { r1: 0, r2: 0 }).value;
    expectClose(valueAndGrads(shifted, h2, { r1: 0, r2: 0 }).value, base, {
      atol: 1e-5,
    });
  });

  it('gives a correlation of o for identical views (up to the ridge)', () => {
    const { h1 } = correlatedViews(30, 4, 4, 5, 1);
    const value = valueAndGrads(h1, h1, { r1: 1e-6, r2: 1e-6 }).value;
    expectClose(value, 4, { atol: 1e-3 });
  });

  it('gives finite value and gradients with a constant column and a ridge', () => {
    const { h1, h2 } = correlatedViews(40, 4, 4, 9);
    const constant = h1.map((row) => [row[0]!, 0.75, row[2]!, row[3]!]);
    for (const k of [undefined, 3]) {
      const got = valueAndGrads(constant, h2, k ? { k } : {});
      expect(Number.isFinite(got.value)).toBe(true);
      expect([...got.g1, ...got.g2].every(Number.isFinite)).toBe(true);
      // The constant column gets no gradient from its own correlation.
      const ref = deepCcaReference(constant, h2, 1e-3, 1e-3, k);
      expectClose(got.value, ref.corr, { atol: 1e-4, rtol: 1e-4 });
    }
  });

  it('deepCcaLoss is the negative correlation', () => {
    const { h1, h2 } = correlatedViews(40, 4, 4, 2);
    const loss = tf.tidy(
      () => deepCcaLoss(tf.tensor2d(h1), tf.tensor2d(h2)).dataSync()[0],
    );
    expectClose(loss!, -valueAndGrads(h1, h2).value, { atol: 1e-6 });
  });

  it('rejects a batch that does not exceed the output size', () => {
    const a = tf.zeros([4, 4]);
    const b = tf.zeros([4, 2]);
    expect(() => deepCcaCorrelation(a, b)).toThrow(
      /deepCcaCorrelation: expected a batch larger than the output size 4 .*received a batch of 4/,
    );
    tf.dispose([a, b]);
  });

  it('rejects mismatched batches, bad ridges and k out of range', () => {
    const a = tf.zeros([10, 3]);
    const b = tf.zeros([9, 3]);
    const c = tf.zeros([10, 2]);
    expect(() => deepCcaLoss(a, b)).toThrow(
      /deepCcaLoss: expected h1 \[m, o1\] and h2 \[m, o2\] with the same batch size m, received shapes \[\[10,3\],\[9,3\]\]/,
    );
    expect(() => deepCcaCorrelation(a, c, { r1: -1 })).toThrow(
      /expected r1 in \[0, .*\], received -1/,
    );
    expect(() => deepCcaCorrelation(a, c, { k: 3 })).toThrow(
      /expected k in \[1, 2\] \(min\(o1, o2\)\), received 3/,
    );
    expect(() => deepCcaCorrelation(tf.zeros([10]), c)).toThrow(
      /received shapes \[\[10\],\[10,2\]\]/,
    );
    tf.dispose([a, b, c]);
  });

  it('leaks no tensors, with and without gradients', async () => {
    const { h1, h2 } = correlatedViews(32, 4, 4, 1);
    const a = tf.tensor2d(h1);
    const b = tf.tensor2d(h2);
    await expectNoLeak(() => deepCcaCorrelation(a, b, { k: 2 }));
    await expectNoLeak(() =>
      tf.tidy(() => {
        tf.grads((x: tf.Tensor, y: tf.Tensor) => deepCcaLoss(x, y))([a, b]);
      }),
    );
    tf.dispose([a, b]);
  });
});
