import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';

import { explainIntegratedGradients, gaussLegendre } from '../../src/explain';
import { expectClose, expectNoLeak, readFixture } from '../helpers';
import { fixtureMlp, fusionModel, linearFn, normalRows } from './models';

interface IgFixture {
  inputs: {
    points: number[][];
    baseline: number[];
    nSteps: number;
    gaussLegendre: { alphas: number[]; weights: number[] };
  };
  weights: { W1: number[][]; b1: number[]; W2: number[][]; b2: number[] };
  expected: {
    attributions: number[][];
    fx: number[];
    fBaseline: number;
    delta: number[];
  };
}

describe('explainIntegratedGradients against integrated_gradients.json', () => {
  it('has the Gauss–Legendre nodes and weights of numpy on [0, 1]', async () => {
    const f = await readFixture<IgFixture>('integrated_gradients.json');
    const { alphas, weights } = gaussLegendre(f.inputs.nSteps);
    expectClose(alphas, f.inputs.gaussLegendre.alphas, {
      atol: 1e-13,
      rtol: 0,
    });
    expectClose(weights, f.inputs.gaussLegendre.weights, {
      atol: 1e-13,
      rtol: 0,
    });
    expectClose(gaussLegendre(1).alphas, [0.5], { atol: 0, rtol: 0 });
  });

  it('matches the attributions of the tanh MLP with a delta below 1e-5', async () => {
    const f = await readFixture<IgFixture>('integrated_gradients.json');
    const model = fixtureMlp(f.weights);
    const points = tf.tensor2d(f.inputs.points);
    const ig = await explainIntegratedGradients(model, points, {
      baseline: tf.tensor2d([f.inputs.baseline]),
      steps: f.inputs.nSteps,
    });
    expectClose(ig.attributions['x']!, f.expected.attributions);
    expectClose(ig.fx, f.expected.fx);
    expectClose(
      ig.fBaseline,
      f.expected.fx.map(() => f.expected.fBaseline),
    );
    for (const d of ig.delta) expect(Math.abs(d)).toBeLessThan(1e-5);
    tf.dispose(points);
    model.dispose();
  });
});

describe('explainIntegratedGradients', () => {
  it('is exact for a linear model whatever the number of steps', async () => {
    const { fn, dispose } = linearFn([2, -1, 0.5], 3);
    const x = tf.tensor2d([
      [1, 2, 3],
      [-1, 0, 4],
    ]);
    const baseline = tf.tensor2d([[0.5, 0.5, 0.5]]);
    for (const steps of [1, 7]) {
      const ig = await explainIntegratedGradients(fn, x, { baseline, steps });
      expectClose(ig.attributions['input']!, [
        [2 * 0.5, -1 * 1.5, 0.5 * 2.5],
        [2 * -1.5, -1 * -0.5, 0.5 * 3.5],
      ]);
      expectClose(ig.delta, [0, 0], { atol: 1e-5, rtol: 0 });
    }
    tf.dispose([x, baseline]);
    dispose();
  });

  it('is complete within its delta on a two-input fusion model', async () => {
    const model = fusionModel(2);
    const x = {
      image: normalRows(2, [8, 8, 1], 1),
      series: normalRows(2, [5, 3], 2),
    };
    const ig = await explainIntegratedGradients(model, x, { output: 1 });
    const y = model.predict([x.image, x.series]) as tf.Tensor;
    const fx = Array.from(y.dataSync()).filter((_, k) => k % 2 === 1);
    expectClose(ig.fx, fx);
    expect(Object.keys(ig.attributions)).toEqual(['image', 'series']);
    expect(ig.shapes).toEqual({ image: [8, 8, 1], series: [5, 3] });
    ig.fx.forEach((v, e) => {
      const total =
        ig.attributions['image']![e]!.reduce((a, b) => a + b, 0) +
        ig.attributions['series']![e]!.reduce((a, b) => a + b, 0);
      expectClose(total - (v - ig.fBaseline[e]!), ig.delta[e]!, {
        atol: 1e-6,
        rtol: 0,
      });
      expect(Math.abs(ig.delta[e]!)).toBeLessThan(1e-3);
    });
    tf.dispose([x.image, x.series, y]);
    model.dispose();
  });

  it('attributes one input and keeps the other at the example', async () => {
    const model = fusionModel(3);
    const x = {
      image: normalRows(1, [8, 8, 1], 3),
      series: normalRows(1, [5, 3], 4),
    };
    const ig = await explainIntegratedGradients(model, x, {
      attribute: ['series'],
    });
    expect(Object.keys(ig.attributions)).toEqual(['series']);
    const y0 = model.predict([x.image, tf.zeros([1, 5, 3])]) as tf.Tensor;
    expectClose(ig.fBaseline, y0.dataSync().slice(0, 1));
    tf.dispose([x.image, x.series, y0]);
    model.dispose();
  });

  it('gives the same result in chunks of any size and converges faster than Riemann', async () => {
    const f = await readFixture<IgFixture>('integrated_gradients.json');
    const model = fixtureMlp(f.weights);
    const points = tf.tensor2d(f.inputs.points);
    const big = await explainIntegratedGradients(model, points, { steps: 16 });
    const small = await explainIntegratedGradients(model, points, {
      steps: 16,
      batchSize: 7,
    });
    expectClose(small.attributions['x']!, big.attributions['x']!, {
      atol: 1e-6,
      rtol: 1e-6,
    });
    const riemann = await explainIntegratedGradients(model, points, {
      steps: 16,
      method: 'riemannMiddle',
    });
    const worst = (d: number[]) => Math.max(...d.map(Math.abs));
    expect(worst(big.delta)).toBeLessThan(worst(riemann.delta));
    tf.dispose(points);
    model.dispose();
  });

  it('leaves no tensors behind', async () => {
    const model = fusionModel(4);
    const x = {
      image: normalRows(2, [8, 8, 1], 1),
      series: normalRows(2, [5, 3], 2),
    };
    await expectNoLeak(() =>
      explainIntegratedGradients(model, x, { steps: 4, batchSize: 3 }),
    );
    tf.dispose(Object.values(x));
    model.dispose();
  });

  it('says what is wrong with its arguments', async () => {
    const x = tf.ones([2, 3]);
    await expect(
      explainIntegratedGradients(async (t) => t as tf.Tensor, x),
    ).rejects.toThrow(/synchronous prediction function/);
    await expect(
      explainIntegratedGradients((t) => t as tf.Tensor, x, {
        baseline: tf.zeros([3, 3]),
      }),
    ).rejects.toThrow(/baseline of 1 or 2 rows, received 3/);
    await expect(
      explainIntegratedGradients((t) => t as tf.Tensor, x, { steps: 0 }),
    ).rejects.toThrow(/steps to be an integer >= 1, received 0/);
    x.dispose();
  });
});
