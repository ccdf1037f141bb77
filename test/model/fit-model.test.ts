import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';

import { lstmEncoder } from '../../src/encoders/lstm-encoder';
import { mlpEncoder } from '../../src/encoders/mlp-encoder';
import { buildModel } from '../../src/model/build-model';
import { evaluateLoss, fitModel } from '../../src/model/fit-model';
import { expectClose } from '../helpers';

function linearProblem() {
  const x = tf.randomNormal([96, 4], 0, 1, 'float32', 11);
  const w = tf.tensor2d([[1], [-2], [0.5], [0]]);
  const y = tf.matMul(x, w);
  return { x, y };
}

function linearModel(seed: number) {
  return buildModel({
    modalities: {
      x: { shape: [4], encoder: mlpEncoder({ units: [8], seed }) },
    },
    heads: { name: 'y' },
    seed,
  });
}

describe('fitModel', () => {
  it('lowers the loss and reports one log per epoch', async () => {
    const { x, y } = linearProblem();
    const model = linearModel(1);
    const batches: number[] = [];
    const history = await fitModel(model, { x }, y, {
      epochs: 5,
      batchSize: 32,
      seed: 1,
      learningRate: 1e-2,
      onBatchEnd: (b) => batches.push(b.batch),
    });
    expect(history.epochs).toHaveLength(5);
    expect(batches).toEqual([1, 2, 3, 1, 2, 3, 1, 2, 3, 1, 2, 3, 1, 2, 3]);
    expect(history.steps).toBe(15);
    expect(history.epochs[4]!.loss).toBeLessThan(history.epochs[0]!.loss);
    expect(history.bestEpoch).toBeNull();
  });

  it('is reproducible: the same seed gives identical weights', async () => {
    const run = async () => {
      const { x, y } = linearProblem();
      const model = buildModel({
        modalities: {
          x: {
            shape: [4],
            encoder: mlpEncoder({ units: [8], dropout: 0.3, seed: 2 }),
          },
        },
        heads: { name: 'y', hidden: [4], dropout: 0.2 },
        seed: 2,
      });
      await fitModel(model, { x }, y, { epochs: 3, batchSize: 16, seed: 7 });
      return model.getWeights().map((w) => Array.from(w.dataSync()));
    };
    expect(await run()).toEqual(await run());
  });

  it('stops early after `patience` epochs without improvement and restores the best weights', async () => {
    const { x, y } = linearProblem();
    const noise = tf.randomNormal([32, 1], 0, 1, 'float32', 3);
    const validation = {
      inputs: { x: tf.randomNormal([32, 4], 0, 1, 'float32', 4) },
      targets: noise,
    };
    const model = linearModel(3);
    const history = await fitModel(model, { x }, y, {
      epochs: 200,
      batchSize: 32,
      seed: 3,
      learningRate: 5e-2,
      validation,
      patience: 2,
    });
    const logs = history.epochs;
    const best = Math.min(...logs.map((l) => l.valLoss!));
    expect(history.stoppedEarly).toBe(true);
    expect(history.bestValLoss).toBe(best);
    expect(logs.length).toBe(history.bestEpoch! + 2);
    expect(logs.slice(-2).every((l) => !l.improved)).toBe(true);
    expectClose(
      evaluateLoss(model, validation.inputs, validation.targets),
      best,
      {
        atol: 1e-6,
        rtol: 1e-6,
      },
    );
  });

  it('computes the validation loss as the mean over samples and outputs', () => {
    const model = buildModel({
      modalities: {
        s: { shape: [3, 2], encoder: lstmEncoder({ units: 2, seed: 1 }) },
      },
      heads: [{ name: 'a' }, { name: 'b' }],
      output: 'concat',
      seed: 1,
    });
    const x = tf.randomNormal([5, 3, 2], 0, 1, 'float32', 9);
    const y = tf.randomNormal([5, 2], 0, 1, 'float32', 8);
    const p = model.predict(x) as tf.Tensor;
    const mse = tf.mean(tf.squaredDifference(p, y)).dataSync()[0]!;
    expect(evaluateLoss(model, x, y)).toBeCloseTo(mse, 6);
  });

  it('leaks no tensors over a training run', async () => {
    const { x, y } = linearProblem();
    const model = linearModel(4);
    const validation = { inputs: { x }, targets: y };
    await fitModel(model, { x }, y, { epochs: 1, seed: 1, validation });
    const before = tf.memory().numTensors;
    await fitModel(model, { x }, y, {
      epochs: 3,
      seed: 1,
      validation,
      patience: 1,
    });
    expect(tf.memory().numTensors).toBe(before);
  });

  it('frees the optimizer it created when the model is disposed', async () => {
    const { x, y } = linearProblem();
    const before = tf.memory().numTensors;
    const model = linearModel(6);
    await fitModel(model, { x }, y, { epochs: 1, seed: 1 });
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('rejects mismatched sample counts, bad options and a diverging loss', async () => {
    const { x, y } = linearProblem();
    const model = linearModel(5);
    await expect(
      fitModel(model, { x }, tf.zeros([10, 1]), { epochs: 1 }),
    ).rejects.toThrow(/96 input samples and target sample counts \[10\]/);
    await expect(fitModel(model, { x }, y, { epochs: 0 })).rejects.toThrow(
      /epochs to be an integer >= 1, received 0/,
    );
    await expect(
      fitModel(model, { x }, y, { epochs: 1, patience: 2 }),
    ).rejects.toThrow(/patience needs validation data/);
    const huge = tf.mul(y, 1e30);
    await expect(
      fitModel(model, { x }, huge, { epochs: 2, seed: 1, learningRate: 10 }),
    ).rejects.toThrow(
      /training loss became (Infinity|NaN) at epoch 1, batch 1/,
    );
  });
});
