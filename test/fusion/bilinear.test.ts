import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';

import {
  BilinearFusion,
  bilinear,
  bilinearFusion,
} from '../../src/fusion/bilinear-fusion';
import { expectClose, readFixture, type Nested } from '../helpers';
import { describeOnBackends } from './backends';

interface BilinearFixture {
  inputs: { x1: Nested; x2: Nested; g: Nested };
  weights: { A: Nested; bias: Nested };
  expected: { y: Nested; dx1: Nested; dx2: Nested; dA: Nested; db: Nested };
}

const fixture = await readFixture<BilinearFixture>('bilinear.json');
const TOL = { atol: 1e-5, rtol: 1e-5 };

/** A layer over modalities x1, x2 holding the fixture's weights. */
function fixtureLayer(): BilinearFusion {
  const layer = bilinearFusion({ modalities: ['x2', 'x1'], units: 5, seed: 0 });
  layer.build([
    [null, 6],
    [null, 3],
  ]);
  layer.setWeights([
    tf.tensor(fixture.weights.A as number[][][]),
    tf.tensor(fixture.weights.bias as number[]),
  ]);
  return layer;
}

describeOnBackends('BilinearFusion matches torch.nn.Bilinear', () => {
  it('in values (bilinear.json, 1e-5)', () => {
    const layer = fixtureLayer();
    const x1 = tf.tensor(fixture.inputs.x1 as number[][]);
    const x2 = tf.tensor(fixture.inputs.x2 as number[][]);
    expectClose(layer.apply([x1, x2]) as tf.Tensor, fixture.expected.y, TOL);
    expectClose(
      layer.applyRecord({ x2, x1 }) as tf.Tensor,
      fixture.expected.y,
      TOL,
    );
  });

  it('in gradients to inputs, kernel and bias (bilinear.json, 1e-5)', () => {
    const layer = fixtureLayer();
    const x1 = tf.tensor(fixture.inputs.x1 as number[][]);
    const x2 = tf.tensor(fixture.inputs.x2 as number[][]);
    const g = tf.tensor(fixture.inputs.g as number[][]);
    const loss = (a: tf.Tensor, b: tf.Tensor) =>
      tf.sum(tf.mul(layer.apply([a, b]) as tf.Tensor, g)) as tf.Scalar;
    const [dx1, dx2] = tf.grads(loss)([x1, x2]);
    expectClose(dx1!, fixture.expected.dx1, TOL);
    expectClose(dx2!, fixture.expected.dx2, TOL);
    const [kernel, bias] = layer.trainableWeights.map(
      (w) => w.read() as tf.Variable,
    );
    const { grads } = tf.variableGrads(() => loss(x1, x2), [kernel!, bias!]);
    expectClose(grads[kernel!.name]!, fixture.expected.dA, TOL);
    expectClose(grads[bias!.name]!, fixture.expected.db, TOL);
  });
});

describe('bilinear', () => {
  it('equals the double sum for one sample', () => {
    const x1 = [0.5, -1];
    const x2 = [2, 1, -3];
    const a = Array.from({ length: 2 }, (_, i) =>
      Array.from({ length: 3 }, (_, j) => [i + j, i - j]),
    );
    const want = [0, 1].map((k) =>
      x1.reduce(
        (s, u, i) => s + x2.reduce((t, v, j) => t + u * a[i]![j]![k]! * v, 0),
        0,
      ),
    );
    const y = bilinear(
      tf.tensor2d([x1]),
      tf.tensor2d([x2]),
      tf.tensor(a),
      null,
    );
    expectClose(y, [want]);
  });

  it('gives the same values and gradients in both evaluation orders', () => {
    // d1 = 2 <= K = 3 takes the outer-product order; swapping the roles
    // (d1 = 7 > K) takes the matMul-first order, with A transposed.
    const x1 = tf.randomNormal([5, 2], 0, 1, 'float32', 1);
    const x2 = tf.randomNormal([5, 7], 0, 1, 'float32', 2);
    const a = tf.randomNormal([2, 7, 3], 0, 1, 'float32', 3);
    const b = tf.tensor1d([0.1, -0.2, 0.3]);
    const aT = tf.transpose(a, [1, 0, 2]);
    const outer = (u: tf.Tensor, v: tf.Tensor) =>
      bilinear(u as tf.Tensor2D, v as tf.Tensor2D, a, b, 'sigmoid');
    const first = (u: tf.Tensor, v: tf.Tensor) =>
      bilinear(v as tf.Tensor2D, u as tf.Tensor2D, aT, b, 'sigmoid');
    expectClose(first(x1, x2), outer(x1, x2), { atol: 1e-6 });
    const g = tf.randomNormal([5, 3], 0, 1, 'float32', 4);
    const grads = (f: typeof outer) =>
      tf.grads((u: tf.Tensor, v: tf.Tensor) => tf.sum(tf.mul(f(u, v), g)))([
        x1,
        x2,
      ]);
    const [o1, o2] = grads(outer);
    const [f1, f2] = grads(first);
    expectClose(f1!, o1!, { atol: 1e-6 });
    expectClose(f2!, o2!, { atol: 1e-6 });
  });

  it('rejects a third modality and names the alternatives', () => {
    expect(() =>
      bilinearFusion({ modalities: ['a', 'b', 'c'], units: 2 }),
    ).toThrow(/exactly 2 modalities, received 3 \[a, b, c\]/);
  });
});
