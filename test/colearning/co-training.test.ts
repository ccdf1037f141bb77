import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import {
  CoTraining,
  type CoTrainingData,
  type CoTrainingRound,
} from '../../src/colearning';
import { Random } from '../../src/internal/random';
import {
  type TwoViewPart,
  accuracyOf,
  disposeParts,
  logisticViews,
  twoViewPart,
} from './two-views';

const DIM = 20;

function dataOf(
  labelled: TwoViewPart,
  unlabelled: TwoViewPart,
  validation: TwoViewPart,
): CoTrainingData {
  return {
    labelled: { inputs: { a: labelled.a, b: labelled.b }, targets: labelled.y },
    unlabelled: {
      inputs: { a: unlabelled.a, b: unlabelled.b },
      targets: unlabelled.y,
    },
    validation: {
      inputs: { a: validation.a, b: validation.b },
      targets: validation.y,
    },
  };
}

/** Test accuracy of each view's model and of the combined prediction. */
function testAccuracy(co: CoTraining, test: TwoViewPart) {
  const out: Record<string, number> = {};
  for (const view of ['a', 'b'] as const) {
    const p = co.models![view]!.predict(test[view]) as tf.Tensor;
    out[view] = accuracyOf(p, test.y);
    p.dispose();
  }
  const combined = co.predict({ a: test.a, b: test.b });
  out.combined = accuracyOf(combined, test.y);
  combined.dispose();
  return out;
}

/** History without wall times, for exact comparison. */
function timeless(history: readonly CoTrainingRound[]) {
  return history.map(({ ms: _ms, ...rest }) => rest);
}

describe('CoTraining on two conditionally independent weak views', () => {
  let parts: TwoViewPart[];
  let data: CoTrainingData;
  let test: TwoViewPart;

  beforeAll(() => {
    // 12 labels, 400 unlabelled, 400 validation and 400 test samples; one
    // view alone has a Bayes accuracy of Φ(1) = 84 %.
    const rng = new Random(1);
    parts = [12, 400, 400, 400].map((n) => twoViewPart(n, rng, { dim: DIM }));
    data = dataOf(parts[0]!, parts[1]!, parts[2]!);
    test = parts[3]!;
  });

  afterAll(() => disposeParts(...parts));

  it('improves held-out accuracy over the labelled-only baseline (seed 1)', async () => {
    const options = { threshold: 0.75, perRound: 10, seed: 1 };
    const baseline = new CoTraining({
      views: logisticViews(DIM),
      ...options,
      maxRounds: 0,
    });
    const base = await baseline.fit(data);
    expect(base.stop).toBe('maxRounds');
    expect(base.history).toHaveLength(1);
    const before = testAccuracy(baseline, test);
    baseline.dispose();

    const co = new CoTraining({
      views: logisticViews(DIM),
      ...options,
      maxRounds: 15,
    });
    const result = await co.fit(data);
    const after = testAccuracy(co, test);
    co.dispose();

    // Round 0 of the full run is the baseline: same seeds, same data.
    expect(result.history[0]!.validation).toEqual(base.history[0]!.validation);
    expect(result.stop).toBe('maxRounds');
    expect(result.history).toHaveLength(16);
    expect(result.history.at(-1)!.trainingSize).toEqual({ a: 162, b: 162 });
    // Seed 1, test accuracy: a 0.708 → 0.815, b 0.388 → 0.738, combined
    // 0.573 → 0.888; asserted with a margin.
    expect(before.a).toBeLessThan(0.75);
    expect(before.b).toBeLessThan(0.5);
    expect(after.a - before.a).toBeGreaterThan(0.05);
    expect(after.b - before.b).toBeGreaterThan(0.25);
    expect(after.combined - before.combined).toBeGreaterThan(0.25);
    expect(after.combined).toBeGreaterThan(0.85);
    // The pseudo-labels are mostly right, and reported as such.
    const added = result.history.flatMap((r) => Object.values(r.added));
    const right = added.reduce((s, a) => s + (a.accuracy ?? 0) * a.count, 0);
    const count = added.reduce((s, a) => s + a.count, 0);
    expect(count).toBe(300);
    expect(right / count).toBeGreaterThan(0.75);
  });

  it('resumes from its toJSON state exactly where it was', async () => {
    const options = {
      threshold: 0.75,
      perRound: 6,
      maxRounds: 4,
      poolSize: 60,
      seed: 7,
    };
    const whole = new CoTraining({ views: logisticViews(DIM), ...options });
    await whole.fit(data);
    const wholeTest = testAccuracy(whole, test);
    const wholeJson = whole.toJSON();
    whole.dispose();

    const first = new CoTraining({ views: logisticViews(DIM), ...options });
    const partial = await first.fit(data, { rounds: 2 });
    expect(partial.stop).toBeNull();
    const saved = JSON.parse(JSON.stringify(first.toJSON()));
    first.dispose();

    const resumed = CoTraining.fromJSON(saved, logisticViews(DIM));
    expect(resumed.models).toBeNull();
    const rest = await resumed.fit(data);
    expect(rest.stop).toBe('maxRounds');
    expect(timeless(rest.history)).toEqual(timeless(wholeJson.history));
    expect(resumed.toJSON().pool).toEqual(wholeJson.pool);
    expect(testAccuracy(resumed, test)).toEqual(wholeTest);
    resumed.dispose();

    // A stopped run restored from JSON retrains its final models only.
    const done = CoTraining.fromJSON(wholeJson, logisticViews(DIM));
    const again = await done.fit(data);
    expect(again.history).toHaveLength(wholeJson.history.length);
    expect(testAccuracy(done, test)).toEqual(wholeTest);
    done.dispose();
  });

  it('keeps the candidate pool at poolSize, drawn from the unlabelled set', async () => {
    const co = new CoTraining({
      views: logisticViews(DIM),
      threshold: 0.6,
      perRound: 4,
      maxRounds: 3,
      poolSize: 25,
      seed: 3,
    });
    const seen: number[][] = [];
    while (co.stop === null) {
      const round = await co.step(data);
      seen.push(co.toJSON().pool!.candidates);
      const pool = co.toJSON().pool!;
      expect(pool.candidates).toHaveLength(25);
      expect(pool.candidates.length + pool.reserve.length).toBe(
        round.unlabelledLeft,
      );
    }
    const history = co.history;
    for (let r = 1; r < history.length; r++) {
      const picked = Object.values(history[r]!.added).flatMap((a) => a.indices);
      // Every pick of round r came from the pool left after round r − 1.
      for (const i of picked) expect(seen[r - 1]).toContain(i);
    }
    // A sample both views pick leaves the unlabelled set once.
    const union = new Set([
      ...history[0]!.added.a!.indices,
      ...history[0]!.added.b!.indices,
    ]);
    expect(history[0]!.unlabelledLeft).toBe(400 - union.size);
    co.dispose();
  });

  it('does not grow the number of tensors across rounds', async () => {
    const start = tf.memory().numTensors;
    const counts: number[] = [];
    const co = new CoTraining({
      views: logisticViews(DIM),
      threshold: 0.7,
      perRound: 8,
      maxRounds: 4,
      seed: 5,
    });
    await co.fit(data, {
      onRound: () => {
        counts.push(tf.memory().numTensors);
      },
    });
    expect(counts).toHaveLength(5);
    // Each round holds the two current models (kernel and bias each).
    expect(counts.every((c) => c === start + 4)).toBe(true);
    co.dispose();
    expect(tf.memory().numTensors).toBe(start);
  });
});
