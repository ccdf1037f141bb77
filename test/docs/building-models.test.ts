import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';

import type { FitHistory, LateFusionFit } from '../../src/index';
import { expectClose } from '../helpers';
import { runGuideExample } from './snippets';

describe('docs/guides/building-models.md', () => {
  it('trains two models and fuses their decisions as written', async () => {
    const x = (await runGuideExample('building-models', [
      'priceModel',
      'tableModel',
      'priceHistory',
      'tableHistory',
      'fit',
      'fused',
      'prediction',
      'prices',
      'table',
    ])) as {
      priceModel: tfl.LayersModel;
      tableModel: tfl.LayersModel;
      priceHistory: FitHistory;
      tableHistory: FitHistory;
      fit: LateFusionFit;
      fused: tfl.LayersModel;
      prediction: tf.Tensor;
      prices: tf.Tensor;
      table: tf.Tensor;
    };

    expect(x.fused.inputNames).toEqual(['prices', 'table']);
    expect(x.prediction.shape).toEqual([100, 1]);
    for (const history of [x.priceHistory, x.tableHistory]) {
      expect(history.bestEpoch).not.toBeNull();
      expect(history.epochs.length).toBeLessThanOrEqual(12);
    }

    // Weights near one half each, summing to 1.
    const w = { lstm: x.fit.weights.lstm![0]!, mlp: x.fit.weights.mlp![0]! };
    expect(w.lstm + w.mlp).toBeCloseTo(1, 12);
    expect(w.lstm).toBeGreaterThan(0.3);
    expect(w.lstm).toBeLessThan(0.7);

    // The fused validation error is below either model's.
    expect(x.fit.mse[0]).toBeLessThan(x.priceHistory.bestValLoss!);
    expect(x.fit.mse[0]).toBeLessThan(x.tableHistory.bestValLoss!);

    // The fused model computes w_lstm * p_lstm + w_mlp * p_mlp.
    const val = (t: tf.Tensor) => tf.slice(t, [200], [100]);
    const p1 = x.priceModel.predict(val(x.prices)) as tf.Tensor;
    const p2 = x.tableModel.predict(val(x.table)) as tf.Tensor;
    const expected = tf.add(tf.mul(p1, w.lstm), tf.mul(p2, w.mlp));
    expectClose(x.prediction, expected, { atol: 1e-5 });
  });
});
