/**
 * Times one training step of the thesis CNN on the cpu and wasm backends,
 * with tfjs's stock gradient kernels and with modalfuse's (installKernels),
 * and prints the medians and their ratios.
 *
 * Model: 4 x [Conv2D 3x3 'same' (16, 32, 64, 64 filters), ReLU,
 * MaxPool 2x2] on 64x64x1 inputs, flatten, Dense 64 ReLU, Dense 2; Adam;
 * batch 64.
 *
 *   npx tsx bench/kernels.ts [--repeats 5] [--batch 64] [--profile]
 *     [--cpu-stock] [--small-batch 8] [--quick]
 *     [--only wasm-ours,wasm-filter,cpu-ours,...]
 *
 * `wasm-filter` uses only modalfuse's filter gradient (the one wasm lacks)
 * with wasm's stock input and max-pool gradients, to show what the other
 * kernels add; `wasm-stock` shows that stock wasm cannot train a CNN.
 * `cpu-stock` takes about three minutes per step here, so it runs only
 * with `--cpu-stock`, once after its warm-up step; by default the cpu
 * ratio comes from `cpu-ours-small` and `cpu-stock-small`, the same at
 * `--small-batch` (8; 4 with `--quick`), stock timed once. `--profile` also
 * prints the time per kernel (top-level kernels only, so modalfuse's
 * composite kernels include the kernels they run). Setups run one after
 * the other, each with its own model on its own backend; results go to
 * bench/results/kernels.json.
 *
 * Measured on the 2-core development machine, shared with other jobs
 * (median ms per step): wasm-ours 500 (up to 700 under load), wasm-filter
 * 1120, cpu-ours 11 500 to 12 000 (17 600 under load), cpu-stock 172 400.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import * as tfl from '@tensorflow/tfjs-layers';

import { ensureChainedOps } from '../src/internal/chained-ops';
import {
  type Headline,
  isQuick,
  machine,
  rangeRatio,
  repeatsFor,
  spread,
  type Spread,
  writeResult,
} from './harness';
import {
  conv2DBackpropFilterConfig,
  installKernels,
  uninstallKernels,
} from '../src/kernels';

interface Setup {
  label: string;
  backend: 'cpu' | 'wasm';
  /** all: installKernels; filter: only our Conv2DBackpropFilter. */
  ours: 'all' | 'filter' | 'none';
  /** Run at the small batch instead of the main one. */
  small?: boolean;
}

const SETUPS: Setup[] = [
  { label: 'wasm-ours', backend: 'wasm', ours: 'all' },
  { label: 'wasm-filter', backend: 'wasm', ours: 'filter' },
  { label: 'cpu-ours', backend: 'cpu', ours: 'all' },
  { label: 'wasm-stock', backend: 'wasm', ours: 'none' },
  { label: 'cpu-stock', backend: 'cpu', ours: 'none' },
  { label: 'cpu-ours-small', backend: 'cpu', ours: 'all', small: true },
  { label: 'cpu-stock-small', backend: 'cpu', ours: 'none', small: true },
];

function option(name: string, fallback: string): string {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? (process.argv[at + 1] ?? fallback) : fallback;
}

const repeats = Number(option('repeats', String(repeatsFor(5, 2))));
const batch = Number(option('batch', '64'));
const smallBatch = Number(option('small-batch', isQuick() ? '4' : '8'));
const profile = process.argv.includes('--profile');
const withCpuStock = process.argv.includes('--cpu-stock');
const only = option(
  'only',
  SETUPS.map((s) => s.label)
    .filter((label) => withCpuStock || label !== 'cpu-stock')
    .join(','),
).split(',');

function thesisCnn(): tfl.LayersModel {
  const input = tfl.input({ shape: [64, 64, 1] });
  let h = input;
  for (const filters of [16, 32, 64, 64]) {
    h = tfl.layers
      .conv2d({ filters, kernelSize: 3, padding: 'same', activation: 'relu' })
      .apply(h) as tfl.SymbolicTensor;
    h = tfl.layers.maxPooling2d({ poolSize: 2 }).apply(h) as tfl.SymbolicTensor;
  }
  h = tfl.layers.flatten().apply(h) as tfl.SymbolicTensor;
  h = tfl.layers
    .dense({ units: 64, activation: 'relu' })
    .apply(h) as tfl.SymbolicTensor;
  const out = tfl.layers.dense({ units: 2 }).apply(h) as tfl.SymbolicTensor;
  const model = tfl.model({ inputs: input, outputs: out });
  model.compile({
    optimizer: tf.train.adam(1e-3),
    loss: 'sparseCategoricalCrossentropy',
  });
  return model;
}

/** Wraps every kernel of `backend` to sum top-level time per kernel. */
function startProfile(backend: string): () => Map<string, number> {
  const times = new Map<string, number>();
  const originals = tf.getKernelsForBackend(backend);
  let depth = 0;
  for (const config of originals) {
    tf.unregisterKernel(config.kernelName, backend);
    tf.registerKernel({
      ...config,
      kernelFunc: (args) => {
        const t0 = performance.now();
        depth++;
        try {
          return config.kernelFunc(args);
        } finally {
          depth--;
          if (depth === 0) {
            const dt = performance.now() - t0;
            times.set(
              config.kernelName,
              (times.get(config.kernelName) ?? 0) + dt,
            );
          }
        }
      },
    });
  }
  return () => {
    for (const config of originals) {
      tf.unregisterKernel(config.kernelName, backend);
      tf.registerKernel(config);
    }
    return times;
  };
}

async function timeSetup(setup: Setup): Promise<Spread | string> {
  await tf.setBackend(setup.backend);
  await tf.ready();
  uninstallKernels();
  if (setup.ours === 'all') installKernels(setup.backend);
  if (setup.ours === 'filter') {
    tf.registerKernel(conv2DBackpropFilterConfig(setup.backend));
  }

  const model = thesisCnn();
  const b = setup.small ? smallBatch : batch;
  const x = tf.randomUniform([b, 64, 64, 1], 0, 1, 'float32', 1);
  const y = tf.tensor1d(
    Array.from({ length: b }, (_, i) => i % 2),
    'float32',
  );
  try {
    await model.trainOnBatch(x, y); // warm-up, builds the optimizer state
    const n = setup.backend === 'cpu' && setup.ours === 'none' ? 1 : repeats;
    const stop = profile ? startProfile(setup.backend) : undefined;
    const times: number[] = [];
    for (let i = 0; i < n; i++) {
      const t0 = performance.now();
      await model.trainOnBatch(x, y);
      times.push(performance.now() - t0);
    }
    const perKernel = stop?.();
    if (perKernel) {
      const rows = [...perKernel.entries()].sort((a, b) => b[1] - a[1]);
      console.log(`  ${setup.label} per step, top kernels:`);
      for (const [name, ms] of rows.slice(0, 12)) {
        console.log(`    ${name.padEnd(24)} ${(ms / n).toFixed(1)} ms`);
      }
    }
    return spread(times);
  } catch (err) {
    return `cannot train: ${String((err as Error).message).slice(0, 90)}`;
  } finally {
    tf.dispose([x, y]);
    model.dispose();
    uninstallKernels();
    if (setup.ours === 'filter') {
      tf.unregisterKernel('Conv2DBackpropFilter', setup.backend);
    }
  }
}

async function main(): Promise<void> {
  ensureChainedOps();
  tf.env().set('PROD', true);
  console.log(
    `thesis CNN training step, batch ${batch} (small: ${smallBatch}), ` +
      `median of ${repeats} (cpu stock: 1)`,
  );
  const results: Record<string, Spread | string> = {};
  for (const setup of SETUPS.filter((s) => only.includes(s.label))) {
    const result = await timeSetup(setup);
    results[setup.label] = result;
    const shown =
      typeof result === 'string'
        ? result
        : `${result.median.toFixed(0)} ms ` +
          `(${result.min.toFixed(0)}-${result.max.toFixed(0)})`;
    console.log(`${setup.label.padEnd(11)} ${shown}`);
  }

  const ratios: Record<string, number> = {};
  for (const [a, b] of [
    ['cpu-stock', 'cpu-ours'],
    ['cpu-stock-small', 'cpu-ours-small'],
    ['cpu-ours', 'wasm-ours'],
    ['wasm-filter', 'wasm-ours'],
  ] as const) {
    const [ra, rb] = [results[a], results[b]];
    if (typeof ra === 'object' && typeof rb === 'object') {
      ratios[`${a} / ${b}`] = ra.median / rb.median;
      console.log(`${a} / ${b}: ${(ra.median / rb.median).toFixed(2)}x`);
    }
  }
  if (typeof results['wasm-stock'] === 'string') {
    console.log('wasm-stock cannot train a CNN: it has no filter gradient.');
  }
  const spreadOf = (label: string) => {
    const r = results[label];
    return typeof r === 'object' ? r : null;
  };
  const line = (
    backend: string,
    b: number,
    ours: string,
    base: string,
    baseline: string,
    goal?: string,
  ): Headline | null => {
    const o = spreadOf(ours);
    if (o === null || !(base in results)) return null;
    const s = spreadOf(base);
    const h: Headline = {
      case: `thesis CNN train step b${b}`,
      backend,
      oursMs: o.median,
      baselineMs: s?.median ?? null,
      baseline: s === null ? `${baseline} (cannot train)` : baseline,
      ratio: s === null ? null : rangeRatio(o, s),
    };
    if (goal !== undefined) h.goal = goal;
    return h;
  };
  const headlines = [
    line(
      'cpu',
      smallBatch,
      'cpu-ours-small',
      'cpu-stock-small',
      'stock kernels',
      '<= 0.067 (15x)',
    ),
    line(
      'cpu',
      batch,
      'cpu-ours',
      'cpu-stock',
      'stock kernels',
      '<= 0.067 (15x)',
    ),
    line('wasm', batch, 'wasm-ours', 'wasm-stock', 'stock kernels'),
    line('wasm', batch, 'wasm-ours', 'wasm-filter', 'stock + filter kernel'),
  ].filter((h): h is Headline => h !== null);
  await writeResult('kernels', {
    machine: machine(),
    batch,
    smallBatch,
    repeats,
    results,
    ratios,
    headlines,
  });
}

await main();
