import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';

import { conv2dEncoder } from '../../src/encoders/conv2d-encoder';
import { lstmEncoder } from '../../src/encoders/lstm-encoder';
import { mlpEncoder } from '../../src/encoders/mlp-encoder';
import { lateFusion } from '../../src/fusion/late-fusion';
import { buildModel } from '../../src/model/build-model';
import { decisionFusionModel } from '../../src/model/decision-fusion';
import { orderInputs, predictBatched } from '../../src/model/model-inputs';
import { expectClose, expectNoLeak } from '../helpers';
import { roundTrip } from '../round-trip';

function twoModalityModel(seed = 0) {
  return buildModel({
    modalities: {
      series: { shape: [6, 3], encoder: lstmEncoder({ units: [4], seed }) },
      table: { shape: [5], encoder: mlpEncoder({ units: [4], seed }) },
    },
    heads: [
      { name: 'max', hidden: [4] },
      { name: 'min', hidden: [4] },
    ],
    output: 'concat',
    seed,
  });
}

function data() {
  return {
    series: tf.randomNormal([8, 6, 3], 0, 1, 'float32', 1),
    table: tf.randomNormal([8, 5], 0, 1, 'float32', 2),
  };
}

describe('buildModel', () => {
  it('creates one input per modality in sorted order and joins the heads', () => {
    const model = twoModalityModel();
    expect(model.inputNames).toEqual(['series', 'table']);
    expect(model.outputNames).toEqual(['prediction']);
    expect(model.outputs[0]!.shape).toEqual([null, 2]);
    const separate = buildModel({
      modalities: { b: { shape: [3] }, a: { shape: [2] } },
      heads: [{ name: 'up' }, { name: 'down', units: 2 }],
    });
    expect(separate.inputNames).toEqual(['a', 'b']);
    expect(separate.outputNames).toEqual(['up', 'down']);
  });

  it('gives identical weights for the same seed and different ones otherwise', () => {
    const a = twoModalityModel(3).getWeights();
    const b = twoModalityModel(3).getWeights();
    const c = twoModalityModel(4).getWeights();
    a.forEach((w, i) => expectClose(w, b[i]!, { atol: 0, rtol: 0 }));
    expect(Array.from(a[0]!.dataSync())).not.toEqual(
      Array.from(c[0]!.dataSync()),
    );
  });

  it('takes inputs as a record in any key order', () => {
    const model = twoModalityModel();
    const { series, table } = data();
    const one = predictBatched(model, { table, series }) as tf.Tensor;
    const two = model.predict([series, table]) as tf.Tensor;
    expectClose(one, two, { atol: 0, rtol: 0 });
    expect(() => orderInputs(model, { series, tabel: table })).toThrow(
      /expects inputs \[series, table\], received \[series, tabel\]/,
    );
  });

  it('adds a mask input that reaches the sequence encoder', () => {
    const model = buildModel({
      modalities: {
        s: {
          shape: [4, 2],
          encoder: lstmEncoder({ units: 3, seed: 1 }),
          mask: true,
        },
      },
      heads: { name: 'y' },
      seed: 1,
    });
    expect(model.inputNames).toEqual(['s', 's_mask']);
    const x = tf.randomNormal([2, 4, 2], 0, 1, 'float32', 3);
    const full = model.predict([x, tf.ones([2, 4])]) as tf.Tensor;
    const cut = model.predict([
      x,
      tf.tensor2d([
        [1, 1, 0, 0],
        [1, 1, 1, 1],
      ]),
    ]) as tf.Tensor;
    const f = full.arraySync() as number[][];
    const c = cut.arraySync() as number[][];
    expect(f[0]![0]).not.toBeCloseTo(c[0]![0]!, 6);
    expect(f[1]![0]).toBeCloseTo(c[1]![0]!, 6);
  });

  it('supports early fusion: raw inputs joined, then one trunk', () => {
    const model = buildModel({
      modalities: { a: { shape: [5, 2] }, b: { shape: [5, 3] } },
      trunk: lstmEncoder({ units: 4, seed: 2 }),
      heads: { name: 'y' },
      seed: 2,
    });
    const out = model.predict([
      tf.ones([3, 5, 2]),
      tf.ones([3, 5, 3]),
    ]) as tf.Tensor;
    expect(out.shape).toEqual([3, 1]);
  });

  it('round-trips with identical predictions and leaks nothing in training', async () => {
    const model = twoModalityModel(5);
    const { series, table } = data();
    const reloaded = await roundTrip(model);
    expectClose(
      reloaded.predict([series, table]) as tf.Tensor,
      model.predict([series, table]) as tf.Tensor,
      { atol: 0, rtol: 0 },
    );
    model.compile({ optimizer: tf.train.adam(1e-3), loss: 'meanSquaredError' });
    const y = tf.zeros([8, 2]);
    await expectNoLeak(() => model.trainOnBatch([series, table], y));
  });

  it('rejects bad shapes, heads and fusions with clear messages', () => {
    expect(() =>
      buildModel({ modalities: { a: { shape: [0] } }, heads: { name: 'y' } }),
    ).toThrow(
      /shape of modality 'a' to be a non-empty list of positive integers \(no batch axis\), received \[0\]/,
    );
    expect(() =>
      buildModel({ modalities: { a: { shape: [2] } }, heads: [] }),
    ).toThrow(/at least one head/);
    expect(() =>
      buildModel({
        modalities: { a: { shape: [2] }, b: { shape: [2] } },
        fusion: lateFusion({ modalities: ['a', 'c'] }),
        heads: { name: 'y' },
      }),
    ).toThrow(/expected modalities \[a, c\], received \[a, b\]/);
  });
});

describe('decisionFusionModel', () => {
  function unimodal(name: string, shape: number[], seed: number) {
    return buildModel({
      modalities: {
        [name]: {
          shape,
          encoder:
            name === 'chart'
              ? conv2dEncoder({ filters: [2], seed })
              : lstmEncoder({ units: 3, seed }),
        },
      },
      heads: [{ name: 'max' }, { name: 'min' }],
      output: 'concat',
      seed,
    });
  }

  it('fuses trained models per unit with their current weights', () => {
    const lstm = unimodal('series', [4, 2], 1);
    const cnn = unimodal('chart', [8, 8, 1], 2);
    const fused = decisionFusionModel({
      models: { lstm, cnn },
      weights: { lstm: [0.25, 1], cnn: [0.75, 0] },
    });
    expect(fused.inputNames).toEqual(['chart', 'series']);
    const s = tf.randomNormal([3, 4, 2], 0, 1, 'float32', 1);
    const c = tf.randomUniform([3, 8, 8, 1], 0, 1, 'float32', 2);
    const pl = lstm.predict(s) as tf.Tensor2D;
    const pc = cnn.predict(c) as tf.Tensor2D;
    const column = (t: tf.Tensor2D, j: number) =>
      tf.reshape(tf.slice(t, [0, j], [-1, 1]), [-1]);
    const expected = tf.stack(
      [
        tf.add(tf.mul(0.25, column(pl, 0)), tf.mul(0.75, column(pc, 0))),
        column(pl, 1),
      ],
      1,
    );
    expectClose(fused.predict([c, s]) as tf.Tensor, expected, { atol: 1e-6 });
  });

  it('round-trips as one model with identical predictions', async () => {
    const fused = decisionFusionModel({
      models: {
        a: unimodal('series', [4, 2], 3),
        b: unimodal('other', [4, 2], 4),
      },
    });
    const xs = [
      tf.randomNormal([2, 4, 2], 0, 1, 'float32', 5),
      tf.randomNormal([2, 4, 2], 0, 1, 'float32', 6),
    ];
    const reloaded = await roundTrip(fused);
    expectClose(
      reloaded.predict(xs) as tf.Tensor,
      fused.predict(xs) as tf.Tensor,
      { atol: 0, rtol: 0 },
    );
  });

  it('rejects models whose shared inputs disagree', () => {
    const a = unimodal('series', [4, 2], 1);
    const b = unimodal('series', [5, 2], 2);
    expect(() => decisionFusionModel({ models: { a, b } })).toThrow(
      /input 'series' has shape \[null,4,2\] in one model and \[null,5,2\] in model 'b'/,
    );
  });

  it('rejects a model key that is also an input name', () => {
    const series = unimodal('series', [4, 2], 1);
    const chart = unimodal('chart', [8, 8, 1], 2);
    expect(() =>
      decisionFusionModel({ models: { series, cnn: chart } }),
    ).toThrow(
      /decisionFusionModel: expected model keys that differ from the input names \[chart, series\].*received the key 'series'/,
    );
  });
});

// Keep tfl referenced for the type-only import above in some editors.
void tfl;
