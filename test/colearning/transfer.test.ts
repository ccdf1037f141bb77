import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import {
  fineTune,
  findLayers,
  freezeLayers,
  unfreezeLayers,
} from '../../src/colearning';
import { mlpEncoder } from '../../src/encoders';
import { Random } from '../../src/internal/random';
import { buildModel, fitModel } from '../../src/model';
import { expectClose, flat } from '../helpers';

/** A fusion model whose 'price_encoder' stands for a pretrained encoder. */
function fusionModel(): tfl.LayersModel {
  return buildModel({
    modalities: {
      price: {
        shape: [3],
        encoder: mlpEncoder({ units: [4], seed: 1, name: 'price_encoder' }),
      },
      news: {
        shape: [2],
        encoder: mlpEncoder({ units: [4], seed: 2, name: 'news_encoder' }),
      },
    },
    heads: { name: 'out', hidden: [3] },
    seed: 3,
    name: 'fusion',
  });
}

const weightsOf = (model: tfl.LayersModel, layer: string) =>
  model
    .getLayer(layer)
    .getWeights()
    .flatMap((w) => flat(w));

const HEAD = ['out_dense_0', 'out'];

describe('freezeLayers and unfreezeLayers', () => {
  let inputs: Record<string, tf.Tensor>;
  let targets: tf.Tensor;
  beforeAll(() => {
    const rng = new Random(0);
    const gauss = (n: number) => Array.from({ length: n }, () => rng.normal());
    inputs = {
      price: tf.tensor2d(gauss(96), [32, 3]),
      news: tf.tensor2d(gauss(64), [32, 2]),
    };
    targets = tf.tensor2d(gauss(32), [32, 1]);
  });
  afterAll(() => tf.dispose([...Object.values(inputs), targets]));

  it('keeps a frozen encoder fixed in training and trains it again once unfrozen', async () => {
    const model = fusionModel();
    expect(freezeLayers(model, 'price_encoder')).toEqual(['price_encoder']);
    expect(model.getLayer('price_encoder').trainable).toBe(false);
    const price0 = weightsOf(model, 'price_encoder');
    const news0 = weightsOf(model, 'news_encoder');
    await fitModel(model, inputs, targets, { epochs: 2, seed: 0 });
    expect(weightsOf(model, 'price_encoder')).toEqual(price0);
    expect(weightsOf(model, 'news_encoder')).not.toEqual(news0);

    expect(unfreezeLayers(model, 'price_encoder')).toEqual(['price_encoder']);
    await fitModel(model, inputs, targets, { epochs: 2, seed: 0 });
    expect(weightsOf(model, 'price_encoder')).not.toEqual(price0);
    model.dispose();
  });

  it('selects by pattern, instance, predicate and inside nested models', () => {
    const model = fusionModel();
    expect(findLayers(model, /_encoder$/).map((l) => l.name)).toEqual([
      'news_encoder',
      'price_encoder',
    ]);
    const layer = model.getLayer('news_encoder');
    expect(findLayers(model, layer)).toEqual([layer]);
    expect(findLayers(model, (l) => l.name.startsWith('out'))).toHaveLength(2);

    // The fusion model as a layer of an outer model.
    const a = tfl.input({ shape: [3], name: 'price' });
    const b = tfl.input({ shape: [2], name: 'news' });
    const outer = tfl.model({
      inputs: [b, a],
      outputs: model.apply([b, a]) as tfl.SymbolicTensor,
    });
    expect(freezeLayers(outer, ['fusion'])).toEqual(['fusion']);
    expect(outer.trainableWeights).toHaveLength(0);
    unfreezeLayers(outer, 'fusion');
    freezeLayers(outer, 'price_encoder');
    expect(outer.trainableWeights.length).toBe(model.weights.length - 2);
    model.dispose();
  });

  it('names the available layers when a selector finds none', () => {
    const model = fusionModel();
    expect(() => freezeLayers(model, 'text_encoder')).toThrow(
      new RegExp(
        "^findLayers: expected layers of model 'fusion' among \\[news, " +
          'price, news_encoder, price_encoder, concat_fusion_\\d+, ' +
          'out_dense_0, out\\], received text_encoder$',
      ),
    );
    expect(() => freezeLayers(model, 42 as never)).toThrow(
      new TypeError(
        'findLayers: expected a layer name, RegExp, layer, predicate or ' +
          'list of names and layers, received 42',
      ),
    );
    model.dispose();
  });
});

describe('fineTune with a learning rate per group of layers', () => {
  let inputs: Record<string, tf.Tensor>;
  let targets: tf.Tensor;
  beforeAll(() => {
    const rng = new Random(1);
    const gauss = (n: number) => Array.from({ length: n }, () => rng.normal());
    inputs = {
      price: tf.tensor2d(gauss(48), [16, 3]),
      news: tf.tensor2d(gauss(32), [16, 2]),
    };
    targets = tf.tensor2d(gauss(16), [16, 1]);
  });
  afterAll(() => tf.dispose([...Object.values(inputs), targets]));

  /** The change of each layer's weights after one full-batch step. */
  async function oneStep(
    groups: { layers: string; learningRateScale: number }[],
    optimizer: (lr: number) => tf.Optimizer,
  ) {
    const model = fusionModel();
    const names = ['price_encoder', 'news_encoder', ...HEAD];
    const before = names.map((n) => weightsOf(model, n));
    const history = await fineTune(model, inputs, targets, {
      epochs: 1,
      batchSize: 16,
      learningRate: 0.1,
      groups,
      optimizer,
      seed: 0,
    });
    const delta = Object.fromEntries(
      names.map((n, i) => [
        n,
        weightsOf(model, n).map((w, j) => w - before[i]![j]!),
      ]),
    );
    model.dispose();
    return { delta, history };
  }

  const sgd = (lr: number) => tf.train.sgd(lr);

  it('moves a group at learningRateScale 0.1 by a tenth of the full step (SGD)', async () => {
    const full = await oneStep([], sgd);
    const slow = await oneStep(
      [{ layers: 'price_encoder', learningRateScale: 0.1 }],
      sgd,
    );
    const tenth = full.delta.price_encoder!.map((d) => 0.1 * d);
    expectClose(slow.delta.price_encoder!, tenth, { atol: 1e-7, rtol: 1e-4 });
    for (const name of ['news_encoder', ...HEAD]) {
      expectClose(slow.delta[name]!, full.delta[name]!, {
        atol: 1e-7,
        rtol: 1e-5,
      });
    }
    expect(
      Math.max(...full.delta.price_encoder!.map(Math.abs)),
    ).toBeGreaterThan(1e-3);
    expectClose(
      slow.history.groups.map((g) => g.learningRate),
      [0.1, 0.01],
    );
  });

  it('keeps a group at learningRateScale 0 fixed and trains the rest as before', async () => {
    const full = await oneStep([], sgd);
    const frozen = await oneStep(
      [{ layers: 'price_encoder', learningRateScale: 0 }],
      sgd,
    );
    expect(frozen.delta.price_encoder!.every((d) => d === 0)).toBe(true);
    expectClose(frozen.delta.news_encoder!, full.delta.news_encoder!, {
      atol: 1e-7,
      rtol: 1e-5,
    });
  });

  it("scales Adam's first step too: |Δw| = rate for each weight", async () => {
    // Adam's first update is lr · g / (|g| + ε): a step of the group's own
    // rate per weight, which scaling gradients could not change.
    const adam = (lr: number) => tf.train.adam(lr);
    const { delta } = await oneStep(
      [{ layers: 'price_encoder', learningRateScale: 0.1 }],
      adam,
    );
    const moved = (d: number[]) => d.filter((x) => Math.abs(x) > 1e-6);
    const slow = moved(delta.price_encoder!);
    const fast = moved(delta.news_encoder!);
    expect(slow.length).toBeGreaterThan(10);
    expectClose(
      slow.map(Math.abs),
      slow.map(() => 0.01),
      { atol: 2e-5, rtol: 0 },
    );
    expectClose(
      fast.map(Math.abs),
      fast.map(() => 0.1),
      { atol: 2e-4, rtol: 0 },
    );
  });

  it('leaves no tensors behind and rejects bad groups', async () => {
    const model = fusionModel();
    const before = tf.memory().numTensors;
    await fineTune(model, inputs, targets, {
      epochs: 2,
      batchSize: 8,
      groups: [{ layers: 'price_encoder', learningRateScale: 0.5 }],
      validation: { inputs, targets },
      seed: 0,
    });
    expect(tf.memory().numTensors).toBe(before);
    await expect(
      fineTune(model, inputs, targets, {
        epochs: 1,
        groups: [
          { layers: /encoder/, learningRateScale: 0.5 },
          { layers: 'news_encoder', learningRateScale: 0.1 },
        ],
      }),
    ).rejects.toThrow(
      'fineTune: expected each weight in one group at most, received',
    );
    await expect(
      fineTune(model, inputs, targets, {
        epochs: 1,
        groups: [{ layers: 'price_encoder', learningRateScale: -1 }],
      }),
    ).rejects.toThrow(
      'fineTune: expected groups[0].learningRateScale in [0, Infinity], ' +
        'received -1',
    );
    const wrong = tf.zeros([5, 1]);
    await expect(fineTune(model, inputs, wrong, { epochs: 1 })).rejects.toThrow(
      'fineTune: expected 1 target tensor(s) of 16 samples, received sample ' +
        'counts [5]',
    );
    wrong.dispose();
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });
});
