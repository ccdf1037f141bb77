/**
 * Training step of the thesis feature-fusion model (LSTM 2x64 over
 * [20, 13] windows + CNN 16-32-64-64 over 64x64 charts, concat, two heads)
 * built with modalfuse, against the same architecture written with plain
 * tfjs-layers calls, on cpu and wasm, in the same run. Both use
 * modalfuse's gradient kernels (stock wasm cannot train a CNN at all), so
 * the ratio measures the layers, not the kernels.
 *
 * Goal: ratio <= 1.05.
 */
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';

import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

import {
  buildModel,
  conv2dEncoder,
  installKernels,
  lstmEncoder,
} from '../src/index';
import {
  compare,
  type Headline,
  headline,
  machine,
  memorySnapshot,
  ratio,
  repeatsFor,
  writeResult,
} from './harness';

const HEADS = [
  { name: 'max', hidden: [64, 32] },
  { name: 'min', hidden: [64, 32] },
];

function modalfuseModel(): tfl.LayersModel {
  return buildModel({
    modalities: {
      price: {
        shape: [20, 13],
        encoder: lstmEncoder({ units: [64, 64], dropout: 0.2, seed: 1 }),
      },
      chart: {
        shape: [64, 64, 1],
        encoder: conv2dEncoder({ filters: [16, 32, 64, 64], seed: 2 }),
      },
    },
    heads: HEADS,
    output: 'concat',
    seed: 3,
  });
}

function plainModel(): tfl.LayersModel {
  const chart = tfl.input({ shape: [64, 64, 1], name: 'chart' });
  const price = tfl.input({ shape: [20, 13], name: 'price' });
  let c: tfl.SymbolicTensor = chart;
  for (const filters of [16, 32, 64, 64]) {
    c = tfl.layers
      .conv2d({ filters, kernelSize: 3, padding: 'same', activation: 'relu' })
      .apply(c) as tfl.SymbolicTensor;
    c = tfl.layers.maxPooling2d({ poolSize: 2 }).apply(c) as tfl.SymbolicTensor;
  }
  c = tfl.layers.flatten().apply(c) as tfl.SymbolicTensor;
  let p = tfl.layers
    .lstm({ units: 64, returnSequences: true, recurrentActivation: 'sigmoid' })
    .apply(price) as tfl.SymbolicTensor;
  p = tfl.layers.dropout({ rate: 0.2 }).apply(p) as tfl.SymbolicTensor;
  p = tfl.layers
    .lstm({ units: 64, recurrentActivation: 'sigmoid' })
    .apply(p) as tfl.SymbolicTensor;
  p = tfl.layers.dropout({ rate: 0.2 }).apply(p) as tfl.SymbolicTensor;
  const fused = tfl.layers.concatenate().apply([c, p]) as tfl.SymbolicTensor;
  const heads = HEADS.map((h) => {
    let z = fused;
    for (const units of h.hidden)
      z = tfl.layers
        .dense({ units, activation: 'relu' })
        .apply(z) as tfl.SymbolicTensor;
    return tfl.layers.dense({ units: 1 }).apply(z) as tfl.SymbolicTensor;
  });
  const out = tfl.layers.concatenate().apply(heads) as tfl.SymbolicTensor;
  return tfl.model({ inputs: [chart, price], outputs: out });
}

async function benchBackend(
  backend: 'cpu' | 'wasm',
  batch: number,
  repeats: number,
) {
  await tf.setBackend(backend);
  await tf.ready();
  installKernels();
  const before = memorySnapshot();
  const chart = tf.randomUniform([batch, 64, 64, 1], 0, 1, 'float32', 1);
  const price = tf.randomNormal([batch, 20, 13], 0, 1, 'float32', 2);
  const y = tf.mul(tf.randomNormal([batch, 2], 0, 1, 'float32', 3), 0.05);
  const models = { modalfuse: modalfuseModel(), plain: plainModel() };
  for (const m of Object.values(models)) {
    m.compile({ optimizer: tf.train.adam(1e-3), loss: 'meanSquaredError' });
  }
  const timings = await compare(
    {
      modalfuse: () => models.modalfuse.trainOnBatch([chart, price], y),
      plain: () => models.plain.trainOnBatch([chart, price], y),
    },
    repeats,
  );
  const inference = await compare(
    {
      modalfuse: () =>
        (models.modalfuse.predict([chart, price]) as tf.Tensor).data(),
      plain: () => (models.plain.predict([chart, price]) as tf.Tensor).data(),
    },
    repeats,
  );
  const after = memorySnapshot();
  for (const m of Object.values(models)) m.dispose();
  tf.dispose([chart, price, y]);
  return {
    backend,
    batch,
    repeats,
    trainStepMs: { modalfuse: timings.modalfuse, plain: timings.plain },
    trainRatio: ratio(timings.modalfuse!, timings.plain!),
    predictMs: { modalfuse: inference.modalfuse, plain: inference.plain },
    predictRatio: ratio(inference.modalfuse!, inference.plain!),
    memory: { before, after },
  };
}

const repeats = repeatsFor(5, 2);
const results = [];
for (const [backend, batch] of [
  ['wasm', 64],
  ['cpu', 32],
] as const) {
  const r = await benchBackend(backend, batch, repeats);
  results.push(r);
  console.log(
    `fusion model, ${backend}, batch ${batch}: train step modalfuse ` +
      `${r.trainStepMs.modalfuse!.median.toFixed(0)} ms vs plain tfjs-layers ` +
      `${r.trainStepMs.plain!.median.toFixed(0)} ms, ratio ${r.trainRatio.ofMedians.toFixed(3)} ` +
      `(per-repeat ${r.trainRatio.min.toFixed(3)}..${r.trainRatio.max.toFixed(3)}); ` +
      `predict ratio ${r.predictRatio.ofMedians.toFixed(3)}`,
  );
}
const headlines: Headline[] = results.flatMap((r) => [
  headline(
    `thesis fusion model train b${r.batch}`,
    r.backend,
    r.trainStepMs.modalfuse!,
    r.trainStepMs.plain!,
    'tfjs-layers+kernels',
    '<= 1.05',
  ),
  headline(
    `thesis fusion model predict b${r.batch}`,
    r.backend,
    r.predictMs.modalfuse!,
    r.predictMs.plain!,
    'tfjs-layers+kernels',
  ),
]);
await writeResult('fusion-model', {
  machine: machine(),
  goal: 'train ratio <= 1.05',
  results,
  headlines,
});
