import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { explainKernelShap, explainShapley } from '../../src/explain';
import { expectClose, expectNoLeak, readFixture } from '../helpers';
import {
  fixtureMlp,
  linearFn,
  normalRows,
  pairwiseFn,
  randomMlp,
} from './models';

interface ShapleyFixture {
  inputs: { background: number[][]; points: number[][] };
  weights: {
    mlp: { W1: number[][]; b1: number[]; W2: number[][]; b2: number[] };
    linear: { w: number[]; c: number };
  };
  expected: {
    mlp: { phi: number[][]; baseValue: number; fx: number[] };
    linear: { phi: number[][]; baseValue: number; fx: number[] };
  };
}

const TOL = { atol: 1e-6, rtol: 1e-6 };

describe('Shapley values against shapley.json', () => {
  let fx: ShapleyFixture;
  let background: tf.Tensor2D;
  let points: tf.Tensor2D;

  beforeAll(async () => {
    fx = await readFixture<ShapleyFixture>('shapley.json');
    background = tf.tensor2d(fx.inputs.background);
    points = tf.tensor2d(fx.inputs.points);
  });
  afterAll(() => tf.dispose([background, points]));

  it('matches the exact interventional values of the MLP to 1e-6', async () => {
    const model = fixtureMlp(fx.weights.mlp);
    const e = await explainShapley(model, points, { background });
    expectClose(e.values, fx.expected.mlp.phi, TOL);
    expectClose(e.fx, fx.expected.mlp.fx, TOL);
    for (const b of e.baseValues) {
      expectClose(b, fx.expected.mlp.baseValue, TOL);
    }
    expect(e.diagnostics.coalitions).toEqual([30, 30, 30]);
    model.dispose();
  });

  it('gives the same values with KernelSHAP when the budget covers all coalitions', async () => {
    const model = fixtureMlp(fx.weights.mlp);
    const e = await explainKernelShap(model, points, { background, seed: 0 });
    expect(e.diagnostics.coalitions).toEqual([30, 30, 30]);
    expect(e.diagnostics.sampledCoalitions).toEqual([0, 0, 0]);
    expectClose(e.values, fx.expected.mlp.phi, TOL);
    model.dispose();
  });

  it('matches the closed form w_i (x_i − mean b_i) for the linear model', async () => {
    const { fn, dispose } = linearFn(fx.weights.linear.w, fx.weights.linear.c);
    for (const explain of [explainShapley, explainKernelShap]) {
      const e = await explain(fn, points, { background, seed: 3 });
      expectClose(e.values, fx.expected.linear.phi, TOL);
      expectClose(e.baseValues[0]!, fx.expected.linear.baseValue, TOL);
    }
    dispose();
  });
});

describe('Shapley axioms', () => {
  it('gives symmetric players equal values and a dummy player zero', async () => {
    // f = x0 x1 + x2 (x3 is a dummy); players 0 and 1 are symmetric.
    const fn = (x: tf.Tensor | Record<string, tf.Tensor>) =>
      tf.tidy(() => {
        const c = tf.split(x as tf.Tensor2D, 4, 1);
        return tf.add(tf.mul(c[0]!, c[1]!), c[2]!);
      });
    const x = tf.tensor2d([[2, 2, 1, 5]]);
    const background = tf.tensor2d([
      [0, 0, 0, 0],
      [1, 1, -1, 2],
    ]);
    for (const explain of [explainShapley, explainKernelShap]) {
      const e = await explain(fn, x, { background, seed: 1 });
      const [phi] = e.values as [number[]];
      expectClose(phi[0]!, phi[1]!, { atol: 1e-6, rtol: 0 });
      expect(Math.abs(phi[3]!)).toBeLessThan(1e-6);
      expectClose(e.diagnostics.efficiencyGap, [0], { atol: 1e-6, rtol: 0 });
    }
    tf.dispose([x, background]);
  });

  it('satisfies efficiency for every method with sampled coalitions', async () => {
    const model = randomMlp(24, 5);
    const x = normalRows(2, [24], 1);
    const background = normalRows(7, [24], 2);
    const e = await explainKernelShap(model, x, {
      background,
      seed: 4,
      output: 1,
    });
    expect(e.diagnostics.sampledCoalitions![0]).toBeGreaterThan(0);
    e.values.forEach((phi, i) => {
      const total = phi.reduce((a, b) => a + b, 0);
      expectClose(total, e.fx[i]! - e.baseValues[i]!, {
        atol: 1e-5,
        rtol: 1e-5,
      });
    });
    const direct = model.predict(x) as tf.Tensor;
    expectClose(
      e.fx,
      Array.from(direct.dataSync()).filter((_, k) => k % 2 === 1),
    );
    tf.dispose([x, background, direct]);
    model.dispose();
  });

  it('equals exact Shapley on a random MLP when 2^M − 2 fits the budget', async () => {
    const model = randomMlp(8, 11);
    const x = normalRows(2, [8], 3);
    const background = normalRows(5, [8], 4);
    const exact = await explainShapley(model, x, { background });
    const kernel = await explainKernelShap(model, x, { background, seed: 9 });
    expect(kernel.diagnostics.coalitions).toEqual([254, 254]);
    expectClose(kernel.values, exact.values, TOL);
    tf.dispose([x, background]);
    model.dispose();
  });

  it.each([13, 14])(
    'is exact with paired sampling on a pairwise-only model (M = %i)',
    async (M) => {
      const { fn, dispose } = pairwiseFn(M, M);
      const x = normalRows(1, [M], 5);
      const background = normalRows(2, [M], 6);
      const exact = await explainShapley(fn, x, { background });
      const kernel = await explainKernelShap(fn, x, {
        background,
        seed: 2,
        budget: 600,
      });
      expect(kernel.diagnostics.sampledCoalitions![0]).toBeGreaterThan(0);
      expect(kernel.diagnostics.coalitions[0]).toBeLessThanOrEqual(600);
      expectClose(kernel.values, exact.values, { atol: 2e-5, rtol: 1e-4 });
      tf.dispose([x, background]);
      dispose();
    },
  );
});

describe('explainKernelShap', () => {
  it('gives identical results for the same seed and different ones otherwise', async () => {
    const model = randomMlp(30, 1);
    const x = normalRows(1, [30], 7);
    const background = normalRows(4, [30], 8);
    const run = (seed: number) =>
      explainKernelShap(model, x, { background, seed, budget: 200 });
    const [a, b, c] = [await run(1), await run(1), await run(2)];
    expect(a.values).toEqual(b.values);
    expect(a.values).not.toEqual(c.values);
    tf.dispose([x, background]);
    model.dispose();
  });

  it('skips players equal to the example in every background row', async () => {
    const { fn, dispose } = linearFn([1, 2, 3], 0);
    const x = tf.tensor2d([[1, 5, 2]]);
    const background = tf.tensor2d([
      [0, 5, 0],
      [2, 5, 1],
    ]);
    const e = await explainKernelShap(fn, x, { background, seed: 0 });
    expect(e.values[0]![1]).toBe(0);
    expect(e.diagnostics.varyingPlayers).toEqual([2]);
    expectClose(e.values[0]!, [0, 0, 3 * (2 - 0.5)], TOL);
    tf.dispose([x, background]);
    dispose();
  });

  it('treats a group of columns as one player and weights the background', async () => {
    const { fn, dispose } = linearFn([1, -2, 4, 0.5], 1);
    const x = tf.tensor2d([[1, 0, 1, 3]]);
    const rows = tf.tensor2d([
      [0, 1, 0, 1],
      [0, 0, 1, 2],
    ]);
    const e = await explainKernelShap(fn, x, {
      background: { inputs: rows, weights: [3, 1] },
      players: { groups: [[0, 1, 2], [3]], labels: ['colour', 'size'] },
      seed: 0,
    });
    // Weighted background mean: [0, 0.75, 0.25, 1.25].
    const expected = [
      1 * 1 + -2 * (0 - 0.75) + 4 * (1 - 0.25),
      0.5 * (3 - 1.25),
    ];
    expect(e.labels).toEqual(['colour', 'size']);
    expectClose(e.values[0]!, expected, TOL);
    tf.dispose([x, rows]);
    dispose();
  });

  it('labels time steps and features of a window and keeps its shape', async () => {
    const fn = (x: tf.Tensor | Record<string, tf.Tensor>) =>
      tf.sum(x as tf.Tensor, [1, 2]);
    const x = tf.ones([1, 3, 2]);
    const background = tf.zeros([1, 3, 2]);
    const cells = await explainKernelShap(fn, x, {
      background,
      players: {
        axisLabels: [
          ['t-2', 't-1', 't'],
          ['open', 'close'],
        ],
      },
      seed: 0,
    });
    expect(cells.shape).toEqual([3, 2]);
    expect(cells.labels[1]).toBe('t-2 · close');
    expectClose(cells.values[0]!, [1, 1, 1, 1, 1, 1], TOL);
    const steps = await explainKernelShap(fn, x, {
      background,
      players: { axis: 0, labels: ['t-2', 't-1', 't'] },
      seed: 0,
    });
    expect(steps.shape).toEqual([3]);
    expectClose(steps.values[0]!, [2, 2, 2], TOL);
    tf.dispose([x, background]);
  });

  it('streams a large background in chunks of at most batchSize rows', async () => {
    const { fn, dispose } = linearFn(
      Array.from({ length: 20 }, (_, i) => i / 10),
      0,
    );
    let maxRows = 0;
    let peak = 0;
    const watched = (x: tf.Tensor | Record<string, tf.Tensor>) => {
      maxRows = Math.max(maxRows, (x as tf.Tensor).shape[0]!);
      peak = Math.max(peak, tf.memory().numBytes);
      return fn(x);
    };
    const x = normalRows(1, [20], 1);
    const background = normalRows(3000, [20], 2);
    const start = tf.memory().numBytes;
    const e = await explainKernelShap(watched, x, {
      background,
      seed: 0,
      budget: 100,
      batchSize: 256,
    });
    expect(maxRows).toBeLessThanOrEqual(256);
    // The synthetic rows of all coalitions would be 100 × 3000 × 20 floats
    // (24 MB); a chunk is 256 rows.
    expect(peak - start).toBeLessThan(256 * 20 * 4 * 8);
    expect(e.diagnostics.modelRows).toBe(102 * 3000);
    expectClose(e.diagnostics.efficiencyGap, [0], { atol: 1e-4, rtol: 0 });
    tf.dispose([x, background]);
    dispose();
  });

  it('leaves no tensors behind', async () => {
    const model = randomMlp(6, 2);
    const x = normalRows(2, [6], 1);
    const background = normalRows(3, [6], 2);
    await expectNoLeak(() =>
      explainKernelShap(model, x, { background, seed: 0 }),
    );
    tf.dispose([x, background]);
    model.dispose();
  });

  it('names the option and the value in its errors', async () => {
    const model = randomMlp(4, 2);
    const x = normalRows(1, [4], 1);
    const background = normalRows(3, [5], 2);
    await expect(
      explainKernelShap(model, x, { background, seed: 0 }),
    ).rejects.toThrow(
      /expected background '\w+' of shape \[null,4\], received \[3,5\]/,
    );
    await expect(
      explainKernelShap(model, x, { background: x, seed: 0, output: 2 }),
    ).rejects.toThrow(/expected output in \[0, 1\].*received 2/);
    await expect(
      explainKernelShap(model, { a: x }, { background: x, seed: 0 }),
    ).rejects.toThrow(/expects inputs \[\w+\], received \[a\]/);
    await expect(
      explainShapley(randomMlp(20, 1), normalRows(1, [20], 1), {
        background: normalRows(1, [20], 1),
      }),
    ).rejects.toThrow(/at most 16 players.*received 20/);
    tf.dispose([x, background]);
    model.dispose();
  });

  it('refuses a model output that is not a finite tensor, leaking nothing', async () => {
    const model = randomMlp(4, 1);
    const x = normalRows(1, [4], 1);
    const nan = tf.tensor2d([[1, NaN, 0, 2]]);
    const background = normalRows(3, [4], 2);
    const before = tf.memory().numTensors;
    await expect(
      explainKernelShap(model, nan, { background, seed: 0 }),
    ).rejects.toThrow(
      /explainKernelShap: the model returned NaN for row \d+, output 0/,
    );
    await expect(
      explainKernelShap(() => 3 as unknown as tf.Tensor, x, {
        background,
        seed: 0,
      }),
    ).rejects.toThrow(
      /expected the model to return a tensor or a list of tensors, received 3/,
    );
    await expect(
      explainKernelShap(
        (inputs) => tf.tidy(() => tf.div(tf.sum(inputs as tf.Tensor, 1), 0)),
        x,
        { background, seed: 0 },
      ),
    ).rejects.toThrow(/returned (Infinity|-Infinity|NaN) for row/);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, nan, background]);
    model.dispose();
  });
});
