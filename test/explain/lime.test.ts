import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';

import { explainLime, relabelSegments, segmentSlic } from '../../src/explain';
import { expectClose, expectNoLeak } from '../helpers';
import { fusionModel, linearFn, normalRows } from './models';

describe('explainLime on tabular rows', () => {
  const w = [2, -1, 0.5, 0];
  const scales = [1, 3, 0.5, 2];
  const training = tf.tidy(() =>
    tf.mul(normalRows(400, [4], 1), tf.tensor1d(scales)),
  );

  it('recovers a linear model’s coefficients times the column scales', async () => {
    const { fn, dispose } = linearFn(w, 1);
    const x = tf.tensor2d([[0.5, 1, -1, 2]]);
    const exact = await explainLime(fn, x, {
      kind: 'tabular',
      training,
      alpha: 0,
      seed: 1,
    });
    const { scale } = await tf.tidy(() => {
      const m = tf.moments(training, 0);
      return { scale: tf.sqrt(m.variance) };
    });
    const expected = Array.from(scale.dataSync(), (s, j) => w[j]! * s);
    expectClose(exact.coefficients, expected, { atol: 1e-4, rtol: 1e-4 });
    expect(exact.score).toBeCloseTo(1, 6);
    expectClose(exact.localPrediction, exact.fx, { atol: 1e-4, rtol: 0 });
    const ridge = await explainLime(fn, x, {
      kind: 'tabular',
      training,
      seed: 1,
    });
    expectClose(ridge.coefficients, expected, { atol: 2e-2, rtol: 2e-2 });
    expect(ridge.effectiveSampleSize).toBeGreaterThan(100);
    expect(ridge.effectiveSampleSize).toBeLessThanOrEqual(5000);
    tf.dispose([x, scale]);
    dispose();
  });

  it('gives identical results for the same seed', async () => {
    const fn = (t: tf.Tensor | Record<string, tf.Tensor>) =>
      tf.tanh(tf.sum(t as tf.Tensor, 1));
    const x = tf.tensor2d([[0.5, 1, -1, 2]]);
    const run = (seed: number) =>
      explainLime(fn, x, {
        kind: 'tabular',
        mean: [0, 0, 0, 0],
        scale: scales,
        samples: 300,
        seed,
      });
    const [a, b, c] = [await run(4), await run(4), await run(5)];
    expect(a).toEqual(b);
    expect(a.coefficients).not.toEqual(c.coefficients);
    x.dispose();
  });
});

describe('explainLime on windows, tokens and images', () => {
  it('recovers w_tf x_tf for every cell of a window of a linear model', async () => {
    const weights = Array.from({ length: 12 }, (_, i) => (i % 5) - 2);
    const wt = tf.tensor1d(weights);
    const fn = (t: tf.Tensor | Record<string, tf.Tensor>) =>
      tf.tidy(() =>
        tf.sum(tf.mul(tf.reshape(t as tf.Tensor, [-1, 12]), wt), 1),
      );
    const x = normalRows(1, [4, 3], 2);
    const lime = await explainLime(fn, x, {
      kind: 'series',
      alpha: 0,
      samples: 500,
      seed: 3,
    });
    expect(lime.shape).toEqual([4, 3]);
    const xs = Array.from(x.dataSync());
    expectClose(
      lime.coefficients,
      xs.map((v, i) => v * weights[i]!),
      {
        atol: 1e-4,
        rtol: 1e-4,
      },
    );
    const steps = await explainLime(fn, x, {
      kind: 'series',
      players: { axis: 0, labels: ['t-3', 't-2', 't-1', 't'] },
      replacement: 0,
      alpha: 0,
      samples: 200,
      seed: 3,
    });
    expect(steps.labels).toEqual(['t-3', 't-2', 't-1', 't']);
    expect(steps.coefficients).toHaveLength(4);
    tf.dispose([x, wt]);
  });

  it('masks token positions with the padding id and skips padding', async () => {
    // f(ids) = Σ score[id]: a bag of token scores, padding id 0 scores 0.
    const scores = tf.tensor1d([0, 1, -2, 0.5, 3]);
    const fn = (t: tf.Tensor | Record<string, tf.Tensor>) =>
      tf.tidy(() => tf.sum(tf.gather(scores, t as tf.Tensor), 1));
    const ids = tf.tensor2d([[1, 4, 2, 4, 0, 0]], [1, 6], 'int32');
    const tokens = ['good', 'great', 'bad', 'great', '<pad>', '<pad>'];
    const byPosition = await explainLime(fn, ids, {
      kind: 'text',
      paddingId: 0,
      tokens,
      alpha: 0,
      samples: 400,
      seed: 2,
    });
    expect(byPosition.labels).toEqual([
      '0: good',
      '1: great',
      '2: bad',
      '3: great',
    ]);
    expectClose(byPosition.coefficients, [1, 3, -2, 3], {
      atol: 1e-4,
      rtol: 0,
    });
    const byToken = await explainLime(fn, ids, {
      kind: 'text',
      paddingId: 0,
      by: 'token',
      tokens,
      alpha: 0,
      samples: 400,
      seed: 2,
    });
    expect(byToken.labels).toEqual(['good', 'great', 'bad']);
    expectClose(byToken.coefficients, [1, 6, -2], { atol: 1e-4, rtol: 0 });
    tf.dispose([scores, ids]);
  });

  it('relabels a caller segmentation and finds the superpixel that matters', async () => {
    // f = mean of the top-left 4 × 4 quadrant of an 8 × 8 image.
    const fn = (t: tf.Tensor | Record<string, tf.Tensor>) =>
      tf.tidy(() =>
        tf.mean(
          tf.slice(t as tf.Tensor, [0, 0, 0, 0], [-1, 4, 4, 1]),
          [1, 2, 3],
        ),
      );
    const segments = Array.from({ length: 8 }, (_, r) =>
      Array.from({ length: 8 }, (_, c) => (r < 4 ? (c < 4 ? 42 : 7) : 3)),
    );
    const x = tf.ones([1, 8, 8, 1]);
    const lime = await explainLime(fn, x, {
      kind: 'image',
      segments,
      fill: 0,
      alpha: 0,
      samples: 64,
      seed: 1,
    });
    expect(lime.segments!.count).toBe(3);
    // Ids 3, 7, 42 become 0, 1, 2.
    expect(lime.segments!.labels[0]).toBe(2);
    expectClose(lime.coefficients, [0, 0, 1], { atol: 1e-5, rtol: 0 });
    x.dispose();
  });

  it('perturbs one input of a fusion model and keeps the other', async () => {
    const model = fusionModel(1);
    const x = {
      image: normalRows(1, [8, 8, 1], 1),
      series: normalRows(1, [5, 3], 2),
    };
    const lime = await explainLime(model, x, {
      kind: 'series',
      input: 'series',
      players: { axis: 0 },
      samples: 100,
      seed: 0,
      output: 1,
    });
    expect(lime.coefficients).toHaveLength(5);
    const y = model.predict([x.image, x.series]) as tf.Tensor;
    expectClose(lime.fx, y.dataSync()[1]!);
    expect(lime.score).toBeGreaterThan(0);
    expect(lime.score).toBeLessThanOrEqual(1);
    tf.dispose([x.image, x.series, y]);
    model.dispose();
  });

  it('leaves no tensors behind', async () => {
    const model = fusionModel(2);
    const x = {
      image: normalRows(1, [8, 8, 1], 1),
      series: normalRows(1, [5, 3], 2),
    };
    await expectNoLeak(() =>
      explainLime(model, x, {
        kind: 'image',
        input: 'image',
        slic: { segments: 4 },
        samples: 50,
        seed: 0,
      }),
    );
    tf.dispose(Object.values(x));
    model.dispose();
  });

  it('says what is wrong with its arguments', async () => {
    const { fn, dispose } = linearFn([1, 2], 0);
    const two = tf.ones([2, 2]);
    await expect(
      explainLime(fn, two, { kind: 'tabular', scale: [1, 1], seed: 0 }),
    ).rejects.toThrow(/one example \(batch 1\), received batch 2/);
    const one = tf.ones([1, 2]);
    await expect(
      explainLime(fn, one, { kind: 'tabular', seed: 0 }),
    ).rejects.toThrow(/needs training rows or column scales/);
    await expect(
      explainLime(fn, one, { kind: 'sound', seed: 0 } as never),
    ).rejects.toThrow(
      /kind to be one of 'tabular', 'series', 'text', 'image', received "sound"/,
    );
    await expect(
      explainLime(fn, one, { kind: 'image', seed: 0 }),
    ).rejects.toThrow(
      /\[height, width, channels\] per sample, received sample shape \[2\]/,
    );
    tf.dispose([two, one]);
    dispose();
  });
});

describe('segmentSlic', () => {
  it('gives connected, homogeneous segments numbered 0..K−1', async () => {
    // Four flat quadrants of different shades.
    const pixels = new Float32Array(32 * 32);
    for (let r = 0; r < 32; r++) {
      for (let c = 0; c < 32; c++)
        pixels[r * 32 + c] = (r < 16 ? 0 : 0.5) + (c < 16 ? 0 : 0.25);
    }
    const image = tf.tensor3d(pixels, [32, 32, 1]);
    const seg = await segmentSlic(image, { segments: 16 });
    expect(seg.count).toBeGreaterThan(8);
    expect(seg.count).toBeLessThan(30);
    const ids = new Set(seg.labels);
    expect([...ids].sort((a, b) => a - b)).toEqual(
      Array.from({ length: seg.count }, (_, i) => i),
    );
    // No segment crosses a quadrant border.
    const quadrant = new Map<number, number>();
    seg.labels.forEach((k, p) => {
      const q = pixels[p]!;
      if (!quadrant.has(k)) quadrant.set(k, q);
      expect(quadrant.get(k)).toBe(q);
    });
    image.dispose();
  });

  it('relabels ids in ascending order and checks the size', () => {
    const seg = relabelSegments([5, 5, -1, 9], 2, 2);
    expect(Array.from(seg.labels)).toEqual([1, 1, 0, 2]);
    expect(() => relabelSegments([1, 2, 3], 2, 2)).toThrow(
      /expected 4 segment ids for a 2 × 2 image, received 3/,
    );
  });
});
