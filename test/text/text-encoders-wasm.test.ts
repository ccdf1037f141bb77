import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { biLstmTextEncoder } from '../../src/encoders/bilstm-text-encoder';
import { cnnTextEncoder } from '../../src/encoders/cnn-text-encoder';
import { padSequences } from '../../src/encoders/tokenizer';
import { transformerTextEncoder } from '../../src/encoders/transformer-text-encoder';
import type { TextEncoderLayer } from '../../src/encoders/text-encoder-base';
import { expectClose } from '../helpers';

const TEXTS = [
  [3, 4, 5, 6, 7],
  [8, 9],
  [10, 11, 2, 3],
];

const MAKERS: Record<string, () => TextEncoderLayer> = {
  BiLstmTextEncoder: () =>
    biLstmTextEncoder({
      vocabularySize: 12,
      embeddingDim: 4,
      units: 3,
      pooling: 'mean',
      seed: 1,
    }),
  CnnTextEncoder: () =>
    cnnTextEncoder({
      vocabularySize: 12,
      embeddingDim: 4,
      filters: 3,
      seed: 2,
    }),
  TransformerTextEncoder: () =>
    transformerTextEncoder({
      vocabularySize: 12,
      embeddingDim: 8,
      maxLength: 8,
      heads: 2,
      seed: 3,
    }),
};

/** Output and the gradient of a loss w.r.t. every weight, as numbers. */
function outputAndGradients(make: () => TextEncoderLayer, length: number) {
  const layer = make();
  const b = padSequences(TEXTS, { length, padId: 0 });
  const ids = tf.tensor2d(b.ids, [b.batch, length], 'int32');
  const output = (layer.apply(ids) as tf.Tensor).arraySync();
  const weights = layer.trainableWeights.map((w) => w.read() as tf.Variable);
  const { grads } = tf.variableGrads(
    () => tf.sum(tf.square(layer.apply(ids) as tf.Tensor)) as tf.Scalar,
    weights,
  );
  const gradients = weights.map((w) => Array.from(grads[w.name]!.dataSync()));
  tf.dispose([ids, grads as never]);
  return { output, gradients };
}

describe.each(Object.keys(MAKERS))('%s on wasm', (name) => {
  beforeAll(async () => {
    await tf.setBackend('wasm');
  });
  afterAll(async () => {
    await tf.setBackend('cpu');
  });

  it('gives the cpu output and weight gradients, embeddings included', async () => {
    const make = MAKERS[name]!;
    const wasm = outputAndGradients(make, 7);
    await tf.setBackend('cpu');
    const cpu = outputAndGradients(make, 7);
    await tf.setBackend('wasm');
    expectClose(wasm.output, cpu.output, { atol: 1e-5, rtol: 1e-4 });
    wasm.gradients.forEach((g, i) =>
      expectClose(g, cpu.gradients[i]!, { atol: 1e-5, rtol: 1e-3 }),
    );
  });

  it('gives an empty output for a batch of 0 and zeros for texts of length 0', () => {
    const layer = MAKERS[name]!();
    const d = layer.outputDim();
    const noTexts = layer.apply(tf.zeros([0, 5], 'int32')) as tf.Tensor;
    expect(noTexts.shape).toEqual([0, d]);
    const noTokens = layer.apply(tf.zeros([2, 0], 'int32')) as tf.Tensor;
    expect(noTokens.shape).toEqual([2, d]);
    expect(Array.from(noTokens.dataSync())).toEqual(new Array(2 * d).fill(0));
    tf.dispose([noTexts, noTokens]);
  });

  it('keeps padding out of the encoding', () => {
    const make = MAKERS[name]!;
    const short = outputAndGradients(make, 5).output as number[][];
    const long = outputAndGradients(make, 8).output as number[][];
    expectClose(long, short, { atol: 1e-6, rtol: 1e-5 });
  });
});
