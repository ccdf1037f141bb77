/**
 * Forward and training-step time of the text encoders against stock
 * tfjs-layers stacks doing the same work, as ratios (modalfuse / stock), on
 * wasm and cpu, in the same run.
 *
 *   npx tsx bench/text.ts [--repeats 5] [--batch 64] [--length 32]
 *
 * Pairs (vocabulary 5000, embedding 64, batch 64, 32 tokens, 8 padded):
 * - BiLstmTextEncoder (32 units per direction, both directions in one
 *   batched product per step) against Embedding + Bidirectional(LSTM(32))
 *   with a sigmoid recurrent activation (tfjs-layers runs the directions
 *   one after the other);
 * - CnnTextEncoder (32 filters of widths 3, 4, 5, masked max over time)
 *   against Embedding + three Conv1D + GlobalMaxPooling1D + Concatenate
 *   (no mask);
 * - TransformerTextEncoder (1 block, 4 heads, ff 128, masked mean) has no
 *   tfjs-layers counterpart; it is timed against the CNN encoder.
 * A training step is the gradient of a mean-squared loss on a Dense(1)
 * head and an Adam update. Results go to bench/results/text.json.
 */
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';

import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

import { installKernels } from '../src/index';
import { biLstmTextEncoder } from '../src/encoders/bilstm-text-encoder';
import { cnnTextEncoder } from '../src/encoders/cnn-text-encoder';
import { transformerTextEncoder } from '../src/encoders/transformer-text-encoder';
import { compare, machine, ratio, writeResult, type Spread } from './harness';

function option(name: string, fallback: string): string {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? (process.argv[at + 1] ?? fallback) : fallback;
}

const repeats = Number(option('repeats', '5'));
const batch = Number(option('batch', '64'));
const length = Number(option('length', '32'));
const VOCAB = 5000;
const EMBED = 64;

/** A model from int ids [batch, length] to one output per sample. */
function withHead(
  body: (ids: tfl.SymbolicTensor) => tfl.SymbolicTensor,
): tfl.LayersModel {
  const ids = tfl.input({ shape: [length], dtype: 'int32' });
  const out = tfl.layers.dense({ units: 1 }).apply(body(ids));
  return tfl.model({ inputs: ids, outputs: out as tfl.SymbolicTensor });
}

const MODELS: Record<string, () => tfl.LayersModel> = {
  bilstm: () =>
    withHead(
      (ids) =>
        biLstmTextEncoder({
          vocabularySize: VOCAB,
          embeddingDim: EMBED,
          units: 32,
          seed: 0,
        }).apply(ids) as tfl.SymbolicTensor,
    ),
  'bilstm-stock': () =>
    withHead((ids) => {
      const e = tfl.layers
        .embedding({ inputDim: VOCAB, outputDim: EMBED, maskZero: true })
        .apply(ids);
      return tfl.layers
        .bidirectional({
          layer: tfl.layers.lstm({
            units: 32,
            recurrentActivation: 'sigmoid',
          }) as tfl.RNN,
        })
        .apply(e) as tfl.SymbolicTensor;
    }),
  cnn: () =>
    withHead(
      (ids) =>
        cnnTextEncoder({
          vocabularySize: VOCAB,
          embeddingDim: EMBED,
          filters: 32,
          seed: 0,
        }).apply(ids) as tfl.SymbolicTensor,
    ),
  'cnn-stock': () =>
    withHead((ids) => {
      const e = tfl.layers
        .embedding({ inputDim: VOCAB, outputDim: EMBED })
        .apply(ids) as tfl.SymbolicTensor;
      const maps = [3, 4, 5].map(
        (k) =>
          tfl.layers.globalMaxPooling1d().apply(
            tfl.layers
              .conv1d({
                filters: 32,
                kernelSize: k,
                padding: 'same',
                activation: 'relu',
              })
              .apply(e),
          ) as tfl.SymbolicTensor,
      );
      return tfl.layers.concatenate().apply(maps) as tfl.SymbolicTensor;
    }),
  transformer: () =>
    withHead(
      (ids) =>
        transformerTextEncoder({
          vocabularySize: VOCAB,
          embeddingDim: EMBED,
          maxLength: length,
          heads: 4,
          ffDim: 128,
          seed: 0,
        }).apply(ids) as tfl.SymbolicTensor,
    ),
};

/** Ids with the last 8 positions of every row padded (id 0). */
function ids(): tf.Tensor2D {
  const values = new Int32Array(batch * length);
  for (let i = 0; i < values.length; i++) {
    values[i] = i % length >= length - 8 ? 0 : 1 + ((i * 7919) % (VOCAB - 1));
  }
  return tf.tensor2d(values, [batch, length], 'int32');
}

async function timeBackend(backend: 'cpu' | 'wasm') {
  await tf.setBackend(backend);
  await tf.ready();
  installKernels();
  const x = ids();
  const y = tf.randomNormal([batch, 1], 0, 1, 'float32', 1);
  const forward: Record<string, () => void> = {};
  const step: Record<string, () => void> = {};
  for (const [name, make] of Object.entries(MODELS)) {
    const model = make();
    const optimizer = tf.train.adam(1e-3);
    forward[name] = () => tf.dispose(model.predict(x));
    step[name] = () => {
      const loss = optimizer.minimize(
        () =>
          tf.losses.meanSquaredError(
            y,
            model.apply(x, { training: true }) as tf.Tensor,
          ) as tf.Scalar,
        true,
      );
      if (loss) loss.dispose();
    };
  }
  const f = await compare(forward, repeats);
  const s = await compare(step, repeats);
  const ratios = (t: Record<string, Spread & { samples: number[] }>) => ({
    'bilstm / bilstm-stock': ratio(t['bilstm']!, t['bilstm-stock']!),
    'cnn / cnn-stock': ratio(t['cnn']!, t['cnn-stock']!),
    'transformer / cnn': ratio(t['transformer']!, t['cnn']!),
  });
  return {
    forward: f,
    step: s,
    ratios: { forward: ratios(f), step: ratios(s) },
  };
}

const results: Record<string, unknown> = {
  machine: machine(),
  batch,
  length,
};
for (const backend of ['wasm', 'cpu'] as const) {
  const r = await timeBackend(backend);
  results[backend] = r;
  console.log(`\n${backend}: median ms (forward / training step)`);
  for (const name of Object.keys(MODELS)) {
    console.log(
      `  ${name.padEnd(14)} ${r.forward[name]!.median.toFixed(1).padStart(8)}` +
        ` / ${r.step[name]!.median.toFixed(1).padStart(8)}`,
    );
  }
  for (const [pair, v] of Object.entries(r.ratios.step)) {
    const fw = r.ratios.forward[pair as keyof typeof r.ratios.forward];
    console.log(
      `  ${pair.padEnd(24)} forward ${fw.ofMedians.toFixed(2)}, step ${v.ofMedians.toFixed(2)}`,
    );
  }
}
await writeResult('text', results);
