/** Small models with known explanations, shared by the explainer tests. */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

import { Random } from '../../src/internal/random';
import type { Nested } from '../helpers';

/** The tanh MLP of shapley.json as a tfjs-layers model. */
export function fixtureMlp(w: {
  W1: number[][];
  b1: number[];
  W2: number[][];
  b2: number[];
}): tfl.LayersModel {
  const input = tfl.input({ shape: [w.W1.length], name: 'x' });
  const h = tfl.layers
    .dense({ units: w.b1.length, activation: 'tanh', name: 'hidden' })
    .apply(input) as tfl.SymbolicTensor;
  const y = tfl.layers
    .dense({ units: 1, name: 'y' })
    .apply(h) as tfl.SymbolicTensor;
  const model = tfl.model({ inputs: input, outputs: y, name: 'mlp' });
  model.setWeights([
    tf.tensor2d(w.W1),
    tf.tensor1d(w.b1),
    tf.tensor2d(w.W2),
    tf.tensor1d(w.b2),
  ]);
  return model;
}

/** The tiny CNN of gradcam.json. */
export function fixtureCnn(f: {
  weights: {
    convKernel: number[][][][];
    convBias: number[];
    denseKernel: number[][];
    denseBias: number[];
  };
}): tfl.LayersModel {
  const input = tfl.input({ shape: [6, 6, 1] });
  let h = tfl.layers
    .conv2d({ filters: 2, kernelSize: 3, activation: 'relu', name: 'conv' })
    .apply(input) as tfl.SymbolicTensor;
  h = tfl.layers.flatten().apply(h) as tfl.SymbolicTensor;
  const y = tfl.layers
    .dense({ units: 3, name: 'logits' })
    .apply(h) as tfl.SymbolicTensor;
  const model = tfl.model({ inputs: input, outputs: y });
  model.setWeights([
    tf.tensor4d(f.weights.convKernel),
    tf.tensor1d(f.weights.convBias),
    tf.tensor2d(f.weights.denseKernel),
    tf.tensor1d(f.weights.denseBias),
  ]);
  return model;
}

/** f(x) = x · w + c as a batched function of a [n, M] tensor. */
export function linearFn(w: number[], c: number) {
  const wt = tf.tensor2d(w, [w.length, 1]);
  return {
    fn: (x: tf.Tensor | Record<string, tf.Tensor>) =>
      tf.tidy(() => tf.add(tf.matMul(x as tf.Tensor2D, wt), c)),
    dispose: () => wt.dispose(),
  };
}

/**
 * A game with only pairwise interactions:
 * f(x) = Σ a_i x_i + Σ_{i<j} B_ij x_i x_j, as a function of [n, M].
 */
export function pairwiseFn(M: number, seed: number) {
  const rng = new Random(seed);
  const a = tf.tensor2d(
    Array.from({ length: M }, () => rng.normal()),
    [M, 1],
  );
  const upper = Array.from({ length: M * M }, (_, k) =>
    Math.floor(k / M) < k % M ? rng.normal() : 0,
  );
  const B = tf.tensor2d(upper, [M, M]);
  return {
    fn: (x: tf.Tensor | Record<string, tf.Tensor>) =>
      tf.tidy(() => {
        const X = x as tf.Tensor2D;
        const quad = tf.sum(tf.mul(tf.matMul(X, B), X), 1, true);
        return tf.add(tf.matMul(X, a), quad);
      }),
    dispose: () => tf.dispose([a, B]),
  };
}

/** A seeded random MLP over [n, M] as a tfjs-layers model. */
export function randomMlp(M: number, seed: number): tfl.LayersModel {
  const input = tfl.input({ shape: [M] });
  const h = tfl.layers
    .dense({
      units: 16,
      activation: 'tanh',
      kernelInitializer: tfl.initializers.glorotNormal({ seed }),
    })
    .apply(input) as tfl.SymbolicTensor;
  const y = tfl.layers
    .dense({
      units: 2,
      kernelInitializer: tfl.initializers.glorotNormal({ seed: seed + 1 }),
    })
    .apply(h) as tfl.SymbolicTensor;
  return tfl.model({ inputs: input, outputs: y });
}

/**
 * A two-input fusion model: a conv branch over `image` [8, 8, 1] and a
 * dense branch over `series` [5, 3], concatenated, then a dense head with
 * two outputs.
 */
export function fusionModel(seed: number): tfl.LayersModel {
  const init = (s: number) => tfl.initializers.glorotNormal({ seed: seed + s });
  const image = tfl.input({ shape: [8, 8, 1], name: 'image' });
  const series = tfl.input({ shape: [5, 3], name: 'series' });
  let a = tfl.layers
    .conv2d({
      filters: 4,
      kernelSize: 3,
      padding: 'same',
      activation: 'relu',
      kernelInitializer: init(1),
      name: 'conv_a',
    })
    .apply(image) as tfl.SymbolicTensor;
  a = tfl.layers.flatten().apply(a) as tfl.SymbolicTensor;
  let b = tfl.layers.flatten().apply(series) as tfl.SymbolicTensor;
  b = tfl.layers
    .dense({ units: 6, activation: 'tanh', kernelInitializer: init(2) })
    .apply(b) as tfl.SymbolicTensor;
  const fused = tfl.layers.concatenate().apply([a, b]) as tfl.SymbolicTensor;
  const y = tfl.layers
    .dense({ units: 2, kernelInitializer: init(3), name: 'head' })
    .apply(fused) as tfl.SymbolicTensor;
  return tfl.model({ inputs: [image, series], outputs: y, name: 'fusion' });
}

/** Rows of standard normal values as a tensor. */
export function normalRows(rows: number, shape: number[], seed: number) {
  return tf.randomNormal([rows, ...shape], 0, 1, 'float32', seed);
}

/** A nested array as a number matrix. */
export function matrix(value: Nested): number[][] {
  return value as number[][];
}
