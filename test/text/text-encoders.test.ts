import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';

import { biLstmTextEncoder } from '../../src/encoders/bilstm-text-encoder';
import { buildModel } from '../../src/model/build-model';
import { fitModel } from '../../src/model/fit-model';
import { cnnTextEncoder } from '../../src/encoders/cnn-text-encoder';
import { padSequences } from '../../src/encoders/tokenizer';
import { transformerTextEncoder } from '../../src/encoders/transformer-text-encoder';
import type { TextEncoderLayer } from '../../src/encoders/text-encoder-base';
import { expectClose, expectNoLeak } from '../helpers';
import { roundTrip } from '../round-trip';
import { meanRows, transformerReference } from './reference';

const VOCAB = 12;
/** Texts of 5, 2, 4 and 1 real tokens (ids 2..11; 0 pads, 1 unknown). */
const TEXTS = [[3, 4, 5, 6, 7], [8, 9], [10, 11, 2, 3], [5]];

type Factory = (pooling?: string) => TextEncoderLayer;

/** Options with a padId outside the vocabulary. */
const SMALL = { vocabularySize: 10, embeddingDim: 4, padId: 10 };

const ENCODERS: Record<string, { make: Factory; poolings: string[] }> = {
  BiLstmTextEncoder: {
    make: (pooling) =>
      biLstmTextEncoder({
        vocabularySize: VOCAB,
        embeddingDim: 4,
        units: 3,
        seed: 11,
        dropout: 0.2,
        ...(pooling ? { pooling: pooling as 'last' } : {}),
      }),
    poolings: ['last', 'mean', 'max', 'none'],
  },
  CnnTextEncoder: {
    make: (pooling) =>
      cnnTextEncoder({
        vocabularySize: VOCAB,
        embeddingDim: 4,
        filters: 3,
        kernelSizes: [2, 3],
        seed: 12,
        dropout: 0.2,
        ...(pooling ? { pooling: pooling as 'max' } : {}),
      }),
    poolings: ['max', 'mean', 'none'],
  },
  TransformerTextEncoder: {
    make: (pooling) =>
      transformerTextEncoder({
        vocabularySize: VOCAB,
        embeddingDim: 8,
        maxLength: 12,
        heads: 2,
        layers: 2,
        ffDim: 6,
        seed: 13,
        dropout: 0.2,
        ...(pooling ? { pooling: pooling as 'mean' } : {}),
      }),
    poolings: ['mean', 'max', 'first', 'none'],
  },
};

/** Ids and mask tensors of TEXTS padded to `length` on `side`. */
function batchOf(length: number, side: 'start' | 'end') {
  const b = padSequences(TEXTS, { length, padId: 0, padding: side });
  return {
    ids: tf.tensor2d(b.ids, [b.batch, length], 'int32'),
    mask: tf.tensor2d(Float32Array.from(b.mask), [b.batch, length]),
    raw: b,
  };
}

/** The encoding of each text alone, without any padding. */
function alone(layer: TextEncoderLayer, text: number[]): tf.Tensor {
  return layer.apply(
    tf.tensor2d([text], [1, text.length], 'int32'),
  ) as tf.Tensor;
}

describe.each(Object.entries(ENCODERS))('%s', (name, { make, poolings }) => {
  it.each(poolings)(
    'never lets padding change the encoding of the real tokens (pooling %s)',
    (pooling) => {
      const layer = make(pooling);
      for (const side of ['end', 'start'] as const) {
        for (const length of [5, 9]) {
          const { ids, mask, raw } = batchOf(length, side);
          const derived = layer.apply(ids) as tf.Tensor;
          const explicit = layer.apply([ids, mask]) as tf.Tensor;
          expectClose(explicit, derived, { atol: 0, rtol: 0 });
          TEXTS.forEach((text, r) => {
            const single = alone(layer, text);
            if (pooling !== 'none') {
              expectClose(tf.slice(derived, [r, 0], [1, -1]), single, {
                atol: 1e-6,
                rtol: 1e-5,
              });
              return;
            }
            // Sequence output: the real positions equal the unpadded
            // text's, the padded ones are zero.
            const start = side === 'start' ? length - raw.lengths[r]! : 0;
            const real = tf.slice(derived, [r, start, 0], [1, text.length, -1]);
            expectClose(real, single, { atol: 1e-6, rtol: 1e-5 });
            const rowSum = tf.sum(
              tf.abs(tf.slice(derived, [r, 0, 0], [1, -1, -1])),
            );
            expectClose(rowSum, tf.sum(tf.abs(real)), {
              atol: 1e-6,
              rtol: 1e-5,
            });
          });
        }
      }
    },
  );

  it('encodes a text without real tokens to zeros', () => {
    const layer = make();
    const out = layer.apply(
      tf.tensor2d(
        [
          [0, 0, 0],
          [3, 0, 0],
        ],
        [2, 3],
        'int32',
      ),
    ) as tf.Tensor;
    expectClose(tf.slice(out, [0, 0], [1, -1]), tf.zeros([1, out.shape[1]!]), {
      atol: 0,
      rtol: 0,
    });
    expect(Array.from(out.dataSync()).every(Number.isFinite)).toBe(true);
  });

  it('documents its output shapes', () => {
    const layer = make();
    const out = layer.apply(tf.ones([2, 6], 'int32')) as tf.Tensor;
    expect(layer.computeOutputShape([null, 6])).toEqual([null, out.shape[1]]);
    const seq = make('none');
    const states = seq.apply(tf.ones([2, 6], 'int32')) as tf.Tensor;
    expect(states.shape).toEqual([2, 6, out.shape[1]]);
    expect(
      seq.computeOutputShape([
        [null, 6],
        [null, 6],
      ]),
    ).toEqual([null, 6, out.shape[1]]);
  });

  it('rebuilds the same weights from its seed', () => {
    const a = make();
    const b = make();
    const x = batchOf(5, 'end').ids;
    expectClose(a.apply(x) as tf.Tensor, b.apply(x) as tf.Tensor, {
      atol: 0,
      rtol: 0,
    });
  });

  it('predicts the same after a save and reload inside a model', async () => {
    const input = tfl.input({ shape: [7], dtype: 'int32', name: 'ids' });
    const encoded = make().apply(input) as tfl.SymbolicTensor;
    const head = tfl.layers
      .dense({ units: 2, kernelInitializer: 'ones' })
      .apply(encoded) as tfl.SymbolicTensor;
    const model = tfl.model({ inputs: input, outputs: head });
    const x = batchOf(7, 'end').ids;
    const loaded = await roundTrip(model);
    expect(loaded.layers[1]!.getClassName()).toBe(`modalfuse>${name}`);
    expectClose(loaded.predict(x) as tf.Tensor, model.predict(x) as tf.Tensor, {
      atol: 0,
      rtol: 0,
    });
  });

  it('leaks no tensors in inference or in a training step', async () => {
    const layer = make();
    const { ids, mask } = batchOf(6, 'end');
    await expectNoLeak(() => layer.apply([ids, mask], { training: true }));
    layer.apply(ids);
    const optimizer = tf.train.adam(1e-2);
    await expectNoLeak(() => {
      optimizer.minimize(() =>
        tf.mean(tf.square(layer.apply(ids, { training: true }) as tf.Tensor)),
      );
    });
    optimizer.dispose();
  });

  it('trains to identical weights twice from the same seeds, dropout included', async () => {
    const train = async () => {
      const encoder = make();
      const model = buildModel({
        modalities: { text: { shape: [6], encoder, mask: true } },
        heads: { name: 'y' },
        seed: 5,
      });
      const { ids, mask } = batchOf(6, 'end');
      await fitModel(model, { text: ids, text_mask: mask }, tf.ones([4, 1]), {
        epochs: 2,
        batchSize: 2,
        seed: 9,
      });
      const weights = model.getWeights().map((w) => Array.from(w.dataSync()));
      model.dispose();
      return weights;
    };
    const [a, b] = [await train(), await train()];
    expect(b).toEqual(a);
  });

  it.each(poolings)(
    'gives an empty output for a batch of 0 and zeros for texts of length 0 (pooling %s)',
    async (pooling) => {
      const layer = make(pooling);
      const d = layer.outputDim();
      const none = pooling === 'none';
      const noTexts = layer.apply(tf.zeros([0, 4], 'int32')) as tf.Tensor;
      expect(noTexts.shape).toEqual(none ? [0, 4, d] : [0, d]);
      const noTokens = layer.apply(tf.zeros([2, 0], 'int32')) as tf.Tensor;
      expect(noTokens.shape).toEqual(none ? [2, 0, d] : [2, d]);
      expect(Array.from(noTokens.dataSync())).toEqual(
        new Array(none ? 0 : 2 * d).fill(0),
      );
      expect(layer.computeOutputShape([0, 4])).toEqual(
        none ? [0, 4, d] : [0, d],
      );
      const empty = tf.zeros([0, 4], 'int32');
      await expectNoLeak(() => layer.apply(empty));
      empty.dispose();
    },
  );

  it('checks every id before computing: range, integers, and names the position', () => {
    const layer = make();
    const where = `${name} '${layer.name}'`;
    const ids = (rows: number[][], dtype: 'int32' | 'float32' = 'int32') =>
      tf.tensor2d(rows, [rows.length, rows[0]!.length], dtype);
    expect(() =>
      layer.apply(
        ids([
          [3, 4, 5],
          [6, 12, 7],
        ]),
      ),
    ).toThrow(
      `${where}: expected token ids in [0, 12) (vocabularySize 12), ` +
        'received 12 at row 1, position 1',
    );
    expect(() => layer.apply(ids([[3, -1, 5]]))).toThrow(
      /expected token ids in \[0, 12\) \(vocabularySize 12\), received -1 at row 0, position 1/,
    );
    expect(() =>
      layer.apply(
        ids(
          [
            [3, 4],
            [5, 1.5],
          ],
          'float32',
        ),
      ),
    ).toThrow(
      `${where}: expected integer token ids, received 1.5 at row 1, ` +
        'position 1; ids are never rounded',
    );
    expect(() => layer.apply(ids([[NaN, 4]], 'float32'))).toThrow(
      /expected integer token ids, received NaN at row 0, position 0/,
    );
    // Integers in a float tensor are read exactly.
    expectClose(
      layer.apply(ids(TEXTS.slice(1, 2), 'float32')) as tf.Tensor,
      layer.apply(ids(TEXTS.slice(1, 2))) as tf.Tensor,
      { atol: 0, rtol: 0 },
    );
  });

  it('checks the shape of a mask passed as the mask keyword argument', () => {
    const layer = make();
    const ids = batchOf(5, 'end').ids;
    expect(() => layer.apply(ids, { mask: tf.ones([4, 6]) })).toThrow(
      new RegExp(
        `${name} '.+': expected a mask of shape \\[4,5\\], received \\[4,6\\]`,
      ),
    );
    const { mask } = batchOf(5, 'end');
    expectClose(
      layer.apply(ids, { mask }) as tf.Tensor,
      layer.apply([ids, mask]) as tf.Tensor,
      { atol: 0, rtol: 0 },
    );
  });

  it('leaks no tensors when a call or a gradient fails on a bad id', async () => {
    const layer = make();
    layer.apply(batchOf(5, 'end').ids);
    const bad = tf.tensor2d([[3, 4, 15]], [1, 3], 'int32');
    const weights = layer.trainableWeights.map((w) => w.read() as tf.Variable);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) {
      expect(() => layer.apply(bad)).toThrow(/received 15 at row 0/);
      expect(() =>
        tf.variableGrads(
          () => tf.sum(layer.apply(bad) as tf.Tensor) as tf.Scalar,
          weights,
        ),
      ).toThrow(/received 15 at row 0/);
    }
    expect(tf.memory().numTensors).toBe(before);
    bad.dispose();
  });

  it('names the layer, the expected and the received shapes on bad input', () => {
    const layer = make();
    expect(() => layer.apply(tf.ones([2, 3, 1]))).toThrow(
      new RegExp(
        `${name} '.+': expected token ids \\[batch, time\\].+received shapes \\[\\[2,3,1\\]\\]`,
      ),
    );
    expect(() => layer.apply([tf.ones([2, 3]), tf.ones([2, 4])])).toThrow(
      /expected a mask of shape \[2,3\], received \[2,4\]/,
    );
    expect(() => make('bogus')).toThrow(
      /expected pooling to be one of .+received "bogus"/,
    );
  });
});

describe('text encoder constructors', () => {
  it.each([
    ['BiLstmTextEncoder', () => biLstmTextEncoder({ ...SMALL, units: 2 })],
    ['CnnTextEncoder', () => cnnTextEncoder({ ...SMALL, filters: 2 })],
    [
      'TransformerTextEncoder',
      () => transformerTextEncoder({ ...SMALL, maxLength: 4 }),
    ],
  ])('%s rejects a padId outside the vocabulary', (name, make) => {
    expect(make).toThrow(
      `${name}: expected padId in [0, 10) (vocabularySize 10), received 10`,
    );
  });
});

describe('BiLstmTextEncoder values', () => {
  it('equals tfjs-layers Bidirectional(LSTM) with a sigmoid recurrent activation', () => {
    const layer = ENCODERS.BiLstmTextEncoder!.make('none');
    const text = TEXTS[0]!;
    const states = alone(layer, text);
    const [table, ...lstm] = layer.getWeights();
    const embedded = tf.expandDims(tf.gather(table!, text), 0);
    const reference = tfl.layers.bidirectional({
      layer: tfl.layers.lstm({
        units: 3,
        recurrentActivation: 'sigmoid',
        returnSequences: true,
      }) as tfl.RNN,
      mergeMode: 'concat',
    });
    reference.apply(embedded);
    reference.setWeights(lstm);
    expectClose(states, reference.apply(embedded) as tf.Tensor);

    const last = ENCODERS.BiLstmTextEncoder!.make('last');
    const seq = states.arraySync() as number[][][];
    // Forward state after the last token, backward after the first.
    expectClose(alone(last, text), [
      [...seq[0]![4]!.slice(0, 3), ...seq[0]![0]!.slice(3)],
    ]);
  });
});

describe('CnnTextEncoder values', () => {
  it('is max over time of ReLU(conv1d "same" + bias) per width, joined', () => {
    const layer = ENCODERS.CnnTextEncoder!.make('none');
    const text = TEXTS[2]!;
    const out = alone(layer, text);
    const [table, k2, b2, k3, b3] = layer.getWeights();
    const x = tf.expandDims(tf.gather(table!, text), 0) as tf.Tensor3D;
    const maps = [
      [k2, b2],
      [k3, b3],
    ].map(([k, b]) =>
      tf.relu(tf.add(tf.conv1d(x, k as tf.Tensor3D, 1, 'same'), b!)),
    );
    expectClose(out, tf.concat(maps, 2));
    const pooled = alone(ENCODERS.CnnTextEncoder!.make('max'), text);
    expectClose(pooled, tf.max(tf.concat(maps, 2), 1));
  });
});

describe('TransformerTextEncoder values', () => {
  it('matches a float64 loop reference of the pre-norm encoder (2 blocks, 2 heads)', () => {
    const layer = ENCODERS.TransformerTextEncoder!.make('none');
    const text = TEXTS[0]!;
    const states = alone(layer, text);
    const expected = transformerReference(layer, text, {
      heads: 2,
      layers: 2,
      activation: 'gelu',
    });
    expectClose(states, [expected], { atol: 1e-5, rtol: 1e-4 });
    const mean = alone(ENCODERS.TransformerTextEncoder!.make('mean'), text);
    expectClose(mean, [meanRows(expected)], { atol: 1e-5, rtol: 1e-4 });
    const first = alone(ENCODERS.TransformerTextEncoder!.make('first'), text);
    expectClose(first, [expected[0]!], { atol: 1e-5, rtol: 1e-4 });
  });

  it('rejects texts longer than maxLength and heads that do not divide the width', () => {
    const layer = ENCODERS.TransformerTextEncoder!.make();
    expect(() => layer.apply(tf.ones([1, 13], 'int32'))).toThrow(
      /expected at most maxLength = 12 tokens, received shape \[1,13\]/,
    );
    expect(() =>
      transformerTextEncoder({
        vocabularySize: 5,
        embeddingDim: 6,
        maxLength: 4,
        heads: 4,
      }),
    ).toThrow(/expected heads to divide embeddingDim \(6\), received 4/);
  });
});

describe('TransformerTextEncoder.attentionWeights', () => {
  it('gives each block [batch, heads, time, time] rows that sum to 1 over real keys, padding 0', async () => {
    const layer = ENCODERS.TransformerTextEncoder!.make() as ReturnType<
      typeof transformerTextEncoder
    >;
    const right = batchOf(6, 'end');
    layer.apply(right.ids);
    const before = tf.memory().numTensors;
    const weights = layer.attentionWeights(right.ids, right.mask);
    expect(weights).toHaveLength(2);
    const real = (await right.mask.array()) as number[][];
    for (const w of weights) {
      expect(w.shape).toEqual([4, 2, 6, 6]);
      const values = (await w.array()) as number[][][][];
      values.forEach((heads, b) =>
        heads.forEach((rows) =>
          rows.forEach((row) => {
            const onReal = row.filter((_, k) => real[b]![k] === 1);
            const onPad = row.filter((_, k) => real[b]![k] === 0);
            expect(onReal.reduce((a, v) => a + v, 0)).toBeCloseTo(1, 5);
            for (const v of onPad) expect(v).toBe(0);
          }),
        ),
      );
    }
    // More padding on the right leaves the real block of every map as it was.
    const longer = batchOf(9, 'end');
    const wider = layer.attentionWeights(longer.ids, longer.mask);
    const a = (await weights[1]!.array()) as number[][][][];
    const b = (await wider[1]!.array()) as number[][][][];
    TEXTS.forEach((text, i) => {
      for (let h = 0; h < 2; h++) {
        for (let q = 0; q < text.length; q++) {
          for (let k = 0; k < text.length; k++) {
            expect(b[i]![h]![q]![k]).toBeCloseTo(a[i]![h]![q]![k]!, 6);
          }
        }
      }
    });
    tf.dispose([...weights, ...wider, longer.ids, longer.mask]);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([right.ids, right.mask]);
  });

  it('needs a built layer', () => {
    const layer = ENCODERS.TransformerTextEncoder!.make() as ReturnType<
      typeof transformerTextEncoder
    >;
    expect(() => layer.attentionWeights(tf.ones([1, 3], 'int32'))).toThrow(
      /attentionWeights needs a built layer/,
    );
  });
});
