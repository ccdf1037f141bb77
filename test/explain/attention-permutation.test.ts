import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';

import {
  explainAttention,
  explainAttentionRollout,
  explainPermutation,
  summarizeBackground,
} from '../../src/explain';
import { expectClose, expectNoLeak, readFixture } from '../helpers';
import { fusionModel, linearFn, normalRows } from './models';

interface AttentionFixture {
  inputs: { keyMask: number[][] };
  expected: {
    attentionWeights: number[][][][];
    attentionWeightsAveraged: number[][][];
  };
}

describe('explainAttention', () => {
  it('averages heads and removes padded keys of cross_attention.json', async () => {
    const f = await readFixture<AttentionFixture>('cross_attention.json');
    const maps = await explainAttention(f.expected.attentionWeights, {
      keyMask: f.inputs.keyMask,
      keyLabels: ['a', 'b', 'c', 'd', 'e'],
    });
    expect(maps).toHaveLength(2);
    f.inputs.keyMask.forEach((mask, b) => {
      const kept = mask.flatMap((m, k) => (m ? [k] : []));
      expect(maps[b]!.keyIndex).toEqual(kept);
      const expected = f.expected.attentionWeightsAveraged[b]!.map((row) =>
        kept.map((k) => row[k]!),
      );
      expectClose(maps[b]!.values, expected);
      // Masked keys had zero weight, so the rows still sum to 1.
      for (const row of maps[b]!.values) {
        expectClose(
          row.reduce((a, v) => a + v, 0),
          1,
        );
      }
    });
    expect(maps[0]!.keyLabels).toEqual(['a', 'b', 'c']);
    const head1 = await explainAttention(
      tf.tensor(f.expected.attentionWeights),
      { heads: 1 },
    );
    expectClose(head1[1]!.values, f.expected.attentionWeights[1]![1]!);
  });

  it('removes padded queries and rejects masks of the wrong shape', async () => {
    const w = [
      [
        [0.5, 0.5],
        [1, 0],
        [0, 1],
      ],
    ];
    const maps = await explainAttention(w, { queryMask: [[1, 0, 1]] });
    expect(maps[0]!.values).toEqual([
      [0.5, 0.5],
      [0, 1],
    ]);
    expect(maps[0]!.queryLabels).toEqual(['q0', 'q2']);
    const t = tf.tensor3d(w);
    await expectNoLeak(() => explainAttention(t, { heads: 'max' }));
    const square = tf.tensor4d([
      [
        [
          [0.5, 0.5],
          [0.2, 0.8],
        ],
      ],
    ]);
    await expectNoLeak(() => explainAttentionRollout([square, square]));
    tf.dispose([t, square]);
    await expect(explainAttention(w, { keyMask: [[1, 1, 1]] })).rejects.toThrow(
      /expected keyMask of shape \[1,2\]/,
    );
    await expect(explainAttention(w, { heads: 2 })).rejects.toThrow(
      /heads in \[0, 0\].*received 2/,
    );
  });
});

describe('explainAttentionRollout', () => {
  it('multiplies layers with the residual identity added', async () => {
    const a1 = [
      [
        [0.2, 0.8],
        [0.6, 0.4],
      ],
    ];
    const a2 = [
      [
        [1, 0],
        [0.5, 0.5],
      ],
    ];
    const [map] = await explainAttentionRollout([a1, a2]);
    const hat = (a: number[][]) =>
      a.map((r, i) => r.map((v, j) => (v + (i === j ? 1 : 0)) / 2));
    const [h1, h2] = [hat(a1[0]!), hat(a2[0]!)];
    const expected = h2.map((row) =>
      [0, 1].map((j) => row[0]! * h1[0]![j]! + row[1]! * h1[1]![j]!),
    );
    expectClose(map!.values, expected, { atol: 1e-6, rtol: 0 });
    for (const row of map!.values)
      expectClose(
        row.reduce((a, v) => a + v, 0),
        1,
      );
  });

  it('drops padded positions and renormalises before rolling out', async () => {
    const a = [
      [
        [0.5, 0.25, 0.25],
        [0.25, 0.5, 0.25],
        [0.2, 0.2, 0.6],
      ],
    ];
    const [map] = await explainAttentionRollout([a], { mask: [[1, 1, 0]] });
    expect(map!.queryIndex).toEqual([0, 1]);
    expectClose(map!.values, [
      [(2 / 3 + 1) / 2, 1 / 6],
      [1 / 6, (2 / 3 + 1) / 2],
    ]);
    await expect(
      explainAttentionRollout([
        a,
        [
          [
            [1, 0],
            [0, 1],
          ],
        ],
      ]),
    ).rejects.toThrow(/square and of one shape.*received \[1,2,2\] at layer 1/);
  });
});

describe('explainPermutation', () => {
  it('ranks features of a linear model by w² Var(x) and is seeded', async () => {
    const { fn, dispose } = linearFn([3, 0, -1], 0);
    const x = normalRows(300, [3], 1);
    const y = fn(x);
    const run = (seed: number) =>
      explainPermutation(fn, x, y, { seed, repeats: 4, batchSize: 256 });
    const imp = await run(0);
    expect(imp.baseline).toBeCloseTo(0, 8);
    // Permuting x_j adds about 2 w_j² Var(x_j) to the MSE.
    expectClose(imp.importances, [18, 0, 2], { atol: 0, rtol: 0.3 });
    expect(imp.importances[1]).toBe(0);
    expect((await run(0)).scores).toEqual(imp.scores);
    tf.dispose([x, y]);
    dispose();
  });

  it('permutes whole modalities of a fusion model', async () => {
    const model = fusionModel(1);
    const x = {
      image: normalRows(40, [8, 8, 1], 1),
      series: normalRows(40, [5, 3], 2),
    };
    const y = model.predict([x.image, x.series]) as tf.Tensor;
    const imp = await explainPermutation(model, x, y, {
      players: { image: 'whole', series: 'whole' },
      output: 1,
      metric: 'mae',
      seed: 3,
    });
    expect(imp.labels).toEqual(['image', 'series']);
    expect(imp.baseline).toBeCloseTo(0, 6);
    expect(imp.importances.every((v) => v > 0)).toBe(true);
    await expectNoLeak(() =>
      explainPermutation(model, x, y, {
        players: { image: 'whole', series: { axis: 0 } },
        repeats: 1,
        seed: 0,
      }),
    );
    await expect(
      explainPermutation(model, x, tf.zeros([3]), { seed: 0 }),
    ).rejects.toThrow(
      /targets of shape \[40\] or \[40,outputs\], received \[3\]/,
    );
    tf.dispose([x.image, x.series, y]);
    model.dispose();
  });
});

describe('summarizeBackground', () => {
  it('snaps weighted k-means centroids to observed values', async () => {
    const rows = tf.tensor2d([
      [0, 1, 10],
      [0, 1, 11],
      [1, 0, 50],
      [1, 0, 52],
      [1, 0, 51],
      [0, 1, 12],
    ]);
    const bg = await summarizeBackground(rows, {
      k: 2,
      seed: 0,
      weights: [1, 1, 1, 1, 1, 2],
    });
    const centroids = (await (bg.inputs as tf.Tensor).array()) as number[][];
    const observed = [0, 1, 10, 11, 12, 50, 51, 52];
    for (const c of centroids) for (const v of c) expect(observed).toContain(v);
    const low = centroids.findIndex((c) => c[2]! < 20);
    expect(centroids[low]!.slice(0, 2)).toEqual([0, 1]);
    expectClose(bg.weights[low]!, 4 / 7);
    expectClose(
      Array.from(bg.weights).reduce((a, b) => a + b, 0),
      1,
    );
    const again = await summarizeBackground(rows, {
      k: 2,
      seed: 0,
      weights: [1, 1, 1, 1, 1, 2],
    });
    expectClose(again.inputs as tf.Tensor, bg.inputs as tf.Tensor, {
      atol: 0,
      rtol: 0,
    });
    tf.dispose([rows, bg.inputs as tf.Tensor, again.inputs as tf.Tensor]);
  });

  it('clusters the inputs of a record jointly and keeps few rows as they are', async () => {
    const data = { a: normalRows(3, [2], 1), b: normalRows(3, [2, 2], 2) };
    const bg = await summarizeBackground(data, { k: 5, seed: 1 });
    const inputs = bg.inputs as Record<string, tf.Tensor>;
    expect(inputs['b']!.shape).toEqual([3, 2, 2]);
    expectClose(inputs['a']!, data.a, { atol: 0, rtol: 0 });
    expectClose(Array.from(bg.weights), [1 / 3, 1 / 3, 1 / 3]);
    tf.dispose([...Object.values(data), ...Object.values(inputs)]);
  });
});
