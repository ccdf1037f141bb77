import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';

import {
  type CrossAttentionFusion,
  crossAttentionFusion,
} from '../../src/fusion/cross-attention-fusion';
import {
  expectClose,
  expectNoLeak,
  readFixture,
  type Nested,
} from '../helpers';
import { roundTrip } from '../round-trip';
import { describeOnBackends } from './backends';

interface AttentionFixture {
  inputs: { query: Nested; keyValue: Nested; keyMask: Nested };
  weights: Record<
    'Wq' | 'Wk' | 'Wv' | 'Wo' | 'bq' | 'bk' | 'bv' | 'bo',
    Nested
  >;
  expected: {
    attentionWeights: Nested;
    attentionWeightsAveraged: Nested;
    context: Nested;
    output: Nested;
  };
}

const fixture = await readFixture<AttentionFixture>('cross_attention.json');
const TOL = { atol: 1e-5, rtol: 1e-5 };

/** The fixture's layer: queries from 'query', keys from 'keyValue'. */
function fixtureLayer(): CrossAttentionFusion {
  const layer = crossAttentionFusion({
    modalities: ['query', 'keyValue'],
    query: 'query',
    heads: 2,
    keyMask: true,
    returnAttentionWeights: true,
    seed: 0,
  });
  layer.build([
    [null, 5, 6],
    [null, 3, 8],
    [null, 5],
  ]);
  const w = fixture.weights;
  const byName: Record<string, Nested> = {
    query_kernel: w.Wq,
    query_bias: w.bq,
    key_keyValue_kernel: w.Wk,
    key_keyValue_bias: w.bk,
    value_keyValue_kernel: w.Wv,
    value_keyValue_bias: w.bv,
    output_kernel: w.Wo,
    output_bias: w.bo,
  };
  layer.setWeights(
    layer.weights.map((v) => tf.tensor(byName[v.originalName] as number[])),
  );
  return layer;
}

function fixtureInputs(): {
  query: tf.Tensor;
  keyValue: tf.Tensor;
  keyMask: tf.Tensor;
} {
  return {
    query: tf.tensor(fixture.inputs.query as number[][][]),
    keyValue: tf.tensor(fixture.inputs.keyValue as number[][][]),
    keyMask: tf.tensor(fixture.inputs.keyMask as number[][]),
  };
}

describeOnBackends(
  'CrossAttentionFusion matches torch MultiheadAttention',
  () => {
    it('in per-head weights, averaged weights and output (cross_attention.json, 1e-5)', () => {
      const layer = fixtureLayer();
      const { query, keyValue, keyMask } = fixtureInputs();
      const { output, weights } = layer.attend(
        { query, keyValue },
        { keyMask },
      );
      expect(output.shape).toEqual([2, 3, 8]);
      expect(weights!.shape).toEqual([2, 2, 3, 5]);
      expectClose(weights!, fixture.expected.attentionWeights, TOL);
      expectClose(
        tf.mean(weights!, 1),
        fixture.expected.attentionWeightsAveraged,
        TOL,
      );
      expectClose(output, fixture.expected.output, TOL);
    });

    it('gives a fully masked sample zero weights, a zero context and finite gradients', () => {
      const layer = fixtureLayer();
      const { query, keyValue } = fixtureInputs();
      const keyMask = tf.tensor2d([
        [0, 0, 0, 0, 0],
        [1, 0, 1, 1, 1],
      ]);
      const { output, weights } = layer.attend(
        { query, keyValue },
        { keyMask },
      );
      const w = weights!.arraySync() as number[][][][];
      expect(w[0]!.flat(2).every((v) => v === 0)).toBe(true);
      // Zero context: the output is the output bias on every query step.
      const out = output.arraySync() as number[][][];
      for (const step of out[0]!) expectClose(step, fixture.weights.bo, TOL);
      // The other sample is unaffected by the first.
      expectClose(out[1]!, (fixture.expected.output as Nested[])[1]!, TOL);

      const loss = (q: tf.Tensor, kv: tf.Tensor) =>
        tf.sum(
          tf.square(
            (layer.apply([kv, q, keyMask]) as tf.Tensor[])[0] as tf.Tensor,
          ),
        ) as tf.Scalar;
      const [dq, dkv] = tf.grads(loss)([query, keyValue]);
      const { grads } = tf.variableGrads(
        () => loss(query, keyValue),
        layer.trainableWeights.map((v) => v.read() as tf.Variable),
      );
      for (const g of [dq!, dkv!, ...Object.values(grads)]) {
        expect(Array.from(g.dataSync()).every(Number.isFinite)).toBe(true);
      }
      // No gradient reaches the keys and values of the fully masked sample.
      const dkv0 = (dkv!.arraySync() as number[][][])[0]!.flat();
      expect(dkv0.every((v) => v === 0)).toBe(true);
    });
  },
);

describe('CrossAttentionFusion', () => {
  it('masks the keys of an absent key modality and fills an absent query', () => {
    const layer = crossAttentionFusion({
      modalities: ['a', 'b'],
      query: 'a',
      heads: 2,
      embedDim: 4,
      returnAttentionWeights: true,
      seed: 1,
    });
    const a = tf.randomNormal([3, 2, 4], 0, 1, 'float32', 1);
    const b = tf.randomNormal([3, 5, 6], 0, 1, 'float32', 2);
    const presence = tf.tensor2d([
      [1, 1],
      [1, 0],
      [0, 1],
    ]);
    const { output, weights } = layer.attend({ a, b }, { presence });
    expect(output.shape).toEqual([3, 2, 4]);
    const w = weights!.arraySync() as number[][][][];
    expect(w[1]!.flat(2).every((v) => v === 0)).toBe(true);
    expectClose(
      tf.sum(weights!, -1).arraySync() as number[][][],
      [1, 0, 1].map((s) => [
        [s, s],
        [s, s],
      ]),
    );
    // An absent query is its placeholder (zeros at first): every step of
    // sample 2 asks the same query, so both steps get the same output.
    const out = output.arraySync() as number[][][];
    expectClose(out[2]![0]!, out[2]![1]!, { atol: 1e-6 });

    // The query placeholder learns from samples whose query is absent.
    const phi = layer.trainableWeights.find((w) =>
      w.originalName.endsWith('placeholder_a'),
    )!;
    const { grads } = tf.variableGrads(
      () =>
        tf.sum(
          tf.square(layer.attend({ a, b }, { presence }).output as tf.Tensor),
        ) as tf.Scalar,
      [phi.read() as tf.Variable],
    );
    const g = Object.values(grads)[0]!.dataSync();
    expect(Array.from(g).some((v) => v !== 0)).toBe(true);
  });

  it('treats vectors as one-step sequences and can attend to the query modality', () => {
    const layer = crossAttentionFusion({
      modalities: ['x', 'y'],
      attendToQuery: true,
      heads: 2,
      embedDim: 8,
      returnAttentionWeights: true,
      seed: 3,
    });
    const x = tf.randomNormal([4, 5], 0, 1, 'float32', 1);
    const y = tf.randomNormal([4, 7], 0, 1, 'float32', 2);
    const { output, weights } = layer.attend({ y, x });
    expect(output.shape).toEqual([4, 8]);
    expect(weights!.shape).toEqual([4, 2, 1, 2]);
    expect(
      layer.computeOutputShape([
        [null, 5],
        [null, 7],
      ]),
    ).toEqual([
      [null, 8],
      [null, 2, 1, 2],
    ]);
  });

  it('names the layer with expected and received shapes', () => {
    const layer = crossAttentionFusion({
      modalities: ['a', 'b'],
      keyMask: true,
      name: 'xattn',
    });
    const a = tf.ones([2, 3, 4]);
    const b = tf.ones([2, 5, 6]);
    expect(() => layer.apply([a, b, tf.ones([2, 4])])).toThrow(
      /CrossAttentionFusion 'xattn': expected a key mask \[2, 5\], received shape \[2,4\]/,
    );
    expect(() => layer.apply([a, tf.ones([3, 5, 6]), tf.ones([2, 5])])).toThrow(
      /'xattn': expected one batch size for \[a, b\], received shapes \[\[2,3,4\],\[3,5,6\],\[2,5\]\]/,
    );
    expect(() => layer.apply([a, b])).toThrow(
      /expected 2 modality inputs \[a, b\], a key mask and an optional presence mask, received 2 inputs/,
    );
    expect(() =>
      layer.apply([tf.ones([2, 3, 4, 1]), b, tf.ones([2, 5])]),
    ).toThrow(/expected inputs of rank 3 \[batch, steps, features\] or rank 2/);
    expect(() =>
      crossAttentionFusion({ modalities: ['a', 'b'], heads: 3, embedDim: 8 }),
    ).toThrow(/embedDim 8 to be divisible by heads, received heads 3/);
    expect(() =>
      crossAttentionFusion({ modalities: ['a', 'b'], query: 'c' }),
    ).toThrow(/query to be one of 'a', 'b', received "c"/);
    expect(() => layer.attend({ a, b })).toThrow(
      /expected a key mask, received none/,
    );
  });

  it('round-trips with both outputs and leaks nothing', async () => {
    const text = tfl.input({ shape: [3, 8], name: 'text' });
    const audio = tfl.input({ shape: [5, 6], name: 'audio' });
    const mask = tfl.input({ shape: [5], name: 'mask' });
    const layer = crossAttentionFusion({
      modalities: ['text', 'audio'],
      query: 'text',
      heads: 2,
      keyMask: true,
      returnAttentionWeights: true,
      seed: 5,
    });
    const { output, weights } = layer.attend(
      { text, audio },
      { keyMask: mask },
    );
    const model = tfl.model({
      inputs: [audio, mask, text],
      outputs: [output, weights!],
    });
    const xs = [
      tf.randomNormal([2, 5, 6], 0, 1, 'float32', 7),
      tf.tensor2d([
        [1, 1, 0, 1, 0],
        [0, 0, 0, 0, 0],
      ]),
      tf.randomNormal([2, 3, 8], 0, 1, 'float32', 8),
    ];
    const reloaded = await roundTrip(model);
    const a = model.predict(xs) as tf.Tensor[];
    const b = reloaded.predict(xs) as tf.Tensor[];
    expectClose(b[0]!, a[0]!, { atol: 0, rtol: 0 });
    expectClose(b[1]!, a[1]!, { atol: 0, rtol: 0 });
    await expectNoLeak(() => model.predict(xs));
  });
});
