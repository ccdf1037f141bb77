/**
 * Thesis 2, spec S8: training a model with seeded shuffling, early stopping
 * on the validation MSE and the best weights restored, then its ratio
 * predictions on validation and test, timed; and a set of models on one
 * dataset with the decision fusion of its price and news models.
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';

import {
  fitLateFusionWeights,
  fitModel,
  predictBatched,
} from '../../../src/index';
import type { Predictions, Ratios, TrainHooks } from '../experiment';
import type { InputName, Thesis2Dataset } from './dataset';
import {
  DECISION_FUSION,
  MODELS,
  buildDecisionFusion,
  buildThesis2Model,
  type ModelKey,
} from './models';

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

/**
 * Trains the given models on one dataset with one seed and, when both the
 * price and the news model are there, the decision fusion.
 */
export async function trainSet(
  data: Thesis2Dataset,
  keys: ModelKey[],
  seed: number,
  options: TrainSettings,
  hooks: TrainHooks,
  rename: (name: string) => string,
  priceModel: { model: tfl.LayersModel } | null,
  onTrained?: (
    key: ModelKey,
    model: tfl.LayersModel,
    tensors: DatasetTensors,
  ) => Promise<void>,
): Promise<{
  predictions: Record<string, Predictions>;
  training: Record<string, TrainFacts | Record<string, unknown>>;
  priceModel: { model: tfl.LayersModel } | null;
}> {
  const tensors: DatasetTensors = datasetTensors(data);
  const predictions: Record<string, Predictions> = {};
  const training: Record<string, TrainFacts | Record<string, unknown>> = {};
  const kept = new Map<ModelKey, tfl.LayersModel>();
  try {
    for (const key of keys) {
      const name = rename(MODELS[key].name);
      const model = buildThesis2Model(key, data.shapes, seed);
      const kind = key === 'price' || key === 'news' ? 'unimodal' : 'fusion';
      const run = await trainAndPredict(
        name,
        kind,
        model,
        tensors,
        seed,
        options,
        hooks,
      );
      predictions[name] = run.predictions;
      training[name] = run.facts;
      await onTrained?.(key, model, tensors);
      if (key === 'price' || key === 'news') kept.set(key, model);
      else model.dispose();
    }
    const price = kept.get('price') ?? priceModel?.model;
    const news = kept.get('news');
    if (price && news) {
      // Spec S7 (4): per-output weights by validation least squares.
      const priceName = MODELS.price.name;
      const priceVal =
        predictions[priceName]?.val ?? predictRatios(price, tensors.val);
      const fit = fitLateFusionWeights(
        { price: priceVal, news: predictions[rename(MODELS.news.name)]!.val },
        data.parts.val.y,
      );
      const weights = { price: fit.weights.price!, news: fit.weights.news! };
      const fused = buildDecisionFusion(price, news, weights);
      const w = weights.price.map((v) => v.toFixed(3));
      predictions[rename(DECISION_FUSION)] = {
        val: predictRatios(fused, tensors.val),
        test: predictRatios(fused, tensors.test),
        note: `w_price = ${w[0]} (max), ${w[1]} (min)`,
        kind: 'fusion',
      };
      training[rename(DECISION_FUSION)] = { weights, validationMse: fit.mse };
      fused.dispose();
    }
  } finally {
    disposeTensors(tensors);
    kept.get('news')?.dispose();
  }
  const price = kept.get('price');
  return {
    predictions,
    training,
    priceModel: price ? { model: price } : null,
  };
}
