/**
 * Each operator against its formula, computed by hand in plain numbers
 * from the layer's own weights.
 */
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';

import { concatFusion } from '../../src/fusion/concat-fusion';
import { gatedFusion } from '../../src/fusion/gated-fusion';
import { lowRankBilinearFusion } from '../../src/fusion/low-rank-bilinear-fusion';
import { lowRankTensorFusion } from '../../src/fusion/low-rank-tensor-fusion';
import { tensorFusion } from '../../src/fusion/tensor-fusion';
import { expectClose } from '../helpers';

type Matrix = number[][];

/** The layer's weights by name suffix, as nested arrays. */
function weightsOf(layer: {
  weights: { originalName: string; read(): tf.Tensor }[];
}): Record<string, Matrix & number[]> {
  return Object.fromEntries(
    layer.weights.map((w) => [
      w.originalName.split('/').pop()!,
      w.read().arraySync() as Matrix & number[],
    ]),
  );
}

const rows = (t: tf.Tensor) => t.arraySync() as Matrix;
const dot = (x: number[], w: Matrix, col: number) =>
  x.reduce((s, v, i) => s + v * w[i]![col]!, 0);
const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));

describe('TensorFusion', () => {
  it('is the flattened outer product of the vectors with 1 appended', () => {
    const layer = tensorFusion({ modalities: ['a', 'b'] });
    const z = layer.applyRecord({
      b: tf.tensor2d([[2, 3]]),
      a: tf.tensor2d([[5]]),
    }) as tf.Tensor;
    // [5, 1] ⊗ [2, 3, 1]: bimodal, unimodal b, unimodal a, constant.
    expectClose(z, [[10, 15, 5, 2, 3, 1]]);
    expect(
      layer.computeOutputShape([
        [null, 1],
        [null, 2],
      ]),
    ).toEqual([null, 6]);
  });

  it('keeps every order of interaction among three modalities', () => {
    const layer = tensorFusion({ modalities: ['a', 'b', 'c'] });
    const z = rows(
      layer.apply([
        tf.tensor2d([[2]]),
        tf.tensor2d([[3]]),
        tf.tensor2d([[5]]),
      ]) as tf.Tensor,
    )[0]!;
    expect(z).toEqual([30, 6, 10, 2, 15, 3, 5, 1]);
  });
});

describe('LowRankTensorFusion', () => {
  it('equals Σ_i w_i Π_m ([x_m; 1] W_m^(i)) + b', () => {
    const units = 3;
    const rank = 2;
    const layer = lowRankTensorFusion({
      modalities: ['p', 'q', 'r'],
      rank,
      units,
      seed: 4,
    });
    const xs = [[[0.3, -1]], [[2, 0.5, 1]], [[-0.7]]];
    const y = rows(layer.apply(xs.map((x) => tf.tensor2d(x))) as tf.Tensor);
    const w = weightsOf(layer);
    // Perturb nothing: the 'ones' rows and zero bias are the initial state.
    const want = Array.from({ length: units }, (_, o) => {
      let total = 0;
      for (let i = 0; i < rank; i++) {
        let product = 1;
        ['p', 'q', 'r'].forEach((m, j) => {
          const col = o * rank + i;
          product *=
            dot(xs[j]![0]!, w[`factor_kernel_${m}`]!, col) +
            (w[`factor_bias_${m}`] as number[])[col]!;
        });
        total += (w['rank_weights'] as Matrix)[i]![0]! * product;
      }
      return total + (w['bias'] as number[])[o]!;
    });
    expectClose(y, [want], { atol: 1e-5 });
  });
});

describe('LowRankBilinearFusion', () => {
  it('equals Pᵀ(tanh(Uᵀx + c) ∘ tanh(Vᵀy + d)) + b', () => {
    const layer = lowRankBilinearFusion({
      modalities: ['x', 'y'],
      rank: 4,
      units: 2,
      seed: 2,
    });
    const x = [0.5, -0.2, 1];
    const y = [2, -1];
    const out = rows(
      layer.applyRecord({
        y: tf.tensor2d([y]),
        x: tf.tensor2d([x]),
      }) as tf.Tensor,
    );
    const w = weightsOf(layer);
    const joint = Array.from(
      { length: 4 },
      (_, i) =>
        Math.tanh(dot(x, w['projection_kernel_x']!, i)) *
        Math.tanh(dot(y, w['projection_kernel_y']!, i)),
    );
    const want = [0, 1].map((o) => dot(joint, w['kernel']!, o));
    expectClose(out, [want], { atol: 1e-6 });
  });
});

describe('GatedFusion', () => {
  it('is the Gated Multimodal Unit for two modalities: z h1 + (1 − z) h2', () => {
    const layer = gatedFusion({ modalities: ['v', 't'], units: 2, seed: 9 });
    const t = [1, -2];
    const v = [0.5, 0.25, -1];
    const input = [tf.tensor2d([t]), tf.tensor2d([v])]; // sorted: t, v
    const out = rows(layer.apply(input) as tf.Tensor)[0]!;
    const w = weightsOf(layer);
    const joined = [...t, ...v];
    const want = [0, 1].map((o) => {
      const ht = Math.tanh(dot(t, w['projection_kernel_t']!, o));
      const hv = Math.tanh(dot(v, w['projection_kernel_v']!, o));
      // Unit-major gate columns: o·M + m.
      const z = sigmoid(
        dot(joined, w['gate_kernel']!, o * 2) -
          dot(joined, w['gate_kernel']!, o * 2 + 1),
      );
      return z * ht + (1 - z) * hv;
    });
    expectClose(out, want, { atol: 1e-6 });
    const gates = layer.gates(input);
    expect(gates.shape).toEqual([1, 2, 2]);
    expectClose(tf.sum(gates, -1), [[1, 1]], { atol: 1e-6 });
  });
});

describe('ConcatFusion with a presence mask', () => {
  it('fills an absent modality of an early fusion with its placeholder at every step', () => {
    const layer = concatFusion({ modalities: ['a', 'b'] });
    const a = tf.ones([2, 3, 2]);
    const b = tf.fill([2, 3, 1], 7);
    const presence = tf.tensor2d([
      [1, 1],
      [1, 0],
    ]);
    layer.apply([a, b, presence]);
    layer.weights
      .find((w) => w.originalName.endsWith('placeholder_b'))!
      .write(tf.tensor1d([-3]));
    const out = rows(layer.apply([a, b, presence]) as tf.Tensor) as unknown;
    expect(out).toEqual([
      [
        [1, 1, 7],
        [1, 1, 7],
        [1, 1, 7],
      ],
      [
        [1, 1, -3],
        [1, 1, -3],
        [1, 1, -3],
      ],
    ]);
  });

  it('fills with zeros in zeros mode and has no weights then', () => {
    const layer = concatFusion({ modalities: ['a', 'b'], absent: 'zeros' });
    const out = layer.apply([
      tf.tensor2d([[1], [2]]),
      tf.tensor2d([[3], [4]]),
      tf.tensor2d([
        [0, 1],
        [1, 0],
      ]),
    ]) as tf.Tensor;
    expectClose(out, [
      [0, 3],
      [2, 0],
    ]);
    expect(layer.weights).toHaveLength(0);
    expect(() =>
      concatFusion({ modalities: ['a'], absent: 'mean' as never }),
    ).toThrow(/absent to be one of 'placeholder', 'zeros', received "mean"/);
  });

  it('has no weights without a presence mask, as before', () => {
    const layer = concatFusion({ modalities: ['a', 'b'] });
    layer.apply([tf.ones([1, 2]), tf.ones([1, 3])]);
    expect(layer.weights).toHaveLength(0);
    expect(() =>
      layer.apply([tf.ones([1, 2]), tf.ones([1, 3]), tf.ones([1, 2])]),
    ).toThrow(/built without one; pass the mask from the first call/);
  });
});
