import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';

import { concatFusion } from '../../src/fusion/concat-fusion';
import { mlpEncoder } from '../../src/encoders/mlp-encoder';
import { buildModel } from '../../src/model/build-model';
import { fitModel } from '../../src/model/fit-model';
import {
  formatRobustnessReport,
  robustnessReport,
} from '../../src/model/robustness';

/** y = Σ a + Σ b through a concat fusion with zero placeholders. */
function sumModel(withPresence: boolean): tfl.LayersModel {
  const a = tfl.input({ shape: [2], name: 'a' });
  const b = tfl.input({ shape: [3], name: 'b' });
  const presence = tfl.input({ shape: [2], name: 'presence' });
  const fused = concatFusion({ modalities: ['a', 'b'] }).applyRecord(
    { a, b },
    withPresence ? [presence] : [],
  );
  const y = tfl.layers
    .dense({ units: 1, useBias: false, kernelInitializer: 'ones' })
    .apply(fused) as tfl.SymbolicTensor;
  return tfl.model({
    inputs: withPresence ? [a, b, presence] : [a, b],
    outputs: y,
  });
}

const n = 4000;
const data = () => ({
  a: tf.randomNormal([n, 2], 0, 1, 'float32', 1),
  b: tf.randomNormal([n, 3], 0, 1, 'float32', 2),
});

describe('robustnessReport', () => {
  it('removes each modality through the presence mask and adds seeded noise', () => {
    const model = sumModel(true);
    const { a, b } = data();
    const inputs = { b, presence: tf.ones([n, 2]), a };
    const targets = model.predict([a, b, inputs.presence]) as tf.Tensor;
    const report = robustnessReport(model, inputs, targets, {
      metric: 'mse',
      noise: [0.5, 1],
      seed: 3,
    });
    expect(report.modalities).toEqual(['a', 'b']);
    expect(report.rows.map((r) => [r.condition, r.modality, r.std])).toEqual([
      ['clean', null, null],
      ['removed', 'a', null],
      ['noise', 'a', 0.5],
      ['noise', 'a', 1],
      ['removed', 'b', null],
      ['noise', 'b', 0.5],
      ['noise', 'b', 1],
    ]);
    expect(report.clean).toBe(0);
    // Removing a (placeholder 0) loses Σ a: mse = E[(Σ a)²] = 2.
    const sumSq = (x: tf.Tensor) =>
      tf.tidy(() => tf.mean(tf.square(tf.sum(x, -1))).dataSync()[0]!);
    const removedA = report.rows[1]!;
    expect(removedA.removal).toBe('presence');
    expect(removedA.value).toBeCloseTo(sumSq(a), 5);
    expect(report.rows[4]!.value).toBeCloseTo(sumSq(b), 5);
    // Noise of std s on d features: mse ≈ d s².
    // (n = 4000: the estimates' standard errors are about 0.01 and 0.07.)
    expect(Math.abs(report.rows[2]!.value - 2 * 0.25)).toBeLessThan(0.05);
    expect(Math.abs(report.rows[6]!.value - 3)).toBeLessThan(0.25);
    expect(report.rows[6]!.change).toBe(report.rows[6]!.value);

    const again = robustnessReport(model, inputs, targets, {
      metric: 'mse',
      noise: [0.5, 1],
      seed: 3,
    });
    expect(again).toEqual(report);
  });

  it('replaces a modality by its baseline when the model has no presence input, and leaks nothing', () => {
    const model = sumModel(false);
    const { a, b } = data();
    const targets = model.predict([a, b]) as tf.Tensor;
    const shift = tf.tensor1d([1, -1]);
    const before = tf.memory().numTensors;
    const report = robustnessReport(model, { a, b }, targets, {
      metric: 'mae',
      noise: [],
      baseline: { a: shift, b: 2 },
    });
    expect(tf.memory().numTensors).toBe(before);
    const mae = (x: tf.Tensor, shift: number) =>
      tf.tidy(
        () => tf.mean(tf.abs(tf.sub(tf.sum(x, -1), shift))).dataSync()[0]!,
      );
    expect(report.rows[1]).toMatchObject({
      removal: 'baseline',
      modality: 'a',
    });
    expect(report.rows[1]!.value).toBeCloseTo(mae(a, 0), 4);
    expect(report.rows[2]!.value).toBeCloseTo(mae(b, 6), 4);
  });

  it('joins several outputs for a custom metric and reports degradation by direction', () => {
    const a = tfl.input({ shape: [1], name: 'a' });
    const b = tfl.input({ shape: [1], name: 'b' });
    const model = tfl.model({
      inputs: [a, b],
      outputs: [a, b].map(
        (x, i) =>
          tfl.layers
            .dense({ units: 1, kernelInitializer: 'ones', name: `out${i}` })
            .apply(x) as tfl.SymbolicTensor,
      ),
    });
    const x = { a: tf.tensor2d([[1], [2]]), b: tf.tensor2d([[3], [4]]) };
    const seen: number[][] = [];
    const report = robustnessReport(
      model,
      x,
      { out1: x.b, out0: x.a },
      {
        metric: (y, p) => {
          seen.push(p.shape as number[]);
          return (
            1 - tf.tidy(() => tf.mean(tf.abs(tf.sub(y, p))).dataSync()[0]!)
          );
        },
        metricName: 'score',
        higherIsBetter: true,
        noise: [],
      },
    );
    expect(seen[0]).toEqual([2, 2]);
    expect(report.metric).toBe('score');
    expect(report.clean).toBe(1);
    // Removing a: |1| and |2| lost on one of two outputs → mean 0.75.
    expect(report.rows[1]!.value).toBeCloseTo(0.25);
    expect(report.rows[1]!.degradation).toBeCloseTo(0.75);
    const table = formatRobustnessReport(report, 2);
    expect(table.split('\n')[0]).toMatch(/condition\s+modality\s+std\s+score/);
    expect(table).toMatch(
      /removed \(baseline\)\s+a\s+-\s+0\.25\s+-0\.75\s+\+75\.0%/,
    );
  });

  it('shows that a model trained on one informative modality depends on it', async () => {
    const m = 512;
    const x = {
      signal: tf.randomNormal([m, 4], 0, 1, 'float32', 5),
      noise: tf.randomNormal([m, 4], 0, 1, 'float32', 6),
    };
    const y = tf.sum(x.signal, -1, true);
    const model = buildModel({
      modalities: {
        signal: { shape: [4], encoder: mlpEncoder({ units: [8], seed: 1 }) },
        noise: { shape: [4], encoder: mlpEncoder({ units: [8], seed: 2 }) },
      },
      heads: { name: 'y' },
      seed: 3,
    });
    await fitModel(model, x, y, {
      epochs: 15,
      batchSize: 64,
      seed: 4,
      learningRate: 0.02,
    });
    const report = robustnessReport(model, x, y, { metric: 'rmse', seed: 1 });
    const removed = Object.fromEntries(
      report.rows
        .filter((r) => r.condition === 'removed')
        .map((r) => [r.modality, r.value]),
    );
    expect(removed['signal']!).toBeGreaterThan(3 * removed['noise']!);
    expect(report.clean).toBeLessThan(removed['signal']!);
  });

  it('names what is wrong with inputs and options', () => {
    const model = sumModel(true);
    const x = {
      a: tf.ones([2, 2]),
      b: tf.ones([2, 3]),
      presence: tf.ones([2, 3]),
    };
    expect(() =>
      robustnessReport(model, x, tf.ones([2, 1]), { metric: 'mse' }),
    ).toThrow(
      /expected presence input 'presence' of shape \[n, 2\] for \[a, b\], received shape \[2,3\]/,
    );
    x.presence = tf.ones([2, 2]);
    expect(() =>
      robustnessReport(model, x, tf.ones([2, 1]), {
        metric: 'mse',
        modalities: ['a', 'c'],
      }),
    ).toThrow(
      /expected modalities among the model inputs \[a, b, presence\], received \[a, c\]/,
    );
    expect(() =>
      robustnessReport(model, x, tf.ones([2, 1]), { metric: 'r2' as never }),
    ).toThrow(/metric to be one of 'mse', 'rmse', 'mae', 'accuracy'/);
    expect(() =>
      robustnessReport(model, x, tf.ones([2, 1]), {
        metric: 'mse',
        noise: [-1],
      }),
    ).toThrow(/noise\[0\] to be a non-negative number, received -1/);
  });
});
