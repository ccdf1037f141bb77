/**
 * One training run: the three networks and decision fusion on one split
 * with one seed, plus the baselines, as ratio predictions.
 */
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
import type { Part, SplitData } from './dataset';
import {
  buildDecisionFusion,
  buildThesisModel,
  modelSpecs,
  type FusionChoice,
  type ModelShapes,
} from './models';

/** Ratio predictions `[n][2]` (y_max, y_min). */
export type Ratios = [number, number][];

/** What a table row is; choices compare unimodal and fusion rows. */
export type RowKind = 'unimodal' | 'fusion' | 'baseline';

/** Validation and test predictions of one model or baseline. */
export interface Predictions {
  /** Validation part. */
  val: Ratios;
  /** Test part. */
  test: Ratios;
  /** What was chosen on validation or how it trained. */
  note: string;
  /** Single-modality model, fusion model or baseline. */
  kind: RowKind;
}

/** Progress events. */
export interface TrainHooks {
  /** A model starts training. */
  modelStart?(name: string, epochs: number, batchesPerEpoch: number): void;
  /** A batch ended. */
  batch?(name: string, log: BatchLog): void;
  /** An epoch ended. */
  epoch?(name: string, log: EpochLog): void;
  /** A model finished. */
  modelEnd?(name: string, history: FitHistory): void;
  /**
   * Every model is trained (decision fusion included); called before they
   * are disposed, with the test inputs by input name.
   */
  trained?(
    models: ReadonlyMap<string, tfl.LayersModel>,
    test: Record<string, tf.Tensor>,
  ): Promise<void>;
}

/** Training options shared by every model. */
export interface TrainOptions {
  epochs: number;
  patience: number;
  batchSize: number;
  /** Feature-fusion operators to train besides LSTM and CNN. */
  fusions: readonly FusionChoice[];
}

/** The result of {@link trainAndPredict}. */
export interface RunPredictions {
  /** Predictions by row name, models first, then baselines. */
  predictions: Record<string, Predictions>;
  /** Training facts per model (epochs, time, weights). */
  training: Record<string, Record<string, unknown>>;
}

/**
 * Trains LSTM, CNN and feature fusion with `seed`, fits the decision
 * fusion weights on validation predictions, and predicts every part.
 */
export async function trainAndPredict(
  data: SplitData,
  shapes: ModelShapes,
  seed: number,
  options: TrainOptions,
  hooks: TrainHooks = {},
): Promise<RunPredictions> {
  const tensors = {
    train: toTensors(data.parts.train, shapes),
    val: toTensors(data.parts.val, shapes),
    test: toTensors(data.parts.test, shapes),
  };
  const models = new Map<string, tfl.LayersModel>();
  const predictions: Record<string, Predictions> = {};
  const training: Record<string, Record<string, unknown>> = {};
  try {
    for (const spec of modelSpecs(options.fusions)) {
      const name = spec.name;
      const model = buildThesisModel(spec, shapes, seed);
      models.set(name, model);
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
          seed,
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
      predictions[name] = {
        val: predictRatios(model, inputs(tensors.val)),
        test: predictRatios(model, inputs(tensors.test)),
        note: `${history.epochs.length} epochs, best ${history.bestEpoch}`,
        kind: spec.group,
      };
      training[name] = {
        epochsRun: history.epochs.length,
        bestEpoch: history.bestEpoch,
        bestValLoss: history.bestValLoss,
        stoppedEarly: history.stoppedEarly,
        trainSeconds: history.totalMs / 1000,
        msPerStep: history.meanStepMs,
        parameters: model.countParams(),
      };
    }

    // Decision fusion: per-output weights fitted on validation predictions.
    const fit = fitLateFusionWeights(
      { lstm: predictions.LSTM!.val, cnn: predictions.CNN!.val },
      data.parts.val.y,
    );
    const weights = { lstm: fit.weights.lstm!, cnn: fit.weights.cnn! };
    const fused = buildDecisionFusion(
      models.get('LSTM')!,
      models.get('CNN')!,
      weights,
    );
    models.set('Decision fusion', fused);
    const w = weights.lstm.map((v) => v.toFixed(3));
    predictions['Decision fusion'] = {
      val: predictRatios(fused, pick(fused, tensors.val)),
      test: predictRatios(fused, pick(fused, tensors.test)),
      note: `w_LSTM = ${w[0]} (max), ${w[1]} (min)`,
      kind: 'fusion',
    };
    training['Decision fusion'] = { weights, validationMse: fit.mse };
    await hooks.trained?.(models, {
      price: tensors.test.price,
      chart: tensors.test.chart,
    });
  } finally {
    for (const part of Object.values(tensors)) tf.dispose(Object.values(part));
    for (const model of models.values()) model.dispose();
  }

  for (const b of baselines(data)) {
    predictions[b.name] = {
      val: b.val,
      test: b.test,
      note: b.note ?? '',
      kind: 'baseline',
    };
  }
  return { predictions, training };
}

interface PartTensors {
  price: tf.Tensor3D;
  chart: tf.Tensor4D;
  labels: tf.Tensor2D;
  /** All ones `[n, 2]`: every modality present (the hybrid's input). */
  presence: tf.Tensor2D;
}

function toTensors(part: Part, shapes: ModelShapes): PartTensors {
  const n = part.y.length;
  return {
    price: tf.tensor3d(part.windows, [n, ...shapes.price]),
    chart: tf.tensor4d(part.charts, [n, ...shapes.chart]),
    labels: tf.tensor2d(part.labels, [n, 2]),
    presence: tf.ones([n, 2]),
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
    presence: part.presence,
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
