/**
 * Hybrid fusion: one model fusing early (raw windows), intermediate
 * (encodings, through a fusion operator) and late (learned decision
 * weights), with missing modalities at every level.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import type * as tfl from '@tensorflow/tfjs-layers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import {
  FUSED_BRANCH,
  buildHybridModel,
} from '../../examples/hybrid-fusion/hybrid-model';
import { ConcatFusion } from '../../src/fusion/concat-fusion';
import { GatedFusion } from '../../src/fusion/gated-fusion';
import { LateFusion } from '../../src/fusion/late-fusion';
import { mlpEncoder } from '../../src/encoders/mlp-encoder';
import { fitModel, evaluateLoss } from '../../src/model/fit-model';
import { robustnessReport } from '../../src/model/robustness';
import { expectClose, expectNoLeak } from '../helpers';
import { roundTrip } from '../round-trip';

/**
 * Synthetic data: the target is the mean of the last steps of two
 * windows plus a table feature, so each level has something to use.
 */
function synthetic(
  n: number,
  seed: number,
): {
  inputs: Record<string, tf.Tensor>;
  y: tf.Tensor;
} {
  return tf.tidy(() => {
    const a = tf.randomNormal([n, 6, 2], 0, 1, 'float32', seed);
    const b = tf.randomNormal([n, 6, 3], 0, 1, 'float32', seed + 1);
    const table = tf.randomNormal([n, 4], 0, 1, 'float32', seed + 2);
    const last = (x: tf.Tensor) =>
      tf.mean(tf.slice(x, [0, 5, 0], [-1, 1, -1]), [1, 2]);
    const y = tf.reshape(
      tf.add(
        tf.add(last(a), last(b)),
        tf.reshape(tf.slice(table, [0, 0], [-1, 1]), [n]),
      ),
      [n, 1],
    );
    return {
      inputs: { a, b, table, presence: tf.ones([n, 3]) },
      y,
    };
  });
}

function model(seed = 1): tfl.LayersModel {
  return buildHybridModel({
    sequences: { b: [6, 3], a: [6, 2] },
    others: {
      table: { shape: [4], encoder: mlpEncoder({ units: [8], seed }) },
    },
    fusion: 'gated',
    fusionUnits: 8,
    hidden: [8],
    modalityDropout: 0.2,
    seed,
  });
}

describe('hybrid fusion model', () => {
  // wasm runs the LSTM several times faster than cpu.
  beforeAll(async () => {
    await tf.setBackend('wasm');
  });
  afterAll(async () => {
    await tf.setBackend('cpu');
  });

  it('fuses early, intermediate and late in one model', () => {
    const m = model();
    expect(m.inputNames).toEqual(['a', 'b', 'table', 'presence']);
    const early = m.getLayer('early_fusion') as ConcatFusion;
    expect(early).toBeInstanceOf(ConcatFusion);
    expect(early.modalities).toEqual(['a', 'b']);
    expect(early.outputShape).toEqual([null, 6, 5]);
    const middle = m.getLayer('intermediate_fusion') as GatedFusion;
    expect(middle).toBeInstanceOf(GatedFusion);
    expect(middle.modalities).toEqual(['early', 'table']);
    const late = m.getLayer('prediction') as LateFusion;
    expect(late).toBeInstanceOf(LateFusion);
    expect(late.modalities).toEqual(['early', FUSED_BRANCH, 'table']);
    expect(late.learnable).toBe(true);
  });

  it('trains, learns its decision weights, round-trips and leaks nothing', async () => {
    const m = model(2);
    const train = synthetic(256, 10);
    const test = synthetic(128, 20);
    const before = evaluateLoss(m, test.inputs, test.y);
    const late = m.getLayer('prediction') as LateFusion;
    const weights0 = late.currentWeights();
    await fitModel(m, train.inputs, train.y, {
      epochs: 8,
      batchSize: 32,
      seed: 3,
      learningRate: 0.01,
    });
    const after = evaluateLoss(m, test.inputs, test.y);
    expect(after).toBeLessThan(0.6 * before);
    expect(late.currentWeights()).not.toEqual(weights0);

    const xs = m.inputNames.map((n) => test.inputs[n]!);
    const reloaded = await roundTrip(m);
    expectClose(reloaded.predict(xs) as tf.Tensor, m.predict(xs) as tf.Tensor, {
      atol: 0,
      rtol: 0,
    });
    await expectNoLeak(() => m.predict(xs));
    m.compile({ optimizer: tf.train.sgd(0.01), loss: 'meanSquaredError' });
    const bx = xs.map((x) => tf.slice(x, 0, 32));
    const by = tf.slice(test.y, 0, 32);
    await expectNoLeak(() => m.trainOnBatch(bx, by));

    // Every modality can go missing: the report removes each through the
    // presence mask, and the model still predicts finite values.
    const report = robustnessReport(m, test.inputs, test.y, {
      metric: 'mse',
      noise: [1],
      seed: 4,
    });
    expect(report.modalities).toEqual(['a', 'b', 'table']);
    for (const row of report.rows) {
      expect(Number.isFinite(row.value)).toBe(true);
      if (row.condition !== 'clean')
        expect(row.value).toBeGreaterThan(report.clean);
    }
  });

  it('predicts from the present branches only, whatever the absent inputs hold', () => {
    const m = model(3);
    const { inputs } = synthetic(4, 30);
    const presence = tf.tensor2d([
      [1, 1, 0],
      [0, 1, 1],
      [1, 0, 1],
      [0, 0, 1],
    ]);
    const column = (i: number) => tf.slice(presence, [0, i], [-1, 1]);
    const scrambled = {
      a: tf.mul(inputs.a!, tf.reshape(column(0), [4, 1, 1])),
      b: tf.mul(inputs.b!, tf.reshape(column(1), [4, 1, 1])),
      table: tf.mul(inputs.table!, column(2)),
    };
    const order = (x: Record<string, tf.Tensor>) => [
      x.a!,
      x.b!,
      x.table!,
      presence,
    ];
    expectClose(
      m.predict(order(scrambled)) as tf.Tensor,
      m.predict(order(inputs)) as tf.Tensor,
      { atol: 1e-6 },
    );
  });
});
