/**
 * The four models of spec S7, built with modalfuse.
 */
import type * as tfl from '@tensorflow/tfjs-layers';

import {
  Random,
  buildModel,
  conv2dEncoder,
  decisionFusionModel,
  lstmEncoder,
  type HeadSpec,
} from '../../src/index';

/** Two independent heads Dense(64, relu) - Dense(32, relu) - Dense(1). */
export const THESIS_HEADS: HeadSpec[] = [
  { name: 'max', hidden: [64, 32] },
  { name: 'min', hidden: [64, 32] },
];

/** Shapes of one sample of each modality. */
export interface ModelShapes {
  /** `[window, features]`. */
  price: [number, number];
  /** `[height, width, 1]`. */
  chart: [number, number, number];
}

/** The names of the neural models, in table order. */
export const MODEL_NAMES = ['LSTM', 'CNN', 'Feature fusion'] as const;

/** One of {@link MODEL_NAMES}. */
export type ModelName = (typeof MODEL_NAMES)[number];

/**
 * Builds one of the thesis models with seeds drawn from `seed`, the same
 * draws for the same name whatever order the models are built in.
 */
export function buildThesisModel(
  name: ModelName,
  shapes: ModelShapes,
  seed: number,
): tfl.LayersModel {
  const rng = new Random(seed * 31 + MODEL_NAMES.indexOf(name));
  const price = () => ({
    shape: shapes.price,
    encoder: lstmEncoder({ units: [64, 64], dropout: 0.2, seed: rng.seed() }),
  });
  const chart = () => ({
    shape: shapes.chart,
    encoder: conv2dEncoder({
      filters: [16, 32, 64, 64],
      kernelSize: 3,
      seed: rng.seed(),
    }),
  });
  const modalities =
    name === 'LSTM'
      ? { price: price() }
      : name === 'CNN'
        ? { chart: chart() }
        : { price: price(), chart: chart() };
  return buildModel({
    modalities,
    heads: THESIS_HEADS,
    output: 'concat',
    seed: rng.seed(),
    name: name.toLowerCase().replace(' ', '_'),
  });
}

/**
 * The decision-fusion model: y_k = w_k LSTM_k + (1 − w_k) CNN_k, with the
 * weights fitted on validation predictions.
 */
export function buildDecisionFusion(
  lstm: tfl.LayersModel,
  cnn: tfl.LayersModel,
  weights: { lstm: number[]; cnn: number[] },
): tfl.LayersModel {
  return decisionFusionModel({
    models: { lstm, cnn },
    weights,
    name: 'decision_fusion',
  });
}
