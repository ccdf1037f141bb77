import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';

import {
  distillationLoss,
  distillationTerms,
  fitDistillation,
} from '../../src/colearning';
import { ShapeError } from '../../src/internal/errors';
import { Random } from '../../src/internal/random';
import { expectClose } from '../helpers';

const softmax = (z: number[]) => {
  const m = Math.max(...z);
  const e = z.map((v) => Math.exp(v - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
};

describe('distillationLoss', () => {
  const student = [
    [1, 2, 0.5],
    [0, -1, 1],
  ];
  const teacher = [
    [2, 0, 1],
    [1, 1, -1],
  ];
  const labels = [1, 2];

  /** The loss by hand, in float64. */
  function byHand(T: number, alpha: number) {
    let soft = 0;
    let hard = 0;
    student.forEach((s, i) => {
      const p = softmax(teacher[i]!.map((v) => v / T));
      const q = softmax(s.map((v) => v / T));
      soft -= p.reduce((acc, pc, c) => acc + pc * Math.log(q[c]!), 0);
      hard -= Math.log(softmax(s)[labels[i]!]!);
    });
    soft = (T * T * soft) / student.length;
    hard /= student.length;
    return { soft, hard, total: alpha * soft + (1 - alpha) * hard };
  }

  it('matches the hand computation: T = 2, alpha = 0.7, with labels', () => {
    const [s, t] = [tf.tensor2d(student), tf.tensor2d(teacher)];
    const y = tf.tensor1d(labels, 'int32');
    const terms = distillationTerms(s, t, {
      temperature: 2,
      alpha: 0.7,
      labels: y,
    });
    const expected = byHand(2, 0.7);
    expectClose(
      [expected.soft, expected.hard, expected.total],
      [5.058445, 0.435987, 3.671708],
      { atol: 1e-6 },
    );
    // soft = 4 · 1.26461 = 5.05845, hard = 0.43599, total = 3.67171.
    expectClose(terms.soft.dataSync(), [expected.soft], { rtol: 1e-5 });
    expectClose(terms.hard.dataSync(), [expected.hard], { rtol: 1e-5 });
    expectClose(terms.total.dataSync(), [expected.total], { rtol: 1e-5 });
    // One-hot labels give the same loss.
    const oneHot = tf.oneHot(y, 3);
    const loss = distillationLoss(s, t, {
      temperature: 2,
      alpha: 0.7,
      labels: oneHot,
    });
    expectClose(loss.dataSync(), [expected.total], { rtol: 1e-5 });
    tf.dispose([s, t, y, oneHot, loss, terms.soft, terms.hard, terms.total]);
  });

  it('has the soft gradient T · (q − p) / n per logit (the T² factor), T = 4', () => {
    const [s, t] = [tf.tensor2d(student), tf.tensor2d(teacher)];
    const grad = tf.grad((x: tf.Tensor) =>
      distillationLoss(x, t, { temperature: 4 }),
    )(s);
    const expected = student.map((row, i) => {
      const p = softmax(teacher[i]!.map((v) => v / 4));
      const q = softmax(row.map((v) => v / 4));
      return q.map((qc, c) => (4 * (qc - p[c]!)) / student.length);
    });
    expectClose(grad, expected, { atol: 1e-6, rtol: 1e-5 });
    tf.dispose([s, t, grad]);
  });

  it('reads teacher probabilities as softmax(log p / T) and binary columns as [0, z]', () => {
    const [s, t] = [tf.tensor2d(student), tf.tensor2d(teacher)];
    const fromLogits = distillationLoss(s, t, { temperature: 3 });
    const probs = tf.softmax(t);
    const fromProbs = distillationLoss(s, probs, {
      temperature: 3,
      teacherOutput: 'probabilities',
    });
    expectClose(fromProbs.dataSync(), fromLogits.dataSync(), { rtol: 1e-5 });

    const z = tf.tensor2d([[0.3], [-1.2]]);
    const zt = tf.tensor2d([[1.5], [0.4]]);
    const binary = distillationLoss(z, zt, { temperature: 2 });
    const two = distillationLoss(
      tf.concat([tf.zerosLike(z), z], 1),
      tf.concat([tf.zerosLike(zt), zt], 1),
      { temperature: 2 },
    );
    expectClose(binary.dataSync(), two.dataSync(), { rtol: 1e-6 });
    tf.dispose([s, t, fromLogits, probs, fromProbs, z, zt, binary, two]);
  });

  it('rejects a temperature <= 0, alpha outside [0, 1] and unequal shapes', () => {
    const [s, t] = [tf.tensor2d(student), tf.tensor2d(teacher)];
    const before = tf.memory().numTensors;
    expect(() => distillationLoss(s, t, { temperature: 0 })).toThrow(
      new RangeError('distillationLoss: expected temperature > 0, received 0'),
    );
    expect(() => distillationLoss(s, t, { alpha: 1.5 })).toThrow(
      'distillationLoss: expected alpha in [0, 1], received 1.5',
    );
    const narrow = tf.zeros([2, 2]);
    expect(() => distillationLoss(s, narrow)).toThrow(
      new ShapeError(
        'distillationLoss: expected student and teacher of one shape [n, K] ' +
          '(and labels of n rows), received student [2,3], teacher [2,2]',
      ),
    );
    narrow.dispose();
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([s, t]);
  });
});

describe('fitDistillation', () => {
  it("moves a weak view's student toward the teacher's soft targets", async () => {
    // The teacher's logits are a linear function of the label; the
    // student sees a noisy view of the same samples.
    const rng = new Random(3);
    const n = 64;
    const y = Array.from({ length: n }, (_, i) => i % 2);
    const x = tf.tensor2d(
      y.flatMap((c) => [c - 0.5 + 0.5 * rng.normal(), rng.normal()]),
      [n, 2],
    );
    const teacher = tf.tensor2d(
      y.map((c) => [c === 1 ? -2 : 2, c === 1 ? 2 : -2]),
    );
    const input = tfl.input({ shape: [2] });
    const student = tfl.model({
      inputs: input,
      outputs: tfl.layers
        .dense({
          units: 2,
          kernelInitializer: tfl.initializers.glorotUniform({ seed: 1 }),
        })
        .apply(input) as tfl.SymbolicTensor,
    });
    const soft = () =>
      tf.tidy(
        () =>
          distillationLoss(student.predict(x) as tf.Tensor, teacher, {
            temperature: 4,
          }).dataSync()[0]!,
      );
    const start = soft();
    const before = tf.memory().numTensors;
    const history = await fitDistillation(student, x, teacher, {
      epochs: 30,
      batchSize: 16,
      learningRate: 0.05,
      temperature: 4,
      seed: 0,
    });
    expect(tf.memory().numTensors).toBe(before);
    expect(history.epochs).toHaveLength(30);
    expect(history.epochs.at(-1)!.loss).toBeLessThan(history.epochs[0]!.loss);
    expect(soft()).toBeLessThan(start - 0.5);
    student.dispose();
    tf.dispose([x, teacher]);
  });
});
