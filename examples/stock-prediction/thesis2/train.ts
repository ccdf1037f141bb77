/**
 * Thesis 2, spec S8: training one model with seeded shuffling, early
 * stopping on the validation MSE and the best weights restored, then its
 * ratio predictions on validation and test, timed.
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';

import { fitModel, predictBatched } from './library';
import type { Predictions, Ratios, TrainHooks } from '../experiment';
import type { InputName, Thesis2Dataset } from './dataset';

/** Tensors of every input and the labels of each part. */
export interface PartTensors {
  inputs: Partial<Record<InputName, tf.Tensor3D>>;
  labels: tf.Tensor2D;
}

/** Train, validation and test tensors of a dataset. */
export interface DatasetTensors {
  train: PartTensors;
  val: PartTensors;
  test: PartTensors;
}

/** Training settings (spec S8). */
export interface TrainSettings {
  epochs: number;
  patience: number;
  batchSize: number;
}

/** What training one model reports. */
export interface TrainFacts extends Record<string, unknown> {
  epochsRun: number;
  bestEpoch: number | null;
  stoppedEarly: boolean;
  trainSeconds: number;
  msPerStep: number;
  inferenceMsPerSample: number;
  parameters: number;
}

/**
 * Builds the tensors of a dataset once, for every model that reads it.
 *
 * @returns The tensors; dispose them with {@link disposeTensors}.
 */
export function datasetTensors(data: Thesis2Dataset): DatasetTensors {
  const part = (p: Thesis2Dataset['parts']['train']): PartTensors => {
    const n = p.y.length;
    const inputs: PartTensors['inputs'] = {};
    for (const [name, values] of Object.entries(p.inputs)) {
      const shape = data.shapes[name as InputName]!;
      inputs[name as InputName] = tf.tensor3d(values!, [n, ...shape]);
    }
    return { inputs, labels: tf.tensor2d(p.labels, [n, 2]) };
  };
  return {
    train: part(data.parts.train),
    val: part(data.parts.val),
    test: part(data.parts.test),
  };
}

/** Frees the tensors of {@link datasetTensors}. */
export function disposeTensors(tensors: DatasetTensors): void {
  for (const p of Object.values(tensors)) {
    tf.dispose([...Object.values(p.inputs), p.labels] as tf.Tensor[]);
  }
}

/** The model's inputs, by name, from a part's tensors. */
export function inputsOf(
  model: tfl.LayersModel,
  part: PartTensors,
): Record<string, tf.Tensor> {
  return Object.fromEntries(
    model.inputNames.map((n) => {
      const t = part.inputs[n as InputName];
      if (!t) throw new Error(`thesis 2: no tensor for input '${n}'`);
      return [n, t];
    }),
  );
}

/** Ratio predictions `[n][2]` of a model on a part. */
export function predictRatios(
  model: tfl.LayersModel,
  part: PartTensors,
): Ratios {
  const out = predictBatched(model, inputsOf(model, part)) as tf.Tensor;
  const values = out.arraySync() as number[][];
  out.dispose();
  return values.map((r) => [r[0]!, r[1]!]);
}

/**
 * Trains `model` on the training part (MSE over both ratio outputs, Adam
 * 1e-3, batch 64, reshuffled each epoch with `seed`, early stopping with
 * patience on the validation MSE, best weights restored) and predicts the
 * validation and test parts.
 *
 * @returns The predictions and the training facts.
 */
export async function trainAndPredict(
  name: string,
  kind: Predictions['kind'],
  model: tfl.LayersModel,
  tensors: DatasetTensors,
  seed: number,
  settings: TrainSettings,
  hooks: TrainHooks = {},
): Promise<{ predictions: Predictions; facts: TrainFacts }> {
  const { train, val, test } = tensors;
  const batches = Math.ceil(train.labels.shape[0] / settings.batchSize);
  hooks.modelStart?.(name, settings.epochs, batches);
  const history = await fitModel(model, inputsOf(model, train), train.labels, {
    epochs: settings.epochs,
    batchSize: settings.batchSize,
    seed,
    learningRate: 1e-3,
    validation: { inputs: inputsOf(model, val), targets: val.labels },
    patience: settings.patience,
    onBatchEnd: (log) => hooks.batch?.(name, log),
    onEpochEnd: (log) => hooks.epoch?.(name, log),
  });
  hooks.modelEnd?.(name, history);
  const valRatios = predictRatios(model, val);
  const started = performance.now();
  const testRatios = predictRatios(model, test);
  const inferenceMs = performance.now() - started;
  return {
    predictions: {
      val: valRatios,
      test: testRatios,
      note: `${history.epochs.length} epochs, best ${history.bestEpoch}`,
      kind,
    },
    facts: {
      epochsRun: history.epochs.length,
      bestEpoch: history.bestEpoch,
      stoppedEarly: history.stoppedEarly,
      trainSeconds: history.totalMs / 1000,
      msPerStep: history.meanStepMs,
      inferenceMsPerSample: inferenceMs / testRatios.length,
      parameters: model.countParams(),
    },
  };
}
