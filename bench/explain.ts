/**
 * Cost of explanations against the cost of plain predictions, on cpu and
 * wasm, in the same run.
 *
 * - KernelSHAP: one explanation with 20 players (the time steps of a
 *   [20, 13] price window through an LSTM, the explainer's main use) and
 *   2,088 coalitions over 10 background rows, against one plain `predict`
 *   of the same 20,880 rows with the same batch size. Goal: ratio <= 1.3.
 *   The same for a 20-column MLP, whose predictions are so cheap that the
 *   explainer's own work shows (reported, no goal).
 * - Grad-CAM at the chart encoder's last block of the thesis fusion model
 *   (LSTM over [20, 13] + CNN over 64×64 charts), against one forward pass
 *   of the same batch. Goal: ratio <= 3.
 */
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';

import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

import { explainGradCam, explainKernelShap } from '../src/explain';
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

const BATCH = 512;
const BACKGROUND = 10;

function lstmModel(): tfl.LayersModel {
  return buildModel({
    modalities: {
      price: {
        shape: [20, 13],
        encoder: lstmEncoder({ units: [16], seed: 1 }),
      },
    },
    heads: { name: 'y', hidden: [16] },
    seed: 2,
  });
}

function mlpModel(): tfl.LayersModel {
  const x = tfl.input({ shape: [20] });
  let h = tfl.layers
    .dense({ units: 64, activation: 'relu' })
    .apply(x) as tfl.SymbolicTensor;
  h = tfl.layers
    .dense({ units: 64, activation: 'relu' })
    .apply(h) as tfl.SymbolicTensor;
  const y = tfl.layers.dense({ units: 1 }).apply(h) as tfl.SymbolicTensor;
  return tfl.model({ inputs: x, outputs: y });
}

function fusionModel(): tfl.LayersModel {
  return buildModel({
    modalities: {
      price: {
        shape: [20, 13],
        encoder: lstmEncoder({ units: [64, 64], seed: 1 }),
      },
      chart: {
        shape: [64, 64, 1],
        encoder: conv2dEncoder({
          filters: [16, 32, 64, 64],
          seed: 2,
          name: 'chart_cnn',
        }),
      },
    },
    heads: [
      { name: 'max', hidden: [64, 32] },
      { name: 'min', hidden: [64, 32] },
    ],
    output: 'concat',
    seed: 3,
  });
}

/** One KernelSHAP explanation against a plain predict of as many rows. */
async function kernelShapCase(
  name: string,
  model: tfl.LayersModel,
  shape: number[],
  players: Parameters<typeof explainKernelShap>[2]['players'],
  repeats: number,
) {
  const x = tf.randomNormal([1, ...shape], 0, 1, 'float32', 1);
  const background = tf.randomNormal(
    [BACKGROUND, ...shape],
    0,
    1,
    'float32',
    2,
  );
  const explain = () =>
    explainKernelShap(model, x, {
      background,
      ...(players === undefined ? {} : { players }),
      seed: 0,
      batchSize: BATCH,
    });
  const probe = await explain();
  const rows = probe.diagnostics.modelRows;
  const plainRows = tf.randomNormal([rows, ...shape], 0, 1, 'float32', 3);
  const timings = await compare(
    {
      kernelShap: explain,
      predict: async () => {
        const y = model.predict(plainRows, { batchSize: BATCH }) as tf.Tensor;
        await y.data();
        y.dispose();
      },
    },
    repeats,
  );
  tf.dispose([x, background, plainRows]);
  return {
    timings,
    case: name,
    players: probe.labels.length,
    coalitions: probe.diagnostics.coalitions[0],
    backgroundRows: probe.diagnostics.backgroundRows,
    modelRows: rows,
    predictCalls: probe.diagnostics.predictCalls,
    ms: { kernelShap: timings.kernelShap, predict: timings.predict },
    ratio: ratio(timings.kernelShap!, timings.predict!),
  };
}

async function gradCamCase(batch: number, repeats: number) {
  const model = fusionModel();
  const inputs = {
    chart: tf.randomUniform([batch, 64, 64, 1], 0, 1, 'float32', 4),
    price: tf.randomNormal([batch, 20, 13], 0, 1, 'float32', 5),
  };
  const timings = await compare(
    {
      gradCam: () => explainGradCam(model, inputs, { layer: 'chart_cnn' }),
      forward: async () => {
        const y = model.predict([inputs.chart, inputs.price], {
          batchSize: batch,
        }) as tf.Tensor;
        await y.data();
        y.dispose();
      },
    },
    repeats,
  );
  tf.dispose(Object.values(inputs));
  model.dispose();
  return {
    timings,
    batch,
    ms: { gradCam: timings.gradCam, forward: timings.forward },
    ratio: ratio(timings.gradCam!, timings.forward!),
  };
}

async function benchBackend(backend: 'cpu' | 'wasm', repeats: number) {
  await tf.setBackend(backend);
  await tf.ready();
  installKernels();
  const before = memorySnapshot();
  const lstm = lstmModel();
  const mlp = mlpModel();
  const shap = [
    await kernelShapCase(
      'LSTM, time steps',
      lstm,
      [20, 13],
      { axis: 0 },
      repeats,
    ),
    await kernelShapCase('MLP, columns', mlp, [20], undefined, repeats),
  ];
  lstm.dispose();
  mlp.dispose();
  const gradCam = await gradCamCase(backend === 'cpu' ? 4 : 16, repeats);
  return {
    backend,
    repeats,
    kernelShap: shap,
    gradCam,
    memory: { before, after: memorySnapshot() },
  };
}

const repeats = repeatsFor(3, 2);
const results = [];
const headlines: Headline[] = [];
for (const backend of ['wasm', 'cpu'] as const) {
  const r = await benchBackend(backend, repeats);
  for (const s of r.kernelShap) {
    headlines.push(
      headline(
        `KernelSHAP ${s.case}`,
        backend,
        s.timings.kernelShap!,
        s.timings.predict!,
        'predict of the same rows',
        s.case.startsWith('LSTM') ? '<= 1.3' : undefined,
      ),
    );
  }
  headlines.push(
    headline(
      `Grad-CAM b${r.gradCam.batch}`,
      backend,
      r.gradCam.timings.gradCam!,
      r.gradCam.timings.forward!,
      'one forward pass',
      '<= 3',
    ),
  );
  results.push({
    ...r,
    kernelShap: r.kernelShap.map(({ timings, ...s }) => (void timings, s)),
    gradCam: (({ timings, ...g }) => (void timings, g))(r.gradCam),
  });
  for (const s of r.kernelShap) {
    console.log(
      `KernelSHAP, ${backend}, ${s.case}: ${s.players} players, ` +
        `${s.coalitions} coalitions × ${s.backgroundRows} background rows ` +
        `(${s.modelRows} rows, ${s.predictCalls} calls): ` +
        `${s.ms.kernelShap!.median.toFixed(0)} ms vs plain predict ` +
        `${s.ms.predict!.median.toFixed(0)} ms, ratio ${s.ratio.ofMedians.toFixed(3)} ` +
        `(per-repeat ${s.ratio.min.toFixed(3)}..${s.ratio.max.toFixed(3)})`,
    );
  }
  const g = r.gradCam;
  console.log(
    `Grad-CAM, ${backend}, batch ${g.batch}: ${g.ms.gradCam!.median.toFixed(0)} ms ` +
      `vs forward ${g.ms.forward!.median.toFixed(0)} ms, ratio ${g.ratio.ofMedians.toFixed(3)}`,
  );
}
await writeResult('explain', {
  machine: machine(),
  goal: 'KernelSHAP / predict of the same rows <= 1.3 (LSTM case); Grad-CAM / forward <= 3',
  results,
  headlines,
});
