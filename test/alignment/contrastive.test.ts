import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';

import {
  CLIP_INITIAL_SCALE,
  LogitScale,
  clipLoss,
  clipLossTerms,
  logitScale,
  positiveMaskFromIds,
} from '../../src/alignment';
import { expectClose, expectNoLeak } from '../helpers';
import { roundTrip } from '../round-trip';
import { checkContrastiveFixture } from './fixture-checks';

describe('clipLoss', () => {
  it('matches contrastive.json: case A values and gradients, B clamp, C positive mask', async () => {
    const errors = await checkContrastiveFixture();
    for (const e of Object.values(errors)) expect(e).toBeLessThan(1e-5);
  });

  it('equals ln(batch) when every embedding is the same (closed form)', () => {
    const a = tf.ones([5, 3]);
    const loss = clipLoss(a, a, { logScale: 3 });
    expectClose(loss, Math.log(5), { atol: 1e-6 });
    tf.dispose([a, loss]);
  });

  it('approaches 0 for orthonormal pairs at the largest scale', () => {
    const a = tf.eye(4);
    const loss = clipLoss(a, a, { logScale: Math.log(100) });
    // Each row: log(e^100 + 3 e^0) - 100.
    expectClose(loss, Math.log1p(3 * Math.exp(-100)), { atol: 1e-6 });
    tf.dispose([a, loss]);
  });

  it('ignores the norms of the inputs', () => {
    const a = tf.randomNormal([6, 4], 0, 1, 'float32', 1);
    const b = tf.randomNormal([6, 4], 0, 1, 'float32', 2);
    const base = clipLoss(a, b).dataSync()[0]!;
    const scaled = tf.mul(a, tf.tensor2d([[3], [0.1], [7], [1], [2], [50]]));
    expectClose(clipLoss(scaled, b), base, { atol: 1e-5 });
    tf.dispose([a, b, scaled]);
  });

  it('never gives Inf or NaN at large scales, with zero rows or with a mask', () => {
    const a = tf.tensor2d([
      [1, 0],
      [0, 0],
      [-1, 0.001],
    ]);
    const b = tf.tensor2d([
      [-1, 0],
      [1, 1],
      [1, 0],
    ]);
    const mask = positiveMaskFromIds([0, 1, 0]);
    for (const maxScale of [100, 1e6]) {
      for (const positiveMask of [undefined, mask]) {
        const { value, grads } = tf.valueAndGrads(
          (x: tf.Tensor, y: tf.Tensor, s: tf.Tensor) =>
            clipLoss(x, y, {
              logScale: s as tf.Scalar,
              maxScale,
              ...(positiveMask ? { positiveMask } : {}),
            }),
        )([a, b, tf.scalar(50)]);
        expect(Number.isFinite(value.dataSync()[0])).toBe(true);
        for (const g of grads) {
          expect(Array.from(g.dataSync()).every(Number.isFinite)).toBe(true);
        }
        tf.dispose([value, ...grads]);
      }
    }
    tf.dispose([a, b, mask]);
  });

  it('defaults to the CLIP initial scale 1/0.07', () => {
    const a = tf.randomNormal([4, 3], 0, 1, 'float32', 3);
    const terms = clipLossTerms(a, a);
    expectClose(terms.scale, CLIP_INITIAL_SCALE, { atol: 1e-4 });
    expectClose(clipLoss(a, a, { logScale: Math.log(1 / 0.07) }), terms.loss);
    tf.dispose([a, ...Object.values(terms)]);
  });

  it('builds the positive mask from item ids', () => {
    const mask = positiveMaskFromIds(['x', 'y', 'x']);
    expect(mask.arraySync()).toEqual([
      [1, 0, 1],
      [0, 1, 0],
      [1, 0, 1],
    ]);
    mask.dispose();
    expect(() => positiveMaskFromIds([])).toThrow(
      /positiveMaskFromIds: expected a non-empty array of ids, received an array of length 0/,
    );
  });

  it('rejects mismatched shapes, a bad mask, scale or maxScale', () => {
    const a = tf.zeros([3, 2]);
    const b = tf.zeros([3, 4]);
    const m = tf.zeros([2, 2]);
    expect(() => clipLoss(a, b)).toThrow(
      /clipLoss: expected a and b of one shape \[batch, dim\], received shapes \[\[3,2\],\[3,4\]\]/,
    );
    expect(() => clipLoss(a, a, { positiveMask: m as tf.Tensor2D })).toThrow(
      /clipLoss: expected positiveMask of shape \[3,3\], received \[2,2\]/,
    );
    expect(() => clipLoss(a, a, { logScale: NaN })).toThrow(
      /expected logScale in .*, received NaN/,
    );
    expect(() => clipLoss(a, a, { maxScale: 0 })).toThrow(
      /expected maxScale in .*, received 0/,
    );
    expect(() =>
      clipLoss(a, a, { logScale: m as unknown as tf.Scalar }),
    ).toThrow(
      /expected logScale to be a number or a scalar tensor, received a tensor of shape \[2,2\]/,
    );
    tf.dispose([a, b, m]);
  });

  it('leaks no tensors, with gradients and a mask', async () => {
    const a = tf.randomNormal([8, 4], 0, 1, 'float32', 4);
    const b = tf.randomNormal([8, 4], 0, 1, 'float32', 5);
    const mask = positiveMaskFromIds([0, 1, 2, 0, 3, 4, 5, 6]);
    await expectNoLeak(() => clipLoss(a, b, { positiveMask: mask }));
    await expectNoLeak(() =>
      tf.tidy(() => {
        tf.grads((x: tf.Tensor, y: tf.Tensor) => clipLoss(x, y))([a, b]);
      }),
    );
    await expectNoLeak(() => {
      const t = clipLossTerms(a, b);
      tf.dispose(Object.values(t));
    });
    tf.dispose([a, b, mask]);
  });
});

describe('LogitScale', () => {
  it('starts at 1/0.07 and clamps at maxScale before use', () => {
    const scale = logitScale();
    expectClose(scale.scale(), 1 / 0.07, { atol: 1e-4 });
    scale.logScale().assign(tf.scalar(Math.log(1000)));
    expectClose(scale.scale(), 100, { atol: 1e-4 });
    const grad = tf.grad((s: tf.Tensor) =>
      tf.tidy(() =>
        clipLoss(tf.eye(3), tf.eye(3), { logScale: s as tf.Scalar }),
      ),
    )(scale.logScale());
    expect(grad.dataSync()[0]).toBe(0);
    grad.dispose();
  });

  it('multiplies its input by the clamped scale', () => {
    const layer = new LogitScale({ initialScale: 2, maxScale: 5 });
    const x = tf.tensor1d([1, -3]);
    expectClose(layer.apply(x) as tf.Tensor, [2, -6], { atol: 1e-6 });
    tf.dispose(x);
  });

  it('learns: gradient descent on the CLIP loss raises the scale for separable pairs', () => {
    const layer = logitScale();
    const optimizer = tf.train.sgd(0.5);
    const a = tf.eye(4);
    for (let i = 0; i < 5; i++) {
      optimizer.minimize(() => clipLoss(a, a, { logScale: layer.logScale() }));
    }
    expect(layer.scale()).toBeGreaterThan(1 / 0.07);
    tf.dispose(a);
    optimizer.dispose();
  });

  it('saves and reloads inside a model with its learned value', async () => {
    const input = tfl.input({ shape: [3] });
    const layer = logitScale({ maxScale: 50 });
    const model = tfl.model({
      inputs: input,
      outputs: layer.apply(input) as tfl.SymbolicTensor,
    });
    layer.logScale().assign(tf.scalar(Math.log(20)));
    const loaded = await roundTrip(model);
    const x = tf.tensor2d([[1, 2, 3]]);
    expectClose(loaded.predict(x) as tf.Tensor, [20, 40, 60], { atol: 1e-4 });
    const copy = loaded.layers[1] as LogitScale;
    expect(copy).toBeInstanceOf(LogitScale);
    expect(copy.maxScale).toBe(50);
    tf.dispose(x);
  });

  it('rejects a non-positive scale', () => {
    expect(() => logitScale({ maxScale: -1 })).toThrow(
      /LogitScale: expected maxScale in .*, received -1/,
    );
    expect(() => logitScale({ initialScale: 0 })).toThrow(
      /LogitScale: expected initialScale in .*, received 0/,
    );
  });
});
