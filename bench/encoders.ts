/**
 * Training step and inference of each encoder against the same
 * architecture written with tfjs-layers, on wasm and cpu, in the same run.
 *
 * Each model is the encoder plus a dense head of 2 units, trained with
 * Adam on a mean squared error at batch 64 (32 for the CNN on cpu):
 *
 * - LSTM: 2 x 64 units over [20, 13], dropout 0.2 after each layer,
 *   against two `tf.layers.lstm` (sigmoid recurrent activation) with
 *   `tf.layers.dropout` after each.
 * - conv1d: conv 32 and 64 filters of width 3 ('same') over [20, 13],
 *   global average pooling, against `tf.layers.conv1d` (tfjs-layers 4.22
 *   cannot pad 'causal').
 * - conv2d: the thesis CNN, conv 3x3 'same' (16, 32, 64, 64) with 2x2 max
 *   pooling over 64x64x1 charts, flatten, against `tf.layers.conv2d`.
 * - MLP: dense 128 and 64 (ReLU) over 260 features, against
 *   `tf.layers.dense`.
 *
 * Three setups, alternated in every repeat: `modalfuse` (modalfuse's
 * layers and gradient kernels), `tfjs-layers` (stock layers and stock
 * kernels: what a user gets without modalfuse; stock wasm cannot train a
 * CNN) and `tfjs-layers+kernels` (stock layers with modalfuse's gradient
 * kernels installed, which separates the layers' share of the gain from the
 * kernels'). The cpu CNN's stock training step takes about three minutes,
 * so on cpu the conv2d case compares only with `tfjs-layers+kernels`
 * (`bench/kernels.ts --cpu-stock` measures the stock kernel).
 *
 *   npx tsx bench/encoders.ts [--quick] [--only lstm,mlp] [--backends wasm]
 */
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';

import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

import {
  conv1dEncoder,
  conv2dEncoder,
  installKernels,
  lstmEncoder,
  mlpEncoder,
  uninstallKernels,
} from '../src/index';
import {
  compare,
  type Headline,
  headline,
  machine,
  memoryOf,
  ratio,
  repeatsFor,
  type StepMemory,
  writeResult,
} from './harness';

type Backend = 'cpu' | 'wasm';
type Setup = 'modalfuse' | 'tfjs-layers' | 'tfjs-layers+kernels';

interface EncoderCase {
  name: string;
  /** Label in the summary. */
  label: string;
  shape: number[];
  batch: (backend: Backend) => number;
  ours: () => tfl.layers.Layer;
  stock: (x: tfl.SymbolicTensor) => tfl.SymbolicTensor;
  /** Setups that are too slow to time here. */
  skip?: (backend: Backend) => Setup[];
}

const sym = (layer: tfl.layers.Layer, x: tfl.SymbolicTensor) =>
  layer.apply(x) as tfl.SymbolicTensor;

const CASES: EncoderCase[] = [
  {
    name: 'lstm',
    label: 'LSTM 2x64, [20,13]',
    shape: [20, 13],
    batch: () => 64,
    ours: () => lstmEncoder({ units: [64, 64], dropout: 0.2, seed: 1 }),
    stock: (x) => {
      let h = x;
      for (const [units, returnSequences] of [
        [64, true],
        [64, false],
      ] as const) {
        h = sym(
          tfl.layers.lstm({
            units,
            returnSequences,
            recurrentActivation: 'sigmoid',
          }),
          h,
        );
        h = sym(tfl.layers.dropout({ rate: 0.2 }), h);
      }
      return h;
    },
  },
  {
    name: 'conv1d',
    label: 'conv1d 32-64, [20,13]',
    shape: [20, 13],
    batch: () => 64,
    ours: () => conv1dEncoder({ filters: [32, 64], padding: 'same', seed: 1 }),
    stock: (x) => {
      let h = x;
      for (const filters of [32, 64]) {
        h = sym(
          tfl.layers.conv1d({
            filters,
            kernelSize: 3,
            padding: 'same',
            activation: 'relu',
          }),
          h,
        );
      }
      return sym(tfl.layers.globalAveragePooling1d(), h);
    },
  },
  {
    name: 'conv2d',
    label: 'CNN 16-32-64-64, 64x64x1',
    shape: [64, 64, 1],
    batch: (backend) => (backend === 'cpu' ? 32 : 64),
    ours: () => conv2dEncoder({ filters: [16, 32, 64, 64], seed: 1 }),
    stock: (x) => {
      let h = x;
      for (const filters of [16, 32, 64, 64]) {
        h = sym(
          tfl.layers.conv2d({
            filters,
            kernelSize: 3,
            padding: 'same',
            activation: 'relu',
          }),
          h,
        );
        h = sym(tfl.layers.maxPooling2d({ poolSize: 2 }), h);
      }
      return sym(tfl.layers.flatten(), h);
    },
    skip: (backend) => (backend === 'cpu' ? ['tfjs-layers'] : []),
  },
  {
    name: 'mlp',
    label: 'MLP 128-64, [260]',
    shape: [260],
    batch: () => 64,
    ours: () => mlpEncoder({ units: [128, 64], seed: 1 }),
    stock: (x) => {
      let h = x;
      for (const units of [128, 64]) {
        h = sym(tfl.layers.dense({ units, activation: 'relu' }), h);
      }
      return h;
    },
  },
];

function option(name: string, fallback: string): string {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? (process.argv[at + 1] ?? fallback) : fallback;
}

function model(
  c: EncoderCase,
  encoder: (x: tfl.SymbolicTensor) => tfl.SymbolicTensor,
): tfl.LayersModel {
  const x = tfl.input({ shape: c.shape });
  const y = sym(tfl.layers.dense({ units: 2 }), encoder(x));
  const m = tfl.model({ inputs: x, outputs: y });
  m.compile({ optimizer: tf.train.adam(1e-3), loss: 'meanSquaredError' });
  return m;
}

/** Runs `fn` with modalfuse's gradient kernels installed or not. */
function withKernels<T>(installed: boolean, fn: () => T): T {
  if (installed) installKernels();
  else uninstallKernels();
  return fn();
}

async function benchCase(c: EncoderCase, backend: Backend, repeats: number) {
  const batch = c.batch(backend);
  const x = tf.randomNormal([batch, ...c.shape], 0, 1, 'float32', 1);
  const y = tf.mul(tf.randomNormal([batch, 2], 0, 1, 'float32', 2), 0.1);
  const skipped = c.skip?.(backend) ?? [];
  const models: Partial<Record<Setup, tfl.LayersModel>> = {
    modalfuse: model(c, (i) => sym(c.ours(), i)),
    'tfjs-layers+kernels': model(c, c.stock),
  };
  if (!skipped.includes('tfjs-layers'))
    models['tfjs-layers'] = model(c, c.stock);
  const kernels = (s: Setup) => s !== 'tfjs-layers';

  // A setup that cannot train (stock wasm has no conv filter gradient)
  // is reported and left out of the training times.
  const all = Object.entries(models) as [Setup, tfl.LayersModel][];
  const unable: Partial<Record<Setup, string>> = {};
  for (const [s, m] of all) {
    try {
      await withKernels(kernels(s), () => m.trainOnBatch(x, y));
    } catch (err) {
      unable[s] = String((err as Error).message).slice(0, 100);
    }
  }
  const entries = all.filter(([s]) => unable[s] === undefined);
  const train = await compare(
    Object.fromEntries(
      entries.map(([s, m]) => [
        s,
        () => withKernels(kernels(s), () => m.trainOnBatch(x, y)),
      ]),
    ),
    repeats,
  );
  const predict = await compare(
    Object.fromEntries(
      all.map(([s, m]) => [
        s,
        () =>
          withKernels(kernels(s), async () => {
            const p = m.predict(x, { batchSize: batch }) as tf.Tensor;
            await p.data();
            p.dispose();
          }),
      ]),
    ),
    repeats,
  );
  const memory: Partial<Record<Setup, StepMemory>> = {};
  for (const [s, m] of entries) {
    memory[s] = await memoryOf(() =>
      withKernels(kernels(s), () => m.trainOnBatch(x, y)),
    );
  }
  for (const [, m] of all) m.dispose();
  tf.dispose([x, y]);
  return { batch, train, predict, unable, memory };
}

async function main(): Promise<void> {
  tf.env().set('PROD', true);
  const repeats = repeatsFor(5, 2);
  const only = option('only', CASES.map((c) => c.name).join(',')).split(',');
  const backends = option('backends', 'wasm,cpu').split(',') as Backend[];
  const results: Record<string, unknown>[] = [];
  const headlines: Headline[] = [];
  for (const backend of backends) {
    await tf.setBackend(backend);
    await tf.ready();
    for (const c of CASES.filter((k) => only.includes(k.name))) {
      const r = await benchCase(c, backend, repeats);
      const rows: Record<string, unknown> = {
        case: c.name,
        backend,
        batch: r.batch,
        repeats,
        trainMs: r.train,
        predictMs: r.predict,
        cannotTrain: r.unable,
        memoryOfOneTrainStep: r.memory,
      };
      for (const base of ['tfjs-layers', 'tfjs-layers+kernels'] as const) {
        for (const [kind, timing] of [
          ['train', r.train],
          ['predict', r.predict],
        ] as const) {
          const b = timing[base] ?? null;
          rows[`${kind}RatioVs ${base}`] = b
            ? ratio(timing.modalfuse!, b)
            : null;
          // Skipped as too slow: no line.
          if (!b && !(kind === 'train' && r.unable[base])) continue;
          const goal =
            c.name === 'lstm' && kind === 'train' && backend === 'wasm'
              ? '<= 0.5'
              : undefined;
          const line = headline(
            `${c.label} ${kind} b${r.batch}`,
            backend,
            timing.modalfuse!,
            b,
            kind === 'train' && r.unable[base]
              ? `${base} (cannot train)`
              : base,
            base === 'tfjs-layers' ? goal : undefined,
          );
          const mem = r.memory[base];
          if (kind === 'train') {
            line.memory = {
              ours: r.memory.modalfuse!,
              ...(mem ? { baseline: mem } : {}),
            };
          }
          headlines.push(line);
        }
      }
      results.push(rows);
      const show = (kind: 'train' | 'predict') => {
        const t = r[kind];
        return (Object.keys(t) as Setup[])
          .map((s) => `${s} ${t[s]!.median.toFixed(1)}`)
          .join(', ');
      };
      console.log(
        `${backend} ${c.label}, batch ${r.batch}: train ms ${show('train')}` +
          `; predict ms ${show('predict')}` +
          (Object.keys(r.unable).length
            ? `; cannot train: ${Object.keys(r.unable).join(', ')}`
            : ''),
      );
    }
  }
  uninstallKernels();
  await writeResult('encoders', {
    machine: machine(),
    goal: 'LSTM training step on wasm at most half of tfjs-layers',
    results,
    headlines,
  });
}

await main();
