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

describe('OnnxEncoder edge cases on onnxruntime-node', () => {
  const empty = () => ({
    input_ids: tf.zeros([0, 4], 'int32'),
    attention_mask: tf.zeros([0, 4], 'int32'),
  });

  it.each([
    ['last_hidden_state', 'none', [0, 4, 3]],
    ['pooler_output', 'none', [0, 3]],
    ['last_hidden_state', 'mean', [0, 3]],
    ['last_hidden_state', 'first', [0, 3]],
  ] as const)(
    'returns an empty output of the right shape for 0 rows (%s, pooling %s)',
    async (output, pooling, shape) => {
      const encoder = new OnnxEncoder({
        session,
        tensor: ort.Tensor,
        output,
        pooling,
      });
      const out = await encoder.encode(empty());
      expect(out.shape).toEqual(shape);
      out.dispose();
    },
  );

  it('encodes an empty list of texts to [0, d]', async () => {
    const vocab = Vocabulary.fit(['profit rose']);
    const encoder = new OnnxEncoder({ session, pooling: 'mean' });
    const out = await encoder.encodeTexts(vocab, [], { length: 4 });
    expect(out.shape).toEqual([0, 3]);
    out.dispose();
  });

  it('rejects non-integer and NaN values in integer feeds instead of rounding them', async () => {
    const encoder = new OnnxEncoder({ session, tensor: ort.Tensor });
    const feed = (ids: number[]) => ({
      input_ids: { values: ids, shape: [1, 2] },
      attention_mask: { values: [1, 1], shape: [1, 2] },
    });
    await expect(encoder.encode(feed([3, 1.5]))).rejects.toThrow(
      "OnnxEncoder.encode: expected integers in [-9007199254740991, 9007199254740991] in feed 'input_ids' for the int64 input 'input_ids', received 1.5 at flat index 1; values are never rounded",
    );
    await expect(encoder.encode(feed([NaN, 2]))).rejects.toThrow(
      /feed 'input_ids' for the int64 input 'input_ids', received NaN at flat index 0/,
    );
  });

  it('names the accepted feed forms, and rejects rank-0 feeds', async () => {
    const encoder = new OnnxEncoder({ session, tensor: ort.Tensor });
    const mask = { values: [1, 1], shape: [1, 2] };
    await expect(
      encoder.encode({ input_ids: [[3, 4]] as never, attention_mask: mask }),
    ).rejects.toThrow(
      "OnnxEncoder.encode: expected feed 'input_ids' to be a tf.Tensor or { values, shape } (row-major values and their shape), received an array of length 1",
    );
    const scalar = tf.scalar(3, 'int32');
    await expect(
      encoder.encode({ input_ids: scalar, attention_mask: mask }),
    ).rejects.toThrow(
      /^OnnxEncoder.encode: expected feed 'input_ids' of rank >= 1 \(\[rows, \.\.\.\]\), received shape \[\]$/,
    );
    await expect(
      encoder.encode({
        input_ids: { values: [3], shape: [] },
        attention_mask: mask,
      }),
    ).rejects.toThrow(/expected feed 'input_ids' of rank >= 1/);
    scalar.dispose();
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

  /** A one-input double whose run returns `make(rows)` as output 'y'. */
  const doubleOf = (
    make: (rows: number) => { dims: number[]; data: Float32Array },
    extra: object = {},
  ) => ({
    inputNames: ['x'],
    outputNames: ['y'],
    inputMetadata: [{ name: 'x', isTensor: true, type: 'float32' }],
    async run(feeds: Record<string, unknown>) {
      const rows = (feeds['x'] as { dims: number[] }).dims[0]!;
      return { y: { type: 'float32', ...make(rows) } };
    },
    ...extra,
  });
  const x = (rows: number) => ({
    x: { values: new Array(2 * rows).fill(1), shape: [rows, 2] },
  });

  it('names the output, expected and received when rows or dims do not fit', async () => {
    const extraRow = doubleOf((rows) => ({
      dims: [rows + 1, 2],
      data: new Float32Array(2 * (rows + 1)),
    }));
    await expect(
      new OnnxEncoder({ session: extraRow, tensor: ort.Tensor }).encode(x(2)),
    ).rejects.toThrow(
      "OnnxEncoder.encode: expected output 'y' to have 2 rows (the rows fed), received dims [3,2]",
    );
    const short = doubleOf((rows) => ({
      dims: [rows, 2],
      data: new Float32Array(2 * rows - 1),
    }));
    await expect(
      new OnnxEncoder({ session: short, tensor: ort.Tensor }).encode(x(2)),
    ).rejects.toThrow(
      "OnnxEncoder.encode: expected output 'y' with dims [2,2] to hold 4 values, received 3",
    );
    const scalar = doubleOf(() => ({ dims: [], data: new Float32Array(1) }));
    await expect(
      new OnnxEncoder({ session: scalar, tensor: ort.Tensor }).encode(x(1)),
    ).rejects.toThrow(
      "OnnxEncoder.encode: expected output 'y' to have dims of rank >= 1 of integers >= 0, received dims []",
    );
    let calls = 0;
    const growing = doubleOf((rows) => {
      calls++;
      return { dims: [rows, calls], data: new Float32Array(rows * calls) };
    });
    await expect(
      new OnnxEncoder({
        session: growing,
        tensor: ort.Tensor,
        batchSize: 1,
      }).encode(x(2)),
    ).rejects.toThrow(
      "OnnxEncoder.encode: expected output 'y' to have the same dims after the rows in every batch, received [1,2] for rows from 1 after [null,1]",
    );
  });

  it('says when the dims of an output of 0 rows are unknown', async () => {
    const before = tf.memory().numTensors;
    const plain = doubleOf((rows) => ({
      dims: [rows, 2],
      data: new Float32Array(2 * rows),
    }));
    const encoder = new OnnxEncoder({ session: plain, tensor: ort.Tensor });
    await expect(encoder.encode(x(0))).rejects.toThrow(
      "OnnxEncoder.encode: received 0 rows, and the dims of output 'y' cannot be inferred from the session's outputMetadata (no shape); pass at least one row",
    );
    const symbolic = doubleOf(() => ({ dims: [], data: new Float32Array() }), {
      outputMetadata: [
        { name: 'y', isTensor: true, type: 'float32', shape: ['n', 'k'] },
      ],
    });
    await expect(
      new OnnxEncoder({ session: symbolic, tensor: ort.Tensor }).encode(x(0)),
    ).rejects.toThrow(/outputMetadata \(\[n,k\]\); pass at least one row/);
    const fixed = doubleOf(() => ({ dims: [], data: new Float32Array() }), {
      outputMetadata: [
        { name: 'y', isTensor: true, type: 'float32', shape: ['n', 5] },
      ],
    });
    const out = await new OnnxEncoder({
      session: fixed,
      tensor: ort.Tensor,
    }).encode(x(0));
    expect(out.shape).toEqual([0, 5]);
    out.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('rejects a session without outputs or inputs', () => {
    const plain = doubleOf(() => ({ dims: [], data: new Float32Array() }));
    expect(
      () => new OnnxEncoder({ session: { ...plain, outputNames: [] } }),
    ).toThrow(
      /^OnnxEncoder: expected a session with at least one output, received outputNames \[\]$/,
    );
    expect(
      () => new OnnxEncoder({ session: { ...plain, inputNames: [] } }),
    ).toThrow(
      /^OnnxEncoder: expected a session with at least one input, received inputNames \[\]$/,
    );
  });
});
