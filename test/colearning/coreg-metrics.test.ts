import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';

import {
  CoTraining,
  type CoTrainingView,
  classQuotas,
  classificationScores,
  coregConfidence,
} from '../../src/colearning';
import { ShapeError } from '../../src/internal/errors';
import { Random } from '../../src/internal/random';
import { expectClose } from '../helpers';

describe('coregConfidence', () => {
  // Training rows x = 0, 1, 3, 6 with targets 0, 2, 3, 7 and k = 2 (a row
  // is its own nearest neighbour, ties to the lower index):
  //   h(0) = (0 + 2) / 2 = 1,   2nd neighbour row 1 (d² 1, y 2)
  //   h(1) = (2 + 0) / 2 = 1,   2nd neighbour row 0 (d² 1, y 0)
  //   h(3) = (3 + 2) / 2 = 2.5, 2nd neighbour row 1 (d² 4, y 2)
  //   h(6) = (7 + 3) / 2 = 5,   2nd neighbour row 2 (d² 9, y 3)
  const train = { features: [[0], [1], [3], [6]], targets: [0, 2, 3, 7] };

  it('matches the hand computation of Δ for k = 2', () => {
    const deltas = coregConfidence(train, [[2], [5], [5]], [2.5, 0, 7], 2);
    // x = 2, ŷ = 2.5: Ω = rows 1 (d² 1) and 2 (d² 1). Row 1: d² 1 is not
    // below its 2nd-neighbour d² 1, so h' = h and the term is 0. Row 2:
    // 1 < 4, h' = 2.5 + (2.5 − 2) / 2 = 2.75; (3 − 2.5)² − (3 − 2.75)² =
    // 0.1875.
    // x = 5, ŷ = 0: Ω = rows 3 (d² 1) and 2 (d² 4). Row 3: 1 < 9, h' = 5 +
    // (0 − 3) / 2 = 3.5; (7 − 5)² − (7 − 3.5)² = −8.25. Row 2: 4 is not
    // below 4: 0.
    // x = 5, ŷ = 7: row 3: h' = 5 + (7 − 3) / 2 = 7; 4 − 0 = 4.
    expectClose(deltas, [0.1875, -8.25, 4], { atol: 1e-9, rtol: 0 });
  });

  it('adds the candidate to every neighbourhood when L has fewer than k rows', () => {
    // One row x = 0, y = 1; k = 3: h = 1, h' = (1 + 3) / 2 = 2 for ŷ = 3.
    const deltas = coregConfidence(
      { features: [[0]], targets: [1] },
      [[1]],
      [3],
      3,
    );
    expectClose(deltas, [-1], { atol: 1e-12, rtol: 0 });
  });

  it('takes tensors, leaves them alive and frees its own', () => {
    const x = tf.tensor2d(train.features);
    const u = tf.tensor2d([[2], [5]]);
    const before = tf.memory().numTensors;
    const deltas = coregConfidence(
      { features: x, targets: train.targets },
      u,
      [2.5, 7],
      2,
    );
    expectClose(deltas, [0.1875, 4], { atol: 1e-9, rtol: 0 });
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, u]);
  });

  it('rejects mismatched widths and counts with both values', () => {
    expect(() => coregConfidence(train, [[1, 2]], [0], 2)).toThrow(
      new ShapeError(
        'coregConfidence: expected candidates with the 1 features of the ' +
          'training rows, received 2',
      ),
    );
    expect(() => coregConfidence(train, [[1]], [0, 1], 2)).toThrow(
      'received 4 rows and 4 targets, 1 candidates and 2 pseudo-labels',
    );
    expect(() => coregConfidence(train, [[1]], [0], 0)).toThrow(
      'coregConfidence: expected k to be an integer >= 1, received 0',
    );
  });
});

describe('CoTraining for regression (COREG confidence)', () => {
  it('adds at most perRound pseudo-labels per view, each with Δ > threshold', async () => {
    // y = x₁ + x₂ with view a = x₁ + noise, view b = x₂ + noise.
    const rng = new Random(4);
    const sample = (n: number) => {
      const x1 = Array.from({ length: n }, () => rng.normal());
      const x2 = Array.from({ length: n }, () => rng.normal());
      return {
        a: tf.tensor2d(x1.map((v) => [v, rng.normal() * 0.1])),
        b: tf.tensor2d(x2.map((v) => [v, rng.normal() * 0.1])),
        y: x1.map((v, i) => v + x2[i]!),
      };
    };
    const [lab, unl, val] = [sample(10), sample(60), sample(40)];
    const linear = (seed: number) => {
      const x = tfl.input({ shape: [2] });
      const dense = tfl.layers.dense({
        units: 1,
        kernelInitializer: tfl.initializers.glorotUniform({ seed }),
      });
      return tfl.model({
        inputs: x,
        outputs: dense.apply(x) as tfl.SymbolicTensor,
      });
    };
    const view: CoTrainingView = {
      build: linear,
      fit: { epochs: 30, batchSize: 64, learningRate: 0.05 },
    };
    const before = tf.memory().numTensors;
    const co = new CoTraining({
      views: { a: view, b: view },
      task: 'regression',
      threshold: 0.01,
      perRound: 3,
      maxRounds: 4,
      k: 3,
      seed: 2,
    });
    const { history } = await co.fit({
      labelled: { inputs: { a: lab.a, b: lab.b }, targets: lab.y },
      unlabelled: { inputs: { a: unl.a, b: unl.b }, targets: unl.y },
      validation: { inputs: { a: val.a, b: val.b }, targets: val.y },
    });
    expect(history.length).toBeGreaterThan(1);
    for (const round of history) {
      for (const added of Object.values(round.added)) {
        expect(added.count).toBeLessThanOrEqual(3);
        expect(added.perClass).toBeNull();
        if (added.count > 0) {
          expect(added.minConfidence).toBeGreaterThan(0.01);
          expect(added.rmse).toBeGreaterThanOrEqual(0);
          expect(added.accuracy).toBeNull();
        }
      }
      const scores = round.combined as { rmse: number };
      expect(scores.rmse).toBeGreaterThan(0);
    }
    const combined = co.predict({ a: val.a, b: val.b });
    expect(combined.shape).toEqual([40, 1]);
    combined.dispose();
    co.dispose();
    expect(tf.memory().numTensors).toBe(before);
    for (const part of [lab, unl, val]) tf.dispose([part.a, part.b]);
  });
});

describe('classQuotas', () => {
  it.each([
    [[70, 30], 10, [7, 3]],
    [[1, 1, 1], 10, [4, 3, 3]],
    [[3, 1], 4, [3, 1]],
    [[1, 2], 4, [1, 3]],
    [[5, 0], 3, [3, 0]],
  ])('splits by largest remainders: counts %j, perRound %i → %j', (c, p, q) => {
    expect(classQuotas(c, p)).toEqual(q);
  });

  it('rejects a set without labels', () => {
    expect(() => classQuotas([0, 0], 4)).toThrow(
      'classQuotas: expected at least one labelled sample, received counts [0, 0]',
    );
  });
});

describe('classificationScores', () => {
  it('gives accuracy and the mean per-class recall', () => {
    const s = classificationScores([0, 0, 0, 1], [0, 0, 1, 1]);
    expect(s.accuracy).toBe(0.75);
    expectClose(s.recall, [2 / 3, 1]);
    expectClose(s.balancedAccuracy, (2 / 3 + 1) / 2);
    // A constant prediction scores 0.5 balanced, whatever the balance.
    expect(classificationScores([0, 0, 0, 1], [0, 0, 0, 0], 2)).toMatchObject({
      accuracy: 0.75,
      balancedAccuracy: 0.5,
    });
  });

  it('rejects unequal lengths and non-classes', () => {
    expect(() => classificationScores([0, 1], [0])).toThrow(
      'classificationScores: expected actual and predicted of one non-zero ' +
        'length, received 2 and 1',
    );
    expect(() => classificationScores([0, 1], [0, 3], 2)).toThrow(
      'classificationScores: expected predicted classes to be integers in ' +
        '[0, 2), received 3 at index 1',
    );
  });
});
