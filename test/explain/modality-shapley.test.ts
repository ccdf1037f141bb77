import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';

import {
  explainKernelShap,
  explainModalities,
  explainShapley,
} from '../../src/explain';
import { expectClose, expectNoLeak } from '../helpers';
import { fusionModel, normalRows } from './models';

const TOL = { atol: 1e-6, rtol: 1e-6 };

describe('explainModalities', () => {
  it('sums to f(x) − f(baseline) on a two-input fusion model', async () => {
    const model = fusionModel(3);
    const x = {
      image: normalRows(2, [8, 8, 1], 1),
      series: normalRows(2, [5, 3], 2),
    };
    const baseline = {
      image: tf.zeros([1, 8, 8, 1]),
      series: tf.zeros([1, 5, 3]),
    };
    const e = await explainModalities(model, x, { baseline, output: 1 });
    expect(e.labels).toEqual(['image', 'series']);
    expect(e.diagnostics.coalitions).toEqual([2, 2]);
    const y = model.predict([x.image, x.series]) as tf.Tensor;
    const y0 = model.predict([baseline.image, baseline.series]) as tf.Tensor;
    const fx = Array.from(y.dataSync()).filter((_, k) => k % 2 === 1);
    e.values.forEach((phi, i) => {
      expectClose(phi[0]! + phi[1]!, fx[i]! - y0.dataSync()[1]!);
    });
    tf.dispose([...Object.values(x), ...Object.values(baseline), y, y0]);
    model.dispose();
  });

  it('gives each part of an additive model its own change', async () => {
    const fn = (x: tf.Tensor | Record<string, tf.Tensor>) =>
      tf.tidy(() => {
        const r = x as Record<string, tf.Tensor>;
        const a = tf.sum(tf.square(r['a']!), 1);
        const b = tf.mul(tf.sum(tf.mul(r['b']!, r['b_mask']!), 1), 2);
        return tf.add(a, b);
      });
    const x = {
      a: tf.tensor2d([[1, 2]]),
      b: tf.tensor2d([[3, 4]]),
      b_mask: tf.tensor2d([[1, 0]]),
    };
    const background = {
      a: tf.tensor2d([
        [0, 0],
        [1, 1],
      ]),
      b: tf.tensor2d([
        [1, 1],
        [0, 0],
      ]),
      b_mask: tf.tensor2d([
        [1, 1],
        [0, 0],
      ]),
    };
    const e = await explainModalities(fn, x, { background });
    // b_mask joins modality b.
    expect(e.labels).toEqual(['a', 'b']);
    expectClose(e.values[0]!, [5 - 1, 6 - 2], TOL);
    tf.dispose([...Object.values(x), ...Object.values(background)]);
  });

  it('leaves no tensors behind', async () => {
    const model = fusionModel(8);
    const x = {
      image: normalRows(2, [8, 8, 1], 1),
      series: normalRows(2, [5, 3], 2),
    };
    const background = {
      image: normalRows(3, [8, 8, 1], 3),
      series: normalRows(3, [5, 3], 4),
    };
    await expectNoLeak(() => explainModalities(model, x, { background }));
    await expectNoLeak(() =>
      explainShapley(model, x, {
        background,
        players: { image: 'whole', series: { axis: 0 } },
      }),
    );
    tf.dispose([...Object.values(x), ...Object.values(background)]);
    model.dispose();
  });

  it('asks for exactly one of baseline and background', async () => {
    const x = { a: tf.ones([1, 2]) };
    await expect(
      explainModalities((t) => t as tf.Tensor, x, {}),
    ).rejects.toThrow(
      /exactly one of baseline and background, received neither/,
    );
    x.a.dispose();
  });
});

describe('constant folding', () => {
  it('gives the same values with a fixed input folded or tiled', async () => {
    const model = fusionModel(7);
    const x = {
      image: normalRows(1, [8, 8, 1], 3),
      series: normalRows(1, [5, 3], 4),
    };
    const background = {
      image: normalRows(4, [8, 8, 1], 5),
      series: normalRows(4, [5, 3], 6),
    };
    const options = {
      background,
      players: { image: 'fixed' as const, series: { axis: 0 } },
      seed: 1,
    };
    const folded = await explainKernelShap(model, x, options);
    const tiled = await explainKernelShap(model, x, {
      ...options,
      foldConstants: false,
    });
    expect(folded.labels).toEqual([
      'series[0]',
      'series[1]',
      'series[2]',
      'series[3]',
      'series[4]',
    ]);
    expectClose(folded.values, tiled.values, { atol: 1e-5, rtol: 1e-4 });
    expectClose(folded.baseValues, tiled.baseValues, {
      atol: 1e-6,
      rtol: 1e-5,
    });
    tf.dispose([...Object.values(x), ...Object.values(background)]);
    model.dispose();
  });
});
