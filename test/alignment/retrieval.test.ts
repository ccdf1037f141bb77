import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';

import {
  nearestNeighbors,
  retrievalMetrics,
  vectorArithmetic,
} from '../../src/alignment';
import { Random } from '../../src/internal/random';
import { expectNoLeak } from '../helpers';

function gaussian(n: number, d: number, seed: number): number[][] {
  const rng = new Random(seed);
  return Array.from({ length: n }, () =>
    Array.from({ length: d }, () => rng.normal()),
  );
}

describe('retrievalMetrics', () => {
  it('scores perfect pairs at rank 1 in both directions', () => {
    const a = gaussian(20, 8, 1);
    const m = retrievalMetrics(
      a,
      a.map((r) => r.map((v) => 2 * v)),
    );
    expect(m.n).toBe(20);
    for (const d of [m.aToB, m.bToA]) {
      expect(d.recallAtK).toEqual({ 1: 1, 5: 1, 10: 1 });
      expect(d.medianRank).toBe(1);
      expect(d.meanRank).toBe(1);
    }
  });

  it('computes ranks, recall@K and the median by hand on a small case', () => {
    // Cosine similarities of a_i with b_j, rows i:
    // a0 = [1, 0]: b = [0.6,0.8] .6, [1,0] 1, [0,1] 0 -> rank 2
    // a1 = [1, 0]: pair b1 = [1, 0] -> rank 1
    // a2 = [1, 0]: pair b2 = [0, 1] -> rank 3
    const a = [
      [1, 0],
      [1, 0],
      [1, 0],
    ];
    const b = [
      [0.6, 0.8],
      [1, 0],
      [0, 1],
    ];
    const m = retrievalMetrics(a, b, { ks: [1, 2] });
    expect(Array.from(m.aToB.ranks)).toEqual([2, 1, 3]);
    expect(m.aToB.recallAtK).toEqual({ 1: 1 / 3, 2: 2 / 3 });
    expect(m.aToB.medianRank).toBe(2);
    expect(m.aToB.meanRank).toBe(2);
    // b->a: every a is the same, so all ties: rank 1 + 2/2 = 2.
    expect(Array.from(m.bToA.ranks)).toEqual([2, 2, 2]);
  });

  it('is at chance for independent random embeddings', () => {
    const n = 400;
    const m = retrievalMetrics(gaussian(n, 16, 2), gaussian(n, 16, 3));
    for (const d of [m.aToB, m.bToA]) {
      expect(d.recallAtK[10]!).toBeGreaterThan(0.01);
      expect(d.recallAtK[10]!).toBeLessThan(0.05);
      expect(d.medianRank).toBeGreaterThan(150);
      expect(d.medianRank).toBeLessThan(250);
    }
  });

  it('leaves rows with the same id out of the ranking', () => {
    const a = [
      [1, 0],
      [1, 0.01],
      [0, 1],
    ];
    const b = [
      [1, 0.02],
      [1, 0],
      [0, 1],
    ];
    // a0's pair b0 loses to b1, which is the same item with ids.
    expect(retrievalMetrics(a, b).aToB.ranks[0]).toBe(2);
    expect(retrievalMetrics(a, b, { ids: ['x', 'x', 'y'] }).aToB.ranks[0]).toBe(
      1,
    );
  });

  it('accepts tensors, batches queries and leaks nothing', async () => {
    const ta = tf.tensor2d(gaussian(30, 4, 4));
    const tb = tf.tensor2d(gaussian(30, 4, 5));
    const whole = retrievalMetrics(ta, tb);
    const batched = retrievalMetrics(ta, tb, { batchSize: 7 });
    expect(Array.from(batched.aToB.ranks)).toEqual(
      Array.from(whole.aToB.ranks),
    );
    await expectNoLeak(() => {
      retrievalMetrics(ta, tb, { batchSize: 7 });
    });
    tf.dispose([ta, tb]);
  });

  it('rejects mismatched shapes, bad K, wrong ids and non-finite values', () => {
    expect(() => retrievalMetrics([[1, 2]], [[1, 2, 3]])).toThrow(
      /retrievalMetrics: expected a and b of one shape \[n, dim\], received shapes \[\[1,2\],\[1,3\]\]/,
    );
    expect(() => retrievalMetrics([[1]], [[1]], { ks: [0] })).toThrow(
      /expected ks\[0\] to be an integer >= 1, received 0/,
    );
    expect(() => retrievalMetrics([[1]], [[1]], { ids: [1, 2] })).toThrow(
      /expected 1 ids \(one per row\), received an array of length 2/,
    );
    expect(() => retrievalMetrics([[NaN]], [[1]])).toThrow(
      /expected finite values in the first embeddings, received NaN or Infinity/,
    );
    expect(() => retrievalMetrics([], [[1]])).toThrow(
      /expected the first embeddings as a \[n, dim\] tensor or a non-empty array of rows, received an array of length 0/,
    );
  });
});

describe('nearestNeighbors', () => {
  it('returns the k most similar corpus rows by cosine or dot product', () => {
    const corpus = [
      [1, 0],
      [0, 1],
      [10, 3],
      [-1, 0],
    ];
    const cos = nearestNeighbors([[1, 0.05]], corpus, { k: 2 });
    expect(cos.indices).toEqual([[0, 2]]);
    expect(cos.scores[0]![0]).toBeCloseTo(1 / Math.hypot(1, 0.05), 6);
    const dot = nearestNeighbors([[1, 0.05]], corpus, { k: 2, metric: 'dot' });
    expect(dot.indices).toEqual([[2, 0]]);
    expect(dot.scores[0]![0]).toBeCloseTo(10.15, 5);
  });

  it('skips excluded rows and checks k', () => {
    const corpus = gaussian(5, 3, 6);
    const got = nearestNeighbors(corpus, corpus, {
      k: 1,
      exclude: corpus.map((_, i) => [i]),
    });
    got.indices.forEach(([j], i) => expect(j).not.toBe(i));
    expect(() =>
      nearestNeighbors(corpus, corpus, { k: 5, exclude: [[0]] }),
    ).toThrow(
      /expected k <= 4 \(corpus rows 5 minus up to 1 excluded\), received 5/,
    );
    expect(() => nearestNeighbors([[1, 2]], corpus)).toThrow(
      /expected queries and corpus of one dimension, received shapes \[\[1,2\],\[5,3\]\]/,
    );
  });
});

describe('vectorArithmetic', () => {
  it('finds the cat image from dog image − "dog" + "cat" in a coordinated space', () => {
    // A toy coordinated space: [animal identity (3 dims) | style (3 dims)].
    // Images carry animal + style; texts carry the animal only.
    const animal = { dog: [1, 0, 0], cat: [0, 1, 0], cow: [0, 0, 1] };
    const style = [
      [0.6, 0, 0],
      [0, 0.6, 0],
      [0, 0, 0.6],
    ];
    const images: number[][] = [];
    const labels: string[] = [];
    for (const [name, v] of Object.entries(animal)) {
      style.forEach((s, k) => {
        images.push([...v, ...s]);
        labels.push(`${name}-${k}`);
      });
    }
    const text = (v: number[]) => [...v, 0, 0, 0];
    const dogRow = labels.indexOf('dog-2');
    const { indices, query } = vectorArithmetic(
      { a: images[dogRow]!, b: text(animal.dog), c: text(animal.cat) },
      images,
      { exclude: [dogRow] },
    );
    expect(labels[indices[0]!]).toBe('cat-2');
    expect(query).toHaveLength(6);
  });

  it('accepts tensors and rejects mismatched dimensions', () => {
    const a = tf.tensor1d([1, 0]);
    const got = vectorArithmetic(
      { a, b: [0, 0], c: [0, 1] },
      [
        [1, 1],
        [1, -1],
      ],
      { normalize: false },
    );
    expect(got.indices).toEqual([0]);
    expect(() =>
      vectorArithmetic({ a, b: [1, 2, 3], c: [0, 1] }, [[1, 1]]),
    ).toThrow(
      /vectorArithmetic: expected a, b and c of one dimension, received 2, 3 and 2/,
    );
    a.dispose();
  });
});
