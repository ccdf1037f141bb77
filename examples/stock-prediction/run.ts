/**
 * The thesis-1 experiment end to end: data, baselines, the three networks,
 * decision fusion, test metrics and the written results.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';

import {
  fitLateFusionWeights,
  fitModel,
  predictBatched,
  type BatchLog,
  type EpochLog,
  type FitHistory,
} from '../../src/index';
import { baselines } from './baselines';
import { loadDataset, type Dataset, type Part } from './dataset';
import {
  MODEL_NAMES,
  buildDecisionFusion,
  buildThesisModel,
  type ModelName,
  type ModelShapes,
} from './models';
import type { RunOptions } from './options';
import {
  formatTable,
  plotSvg,
  ratioMse,
  scoreRow,
  type ResultRow,
} from './report';

/** Progress events for the terminal. */
export interface RunHooks {
  /** A stage of the run begins. */
  stage?(text: string): void;
  /** A model starts training. */
  modelStart?(name: string, epochs: number, batchesPerEpoch: number): void;
  /** A training batch ended. */
  batch?(name: string, log: BatchLog): void;
  /** A training epoch ended. */
  epoch?(name: string, log: EpochLog): void;
  /** A model finished training. */
  modelEnd?(name: string, history: FitHistory): void;
}

/** What a run returns (and writes to results.json). */
export interface RunResults {
  /** The comparison table rows, models first. */
  rows: ResultRow[];
  /** The table as text. */
  table: string;
  /** Facts about data, split and training. */
  summary: Record<string, unknown>;
  /** Files written. */
  files: string[];
}

type Ratios = [number, number][];

/**
 * Runs the experiment.
 *
 * @param options - Parsed command-line options.
 * @param hooks - Progress callbacks.
 * @returns The results.
 */
export async function runExperiment(
  options: RunOptions,
  hooks: RunHooks = {},
): Promise<RunResults> {
  await tf.setBackend(options.backend);
  await tf.ready();
  const started = performance.now();

  hooks.stage?.(`Preparing data from ${options.prices}`);
  const data = await loadDataset(
    {
      prices: options.prices,
      ...(options.flows ? { flows: options.flows } : {}),
    },
    {
      window: options.window,
      horizon: options.horizon,
      ...(options.lastRows === undefined ? {} : { lastRows: options.lastRows }),
    },
  );
  const prepMs = performance.now() - started;

  hooks.stage?.('Fitting baselines');
  const rows: ResultRow[] = [];
  const baselineRows = baselines(data).map((b) =>
    scoreRow(
      b.name,
      'baseline',
      data.parts.test,
      b.test,
      ratioMse(data.parts.val.y, b.val),
      b.note ?? '',
    ),
  );

  const shapes: ModelShapes = {
    price: [options.window, data.table.names.length],
    chart: [data.images.shape[1], data.images.shape[2], 1],
  };
  const tensors = {
    train: toTensors(data.parts.train, shapes),
    val: toTensors(data.parts.val, shapes),
    test: toTensors(data.parts.test, shapes),
  };

  const trained = new Map<
    ModelName,
    { model: tfl.LayersModel; val: Ratios; test: Ratios }
  >();
  const training: Record<string, unknown> = {};
  try {
    for (const name of MODEL_NAMES) {
      const model = buildThesisModel(name, shapes, options.seed);
      const inputs = (p: PartTensors) => pick(model, p);
      const batches = Math.ceil(data.parts.train.y.length / options.batchSize);
      hooks.modelStart?.(name, options.epochs, batches);
      const history = await fitModel(
        model,
        inputs(tensors.train),
        tensors.train.labels,
        {
          epochs: options.epochs,
          batchSize: options.batchSize,
          seed: options.seed,
          learningRate: 1e-3,
          validation: {
            inputs: inputs(tensors.val),
            targets: tensors.val.labels,
          },
          patience: options.patience,
          onBatchEnd: (log) => hooks.batch?.(name, log),
          onEpochEnd: (log) => hooks.epoch?.(name, log),
        },
      );
      hooks.modelEnd?.(name, history);
      const val = predictRatios(model, inputs(tensors.val));
      const test = predictRatios(model, inputs(tensors.test));
      trained.set(name, { model, val, test });
      training[name] = {
        epochsRun: history.epochs.length,
        bestEpoch: history.bestEpoch,
        bestValLoss: history.bestValLoss,
        stoppedEarly: history.stoppedEarly,
        trainSeconds: history.totalMs / 1000,
        msPerStep: history.meanStepMs,
        parameters: model.countParams(),
      };
      rows.push(
        scoreRow(
          name,
          'model',
          data.parts.test,
          test,
          ratioMse(data.parts.val.y, val),
          `${history.epochs.length} epochs, best ${history.bestEpoch}, ` +
            `${(history.totalMs / 1000).toFixed(0)} s`,
        ),
      );
    }

    // Decision fusion: per-output weights fitted on validation predictions.
    hooks.stage?.('Fitting decision-fusion weights on validation predictions');
    const lstm = trained.get('LSTM')!;
    const cnn = trained.get('CNN')!;
    const fit = fitLateFusionWeights(
      { lstm: lstm.val, cnn: cnn.val },
      data.parts.val.y,
    );
    const fused = buildDecisionFusion(lstm.model, cnn.model, {
      lstm: fit.weights.lstm!,
      cnn: fit.weights.cnn!,
    });
    const fusedVal = predictRatios(fused, pick(fused, tensors.val));
    const fusedTest = predictRatios(fused, pick(fused, tensors.test));
    const w = fit.weights.lstm!.map((v) => v.toFixed(3));
    rows.push(
      scoreRow(
        'Decision fusion',
        'model',
        data.parts.test,
        fusedTest,
        ratioMse(data.parts.val.y, fusedVal),
        `w_LSTM = ${w[0]} (max), ${w[1]} (min)`,
      ),
    );
    training['Decision fusion'] = {
      weights: fit.weights,
      validationMse: fit.mse,
    };
    rows.push(...baselineRows);

    const table = formatTable(rows);
    const files = await writeOutputs(options, data, rows, table, {
      best: bestModelTest(rows, trained, fusedTest),
      drift: baselinesTest(data, 'Drift (train mean)'),
    });
    const summary = {
      data: describeData(options, data),
      options: { ...options },
      backend: tf.getBackend(),
      training,
      prepareSeconds: prepMs / 1000,
      totalSeconds: (performance.now() - started) / 1000,
    };
    await writeFile(
      join(options.out, 'results.json'),
      JSON.stringify({ summary, rows }, null, 2),
    );
    files.unshift(join(options.out, 'results.json'));
    return { rows, table, summary, files };
  } finally {
    for (const part of Object.values(tensors)) {
      for (const t of Object.values(part)) t.dispose();
    }
    for (const { model } of trained.values()) model.dispose();
  }
}

interface PartTensors {
  price: tf.Tensor3D;
  chart: tf.Tensor4D;
  labels: tf.Tensor2D;
}

function toTensors(part: Part, shapes: ModelShapes): PartTensors {
  const n = part.y.length;
  return {
    price: tf.tensor3d(part.windows, [n, ...shapes.price]),
    chart: tf.tensor4d(part.charts, [n, ...shapes.chart]),
    labels: tf.tensor2d(part.labels, [n, 2]),
  };
}

/** The model's inputs, by name, from a part's tensors. */
function pick(
  model: tfl.LayersModel,
  part: PartTensors,
): Record<string, tf.Tensor> {
  const all: Record<string, tf.Tensor> = {
    price: part.price,
    chart: part.chart,
  };
  return Object.fromEntries(model.inputNames.map((n) => [n, all[n]!]));
}

function predictRatios(
  model: tfl.LayersModel,
  inputs: Record<string, tf.Tensor>,
): Ratios {
  const out = predictBatched(model, inputs) as tf.Tensor;
  const values = out.arraySync() as number[][];
  out.dispose();
  return values.map((r) => [r[0]!, r[1]!]);
}

/** Test predictions of the model with the lowest validation MSE. */
function bestModelTest(
  rows: ResultRow[],
  trained: Map<ModelName, { test: Ratios }>,
  fusedTest: Ratios,
): { name: string; test: Ratios } {
  const models = rows.filter((r) => r.kind === 'model');
  const best = models.reduce((a, b) => (b.valMse < a.valMse ? b : a));
  const test =
    best.name === 'Decision fusion'
      ? fusedTest
      : trained.get(best.name as ModelName)!.test;
  return { name: best.name, test };
}

function baselinesTest(
  data: Dataset,
  name: string,
): { name: string; test: Ratios } {
  const b = baselines(data).find((x) => x.name === name)!;
  return { name, test: b.test };
}

async function writeOutputs(
  options: RunOptions,
  data: Dataset,
  rows: ResultRow[],
  table: string,
  lines: {
    best: { name: string; test: Ratios };
    drift: { name: string; test: Ratios };
  },
): Promise<string[]> {
  await mkdir(options.out, { recursive: true });
  const test = data.parts.test;
  const prices = (k: 0 | 1, r: Ratios | [number, number][]) =>
    r.map((v, i) => (test.closeT[i] as number) * (1 + v[k]));
  const panel = (k: 0 | 1, what: string) => ({
    title: `${what} of the next ${options.horizon} sessions (test period)`,
    series: [
      {
        label: `actual ${what.toLowerCase()}`,
        values: prices(k, test.y),
        color: '#222',
      },
      {
        label: `${lines.best.name} (best on validation)`,
        values: prices(k, lines.best.test),
        color: '#d62728',
      },
      {
        label: lines.drift.name,
        values: prices(k, lines.drift.test),
        color: '#1f77b4',
        dashed: true,
      },
      {
        label: 'close today',
        values: Array.from(test.closeT),
        color: '#aaa',
        dashed: true,
      },
    ],
  });
  const svg = plotSvg(
    `Predicted vs actual: ${describeFile(options.prices)}`,
    test.dates,
    [panel(0, 'Highest high'), panel(1, 'Lowest low')],
  );
  const plotPath = join(options.out, 'plot.svg');
  const tablePath = join(options.out, 'table.txt');
  await writeFile(plotPath, svg);
  await writeFile(tablePath, `${table}\n`);
  void rows;
  return [tablePath, plotPath];
}

function describeData(
  options: RunOptions,
  data: Dataset,
): Record<string, unknown> {
  const { split, samples } = data;
  const first = (a: Int32Array) => samples.dates[a[0]!];
  const last = (a: Int32Array) => samples.dates[a[a.length - 1]!];
  return {
    prices: options.prices,
    flows: options.flows ?? null,
    sessions: data.series.dates.length,
    features: data.table.names,
    samples: samples.t.length,
    train: {
      n: split.train.length,
      from: first(split.train),
      to: last(split.train),
    },
    val: { n: split.val.length, from: first(split.val), to: last(split.val) },
    test: {
      n: split.test.length,
      from: first(split.test),
      to: last(split.test),
    },
    purgedPerBoundary: options.horizon - 1,
    droppedFlowDates: data.droppedFlowDates,
  };
}

function describeFile(path: string): string {
  return path.split(/[\\/]/).pop() ?? path;
}
