import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { afterAll, describe, expect, it } from 'vitest';

import {
  CoTraining,
  type CoTrainingData,
  type CoTrainingView,
} from '../../src/colearning';
import { ShapeError } from '../../src/internal/errors';
import { logisticViews } from './two-views';

/** A fixed model p = sigmoid(x) (or linear x) that training leaves alone. */
function fixedView(
  activation: 'sigmoid' | 'linear' = 'sigmoid',
  seen?: number[][],
): CoTrainingView {
  return {
    build: () => {
      const x = tfl.input({ shape: [1] });
      const dense = tfl.layers.dense({
        units: 1,
        activation,
        kernelInitializer: 'ones',
      });
      return tfl.model({
        inputs: x,
        outputs: dense.apply(x) as tfl.SymbolicTensor,
      });
    },
    train: async (_model, inputs) => {
      seen?.push(Array.from((inputs as tf.Tensor).dataSync()));
    },
  };
}

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

/**
 * Reference co-training with fixed models: the candidates whose largest
 * class probability is >= threshold, per class the most confident first,
 * at most quotas[c]; picks leave the pool.
 */
function reference(
  views: Record<string, number[]>,
  quotas: number[],
  threshold: number,
  maxRounds: number,
) {
  const left = new Set(views.a!.map((_, i) => i));
  const rounds: Record<string, { indices: number[]; labels: number[] }>[] = [];
  for (let r = 0; r < maxRounds; r++) {
    const round: Record<string, { indices: number[]; labels: number[] }> = {};
    for (const [name, xs] of Object.entries(views)) {
      const picks = { indices: [] as number[], labels: [] as number[] };
      for (const label of [0, 1]) {
        const passing = [...left]
          .map((i) => {
            const p1 = sigmoid(xs[i]!);
            return { i, conf: label === 1 ? p1 : 1 - p1, p1 };
          })
          .filter((c) => (c.p1 > 0.5 ? 1 : 0) === label)
          .filter((c) => c.conf >= threshold)
          .sort((x, y) => y.conf - x.conf || x.i - y.i)
          .slice(0, quotas[label]);
        for (const c of passing) {
          picks.indices.push(c.i);
          picks.labels.push(label);
        }
      }
      round[name] = picks;
    }
    Object.values(round).forEach((p) =>
      p.indices.forEach((i) => left.delete(i)),
    );
    rounds.push(round);
    if (Object.values(round).every((p) => p.indices.length === 0)) break;
  }
  return rounds;
}

describe('CoTraining selection rules', () => {
  // ln 4 = 1.386: p = 0.8 there. 1.40 passes a threshold of 0.8, 1.37
  // does not; likewise -1.40 and -1.37 for class 0.
  const ua = [
    3, -3, 1.4, 1.37, -1.4, -1.37, 2, -2.5, 0.2, 2.5, -2, -0.3, 0.1, -0.2,
  ];
  const ub = [
    -2.2, 1.9, -1.45, 2.8, 0.1, -3.1, 1.38, -1.5, 2.1, -0.9, 1.6, 3.3, -0.1,
    0.3,
  ];
  const la = [-1, 1, -2, 2, -0.5, 0.5];
  const lb = [-1.5, 1.5, -1, 1, -0.2, 0.2];
  const tensors = [ua, ub, la, lb].map((v) => tf.tensor2d(v, [v.length, 1]));
  afterAll(() => tf.dispose(tensors));
  const [tua, tub, tla, tlb] = tensors as tf.Tensor2D[];
  const data: CoTrainingData = {
    labelled: { inputs: { a: tla!, b: tlb! }, targets: [0, 1, 0, 1, 0, 1] },
    unlabelled: { inputs: { a: tua!, b: tub! } },
  };

  it('honours the class quotas and the threshold exactly, quotas [2, 1], threshold 0.8', async () => {
    const seenA: number[][] = [];
    const seenB: number[][] = [];
    const co = new CoTraining({
      views: { a: fixedView('sigmoid', seenA), b: fixedView('sigmoid', seenB) },
      quotas: [2, 1],
      threshold: 0.8,
      maxRounds: 10,
      seed: 0,
    });
    const { history, stop } = await co.fit(data);
    const expected = reference({ a: ua, b: ub }, [2, 1], 0.8, 10);

    expect(stop).toBe('threshold');
    expect(history).toHaveLength(expected.length);
    history.forEach((round, r) => {
      for (const view of ['a', 'b']) {
        const added = round.added[view]!;
        expect(added.indices).toEqual(expected[r]![view]!.indices);
        expect(added.labels).toEqual(expected[r]![view]!.labels);
        expect(added.to).toBe(view === 'a' ? 'b' : 'a');
        expect(added.perClass![0]).toBeLessThanOrEqual(2);
        expect(added.perClass![1]).toBeLessThanOrEqual(1);
        if (added.count > 0)
          expect(added.minConfidence).toBeGreaterThanOrEqual(0.8);
      }
    });
    // Round 0, view a: class 1 takes x = 3 only (quota 1); class 0 takes
    // -3 and -2.5; 1.37 and -1.37 never pass.
    expect(history[0]!.added.a!.indices).toEqual([1, 7, 0]);
    const everA = history.flatMap((r) => r.added.a!.indices);
    expect(everA).not.toContain(3);
    expect(everA).not.toContain(5);
    expect(history.at(-1)!.added.a!.count).toBe(0);
    expect(history.at(-1)!.added.b!.count).toBe(0);

    // Each view's picks joined the other's training set, in its inputs.
    const fromB = history.slice(0, 1).flatMap((r) => r.added.b!.indices);
    expect(seenA[1]).toEqual(
      [...la, ...fromB.map((i) => ua[i]!)].map(Math.fround),
    );
    const fromA = history.slice(0, 2).flatMap((r) => r.added.a!.indices);
    expect(seenB[2]).toEqual(
      [...lb, ...fromA.map((i) => ub[i]!)].map(Math.fround),
    );
    expect(history[2]!.trainingSize).toEqual({
      a: 6 + history[0]!.added.b!.count + history[1]!.added.b!.count,
      b: 6 + history[0]!.added.a!.count + history[1]!.added.a!.count,
    });
    co.dispose();
  });

  it('splits perRound over classes in the labelled proportions', async () => {
    // Labels 4:2 → perRound 3 gives quotas [2, 1]; threshold 0.5 passes all.
    const co = new CoTraining({
      views: { a: fixedView(), b: fixedView() },
      perRound: 3,
      threshold: 0.5,
      maxRounds: 1,
      seed: 0,
    });
    const { history } = await co.fit({
      ...data,
      labelled: { ...data.labelled, targets: [0, 0, 0, 1, 0, 1] },
    });
    expect(co.toJSON().quotas).toEqual([2, 1]);
    expect(history[0]!.added.a!.perClass).toEqual([2, 1]);
    expect(history[0]!.added.b!.perClass).toEqual([2, 1]);
    expect(history[1]!.stop).toBe('maxRounds');
    co.dispose();
  });

  it('stops at once when nothing passes the threshold (0.99)', async () => {
    const co = new CoTraining({
      views: { a: fixedView(), b: fixedView() },
      threshold: 0.99,
      seed: 0,
    });
    const { history, stop } = await co.fit(data);
    expect(stop).toBe('threshold');
    expect(history).toHaveLength(1);
    expect(history[0]!.unlabelledLeft).toBe(14);
    await expect(co.step(data)).rejects.toThrow(
      'CoTraining.step: co-training stopped after round 0 (threshold); ' +
        'nothing is left to do',
    );
    co.dispose();
  });
});

describe('CoTraining errors', () => {
  const views = logisticViews(1);
  const t = (n: number) => tf.zeros([n, 1]) as tf.Tensor2D;

  it('rejects views of different lengths with both counts', async () => {
    const co = new CoTraining({ views, seed: 0 });
    const [a, b, u] = [t(10), t(9), t(5)];
    await expect(
      co.step({
        labelled: { inputs: { a, b }, targets: new Array(10).fill(0) },
        unlabelled: { inputs: { a: u, b: u } },
      }),
    ).rejects.toThrow(
      new ShapeError(
        'CoTraining.step: expected the labelled views and targets to have ' +
          'the same number of samples, received a: 10, b: 9, targets: 10',
      ),
    );
    tf.dispose([a, b, u]);
  });

  it('rejects an empty unlabelled set', async () => {
    const co = new CoTraining({ views, seed: 0 });
    const [a, u] = [t(4), t(0)];
    await expect(
      co.step({
        labelled: { inputs: { a, b: a }, targets: [0, 1, 0, 1] },
        unlabelled: { inputs: { a: u, b: u } },
      }),
    ).rejects.toThrow(
      'CoTraining.step: expected a non-empty unlabelled set, received 0 samples',
    );
    tf.dispose([a, u]);
  });

  it('rejects thresholds out of range: 1.5 for classification, -1 for regression', () => {
    expect(() => new CoTraining({ views, threshold: 1.5 })).toThrow(
      new RangeError('CoTraining: expected threshold in [0, 1], received 1.5'),
    );
    expect(
      () => new CoTraining({ views, task: 'regression', threshold: -1 }),
    ).toThrow('CoTraining: expected threshold in [0, Infinity], received -1');
    expect(() => new CoTraining({ views, threshold: NaN })).toThrow(
      'expected threshold in [0, 1], received NaN',
    );
  });

  it('rejects other than two views, bad budgets and bad labels', async () => {
    const three = { ...views, c: views.a! };
    expect(() => new CoTraining({ views: three })).toThrow(
      new TypeError(
        'CoTraining: expected exactly 2 views, received 3 [a, b, c]',
      ),
    );
    expect(() => new CoTraining({ views, perRound: 0 })).toThrow(
      'CoTraining: expected perRound to be an integer >= 1, received 0',
    );
    expect(() => new CoTraining({ views, maxRounds: 1.5 })).toThrow(
      'CoTraining: expected maxRounds to be an integer >= 0, received 1.5',
    );
    const co = new CoTraining({ views, classes: 2, seed: 0 });
    const a = t(3);
    await expect(
      co.step({
        labelled: { inputs: { a, b: a }, targets: [0, 2, 1] },
        unlabelled: { inputs: { a, b: a } },
      }),
    ).rejects.toThrow(
      'CoTraining.step: expected the labelled targets to be class labels, ' +
        'integers in [0, 2), received 2 at index 1',
    );
    await expect(
      co.step({
        labelled: { inputs: { a, c: a }, targets: [0, 1, 1] },
        unlabelled: { inputs: { a, b: a } },
      }),
    ).rejects.toThrow(
      'CoTraining.step: expected the labelled inputs to have the views ' +
        '[a, b], received [a, c]',
    );
    const quotas = new CoTraining({ views, quotas: [1, 1, 1], seed: 0 });
    await expect(
      quotas.step({
        labelled: { inputs: { a, b: a }, targets: [0, 1, 1] },
        unlabelled: { inputs: { a, b: a } },
      }),
    ).rejects.toThrow(
      'CoTraining.step: expected 2 quotas, one per class, received 3 [1, 1, 1]',
    );
    a.dispose();
  });

  it('rejects a classifier whose outputs are not probabilities', async () => {
    const before = tf.memory().numTensors;
    const co = new CoTraining({
      views: { a: fixedView('linear'), b: fixedView() },
      seed: 0,
    });
    const [x, u] = [tf.tensor2d([[-1], [1]]), tf.tensor2d([[3], [-2]])];
    await expect(
      co.step({
        labelled: { inputs: { a: x, b: x }, targets: [0, 1] },
        unlabelled: { inputs: { a: u, b: u } },
      }),
    ).rejects.toThrow(
      "CoTraining: expected the model of view 'a' to output class " +
        'probabilities in [0, 1] (a sigmoid or softmax output), received 3 ' +
        'for sample 0',
    );
    // The same check on the validation set, before any labelling.
    const scored = new CoTraining({
      views: { a: fixedView('linear'), b: fixedView() },
      seed: 0,
    });
    await expect(
      scored.step({
        labelled: { inputs: { a: x, b: x }, targets: [0, 1] },
        unlabelled: { inputs: { a: u, b: u } },
        validation: { inputs: { a: x, b: x }, targets: [0, 1] },
      }),
    ).rejects.toThrow('received -1 for sample 0');
    co.dispose();
    scored.dispose();
    tf.dispose([x, u]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('rejects a saved state of another kind, other views or other data', async () => {
    expect(() =>
      CoTraining.fromJSON({ kind: 'LinearCca' } as never, views),
    ).toThrow(
      "CoTraining.fromJSON: expected kind 'CoTraining' and version 1, " +
        'received kind "LinearCca", version undefined',
    );
    const co = new CoTraining({
      views: { a: fixedView(), b: fixedView() },
      threshold: 0.99,
      seed: 0,
    });
    const x = tf.tensor2d([[-1], [1]]);
    const u = tf.tensor2d([[0], [0.5], [1]]);
    const two = {
      labelled: { inputs: { a: x, b: x }, targets: [0, 1] },
      unlabelled: { inputs: { a: x, b: x } },
    };
    await co.fit(two);
    const json = co.toJSON();
    expect(() => CoTraining.fromJSON(json, { a: views.a! })).toThrow(
      'CoTraining.fromJSON: expected views [a, b], received [a]',
    );
    const resumed = CoTraining.fromJSON(json, {
      a: fixedView(),
      b: fixedView(),
    });
    await expect(
      resumed.fit({ ...two, unlabelled: { inputs: { a: u, b: u } } }),
    ).rejects.toThrow(
      'CoTraining.fit: expected the data of this run, with 2 labelled and 2 ' +
        'unlabelled samples, received 2 and 3',
    );
    co.dispose();
    tf.dispose([x, u]);
  });
});
