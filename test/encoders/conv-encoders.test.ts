import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';

import { conv1dEncoder } from '../../src/encoders/conv1d-encoder';
import { conv2dEncoder } from '../../src/encoders/conv2d-encoder';
import { mlpEncoder } from '../../src/encoders/mlp-encoder';
import { expectClose, expectNoLeak } from '../helpers';
import { roundTrip } from '../round-trip';

function modelOf(layer: tfl.layers.Layer, shape: number[]) {
  const input = tfl.input({ shape });
  return tfl.model({
    inputs: input,
    outputs: layer.apply(input) as tfl.SymbolicTensor,
  });
}

async function trainSteps(model: tfl.LayersModel, x: tf.Tensor, units: number) {
  const y = tf.randomNormal([x.shape[0], units], 0, 1, 'float32', 4);
  const head = tfl.layers
    .dense({ units })
    .apply(model.outputs[0]!) as tfl.SymbolicTensor;
  const trainable = tfl.model({ inputs: model.inputs, outputs: head });
  trainable.compile({
    optimizer: tf.train.adam(1e-2),
    loss: 'meanSquaredError',
  });
  const losses: number[] = [];
  for (let i = 0; i < 5; i++)
    losses.push((await trainable.trainOnBatch(x, y)) as number);
  return { trainable, losses, y };
}

describe('Conv2dEncoder', () => {
  it('computes conv, bias, ReLU and max-pool as written by hand', () => {
    const layer = conv2dEncoder({
      filters: [1],
      kernelSize: 2,
      padding: 'valid',
      seed: 1,
    });
    const x = tf.tensor4d([1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 3, 3, 1]);
    layer.apply(x);
    layer.setWeights([
      tf.tensor4d([1, 0, 0, -1], [2, 2, 1, 1]),
      tf.tensor1d([5]),
    ]);
    // conv: each 2x2 window gives top-left minus bottom-right = -4; +5 = 1.
    // 2x2 map of ones, max-pooled 2x2 -> one value 1.
    expectClose(layer.apply(x) as tf.Tensor, [[1]]);
  });

  it('gives the same result through the fused and the unfused path', () => {
    const x = tf.randomUniform([2, 8, 8, 2], 0, 1, 'float32', 3);
    const relu = conv2dEncoder({
      filters: [3, 4],
      activation: 'relu',
      seed: 9,
    });
    const elu = conv2dEncoder({ filters: [3, 4], activation: 'elu', seed: 9 });
    const tanh = conv2dEncoder({
      filters: [3, 4],
      activation: 'tanh',
      seed: 9,
    });
    for (const layer of [relu, elu, tanh]) layer.apply(x);
    // Reference: the plain op chain of one block after another.
    const reference = (
      layer: typeof relu,
      act: (t: tf.Tensor) => tf.Tensor,
    ) => {
      const w = layer.getWeights();
      let h: tf.Tensor = x;
      for (let b = 0; b < 2; b++) {
        h = act(
          tf.add(
            tf.conv2d(h as tf.Tensor4D, w[2 * b] as tf.Tensor4D, 1, 'same'),
            w[2 * b + 1]!,
          ),
        );
        h = tf.maxPool(h as tf.Tensor4D, 2, 2, 'valid');
      }
      return tf.reshape(h, [2, -1]);
    };
    expectClose(relu.apply(x) as tf.Tensor, reference(relu, tf.relu), {
      atol: 1e-6,
    });
    expectClose(elu.apply(x) as tf.Tensor, reference(elu, tf.elu), {
      atol: 1e-6,
    });
    expectClose(tanh.apply(x) as tf.Tensor, reference(tanh, tf.tanh), {
      atol: 1e-6,
    });
  });

  it('flattens channels-last like tfjs-layers and computes its output shape', () => {
    const layer = conv2dEncoder({ filters: [4, 8], seed: 2 });
    expect(layer.computeOutputShape([null, 64, 64, 1])).toEqual([
      null,
      16 * 16 * 8,
    ]);
    const x = tf.randomUniform([2, 64, 64, 1], 0, 1, 'float32', 1);
    expect((layer.apply(x) as tf.Tensor).shape).toEqual([2, 2048]);
    const pooled = conv2dEncoder({ filters: [4, 8], readout: 'globalAverage' });
    expect((pooled.apply(x) as tf.Tensor).shape).toEqual([2, 8]);
  });

  it('trains, leaks nothing and round-trips through save and load', async () => {
    const model = modelOf(
      conv2dEncoder({ filters: [4, 4], seed: 3 }),
      [8, 8, 1],
    );
    const x = tf.randomUniform([6, 8, 8, 1], 0, 1, 'float32', 2);
    const { trainable, losses, y } = await trainSteps(model, x, 2);
    expect(losses[4]).toBeLessThan(losses[0]!);
    await expectNoLeak(() => trainable.trainOnBatch(x, y));
    await expectNoLeak(() => model.predict(x));
    const reloaded = await roundTrip(trainable);
    expectClose(
      reloaded.predict(x) as tf.Tensor,
      trainable.predict(x) as tf.Tensor,
      {
        atol: 0,
        rtol: 0,
      },
    );
  });

  it('rejects wrong ranks, too-small images and bad options', () => {
    expect(() =>
      conv2dEncoder({ filters: [2] }).apply(tf.zeros([2, 8, 8])),
    ).toThrow(
      /expected one input \[batch, height, width, channels\], received shapes \[\[2,8,8\]\]/,
    );
    expect(() =>
      conv2dEncoder({ filters: [2, 2, 2] }).apply(tf.zeros([1, 4, 4, 1])),
    ).toThrow(/input of shape \[1,4,4,1\] is too small for 3 blocks/);
    expect(() => conv2dEncoder({ filters: [] })).toThrow(/non-empty array/);
    expect(() =>
      conv2dEncoder({ filters: [2], padding: 'full' as 'same' }),
    ).toThrow(/padding to be one of 'same', 'valid', received "full"/);
  });
});

describe('Conv1dEncoder', () => {
  it('is causal: changing a late step never changes earlier outputs', () => {
    const layer = conv1dEncoder({
      filters: [3],
      kernelSize: 3,
      readout: 'flatten',
      seed: 4,
    });
    const x = tf.randomNormal([1, 6, 2], 0, 1, 'float32', 5);
    const late = tf.concat(
      [tf.slice(x, [0, 0, 0], [1, 5, 2]), tf.fill([1, 1, 2], 9)],
      1,
    );
    const a = tf.reshape(layer.apply(x) as tf.Tensor, [6, 3]);
    const b = tf.reshape(layer.apply(late) as tf.Tensor, [6, 3]);
    expectClose(tf.slice(a, [0, 0], [5, 3]), tf.slice(b, [0, 0], [5, 3]), {
      atol: 0,
      rtol: 0,
    });
  });

  it('matches a hand-computed causal convolution', () => {
    const layer = conv1dEncoder({
      filters: [1],
      kernelSize: 2,
      activation: 'linear',
      readout: 'flatten',
      seed: 1,
    });
    const x = tf.tensor3d([1, 2, 4], [1, 3, 1]);
    layer.apply(x);
    layer.setWeights([tf.tensor3d([1, 10], [2, 1, 1]), tf.tensor1d([0.5])]);
    // y_t = 1 * x_{t-1} + 10 * x_t + 0.5 with x_{-1} = 0.
    expectClose(layer.apply(x) as tf.Tensor, [[10.5, 21.5, 42.5]]);
  });

  it.each([
    ['relu', 'same', 2],
    ['tanh', 'same', 1],
    ['relu', 'valid', 1],
    ['gelu', 'valid', 2],
  ] as const)(
    'equals tf.conv1d + bias + %s with %s padding and dilation %d',
    (activation, padding, dilation) => {
      const layer = conv1dEncoder({
        filters: [3],
        kernelSize: 3,
        padding,
        dilation,
        activation,
        readout: 'flatten',
        seed: 6,
      });
      const x = tf.randomNormal([2, 9, 2], 0, 1, 'float32', 7);
      const out = layer.apply(x) as tf.Tensor;
      const [kernel, bias] = layer.getWeights() as [tf.Tensor3D, tf.Tensor1D];
      const conv = tf.add(
        tf.conv1d(x as tf.Tensor3D, kernel, 1, padding, 'NWC', dilation),
        bias,
      );
      const act =
        activation === 'relu'
          ? tf.relu(conv)
          : activation === 'tanh'
            ? tf.tanh(conv)
            : tf.mul(
                tf.mul(0.5, conv),
                tf.add(
                  1,
                  tf.tanh(
                    tf.mul(
                      Math.sqrt(2 / Math.PI),
                      tf.add(conv, tf.mul(0.044715, tf.pow(conv, 3))),
                    ),
                  ),
                ),
              );
      expectClose(out, tf.reshape(act, [2, -1]), { atol: 1e-6 });
    },
  );

  it('pools over time and reports its output shape', () => {
    const layer = conv1dEncoder({
      filters: [4, 6],
      poolSize: 2,
      readout: 'flatten',
      seed: 2,
    });
    expect(layer.computeOutputShape([null, 20, 3])).toEqual([null, 5 * 6]);
    expect((layer.apply(tf.zeros([2, 20, 3])) as tf.Tensor).shape).toEqual([
      2, 30,
    ]);
  });

  it('trains, leaks nothing and round-trips through save and load', async () => {
    const model = modelOf(
      conv1dEncoder({ filters: [4, 4], poolSize: 2, seed: 3 }),
      [10, 3],
    );
    const x = tf.randomNormal([6, 10, 3], 0, 1, 'float32', 2);
    const { trainable, losses, y } = await trainSteps(model, x, 2);
    expect(losses[4]).toBeLessThan(losses[0]!);
    await expectNoLeak(() => trainable.trainOnBatch(x, y));
    const reloaded = await roundTrip(trainable);
    expectClose(
      reloaded.predict(x) as tf.Tensor,
      trainable.predict(x) as tf.Tensor,
      {
        atol: 0,
        rtol: 0,
      },
    );
  });
});

describe('MlpEncoder', () => {
  it('computes dense layers with ReLU as written by hand', () => {
    const layer = mlpEncoder({ units: [2, 1], activateLast: false, seed: 1 });
    const x = tf.tensor2d([[1, -1]]);
    layer.apply(x);
    layer.setWeights([
      tf.tensor2d([
        [1, 2],
        [3, 4],
      ]),
      tf.tensor1d([0, 10]),
      tf.tensor2d([[1], [1]]),
      tf.tensor1d([0.5]),
    ]);
    // h = relu([1-3, 2-4+10]) = [0, 8]; y = 0 + 8 + 0.5.
    expectClose(layer.apply(x) as tf.Tensor, [[8.5]]);
  });

  it('trains, leaks nothing and round-trips through save and load', async () => {
    const model = modelOf(
      mlpEncoder({ units: [8, 4], dropout: 0.1, seed: 3 }),
      [5],
    );
    const x = tf.randomNormal([16, 5], 0, 1, 'float32', 2);
    const { trainable, y } = await trainSteps(model, x, 1);
    await expectNoLeak(() => trainable.trainOnBatch(x, y));
    const reloaded = await roundTrip(trainable);
    expectClose(
      reloaded.predict(x) as tf.Tensor,
      trainable.predict(x) as tf.Tensor,
      {
        atol: 0,
        rtol: 0,
      },
    );
  });

  it('names the expected feature count when the input width changes', () => {
    const layer = mlpEncoder({ units: [2] });
    layer.apply(tf.zeros([1, 3]));
    expect(() => layer.apply(tf.zeros([1, 4]))).toThrow(
      /expected 3 input features, received shape \[1,4\]/,
    );
  });
});
