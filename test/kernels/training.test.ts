import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { installKernels, uninstallKernels } from '../../src/kernels';
import { normal, tensor } from './kernel-helpers';

beforeAll(async () => {
  await tf.setBackend('wasm');
  installKernels('wasm');
});

afterAll(async () => {
  uninstallKernels();
  await tf.setBackend('cpu');
});

/** Losses of `steps` full-batch training steps. */
async function train(
  model: tfl.LayersModel,
  x: tf.Tensor,
  y: tf.Tensor,
  steps: number,
): Promise<number[]> {
  const losses: number[] = [];
  for (let i = 0; i < steps; i++) {
    losses.push(Number(await model.trainOnBatch(x, y)));
  }
  return losses;
}

function expectLearning(losses: number[]): void {
  expect(losses.every(Number.isFinite)).toBe(true);
  expect(losses.at(-1)).toBeLessThan(0.8 * (losses[0] as number));
}

/** Labels: whether the mean of each example is above zero. */
function signLabels(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const axes = Array.from({ length: x.rank - 1 }, (_, i) => i + 1);
    return tf.cast(tf.greater(tf.mean(x, axes), 0), 'float32');
  });
}

describe('training on wasm after installKernels', () => {
  it('trains a conv2d + maxPooling2d + dense CNN with decreasing loss', async () => {
    tf.util.assert(tf.getBackend() === 'wasm', () => 'expected wasm');
    const model = tfl.sequential({
      layers: [
        tfl.layers.conv2d({
          inputShape: [12, 12, 1],
          filters: 4,
          kernelSize: 3,
          padding: 'same',
          activation: 'relu',
          kernelInitializer: tfl.initializers.glorotUniform({ seed: 1 }),
        }),
        tfl.layers.maxPooling2d({ poolSize: 2 }),
        tfl.layers.conv2d({
          filters: 4,
          kernelSize: 3,
          strides: 2,
          activation: 'relu',
          kernelInitializer: tfl.initializers.glorotUniform({ seed: 2 }),
        }),
        tfl.layers.flatten(),
        tfl.layers.dense({
          units: 1,
          activation: 'sigmoid',
          kernelInitializer: tfl.initializers.glorotUniform({ seed: 3 }),
        }),
      ],
    });
    model.compile({
      optimizer: tf.train.adam(0.02),
      loss: 'binaryCrossentropy',
    });
    const x = tensor(normal([32, 12, 12, 1], 41));
    const y = signLabels(x);

    expectLearning(await train(model, x, y, 15));
    tf.dispose([x, y]);
    model.dispose();
  });

  it('trains a conv1d model with decreasing loss', async () => {
    const model = tfl.sequential({
      layers: [
        tfl.layers.conv1d({
          inputShape: [20, 2],
          filters: 4,
          kernelSize: 5,
          strides: 2,
          padding: 'same',
          activation: 'relu',
          kernelInitializer: tfl.initializers.glorotUniform({ seed: 4 }),
        }),
        tfl.layers.maxPooling1d({ poolSize: 2 }),
        tfl.layers.flatten(),
        tfl.layers.dense({
          units: 1,
          activation: 'sigmoid',
          kernelInitializer: tfl.initializers.glorotUniform({ seed: 5 }),
        }),
      ],
    });
    model.compile({
      optimizer: tf.train.adam(0.02),
      loss: 'binaryCrossentropy',
    });
    const x = tensor(normal([32, 20, 2], 42));
    const y = signLabels(x);

    expectLearning(await train(model, x, y, 15));
    tf.dispose([x, y]);
    model.dispose();
  });

  it('trains an embedding model with decreasing loss', async () => {
    const model = tfl.sequential({
      layers: [
        tfl.layers.embedding({
          inputDim: 20,
          outputDim: 4,
          inputLength: 5,
          embeddingsInitializer: tfl.initializers.randomUniform({
            minval: -0.05,
            maxval: 0.05,
            seed: 6,
          }),
        }),
        tfl.layers.flatten(),
        tfl.layers.dense({
          units: 1,
          activation: 'sigmoid',
          kernelInitializer: tfl.initializers.glorotUniform({ seed: 7 }),
        }),
      ],
    });
    model.compile({
      optimizer: tf.train.adam(0.05),
      loss: 'binaryCrossentropy',
    });
    // Label: whether token 3 occurs in the sequence.
    const tokens = Array.from(
      { length: 32 * 5 },
      (_, i) => (i * 7 + (i >> 3)) % 20,
    );
    const x = tf.tensor2d(tokens, [32, 5], 'int32');
    const y = tf.tensor1d(
      Array.from({ length: 32 }, (_, r) =>
        tokens.slice(r * 5, r * 5 + 5).includes(3) ? 1 : 0,
      ),
    );

    expectLearning(await train(model, x, y, 15));
    tf.dispose([x, y]);
    model.dispose();
  });
});
