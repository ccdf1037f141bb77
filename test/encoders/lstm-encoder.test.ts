import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import * as tfl from '@tensorflow/tfjs-layers';
import { afterAll, describe, expect, it } from 'vitest';

import { LstmEncoder, lstmEncoder } from '../../src/encoders/lstm-encoder';
import { lstmSequenceReference } from '../../src/kernels/lstm-reference';
import { expectClose, expectNoLeak, readFixture } from '../helpers';
import { roundTrip } from '../round-trip';

interface LstmFixture {
  inputs: { x: number[][][]; mask: number[][] };
  weights: {
    units: number;
    kernel: number[][];
    recurrentKernel: number[][];
    bias: number[];
  };
  expected: Record<
    'unmasked' | 'masked',
    { output: number[][][]; finalH: number[][]; finalC: number[][] }
  >;
}

async function fixtureLayer(returnSequences: boolean) {
  const f = await readFixture<LstmFixture>('lstm.json');
  const layer = lstmEncoder({
    units: f.weights.units,
    returnSequences,
    seed: 1,
  });
  const x = tf.tensor3d(f.inputs.x);
  layer.apply(x);
  layer.setWeights([
    tf.tensor2d(f.weights.kernel),
    tf.tensor2d(f.weights.recurrentKernel),
    tf.tensor1d(f.weights.bias),
  ]);
  return { f, layer, x, mask: tf.tensor2d(f.inputs.mask) };
}

describe('LstmEncoder', () => {
  it('matches the PyTorch reference sequence and final state, unmasked', async () => {
    const { f, layer, x } = await fixtureLayer(true);
    expectClose(layer.apply(x) as tf.Tensor, f.expected.unmasked.output);
    const last = await fixtureLayer(false);
    expectClose(
      last.layer.apply(last.x) as tf.Tensor,
      f.expected.unmasked.finalH,
    );
  });

  it('matches the reference with a mask, carrying state over masked steps', async () => {
    const { f, layer, x, mask } = await fixtureLayer(true);
    expectClose(layer.apply([x, mask]) as tf.Tensor, f.expected.masked.output);
    const last = await fixtureLayer(false);
    expectClose(
      last.layer.apply([last.x, last.mask]) as tf.Tensor,
      f.expected.masked.finalH,
    );
  });

  it('equals tfjs-layers LSTM with sigmoid recurrent activation, two layers', () => {
    const x = tf.randomNormal([4, 6, 3], 0, 1, 'float32', 7);
    const ours = lstmEncoder({ units: [5, 4], seed: 3 });
    ours.apply(x);
    const input = tfl.input({ shape: [6, 3] });
    const first = tfl.layers.lstm({
      units: 5,
      returnSequences: true,
      recurrentActivation: 'sigmoid',
    });
    const second = tfl.layers.lstm({
      units: 4,
      recurrentActivation: 'sigmoid',
    });
    const reference = tfl.model({
      inputs: input,
      outputs: second.apply(first.apply(input)) as tfl.SymbolicTensor,
    });
    reference.setWeights(ours.getWeights());
    expectClose(ours.apply(x) as tf.Tensor, reference.predict(x) as tf.Tensor);
  });

  it('gives the output shapes it documents', () => {
    const x = tf.zeros([2, 5, 3]);
    expect((lstmEncoder({ units: 4 }).apply(x) as tf.Tensor).shape).toEqual([
      2, 4,
    ]);
    const seq = lstmEncoder({ units: [6, 4], returnSequences: true });
    expect((seq.apply(x) as tf.Tensor).shape).toEqual([2, 5, 4]);
    expect(seq.computeOutputShape([null, 5, 3])).toEqual([null, 5, 4]);
  });

  it('starts the forget-gate bias at one and is reproducible from its seed', () => {
    const a = lstmEncoder({ units: 3, seed: 42 });
    const b = lstmEncoder({ units: 3, seed: 42 });
    a.build([null, 2, 2]);
    b.build([null, 2, 2]);
    const bias = a.getWeights()[2] as tf.Tensor;
    expect(Array.from(bias.dataSync())).toEqual([
      0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0,
    ]);
    a.getWeights().forEach((w, i) =>
      expectClose(w, b.getWeights()[i] as tf.Tensor, { atol: 0, rtol: 0 }),
    );
  });

  it('has an orthonormal recurrent kernel by default', () => {
    const layer = lstmEncoder({ units: 4, seed: 9 });
    layer.build([null, 3, 2]);
    const r = layer.getWeights()[1] as tf.Tensor2D; // [4, 16]
    expectClose(tf.matMul(r, r, false, true), tf.eye(4), { atol: 1e-5 });
  });

  it('applies dropout only while training', () => {
    const layer = lstmEncoder({ units: 8, dropout: 0.5, seed: 2 });
    const x = tf.randomNormal([3, 4, 2], 0, 1, 'float32', 1);
    const inference = layer.apply(x) as tf.Tensor;
    const again = layer.apply(x) as tf.Tensor;
    expectClose(inference, again, { atol: 0, rtol: 0 });
    const trained = layer.apply(x, { training: true }) as tf.Tensor;
    const zeros = Array.from(trained.dataSync()).filter((v) => v === 0).length;
    expect(zeros).toBeGreaterThan(0);
  });

  it('survives a save-and-reload round trip with identical predictions', async () => {
    const input = tfl.input({ shape: [5, 3] });
    const mask = tfl.input({ shape: [5] });
    const out = lstmEncoder({ units: [4, 3], dropout: 0.1, seed: 5 }).apply([
      input,
      mask,
    ]) as tfl.SymbolicTensor;
    const model = tfl.model({ inputs: [input, mask], outputs: out });
    const x = tf.randomNormal([2, 5, 3], 0, 1, 'float32', 3);
    const m = tf.tensor2d([
      [1, 1, 1, 0, 0],
      [1, 1, 1, 1, 1],
    ]);
    const reloaded = await roundTrip(model);
    expect(reloaded.layers[2]).toBeInstanceOf(LstmEncoder);
    expectClose(
      reloaded.predict([x, m]) as tf.Tensor,
      model.predict([x, m]) as tf.Tensor,
      { atol: 0, rtol: 0 },
    );
  });

  it('leaks no tensors across calls and training steps', async () => {
    const input = tfl.input({ shape: [5, 3] });
    const out = lstmEncoder({ units: 4, dropout: 0.2, seed: 1 }).apply(input);
    const head = tfl.layers
      .dense({ units: 1 })
      .apply(out) as tfl.SymbolicTensor;
    const model = tfl.model({ inputs: input, outputs: head });
    model.compile({ optimizer: tf.train.adam(1e-2), loss: 'meanSquaredError' });
    const x = tf.randomNormal([8, 5, 3], 0, 1, 'float32', 1);
    const y = tf.randomNormal([8, 1], 0, 1, 'float32', 2);
    await expectNoLeak(() => model.predict(x));
    await expectNoLeak(() => model.trainOnBatch(x, y));
  });

  it('rejects inputs of the wrong rank and masks of the wrong shape', () => {
    const layer = lstmEncoder({ units: 2 });
    expect(() => layer.apply(tf.zeros([2, 3]))).toThrow(
      /expected an input \[batch, time, features\].*received shapes \[\[2,3\]\]/,
    );
    expect(() => layer.apply([tf.zeros([2, 3, 1]), tf.zeros([2, 4])])).toThrow(
      /expected a mask of shape \[2,3\], received \[2,4\]/,
    );
    expect(() => lstmEncoder({ units: [4, 0] })).toThrow(
      /units\[1\] to be an integer >= 1, received 0/,
    );
    expect(() => lstmEncoder({ units: 4, dropout: 1 })).toThrow(
      /dropout in \[0, 1\), received 1/,
    );
  });
});

describe.each(['cpu', 'wasm'])('LstmEncoder on %s', (backend) => {
  afterAll(async () => {
    await tf.setBackend('cpu');
  });

  it('matches the PyTorch reference, masked and unmasked', async () => {
    await tf.setBackend(backend);
    const { f, layer, x, mask } = await fixtureLayer(true);
    expectClose(layer.apply(x) as tf.Tensor, f.expected.unmasked.output);
    expectClose(layer.apply([x, mask]) as tf.Tensor, f.expected.masked.output);
    const last = await fixtureLayer(false);
    expectClose(
      last.layer.apply([last.x, last.mask]) as tf.Tensor,
      f.expected.masked.finalH,
    );
  });

  it('checks a mask given as an argument and stays correct after rejecting one', async () => {
    await tf.setBackend(backend);
    const layer = lstmEncoder({ units: [3], seed: 1 });
    const x = tf.randomNormal([2, 4, 5], 0, 1, 'float32', 1);
    const before = (layer.apply(x) as tf.Tensor).arraySync();
    for (const shape of [
      [2, 4, 1],
      [3, 4],
      [8, 4],
      [1, 4],
      [2, 5],
    ]) {
      expect(() => layer.apply(x, { mask: tf.ones(shape) })).toThrow(
        new RegExp(
          `LstmEncoder '${layer.name}': expected a mask of shape \\[2,4\\], ` +
            `received \\[${shape.join(',')}\\]`,
        ),
      );
    }
    expect((layer.apply(x) as tf.Tensor).arraySync()).toEqual(before);
    const masked = layer.apply(x, { mask: tf.ones([2, 4]) }) as tf.Tensor;
    expect(masked.arraySync()).toEqual(before);
  });

  it('gives the zero initial state for a sequence of length 0', async () => {
    await tf.setBackend(backend);
    const layer = lstmEncoder({ units: [3, 2], seed: 1 });
    layer.apply(tf.zeros([1, 2, 5]));
    const last = layer.apply(tf.zeros([2, 0, 5])) as tf.Tensor;
    expect(last.shape).toEqual([2, 2]);
    expect(last.arraySync()).toEqual([
      [0, 0],
      [0, 0],
    ]);
    const sequences = lstmEncoder({ units: 3, returnSequences: true });
    expect((sequences.apply(tf.zeros([2, 0, 5])) as tf.Tensor).shape).toEqual([
      2, 0, 3,
    ]);
  });

  it('has the weight and input gradients of the autodiff reference, masked, two layers', async () => {
    await tf.setBackend(backend);
    const layer = lstmEncoder({ units: [5, 4], returnSequences: true });
    const x = tf.randomNormal([3, 6, 2], 0, 1, 'float32', 4);
    const mask = tf.tensor2d([
      [1, 1, 1, 1, 0, 0],
      [0, 1, 1, 1, 1, 1],
      [1, 1, 0, 1, 1, 1],
    ]);
    layer.apply([x, mask]);
    const w = tf.randomNormal([3, 6, 4], 0, 1, 'float32', 8);
    const weights = layer.getWeights();
    const loss = (y: tf.Tensor) => tf.sum(tf.mul(y, w)) as tf.Scalar;
    const viaLayer = tf.variableGrads(() =>
      loss(layer.apply([x, mask]) as tf.Tensor),
    );
    const reference = tf.grads((xx: tf.Tensor, ...ws: tf.Tensor[]) =>
      loss(
        lstmSequenceReference({
          x: xx,
          kernels: [ws[0], ws[3]] as tf.Tensor[],
          recurrentKernels: [ws[1], ws[4]] as tf.Tensor[],
          biases: [ws[2], ws[5]] as tf.Tensor[],
          mask: tf.cast(mask, 'bool'),
          returnSequences: true,
        }),
      ),
    )([x, ...weights]);
    const names = layer.weights.map((v) => v.name);
    names.forEach((name, k) =>
      expectClose(
        viaLayer.grads[name] as tf.Tensor,
        reference[k + 1] as tf.Tensor,
      ),
    );
    const inputGrad = tf.grad((xx: tf.Tensor) =>
      loss(layer.apply([xx, mask]) as tf.Tensor),
    )(x);
    expectClose(inputGrad, reference[0] as tf.Tensor);
  });

  it('trains with dropout and leaks no tensors', async () => {
    await tf.setBackend(backend);
    const input = tfl.input({ shape: [5, 3] });
    const out = lstmEncoder({ units: [4, 3], dropout: 0.3, seed: 1 }).apply(
      input,
    );
    const head = tfl.layers
      .dense({ units: 1 })
      .apply(out) as tfl.SymbolicTensor;
    const model = tfl.model({ inputs: input, outputs: head });
    model.compile({ optimizer: tf.train.adam(1e-2), loss: 'meanSquaredError' });
    const x = tf.randomNormal([8, 5, 3], 0, 1, 'float32', 1);
    const y = tf.randomNormal([8, 1], 0, 1, 'float32', 2);
    const first = (await model.trainOnBatch(x, y)) as number;
    await expectNoLeak(() => model.trainOnBatch(x, y));
    for (let i = 0; i < 20; i++) await model.trainOnBatch(x, y);
    expect(await model.trainOnBatch(x, y)).toBeLessThan(first);
  });
});
