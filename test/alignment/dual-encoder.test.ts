import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';

import {
  buildDualEncoder,
  fitContrastive,
  fitDeepCca,
  logitScale,
  retrievalMetrics,
} from '../../src/alignment';
import { lstmEncoder, mlpEncoder } from '../../src/encoders';
import { expectClose } from '../helpers';
import { roundTrip } from '../round-trip';
import { correlatedViews } from './reference';

/**
 * Two views of one latent: `left` [n, 6] and `right` [n, 5]; the first
 * `n - held` rows for training, the rest held out (same mixing).
 */
function views(n: number, seed: number, held = 0) {
  const { h1, h2 } = correlatedViews(n, 6, 5, seed, 0.3);
  const cut = n - held;
  const part = (from: number, to: number) => ({
    left: tf.tensor2d(h1.slice(from, to)),
    right: tf.tensor2d(h2.slice(from, to)),
  });
  const train = part(0, cut);
  return { train, val: held > 0 ? part(cut, n) : train };
}

function model(seed: number, embeddingDim = 4) {
  return buildDualEncoder({
    modalities: {
      right: {
        shape: [5],
        encoder: mlpEncoder({ units: [16], seed: seed + 1 }),
      },
      left: {
        shape: [6],
        encoder: mlpEncoder({ units: [16], seed: seed + 2 }),
      },
    },
    embeddingDim,
    seed,
  });
}

describe('buildDualEncoder', () => {
  it('makes one input and one embedding output per modality, in sorted order', () => {
    const m = model(1);
    expect(m.inputNames).toEqual(['left', 'right']);
    expect(m.outputNames).toEqual(['left_embedding', 'right_embedding']);
    expect(m.outputs.map((o) => o.shape)).toEqual([
      [null, 4],
      [null, 4],
    ]);
  });

  it('works with an LSTM encoder and hidden projection layers', () => {
    const m = buildDualEncoder({
      modalities: {
        prices: { shape: [7, 3], encoder: lstmEncoder({ units: 5, seed: 1 }) },
        news: { shape: [10], encoder: mlpEncoder({ units: [6], seed: 2 }) },
      },
      embeddingDim: 3,
      projectionHidden: [4],
      seed: 3,
    });
    const out = m.predict([
      tf.ones([2, 10]),
      tf.ones([2, 7, 3]),
    ]) as tf.Tensor[];
    expect(out.map((t) => t.shape)).toEqual([
      [2, 3],
      [2, 3],
    ]);
    tf.dispose(out);
  });

  it('is seeded and survives save and reload', async () => {
    const x = [tf.ones([2, 6]), tf.ones([2, 5])];
    const a = model(5).predict(x) as tf.Tensor[];
    const b = model(5).predict(x) as tf.Tensor[];
    expectClose(a[0]!, b[0]!, { atol: 0 });
    const m = model(5);
    const loaded = await roundTrip(m);
    const c = loaded.predict(x) as tf.Tensor[];
    expectClose(c[1]!, a[1]!, { atol: 1e-6 });
    tf.dispose([...x, ...a, ...b, ...c]);
  });

  it('rejects anything but two modalities and a bad size', () => {
    expect(() =>
      buildDualEncoder({ modalities: { a: { shape: [2] } }, embeddingDim: 2 }),
    ).toThrow(
      /buildDualEncoder: expected exactly two modalities, received 1 \[a\]/,
    );
    expect(() =>
      buildDualEncoder({
        modalities: { a: { shape: [2] }, b: { shape: [2] } },
        embeddingDim: 0,
      }),
    ).toThrow(/expected embeddingDim to be an integer >= 1, received 0/);
    expect(() =>
      buildDualEncoder({
        modalities: { a: { shape: [2, 3] }, b: { shape: [2] } },
        embeddingDim: 2,
      }),
    ).toThrow(
      /expected the encoder of 'a' to output \[batch, features\], received shape \[null,2,3\]/,
    );
  });
});

describe('fitContrastive', () => {
  it('aligns two views: held-out recall@1 far above chance, reported per epoch', async () => {
    const { train, val } = views(320, 1, 64);
    const m = model(10);
    const scale = logitScale();
    const seen: number[] = [];
    const history = await fitContrastive(m, train, {
      epochs: 8,
      batchSize: 32,
      learningRate: 1e-2,
      seed: 0,
      logitScale: scale,
      validation: { inputs: val },
      onEpochEnd: (log) => {
        seen.push(log.epoch);
      },
    });
    expect(seen).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    const first = history.epochs[0]!;
    const best = history.epochs[history.bestEpoch! - 1]!;
    expect(best.valLoss!).toBeLessThan(first.valLoss!);
    expect(best.valRetrieval!.aToB.recallAtK[1]!).toBeGreaterThan(5 / 64);
    expect(best.valRetrieval!.bToA.medianRank).toBeLessThan(8);
    expect(history.logitScale).toBe(scale);
    expect(scale.scale()).not.toBeCloseTo(1 / 0.07, 3);
    // The restored weights are the best epoch's.
    const [za, zb] = m.predict([val.left, val.right]) as tf.Tensor2D[];
    expectClose(
      retrievalMetrics(za!, zb!).aToB.meanRank,
      best.valRetrieval!.aToB.meanRank,
      { atol: 1e-9 },
    );
    tf.dispose([za!, zb!, ...Object.values(train), ...Object.values(val)]);
  });

  it('gives identical histories for identical seeds and leaks no tensors', async () => {
    const { train: data } = views(64, 3);
    const run = async () => {
      const m = model(20);
      const scale = logitScale();
      const before = tf.memory().numTensors;
      const h = await fitContrastive(m, data, {
        epochs: 2,
        batchSize: 16,
        seed: 4,
        logitScale: scale,
        ids: Array.from({ length: 64 }, (_, i) => i % 60),
      });
      expect(tf.memory().numTensors).toBe(before);
      return h.epochs.map((e) => e.loss);
    };
    expect(await run()).toEqual(await run());
    tf.dispose(Object.values(data));
  });

  it('rejects a one-output model and ids of the wrong length', async () => {
    const m = model(30);
    const { train: data } = views(8, 5);
    await expect(
      fitContrastive(m, data, { epochs: 1, ids: [1, 2] }),
    ).rejects.toThrow(
      /fitContrastive: expected ids with one id per sample \(8\), received an array of length 2/,
    );
    tf.dispose(Object.values(data));
  });
});

describe('fitDeepCca', () => {
  it('raises the held-out canonical correlation and reports it per epoch', async () => {
    const { train, val } = views(384, 6, 128);
    const m = model(40, 3);
    const history = await fitDeepCca(m, train, {
      epochs: 6,
      batchSize: 64,
      learningRate: 1e-2,
      seed: 1,
      validation: { inputs: val },
    });
    expect(history.epochs).toHaveLength(6);
    for (const log of history.epochs) {
      expect(log.valCorrelations).toHaveLength(3);
      expect(Number.isFinite(log.valObjective)).toBe(true);
    }
    const best = history.epochs[history.bestEpoch! - 1]!;
    expect(best.valCorrelation!).toBeGreaterThan(
      history.epochs[0]!.valCorrelation! - 1e-9,
    );
    // Three shared latent dimensions at noise 0.3: close to 3.
    expect(best.valCorrelation!).toBeGreaterThan(2.4);
    expect(history.epochs[5]!.loss).toBeLessThan(-2.4);
    tf.dispose([...Object.values(train), ...Object.values(val)]);
  });

  it('gives identical histories for identical seeds and leaks no tensors', async () => {
    const { train: data } = views(96, 9);
    const run = async () => {
      const m = model(60, 3);
      const before = tf.memory().numTensors;
      const h = await fitDeepCca(m, data, {
        epochs: 2,
        batchSize: 32,
        seed: 2,
      });
      expect(tf.memory().numTensors).toBe(before);
      return h.epochs.map((e) => e.loss);
    };
    expect(await run()).toEqual(await run());
    tf.dispose(Object.values(data));
  });

  it('rejects a batch size not above the output size', async () => {
    const { train: data } = views(32, 8);
    await expect(
      fitDeepCca(model(50, 4), data, { epochs: 1, batchSize: 4 }),
    ).rejects.toThrow(
      /fitDeepCca: expected batchSize to be an integer >= 5, received 4/,
    );
    tf.dispose(Object.values(data));
  });
});
