import { readFile } from 'node:fs/promises';

import * as tf from '@tensorflow/tfjs-core';
import * as ort from 'onnxruntime-node';
import { beforeAll, describe, expect, it } from 'vitest';

import { OnnxEncoder } from '../../src/encoders/onnx-encoder';
import { Vocabulary } from '../../src/encoders/vocabulary';
import { buildModel } from '../../src/model/build-model';
import { fitModel } from '../../src/model/fit-model';
import { SIZES, modelBytes, weights } from '../../scripts/make-onnx-fixture';
import { expectClose, expectNoLeak } from '../helpers';

const MODEL = new URL('../fixtures/tiny-text-encoder.onnx', import.meta.url);

/** The model's outputs recomputed from its weights, in float64. */
function reference(ids: number[][], mask: number[][]) {
  const { embedding: e, hidden: h } = SIZES;
  const w = weights();
  const hiddenStates = ids.map((row) =>
    row.map((id) =>
      Array.from({ length: h }, (_, j) => {
        let z = w.projBias[j]!;
        for (let k = 0; k < e; k++) {
          z += w.embeddings[id * e + k]! * w.projWeight[k * h + j]!;
        }
        return Math.tanh(z);
      }),
    ),
  );
  const pooled = hiddenStates.map((row, r) => {
    const count = Math.max(
      1,
      mask[r]!.reduce((s, m) => s + m, 0),
    );
    return Array.from(
      { length: h },
      (_, j) => row.reduce((s, v, t) => s + v[j]! * mask[r]![t]!, 0) / count,
    );
  });
  return { hiddenStates, pooled };
}

const IDS = [
  [3, 4, 5, 0],
  [7, 0, 0, 0],
  [15, 14, 13, 12],
  [2, 9, 0, 0],
  [1, 1, 1, 0],
];
const MASK = IDS.map((row) => row.map((id) => (id === 0 ? 0 : 1)));

let session: ort.InferenceSession;

beforeAll(async () => {
  session = await ort.InferenceSession.create(
    new Uint8Array(await readFile(MODEL)),
  );
});

describe('the generated ONNX fixture', () => {
  it('is what the script generates, byte for byte', async () => {
    const onDisk = new Uint8Array(await readFile(MODEL));
    expect(Buffer.from(modelBytes()).equals(Buffer.from(onDisk))).toBe(true);
    expect(session.inputNames).toEqual(['input_ids', 'attention_mask']);
    expect(session.outputNames).toEqual(['last_hidden_state', 'pooler_output']);
  });
});

describe('OnnxEncoder on onnxruntime-node', () => {
  const feeds = () => ({
    input_ids: tf.tensor2d(IDS, undefined, 'int32'),
    attention_mask: tf.tensor2d(MASK, undefined, 'int32'),
  });

  it('returns the model output recomputed from its weights', async () => {
    const expected = reference(IDS, MASK);
    const pooled = await new OnnxEncoder({
      session,
      tensor: ort.Tensor,
      output: 'pooler_output',
    }).encode(feeds());
    expect(pooled.shape).toEqual([5, 3]);
    expectClose(pooled, expected.pooled, { atol: 1e-6, rtol: 1e-5 });
    const states = await new OnnxEncoder({
      session,
      tensor: ort.Tensor,
    }).encode(feeds());
    expect(states.shape).toEqual([5, 4, 3]);
    expectClose(states, expected.hiddenStates, { atol: 1e-6, rtol: 1e-5 });
  });

  it('pools a sequence output over the mask or at the first position', async () => {
    const expected = reference(IDS, MASK);
    const mean = await new OnnxEncoder({
      session,
      tensor: ort.Tensor,
      output: 'last_hidden_state',
      pooling: 'mean',
    }).encode(feeds());
    expectClose(mean, expected.pooled, { atol: 1e-6, rtol: 1e-5 });
    const first = await new OnnxEncoder({
      session,
      tensor: ort.Tensor,
      pooling: 'first',
    }).encode(feeds());
    expectClose(
      first,
      expected.hiddenStates.map((row) => row[0]!),
      { atol: 1e-6, rtol: 1e-5 },
    );
  });

  it('gives the same result in batches of 2 and maps feed names', async () => {
    const whole = await new OnnxEncoder({ session, tensor: ort.Tensor }).encode(
      feeds(),
    );
    const batched = await new OnnxEncoder({
      session,
      tensor: ort.Tensor,
      batchSize: 2,
      inputs: { input_ids: 'ids', attention_mask: 'mask' },
    }).encode({
      ids: { values: IDS.flat(), shape: [5, 4] },
      mask: { values: MASK.flat(), shape: [5, 4] },
    });
    expectClose(batched, whole, { atol: 0, rtol: 0 });
  });

  it('encodes texts through a tokenizer, and builds feeds with onnxruntime-common by default', async () => {
    const vocab = Vocabulary.fit(['profit rose', 'sales fell sharply']);
    expect(vocab.vocabularySize).toBeLessThanOrEqual(SIZES.vocabulary);
    const encoder = new OnnxEncoder({
      session,
      output: 'last_hidden_state',
      pooling: 'mean',
    });
    const texts = ['Profit rose', 'sales fell sharply', 'unknown words'];
    const out = await encoder.encodeTexts(vocab, texts, { length: 4 });
    const ids = texts.map((t) => {
      const row = vocab.encode(t);
      return [...row, ...new Array(4 - row.length).fill(0)];
    });
    const mask = ids.map((row) => row.map((id) => (id === 0 ? 0 : 1)));
    expectClose(out, reference(ids, mask).pooled, { atol: 1e-6, rtol: 1e-5 });
  });

  it('feeds a fusion model as a frozen modality: training never changes it', async () => {
    const encoder = new OnnxEncoder({
      session,
      tensor: ort.Tensor,
      output: 'pooler_output',
    });
    const text = await encoder.encode(feeds());
    const price = tf.randomNormal([5, 2], 0, 1, 'float32', 1);
    const model = buildModel({
      modalities: { price: { shape: [2] }, text: { shape: [3] } },
      heads: { name: 'y', hidden: [4] },
      seed: 0,
    });
    const history = await fitModel(model, { price, text }, tf.ones([5, 1]), {
      epochs: 3,
      batchSize: 5,
      seed: 0,
    });
    expect(history.epochs).toHaveLength(3);
    const again = await encoder.encode(feeds());
    expectClose(again, text, { atol: 0, rtol: 0 });
  });

  it('leaks no tensors across runs', async () => {
    const encoder = new OnnxEncoder({
      session,
      tensor: ort.Tensor,
      pooling: 'mean',
      batchSize: 2,
    });
    const x = feeds();
    await expectNoLeak(() => encoder.encode(x));
    tf.dispose(Object.values(x));
  });

  it('names the missing input, output or mask and lists what the model has', async () => {
    const encoder = new OnnxEncoder({ session, tensor: ort.Tensor });
    await expect(
      encoder.encode({ input_ids: tf.zeros([1, 2], 'int32') }),
    ).rejects.toThrow(
      "OnnxEncoder.encode: expected a feed 'attention_mask' for the model's input 'attention_mask', received feeds [input_ids]; the model has inputs [input_ids, attention_mask]",
    );
    expect(() => new OnnxEncoder({ session, output: 'pooled' })).toThrow(
      "OnnxEncoder: expected output 'pooled' among the model's outputs [last_hidden_state, pooler_output]",
    );
    expect(
      () => new OnnxEncoder({ session, inputs: { token_type_ids: 'types' } }),
    ).toThrow(
      "OnnxEncoder: inputs maps 'token_type_ids', which is not an input of the model; the model has inputs [input_ids, attention_mask]",
    );
    const pooled = new OnnxEncoder({
      session,
      tensor: ort.Tensor,
      pooling: 'mean',
      maskFeed: 'mask',
    });
    await expect(pooled.encode(feeds())).rejects.toThrow(
      /pooling 'mean' needs the mask feed 'mask', received feeds \[input_ids, attention_mask\]; set maskFeed/,
    );
    expect(() => new OnnxEncoder({ session: {} as never })).toThrow(
      /expected an onnxruntime InferenceSession \(inputNames, outputNames, run\)/,
    );
  });
});

describe('OnnxEncoder on a session double', () => {
  it('reads outputs by their fields, not by class, and feeds the declared types', async () => {
    const seen: Record<string, { type: string; dims: readonly number[] }> = {};
    const double = {
      inputNames: ['x'],
      outputNames: ['y'],
      inputMetadata: [{ name: 'x', isTensor: true, type: 'float32' }],
      async run(feeds: Record<string, unknown>) {
        const x = feeds['x'] as {
          type: string;
          data: Float32Array;
          dims: number[];
        };
        seen['x'] = { type: x.type, dims: x.dims };
        // A plain object, as another copy of onnxruntime-common would give.
        return {
          y: {
            type: 'float64',
            data: Float64Array.from(x.data, (v) => 2 * v),
            dims: x.dims,
          },
        };
      },
    };
    const out = await new OnnxEncoder({
      session: double,
      tensor: ort.Tensor,
    }).encode({
      x: { values: [1, 2, 3, 4], shape: [2, 2] },
    });
    expect(seen['x']).toEqual({ type: 'float32', dims: [2, 2] });
    expectClose(out, [
      [2, 4],
      [6, 8],
    ]);
    const broken = { ...double, run: async () => ({ y: 'nope' }) };
    await expect(
      new OnnxEncoder({ session: broken, tensor: ort.Tensor }).encode({
        x: { values: [1], shape: [1, 1] },
      }),
    ).rejects.toThrow(
      /expected output 'y' to be a numeric tensor .+received "nope"/,
    );
  });
});
