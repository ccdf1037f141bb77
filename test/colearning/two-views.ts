/**
 * A constructed two-view problem for the co-training tests: two classes,
 * and two views drawn independently given the class, each a Gaussian whose
 * mean moves with the class in every dimension, weak on its own with few
 * labels.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

import type { CoTrainingView } from '../../src/colearning';
import { Random } from '../../src/internal/random';

/** One part of the problem: the two views and the classes. */
export interface TwoViewPart {
  a: tf.Tensor2D;
  b: tf.Tensor2D;
  y: number[];
}

/**
 * Samples `n` points with balanced classes in random order. Each view has
 * `dim` features with mean `±separation / √dim` per feature and unit
 * noise, so one view's Bayes accuracy is `Φ(separation)`.
 */
export function twoViewPart(
  n: number,
  rng: Random,
  { dim = 20, separation = 1 }: { dim?: number; separation?: number } = {},
): TwoViewPart {
  const y = rng.shuffle(Array.from({ length: n }, (_, i) => i % 2));
  const shift = separation / Math.sqrt(dim);
  const view = () =>
    tf.tensor2d(
      y.flatMap((c) =>
        Array.from({ length: dim }, () => (2 * c - 1) * shift + rng.normal()),
      ),
      [n, dim],
    );
  return { a: view(), b: view(), y };
}

/** Logistic regression on `dim` features, seeded. */
export function logistic(dim: number) {
  return (seed: number): tfl.LayersModel => {
    const x = tfl.input({ shape: [dim] });
    const dense = tfl.layers.dense({
      units: 1,
      activation: 'sigmoid',
      kernelInitializer: tfl.initializers.glorotUniform({ seed }),
    });
    return tfl.model({
      inputs: x,
      outputs: dense.apply(x) as tfl.SymbolicTensor,
    });
  };
}

/** Both views as logistic regressions trained by the default trainer. */
export function logisticViews(dim: number): Record<string, CoTrainingView> {
  const fit = { epochs: 40, batchSize: 256, learningRate: 0.05 };
  return {
    a: { build: logistic(dim), fit },
    b: { build: logistic(dim), fit },
  };
}

/** Accuracy of a probability tensor `[n, 2]` or `[n, 1]` against `y`. */
export function accuracyOf(p: tf.Tensor, y: number[]): number {
  const rows = p.arraySync() as number[][];
  const hits = rows.filter((r, i) => {
    const label = r.length === 1 ? Number(r[0]! > 0.5) : Number(r[1]! > r[0]!);
    return label === y[i];
  }).length;
  return hits / y.length;
}

/** Disposes the tensors of parts. */
export function disposeParts(...parts: TwoViewPart[]): void {
  for (const part of parts) tf.dispose([part.a, part.b]);
}
