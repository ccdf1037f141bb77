import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';

import { concatFusion } from '../../src/fusion/concat-fusion';
import { fitLateFusionWeights } from '../../src/fusion/fit-late-weights';
import { LateFusion, lateFusion } from '../../src/fusion/late-fusion';
import { expectClose, expectNoLeak } from '../helpers';
import { roundTrip } from '../round-trip';

describe('ConcatFusion', () => {
  it('joins modalities in sorted name order whatever the record order', () => {
    const a = tf.tensor2d([[1, 2]]);
    const b = tf.tensor2d([[3]]);
    const fuse = concatFusion({ modalities: ['price', 'chart'] });
    expect(fuse.modalities).toEqual(['chart', 'price']);
    expectClose(fuse.applyRecord({ price: a, chart: b }), [[3, 1, 2]]);
    expectClose(fuse.applyRecord({ chart: b, price: a }), [[3, 1, 2]]);
  });

  it('fuses early along features for sequences of one length', () => {
    const fuse = concatFusion({ modalities: ['a', 'b'] });
    const out = fuse.apply([
      tf.ones([2, 5, 3]),
      tf.zeros([2, 5, 4]),
    ]) as tf.Tensor;
    expect(out.shape).toEqual([2, 5, 7]);
    expect(
      fuse.computeOutputShape([
        [null, 5, 3],
        [null, 5, 4],
      ]),
    ).toEqual([null, 5, 7]);
  });

  it('names the modalities when shapes or keys do not match', () => {
    const fuse = concatFusion({ modalities: ['a', 'b'] });
    expect(() => fuse.apply([tf.ones([2, 5, 3]), tf.ones([2, 4, 3])])).toThrow(
      /agree on every axis but the last, received shapes \[\[2,5,3\],\[2,4,3\]\] for \[a, b\]/,
    );
    expect(() =>
      fuse.applyRecord({ a: tf.ones([1, 2]), c: tf.ones([1, 2]) }),
    ).toThrow(/expected modalities \[a, b\], received \[a, c\]/);
    expect(() => concatFusion({ modalities: ['a', 'a'] })).toThrow(/'a' twice/);
    expect(() => concatFusion({ modalities: [] })).toThrow(/non-empty array/);
  });

  it('round-trips inside a model and leaks nothing', async () => {
    const a = tfl.input({ shape: [2], name: 'a' });
    const b = tfl.input({ shape: [3], name: 'b' });
    const fused = concatFusion({ modalities: ['b', 'a'] }).applyRecord({
      a,
      b,
    });
    const model = tfl.model({
      inputs: [a, b],
      outputs: tfl.layers
        .dense({ units: 1 })
        .apply(fused) as tfl.SymbolicTensor,
    });
    const xs = [tf.ones([2, 2]), tf.ones([2, 3])];
    const reloaded = await roundTrip(model);
    expectClose(
      reloaded.predict(xs) as tf.Tensor,
      model.predict(xs) as tf.Tensor,
      { atol: 0, rtol: 0 },
    );
    await expectNoLeak(() => model.predict(xs));
  });
});

describe('LateFusion', () => {
  const p1 = () =>
    tf.tensor2d([
      [1, 10],
      [2, 20],
    ]);
  const p2 = () =>
    tf.tensor2d([
      [3, 30],
      [4, 40],
    ]);

  it('averages predictions with per-unit weights', () => {
    const fuse = lateFusion({
      modalities: ['a', 'b'],
      weights: { a: [0.25, 1], b: [0.75, 0] },
    });
    expectClose(fuse.apply([p1(), p2()]) as tf.Tensor, [
      [2.5, 10],
      [3.5, 20],
    ]);
  });

  it('normalises weights that do not sum to one, and defaults to equal weights', () => {
    const scaled = lateFusion({
      modalities: ['a', 'b'],
      weights: { a: 1, b: 3 },
    });
    expectClose(scaled.apply([p1(), p2()]) as tf.Tensor, [
      [2.5, 25],
      [3.5, 35],
    ]);
    const equal = lateFusion({ modalities: ['a', 'b'] });
    expectClose(equal.apply([p1(), p2()]) as tf.Tensor, [
      [2, 20],
      [3, 30],
    ]);
  });

  it('renormalises over present modalities and gives 0 when none is present', () => {
    const fuse = lateFusion({
      modalities: ['a', 'b'],
      weights: { a: 1, b: 3 },
    });
    const presence = tf.tensor2d([
      [1, 0],
      [0, 0],
    ]);
    expectClose(fuse.apply([p1(), p2(), presence]) as tf.Tensor, [
      [1, 10],
      [0, 0],
    ]);
  });

  it('learns its weights by gradient descent toward the better modality', async () => {
    const a = tfl.input({ shape: [1], name: 'a' });
    const b = tfl.input({ shape: [1], name: 'b' });
    const fuse = lateFusion({ modalities: ['a', 'b'], learnable: true });
    const model = tfl.model({
      inputs: [a, b],
      outputs: fuse.applyRecord({ a, b }),
    });
    model.compile({ optimizer: tf.train.sgd(0.5), loss: 'meanSquaredError' });
    const y = tf.randomNormal([32, 1], 0, 1, 'float32', 1);
    const noisy = tf.add(y, tf.randomNormal([32, 1], 0, 2, 'float32', 2));
    for (let i = 0; i < 30; i++) await model.trainOnBatch([y, noisy], y);
    const [wa] = fuse.currentWeights().map((r) => r[0]!);
    expect(wa).toBeGreaterThan(0.8);
    const reloaded = await roundTrip(model);
    const layer = reloaded.layers.find(
      (l) => l instanceof LateFusion,
    ) as LateFusion;
    expectClose(layer.currentWeights(), fuse.currentWeights(), {
      atol: 0,
      rtol: 0,
    });
    // The learned weights travel with the model: identical predictions.
    expectClose(
      reloaded.predict([y, noisy]) as tf.Tensor,
      model.predict([y, noisy]) as tf.Tensor,
      { atol: 0, rtol: 0 },
    );
  });

  it('learns its weights with a presence mask, no comparison on the gradient path', async () => {
    const a = tfl.input({ shape: [1], name: 'a' });
    const b = tfl.input({ shape: [1], name: 'b' });
    const presence = tfl.input({ shape: [2], name: 'presence' });
    const fuse = lateFusion({ modalities: ['a', 'b'], learnable: true });
    const model = tfl.model({
      inputs: [a, b, presence],
      outputs: fuse.applyRecord({ a, b }, [presence]),
    });
    model.compile({ optimizer: tf.train.sgd(0.5), loss: 'meanSquaredError' });
    const y = tf.randomNormal([32, 1], 0, 1, 'float32', 1);
    const noisy = tf.add(y, tf.randomNormal([32, 1], 0, 2, 'float32', 2));
    const mask = tf.tensor2d(
      Array.from({ length: 32 }, (_, i) => (i % 4 === 0 ? [0, 1] : [1, 1])),
    );
    for (let i = 0; i < 30; i++) {
      await model.trainOnBatch([y, noisy, mask], y);
    }
    expect(fuse.currentWeights()[0]![0]).toBeGreaterThan(0.8);
  });

  it('rejects negative, all-zero and misnamed weights, and mismatched shapes', () => {
    expect(() =>
      lateFusion({ modalities: ['a', 'b'], weights: { a: -1, b: 1 } }),
    ).toThrow(/weight of 'a' to be a non-negative number/);
    expect(() =>
      lateFusion({ modalities: ['a', 'b'], weights: { a: 0, b: 0 } }),
    ).toThrow(/at least one positive weight for unit 0/);
    expect(() =>
      lateFusion({ modalities: ['a', 'b'], weights: { a: 1, c: 1 } }),
    ).toThrow(/expected weights for \[a, b\], received weights for \[a, c\]/);
    const fuse = lateFusion({ modalities: ['a', 'b'], name: 'lf' });
    expect(() => fuse.apply([tf.ones([2, 2]), tf.ones([2, 3])])).toThrow(
      /LateFusion 'lf'.*one shape \[batch, \.\.\., units\] for \[a, b\], received shapes \[\[2,2\],\[2,3\]\]/,
    );
    expect(() =>
      fuse.apply([tf.ones([2, 2]), tf.ones([2, 2]), tf.ones([2, 3])]),
    ).toThrow(
      /presence mask \[2, 2\] for \[a, b\], received shape \[\[2,3\]\]/,
    );
  });

  it('gives the same result whatever the record order', () => {
    const fuse = lateFusion({
      modalities: ['a', 'b'],
      weights: { a: [0.25, 0.5], b: [0.75, 0.5] },
    });
    const [a, b] = [p1(), p2()];
    expectClose(
      fuse.applyRecord({ b, a }) as tf.Tensor,
      fuse.applyRecord({ a, b }) as tf.Tensor,
      { atol: 0, rtol: 0 },
    );
  });

  it('leaks nothing across calls', async () => {
    const fuse = lateFusion({ modalities: ['a', 'b'], learnable: true });
    const xs = [
      p1(),
      p2(),
      tf.tensor2d([
        [1, 1],
        [1, 0],
      ]),
    ];
    await expectNoLeak(() => fuse.apply(xs));
  });
});

describe('fitLateFusionWeights', () => {
  it('matches the two-modality closed form, clipped to [0, 1]', () => {
    const y = [[1], [2], [3], [4]];
    const a = [[1.5], [1.5], [3.5], [3.5]];
    const b = [[0], [3], [2], [5]];
    // w = <d, y - b> / <d, d>, d = a - b.
    const d = a.map((r, i) => r[0]! - b[i]![0]!);
    const num = d.reduce((s, v, i) => s + v * (y[i]![0]! - b[i]![0]!), 0);
    const w = num / d.reduce((s, v) => s + v * v, 0);
    const fit = fitLateFusionWeights({ a, b }, y);
    expect(fit.weights.a![0]).toBeCloseTo(w, 12);
    expect(fit.weights.b![0]).toBeCloseTo(1 - w, 12);
    const far = fitLateFusionWeights(
      { a: y.map((r) => [r[0]! + 100]), b: y },
      y,
    );
    expect(far.weights).toEqual({ a: [0], b: [1] });
  });

  it('recovers a convex combination of three modalities exactly', () => {
    const n = 20;
    const cols = [0, 1, 2].map((k) =>
      Array.from({ length: n }, (_, i) => [Math.sin(i * (k + 1))]),
    );
    const y = cols[0]!.map((_, i) => [
      0.2 * cols[0]![i]![0]! + 0.5 * cols[1]![i]![0]! + 0.3 * cols[2]![i]![0]!,
    ]);
    const fit = fitLateFusionWeights(
      { x: cols[0]!, y: cols[1]!, z: cols[2]! },
      y,
    );
    expectClose(
      [fit.weights.x![0]!, fit.weights.y![0]!, fit.weights.z![0]!],
      [0.2, 0.5, 0.3],
      { atol: 1e-9 },
    );
    expect(fit.mse[0]).toBeLessThan(1e-15);
  });

  it('rejects row-count mismatches and non-finite values', () => {
    expect(() =>
      fitLateFusionWeights({ a: [[1]], b: [[1], [2]] }, [[1]]),
    ).toThrow(/expected 1 rows for 'b' \(as many as the targets\), received 2/);
    expect(() => fitLateFusionWeights({ a: [[NaN]], b: [[1]] }, [[1]])).toThrow(
      /finite/,
    );
  });
});

describe('LateFusion presence handling', () => {
  it('ignores an absent modality even when its prediction is NaN', () => {
    const fuse = lateFusion({ modalities: ['a', 'b'] });
    const a = tf.tensor2d([[1], [2]]);
    const b = tf.tensor2d([[NaN], [4]]);
    const out = fuse.apply([
      a,
      b,
      tf.tensor2d([
        [1, 0],
        [1, 1],
      ]),
    ]) as tf.Tensor;
    expectClose(out, [[1], [3]]);
  });

  it('treats mask values above 0.5 as present and names a wrong batch size', () => {
    const fuse = lateFusion({ modalities: ['a', 'b'] });
    const a = tf.tensor2d([[1], [2]]);
    const b = tf.tensor2d([[3], [4]]);
    expectClose(
      fuse.apply([
        a,
        b,
        tf.tensor2d([
          [0.9, 0.2],
          [-1, 1],
        ]),
      ]) as tf.Tensor,
      [[1], [4]],
    );
    expect(() => fuse.apply([a, b, tf.ones([3, 2])])).toThrow(
      /expected a presence mask \[2, 2\] for \[a, b\], received shape \[\[3,2\]\]/,
    );
    expect(() =>
      lateFusion({ modalities: ['a', 'b'], weights: { a: [], b: [] } }),
    ).toThrow(/at least one weight per modality/);
  });
});

describe('fitLateFusionWeights with extreme magnitudes', () => {
  it('finds the same weights for values scaled by 1e200 and 1e-200', () => {
    const y = [[1], [2], [3], [4]];
    const a = [[1.5], [1.5], [3.5], [3.5]];
    const b = [[0], [3], [2], [5]];
    const base = fitLateFusionWeights({ a, b }, y).weights.a![0]!;
    for (const k of [1e200, 1e-200]) {
      const s = (rows: number[][]) => rows.map((r) => r.map((v) => v * k));
      const fit = fitLateFusionWeights({ a: s(a), b: s(b) }, s(y));
      expect(fit.weights.a![0]).toBeCloseTo(base, 10);
      // The MSE itself is ~1e400 at the large scale: Infinity, never NaN.
      expect(Number.isNaN(fit.mse[0])).toBe(false);
    }
  });
});
