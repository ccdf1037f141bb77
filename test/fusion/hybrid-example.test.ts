import { fileURLToPath } from 'node:url';

import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { prepareHybridData } from '../../examples/hybrid-fusion/data';
import { runHybrid } from '../../examples/hybrid-fusion/run';

const SP500 = fileURLToPath(
  new URL(
    '../../node_modules/vega-datasets/data/sp500-2000.csv',
    import.meta.url,
  ),
);

describe('examples/hybrid-fusion', () => {
  // The example's default backend.
  beforeAll(async () => {
    await tf.setBackend('wasm');
  });
  afterAll(async () => {
    await tf.setBackend('cpu');
  });

  it('builds three modalities with scalers fitted on the training part', async () => {
    const { readFile } = await import('node:fs/promises');
    const data = prepareHybridData(await readFile(SP500, 'utf8'), {
      lastRows: 700,
    });
    const { train, val, test } = data.parts;
    expect(data.shapes).toEqual({
      price: [20, 5],
      indicators: [20, 6],
      trend: [6],
    });
    expect(train.inputs.price.length).toBe(train.n * 20 * 5);
    expect(test.inputs.trend.length).toBe(test.n * 6);
    // Standardized on train: mean ~0 there, and dates run in order.
    const mean =
      train.inputs.trend.reduce((a, b) => a + b, 0) / train.inputs.trend.length;
    expect(Math.abs(mean)).toBeLessThan(1e-4);
    expect(train.dates.at(-1)! < val.dates[0]!).toBe(true);
    expect(val.dates.at(-1)! < test.dates[0]!).toBe(true);
  });

  it('trains the hybrid model on the S&P 500 and reports scores, weights and robustness', async () => {
    const before = tf.memory().numTensors;
    const result = await runHybrid({
      prices: SP500,
      fusion: 'lowrank',
      epochs: 1,
      patience: 1,
      batchSize: 64,
      seed: 0,
      lastRows: 700,
    });
    expect(result.scores.map((s) => s.name)).toEqual([
      'hybrid fusion',
      'train mean',
      'trailing range',
    ]);
    for (const s of result.scores) {
      expect(Number.isFinite(s.maeMax) && Number.isFinite(s.maeMin)).toBe(true);
    }
    expect(Object.keys(result.decisionWeights)).toEqual([
      'early',
      'fused',
      'trend',
    ]);
    expect(result.robustness.modalities).toEqual([
      'indicators',
      'price',
      'trend',
    ]);
    expect(result.robustness.rows).toHaveLength(1 + 3 * 3);
    expect(tf.memory().numTensors).toBe(before);
  });
});
