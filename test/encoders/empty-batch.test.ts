import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import type * as tfl from '@tensorflow/tfjs-layers';
import { afterAll, describe, expect, it } from 'vitest';

import {
  conv1dEncoder,
  conv2dEncoder,
  lstmEncoder,
  mlpEncoder,
} from '../../src/index';

describe.each(['cpu', 'wasm'])('encoders on an empty batch (%s)', (backend) => {
  afterAll(async () => {
    await tf.setBackend('cpu');
  });

  it('return an empty output of the documented shape', async () => {
    await tf.setBackend(backend);
    const cases: [tfl.layers.Layer, number[], number[]][] = [
      [conv2dEncoder({ filters: [2], seed: 1 }), [0, 8, 8, 1], [0, 32]],
      [
        conv2dEncoder({ filters: [2], readout: 'globalAverage', seed: 1 }),
        [0, 8, 8, 1],
        [0, 2],
      ],
      [
        conv2dEncoder({ filters: [3], readout: 'globalMax', seed: 1 }),
        [0, 8, 8, 1],
        [0, 3],
      ],
      [conv1dEncoder({ filters: [2], seed: 1 }), [0, 8, 3], [0, 2]],
      [mlpEncoder({ units: [4], seed: 1 }), [0, 8], [0, 4]],
      [lstmEncoder({ units: [2], seed: 1 }), [0, 8, 3], [0, 2]],
    ];
    for (const [layer, input, output] of cases) {
      const before = tf.memory().numTensors;
      const y = layer.apply(tf.zeros(input)) as tf.Tensor;
      expect(y.shape).toEqual(output);
      tf.dispose(y);
      // The first call builds the weights; nothing else may stay behind.
      const weights = layer.weights.length;
      expect(tf.memory().numTensors - before).toBeLessThanOrEqual(weights + 1);
    }
  });
});
